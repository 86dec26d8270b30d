"""Indexing: __getitem__/__setitem__, gather/scatter, index_* and masked_* ops, copy_/fill_."""

import builtins
import functools
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core import grad_mode
from .._core.tensor import Tensor, _overlap_error, _wrap_dim, wrap
from .._core import views
from .kernel import Kernel, run
from .registry import _scalar_type_name, apply_inplace, check_scalar_fits, op, scalar_leaf
from .._lazy import LazyArray as _LazyArray
from .shape_views import make_view
from .._core.views import _item

_INT_TYPES = (builtins.int, np.integer)


def _is_basic(item):
    return item is None or item is Ellipsis or isinstance(item, slice) or (
        isinstance(item, _INT_TYPES) and not isinstance(item, (builtins.bool, np.bool_)))


def _slice_item(s, size):
    def idx(v):
        if v is None:
            return None
        if isinstance(v, Tensor):
            v = int(v.item())
        return int(v)
    step = idx(s.step)
    if step is not None and step <= 0:
        raise ValueError("step must be greater than zero")
    # normalised (start, length, step): the start is traced, so x[i:i+n] for many i shares
    # one compiled program
    start, stop, st = slice(idx(s.start), idx(s.stop), step).indices(size)
    return ("S", start, len(range(start, stop, st)), st)


def _basic_items(index, shape):
    n_real = builtins.sum(1 for it in index if it is not None and it is not Ellipsis)
    if n_real > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    if builtins.sum(1 for it in index if it is Ellipsis) > 1:
        return _basic_items(_expand_ellipses(index, len(shape) - n_real), shape)
    items = []
    d = 0
    for it in index:
        if it is None:
            items.append(("n",))
        elif it is Ellipsis:
            items.append(("e",))
            d += len(shape) - n_real
        elif isinstance(it, slice):
            items.append(_slice_item(it, shape[d]))
            d += 1
        else:
            _check_scalar_index(it)
            k = int(it)
            size = shape[d]
            if not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {d} with size {size}")
            items.append(("i", k % size))
            d += 1
    return tuple(items)


def _expand_ellipses(index, k):
    """PyTorch lets every '...' skip the k dims the other items leave, and ignores one that no
    item follows: x[..., 0, ...] is x[..., 0]. NumPy and JAX allow a single '...'."""
    last = builtins.max((i for i, it in enumerate(index) if it is not Ellipsis), default=-1)
    out = []
    for i, it in enumerate(index):
        if it is not Ellipsis:
            out.append(it)
        elif i < last:
            out.extend([slice(None)] * k)
    return tuple(out)


def _normalize(index):
    if isinstance(index, list) and _sequence_as_tuple(index):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated "
                      "and will be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. "
                      "In pytorch 2.9 this will be interpreted as tensor index, "
                      "x[torch.tensor(seq)], which will result either in an error or a "
                      "different result", UserWarning, stacklevel=3)
        return tuple(index)
    if not isinstance(index, tuple):
        index = (index,)
    return index


def _sequence_as_tuple(index):
    """PyTorch (still, as NumPy once did) reads a short list holding a sequence, tensor, slice,
    None or Ellipsis as a tuple of indices: x[[[0, 1], [1, 0]]] is x[[0, 1], [1, 0]]."""
    return len(index) < 32 and builtins.any(
        isinstance(it, (Tensor, list, tuple, slice)) or it is None or it is Ellipsis
        for it in index)


def _check_scalar_index(it):
    """A scalar index must be an integer (PyTorch does not truncate x[1.0])."""
    if isinstance(it, str):
        raise TypeError("new(): invalid data type 'str'")
    if not hasattr(type(it), "__index__"):
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                         f"Variables are valid indices (got {type(it).__name__})")


def _int0(it):
    if isinstance(it, Tensor) and it.dim() == 0 and it._dtype._cat == _dt._INT and \
            it._dtype is not _dt.uint8 and type(a := it._data) is _CONCRETE:
        return builtins.int(a)
    return it


_CONCRETE = type(jnp.zeros(()))


def _to_index_tensor(it):
    from .creation import tensor
    if isinstance(it, Tensor):
        return it
    if isinstance(it, (list, np.ndarray)):
        t = tensor(it)
        if t.numel() == 0:
            t = t.to(_dt.int64)
        return t
    if isinstance(it, (builtins.bool, np.bool_)):
        return tensor(builtins.bool(it))
    return it


def _from_host(arr, device):
    from .creation import from_host  # (creation imports this module)
    return from_host(arr, device)


def _expand_bool(index, shape, value=None):
    """Replace bool masks by their nonzero int indices (data-dependent shapes need a host sync).
    value: the value a write puts through the index."""
    out = []
    d = 0
    n_ellipsis = 0
    n_real = builtins.sum(
        (it.dim() if isinstance(it, Tensor) and it.dtype is _dt.bool else 1)
        for it in index if it is not None and it is not Ellipsis)
    for it in index:
        if isinstance(it, Tensor) and it.dtype in (_dt.bool, _dt.uint8):
            if it.dtype is _dt.uint8 and value is not None:
                _check_byte_mask_put(index, value)
            m = np.asarray(it._data).astype(bool)
            if m.ndim == 0:
                out.append(("bool0", builtins.bool(m)))
                continue
            for j, s in enumerate(m.shape):
                if d + j >= len(shape) or shape[d + j] != s:
                    raise IndexError(f"The shape of the mask {list(m.shape)} at index {j} does "
                                     f"not match the shape of the indexed tensor {list(shape)} at "
                                     f"index {d + j}")
            nz = np.nonzero(m)
            for a in nz:
                out.append(_from_host(a.astype(np.int64), it.device))
            d += m.ndim
        elif it is Ellipsis:
            out.append(it)
            d += len(shape) - n_real
            n_ellipsis += 1
        else:
            out.append(it)
            if it is not None:
                d += 1
    if n_ellipsis > 1:
        out = list(_expand_ellipses(out, len(shape) - n_real))
    return out


def _check_byte_mask_put(index, value):
    """PyTorch writes a one-element value through a lone mask index with masked_fill_, which
    refuses a uint8 mask (other uint8 index writes only warn)."""
    n = value.numel() if isinstance(value, Tensor) else np.size(value)
    if n == 1 and builtins.sum(isinstance(t, Tensor) and t.dim() > 0 for t in index) == 1:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           "unsigned char")


def _adv_spec(index, shape):
    """(static spec, index tensors) for an advanced index; checks integer bounds."""
    spec, leaves = [], []
    d = 0
    n_real = builtins.sum(1 for it in index if it is not None and it is not Ellipsis
                          and not (isinstance(it, tuple) and it[0] == "bool0"))
    if n_real > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    for it in index:
        if it is None:
            spec.append(("n",))
        elif it is Ellipsis:
            spec.append(("e",))
            d += len(shape) - n_real
        elif isinstance(it, tuple) and it[0] == "bool0":
            spec.append(("b0", it[1]))
        elif isinstance(it, slice):
            spec.append(_slice_item(it, shape[d]))
            d += 1
        elif isinstance(it, Tensor):
            if it.dtype not in (_dt.int64, _dt.int32, _dt.uint8, _dt.bool):
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            a = it._data
            if not isinstance(a, (jax.core.Tracer, _LazyArray)) and a.size:
                lo, hi = _index_range(a, it._device)
                size = shape[d]
                if lo < -size or hi >= size:
                    bad = hi if hi >= size else lo
                    raise IndexError(f"index {bad} is out of bounds for dimension {d} with size "
                                     f"{size}")
            # a 0-d integer tensor indexes like an int (PyTorch selects before advanced indexing)
            spec.append(("t0",) if it.dim() == 0 and it.dtype is not _dt.bool else ("t",))
            leaves.append(it)
            d += 1
        else:
            _check_scalar_index(it)
            k = int(it)
            size = shape[d]
            if not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {d} with size {size}")
            spec.append(("i", k))
            d += 1
    return tuple(spec), leaves


def _build_index(spec, arrays):
    it = iter(arrays)
    idx = []
    for s in spec:
        k = s[0]
        if k in ("t", "t0"):
            idx.append(next(it))
        elif k == "b0":
            idx.append(None)
            if not s[1]:
                idx.append(slice(0, 0))  # handled by caller via empty result
        elif k == "i":
            idx.append(s[1])
        elif k in ("s", "S"):
            idx.append(_item(s))
        elif k == "n":
            idx.append(None)
        else:
            idx.append(Ellipsis)
    return tuple(idx)


_GET = {}
_PUT = {}


def _on_device(self, leaves):
    """Index tensors on self's device: PyTorch accepts CPU indices for a CUDA tensor."""
    dev = self._device
    return [t if t._device is dev or t._device == dev else t.to(dev) for t in leaves]


def _two_step(spec):
    """Whether ints/None mix with tensor indices: PyTorch applies the ints, slices and None
    first (as views) and the tensors after, which differs from numpy's joint broadcasting."""
    kinds = {s[0] for s in spec}
    return "t" in kinds and bool(kinds & {"i", "n", "b0", "t0"})


def _two_step_get(a, spec, arrays):
    first, second = [], []
    it = iter(arrays)
    for s in spec:
        k = s[0]
        if k == "i":
            first.append(s[1])
        elif k == "t0":
            first.append(next(it))
        elif k in ("s", "S"):
            first.append(_item(s))
            second.append(slice(None))
        elif k in ("n", "b0"):
            first.append(None)
            second.append(slice(None))
        elif k == "t":
            first.append(slice(None))
            second.append(next(it))
        else:
            first.append(Ellipsis)
            second.append(Ellipsis)
    return a[tuple(first)][tuple(second)]


def _index_get(a, spec, arrays):
    if _two_step(spec):
        return _two_step_get(a, spec, arrays)
    return a[_build_index(spec, arrays)]


def _get_kernel(spec):
    k = _GET.get(spec)
    if k is None:
        def f(a, *ix):
            return _index_get(a, spec, ix)
        k = _GET[spec] = Kernel(f, "index")
    return k


def getitem(self, index):
    if type(index) is builtins.int:  # x[i]: the most common index, without the general parse
        shape = self._data.shape
        if shape and -shape[0] <= index < shape[0]:
            return make_view(self, ("idx", (("i", index % shape[0]),)))
    index = _normalize(index)
    shape = self._data.shape
    if builtins.all(_is_basic(it) and not isinstance(it, Tensor) for it in index):
        return make_view(self, ("idx", _basic_items(index, shape)))
    # a 0-d integer tensor indexes as its number (PyTorch: a view, x[torch.tensor(2)])
    index = tuple(_int0(it) for it in index)
    if builtins.all(_is_basic(it) and not isinstance(it, Tensor) for it in index):
        return make_view(self, ("idx", _basic_items(index, shape)))
    index = [_to_index_tensor(it) for it in index]
    index = _expand_bool(index, shape)
    if builtins.any(isinstance(it, tuple) and it[0] == "bool0" and not it[1] for it in index):
        # x[False]: an empty leading dimension
        rest = [it for it in index if not (isinstance(it, tuple) and it[0] == "bool0")]
        r = getitem(self, tuple(rest)) if rest else self
        return r.unsqueeze(0)[0:0].clone()
    had_bool = builtins.any(isinstance(it, tuple) and it[0] == "bool0" for it in index)
    index = [None if (isinstance(it, tuple) and it[0] == "bool0") else it for it in index]
    if builtins.all(_is_basic(it) and not isinstance(it, Tensor) for it in index):
        v = make_view(self, ("idx", _basic_items(tuple(index), shape)))
        # x[True]: advanced indexing in PyTorch, so a copy, not a view
        return v.clone() if had_bool else v
    spec, leaves = _adv_spec(index, shape)
    leaves = _on_device(self, leaves)
    return run(_get_kernel(spec), [self] + leaves)


def _bool_reduce(a, idx, v, how):
    """A scatter-add ('max': PyTorch's bool sum is a logical or) or scatter-multiply ('min':
    a logical and) into a bool array, which XLA's scatter-add does not take."""
    u = a.astype(jnp.uint8).at[idx]
    v = v.astype(jnp.uint8)
    return (u.max(v) if how == "max" else u.min(v)).astype(jnp.bool_)


def _scatter_add(a, idx, v):
    if a.dtype == jnp.bool_:
        return _bool_reduce(a, idx, v, "max")
    return a.at[idx].add(v)


def _put_kernel(spec, accumulate):
    key = (spec, accumulate)
    k = _PUT.get(key)
    if k is None:
        def f(a, v, *ix):
            v = v.astype(a.dtype)
            if _two_step(spec):
                # write through the flat positions the two-step read selects
                pos = _two_step_get(jnp.arange(a.size).reshape(a.shape), spec, ix)
                v = jnp.broadcast_to(v, pos.shape).reshape(-1)
                flat, p = a.reshape(-1), pos.reshape(-1)
                return (_scatter_add(flat, p, v) if accumulate
                        else flat.at[p].set(v)).reshape(a.shape)
            idx = _build_index(spec, ix)
            return _scatter_add(a, idx, v) if accumulate else a.at[idx].set(v)
        k = _PUT[key] = Kernel(f, "index_put")
    return k


def _value_leaf(self, value):
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (builtins.int, builtins.float, builtins.bool, builtins.complex)):
        if isinstance(value, builtins.float) and not (self.dtype.is_floating_point or self.dtype.is_complex) \
                and value != int(value) if value == value and abs(value) != float("inf") else False:
            pass  # PyTorch truncates a float assigned into an integer tensor
        check_scalar_fits(value, self.dtype)
        return scalar_leaf(value)
    from .creation import tensor
    return tensor(value, dtype=self.dtype, device=self.device)


def setitem(self, index, value):
    index = _normalize(index)
    shape = self._data.shape
    if builtins.any(it is False or (isinstance(it, Tensor) and it.dtype == _dt.bool and it.dim() == 0
                                    and not it.item()) for it in index):
        return  # x[False] = v selects nothing (torch.distributions' kl relies on it)
    if builtins.all(_is_basic(it) and not isinstance(it, Tensor) for it in index):
        v = make_view(self, ("idx", _basic_items(index, shape))) if index != (Ellipsis,) else self
        if v._base is not None and views.overlap(v._base._shape(), v._chain):
            _overlap_error()  # (PyTorch copies a number in: it refuses expanded views)
        v.copy_(value) if isinstance(value, Tensor) else v.fill_(value)
        return
    # 0-d integer tensors index as ints do (PyTorch writes x[i] = x[i] in place): only truly
    # advanced indices refuse a value that partly overlaps x
    advanced = builtins.any(isinstance(it, (list, tuple)) or isinstance(it, Tensor) and
                            (it.dim() or it.dtype == _dt.bool) for it in index)
    index = [_to_index_tensor(it) for it in index]
    index = _expand_bool(index, shape, value)
    index = [None if (isinstance(it, tuple) and it[0] == "bool0") else it for it in index]
    spec, leaves = _adv_spec(index, shape)
    leaves = _on_device(self, leaves)
    value = _value_leaf(self, value)
    try:
        apply_inplace(self, _put_kernel(spec, False), [value] + leaves, "index_put_",
                      check_overlap=advanced)
    except ValueError:
        _check_put_shape(self, spec, leaves, value)
        raise


def _check_put_shape(self, spec, leaves, value):
    """PyTorch's RuntimeError for a value that does not broadcast to the indexed shape (jax
    raises a ValueError while tracing the write)."""
    structs = [jax.ShapeDtypeStruct(tuple(t.shape), t.dtype._np) for t in [self] + leaves]
    res = tuple(jax.eval_shape(lambda a, *ix: _index_get(a, spec, ix), *structs).shape)
    vs = tuple(value.shape)
    try:
        ok = np.broadcast_shapes(vs, res) == res
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(vs)} cannot be "
                           f"broadcast to indexing result of shape {list(res)}") from None


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem


def index_put_(self, indices, values, accumulate=False):
    index = _expand_bool([_to_index_tensor(i) for i in indices], self._data.shape, values)
    spec, leaves = _adv_spec(index, self._data.shape)
    leaves = _on_device(self, leaves)
    return apply_inplace(self, _put_kernel(spec, accumulate), [_value_leaf(self, values)] + leaves,
                         "index_put_")


def index_put(self, indices, values, accumulate=False):
    return index_put_(self.clone(), indices, values, accumulate)


Tensor.index_put_ = index_put_
Tensor.index_put = index_put


# ---- copy_, fill_, zero_ ----
_COPY = Kernel(lambda a, src: jnp.broadcast_to(
    (jnp.real(src) if jnp.iscomplexobj(src) and not jnp.iscomplexobj(a) else src).astype(a.dtype),
    a.shape), "copy")


def copy_(self, src, non_blocking=False):
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
    if self._base is None and src._base is not self and src._dtype is self._dtype and \
            src._device == self._device and \
            not (self.is_sparse or src.is_sparse) and tuple(src._shape()) == tuple(self._shape()) \
            and not (grad_mode.state.enabled and (self.requires_grad or src.requires_grad)):
        # the same shape, dtype and device: this tensor takes the source's array (JAX arrays are
        # immutable; a later in-place write to either replaces its own), no kernel (p.copy_(q)
        # in optimizers, EMA updates, load_state_dict)
        self._set_data(src._data)
        return self
    try:
        np.broadcast_shapes(src._data.shape, self._data.shape)
        ok = np.broadcast_shapes(src._data.shape, self._data.shape) == tuple(self._data.shape)
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"The size of tensor a ({self.shape[-1] if self.dim() else 1}) must "
                           f"match the size of tensor b ({src.shape[-1] if src.dim() else 1}) at "
                           f"non-singleton dimension {self.dim() - 1}")
    if src.device != self.device:
        src = src.to(self.device)
    return apply_inplace(self, _COPY, [src], "copy_")


_FILL = Kernel(lambda a, v: jnp.broadcast_to(v.astype(a.dtype), a.shape), "fill")


def fill_(self, value):
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.dim()} dimensions.")
        return apply_inplace(self, _FILL, [value], "fill_")
    check_scalar_fits(value, self.dtype)
    return apply_inplace(self, _FILL, [scalar_leaf(value)], "fill_")


def zero_(self):
    return fill_(self, 0)


Tensor.copy_ = copy_
Tensor.fill_ = fill_
Tensor.zero_ = zero_


# ---- gather / scatter family ----
def _check_index_dtype(index, name):
    if index.dtype is not _dt.int64 and index.dtype is not _dt.int32:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")


_MINMAX = jax.jit(lambda a: jnp.stack([jnp.min(a), jnp.max(a)]).astype(jnp.int64))


def _index_range(a, device):
    """(min, max) of a concrete index array, for PyTorch's out-of-range errors: read in place
    on the CPU; elsewhere one jitted reduction sends two numbers to the host. (Two unjitted
    jnp reductions and their transfers took ~40 µs per indexing call.)"""
    if device is None or device.type == "cpu":
        h = np.asarray(a)
        return int(h.min()), int(h.max())
    lo, hi = np.asarray(_MINMAX(a))
    return int(lo), int(hi)


def _check_bounds(index, size, name, dim, negative_ok=False):
    """PyTorch's range check of an index tensor. Only index_fill (and take, index_put) wrap a
    negative index; gather, scatter*, index_add/copy/select refuse it."""
    a = index._data
    if isinstance(a, (jax.core.Tracer, _LazyArray)) or a.size == 0:
        return
    lo, hi = _index_range(a, index._device)
    if lo < (-size if negative_ok else 0) or hi >= size:
        raise RuntimeError(f"index {hi if hi >= size else lo} is out of bounds for dimension "
                           f"{dim} with size {size}")


def _gidx(index, dim, ndim):
    # full index arrays for take_along_axis-style gathers/scatters
    idx = []
    for d in range(ndim):
        if d == dim:
            idx.append(index)
        else:
            shape = [1] * ndim
            shape[d] = index.shape[d]
            idx.append(jnp.arange(index.shape[d]).reshape(shape))
    return tuple(idx)


@op(tensor_args=("input", "index"), method=False, name="_gather")
def _gather(input, dim, index):
    return input[_gidx(index, dim, input.ndim)]


def gather(input, dim, index, *, sparse_grad=False, out=None):
    _check_index_dtype(index, "gather")
    d = _wrap_dim(dim, input.dim())
    if index.dim() != input.dim() and not (index.dim() <= 1 and input.dim() <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    ish, sh = index._shape(), input._shape()  # (raw tuples: .shape builds a Size each time)
    if sh:
        for i, n in enumerate(ish):  # XLA would clamp a row past input's end
            if i != d and n > sh[i]:
                raise RuntimeError(f"Size does not match at dimension {i} expected index "
                                   f"{list(ish)} to be no larger than self {list(sh)} apart "
                                   f"from dimension {d}")
    _check_bounds(index, sh[d] if sh else 1, "gather", d)
    return _gather(input, d, index, out=out)


@op(tensor_args=("input", "index", "src"), method=False, name="_scatter")
def _scatter(input, dim, index, src, reduce):
    if src.ndim == 0:
        src = jnp.broadcast_to(src, index.shape)
    else:
        src = src[tuple(slice(0, s) for s in index.shape)]
    src = src.astype(input.dtype)
    at = input.at[_gidx(index, dim, input.ndim)]
    if reduce is None:
        return at.set(src)
    if input.dtype == jnp.bool_ and reduce in ("add", "sum", "multiply", "prod", "amax", "amin"):
        how = "max" if reduce in ("add", "sum", "amax") else "min"
        return _bool_reduce(input, _gidx(index, dim, input.ndim), src, how)
    if reduce in ("add", "sum"):
        return at.add(src)
    if reduce in ("multiply", "prod"):
        return at.multiply(src)
    if reduce == "amax":
        return at.max(src)
    if reduce == "amin":
        return at.min(src)
    raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")


def _scatter_args(input, dim, index, src, value):
    _check_index_dtype(index, "scatter")
    d = _wrap_dim(dim, input.dim())
    _check_bounds(index, input.shape[d] if input.dim() else 1, "scatter", d)
    if src is None:
        src = value
    if isinstance(src, Tensor) and src.dtype != input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if not isinstance(src, Tensor):
        src = float(src) if isinstance(src, (np.floating,)) else src
    return d, src


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    d, s = _scatter_args(input, dim, index, src, value)
    return _scatter(input, d, index, s, reduce)


def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    d, s = _scatter_args(self, dim, index, src, value)
    leaves, key = _scatter.__wrapped_op__.split([self, d, index, s, reduce])
    return apply_inplace(self, _scatter.__wrapped_op__.kernel(key), leaves[1:], "scatter_")


def scatter_add(input, dim, index, src):
    return scatter(input, dim, index, src, reduce="add")


def scatter_add_(self, dim, index, src):
    return scatter_(self, dim, index, src, reduce="add")


@op(tensor_args=("input", "index", "src"), method=False, name="_scatter_reduce")
def _scatter_reduce(input, dim, index, src, reduce, include_self):
    src = src[tuple(slice(0, s) for s in index.shape)].astype(input.dtype)
    if reduce in ("prod", "amax", "amin") and jnp.issubdtype(input.dtype, jnp.inexact):
        return _scatter_reduce_torch_grad(input, dim, index, src, reduce, include_self)
    return _scatter_reduce_value(input, dim, index, src, reduce, include_self)


def _scatter_reduce_value(input, dim, index, src, reduce, include_self):
    idx = _gidx(index, dim, input.ndim)
    if input.dtype == jnp.bool_ and reduce in ("sum", "prod", "amax", "amin"):
        # (bool: sum and amax are a logical or, prod and amin a logical and)
        touched = jnp.zeros(input.shape, bool).at[idx].set(True)
        how = "max" if reduce in ("sum", "amax") else "min"
        base = input if include_self else jnp.where(touched, how == "min", input)
        return _bool_reduce(base, idx, src, how)
    if input.dtype == jnp.bool_ and reduce == "mean":
        raise NotImplementedError(
            "\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool'")
    if reduce == "mean":
        cnt = jnp.zeros(input.shape, input.dtype).at[idx].add(1)
        base = input if include_self else jnp.zeros_like(input)
        tot = base.at[idx].add(src)
        n = cnt + (1 if include_self else 0)
        res = jnp.where(n > 0, tot / jnp.where(n > 0, n, 1), input)
        if not jnp.issubdtype(input.dtype, jnp.inexact):
            res = jnp.where(n > 0, jnp.floor_divide(tot, jnp.where(n > 0, n, 1)), input)
        return res.astype(input.dtype)
    touched = jnp.zeros(input.shape, bool).at[idx].set(True)
    if reduce == "sum":
        base = input if include_self else jnp.where(touched, 0, input)
        return base.at[idx].add(src)
    if reduce == "prod":
        base = input if include_self else jnp.where(touched, 1, input)
        return base.at[idx].multiply(src)
    if reduce == "amax":
        lo = jnp.finfo(input.dtype).min if jnp.issubdtype(input.dtype, jnp.inexact) else jnp.iinfo(input.dtype).min
        base = input if include_self else jnp.where(touched, -jnp.inf if jnp.issubdtype(input.dtype, jnp.inexact) else lo, input)
        return base.at[idx].max(src)
    if reduce == "amin":
        hi = jnp.finfo(input.dtype).max if jnp.issubdtype(input.dtype, jnp.inexact) else jnp.iinfo(input.dtype).max
        base = input if include_self else jnp.where(touched, jnp.inf if jnp.issubdtype(input.dtype, jnp.inexact) else hi, input)
        return base.at[idx].min(src)
    raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")


# JAX cannot differentiate a scatter-multiply with repeated indices, and splits a tied
# amax/amin gradient differently: use PyTorch's scatter_reduce_backward formulas.
@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 4, 5))
def _scatter_reduce_torch_grad(input, dim, index, src, reduce, include_self):
    return _scatter_reduce_value(input, dim, index, src, reduce, include_self)


def _scatter_reduce_fwd(input, dim, index, src, reduce, include_self):
    out = _scatter_reduce_value(input, dim, index, src, reduce, include_self)
    return out, (input, index, src, out)


def _scatter_reduce_bwd(dim, reduce, include_self, res, grad):
    input, index, src, result = res
    idx = _gidx(index, dim, input.ndim)
    if reduce == "prod":
        # Exclusive products, computed again where self or a lone src element is 0.
        masked_self = jnp.where(input == 0, 1, input)
        grad_self = grad * _scatter_reduce_value(masked_self, dim, index, src, reduce,
                                                 include_self) / masked_self
        src_zero = src == 0
        zeros_at = jnp.zeros_like(input).at[idx].add(src_zero.astype(input.dtype))[idx]
        single_zero = src_zero & (zeros_at == 1)
        masked_src_result = _scatter_reduce_value(input, dim, index, jnp.where(single_zero, 1, src),
                                                  reduce, include_self)
        grad_src = jnp.where(single_zero, (grad * masked_src_result)[idx],
                             (grad * result)[idx] / jnp.where(src_zero, 1, src))
    else:
        # Ties share the gradient evenly; like PyTorch, self counts as a tie even when
        # include_self=False (its own gradient is zeroed below).
        self_is_result = (input == result).astype(input.dtype)
        src_is_result = (src == result[idx]).astype(input.dtype)
        grad_distributed = grad / self_is_result.at[idx].add(src_is_result)
        grad_self = self_is_result * grad_distributed
        grad_src = src_is_result * grad_distributed[idx]
    if not include_self:
        grad_self = grad_self.at[idx].set(0)
    return grad_self, None, grad_src


_scatter_reduce_torch_grad.defvjp(_scatter_reduce_fwd, _scatter_reduce_bwd)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    # PyTorch also takes "max" and "min" for "amax" and "amin"
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)
    if reduce in ("amax", "amin") and input.dtype.is_complex:
        raise NotImplementedError(f"\"scatter_gather_tensor_cpu_reduce_{reduce}\" not "
                                  f"implemented for '{_scalar_type_name(input.dtype)}'")
    d = _wrap_dim(dim, input.dim())
    _check_bounds(index, input.shape[d], "scatter_reduce", d)
    return _scatter_reduce(input, d, index, src, reduce, include_self)


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    self._set_data(scatter_reduce(self.detach(), dim, index, src, reduce,
                                  include_self=include_self)._data)
    return self


@op(tensor_args=("input", "index"), method=False, name="_index_select")
def _index_select(input, dim, index):
    return jnp.take(input, index.reshape(-1), axis=dim)


def index_select(input, dim, index, *, out=None):
    d = _wrap_dim(dim, input.dim())
    if index.dim() > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    _check_index_dtype(index, "index_select")
    try:
        _check_bounds(index, input.shape[d] if input.dim() else 1, "index_select", d)
    except RuntimeError:
        # PyTorch's CPU kernel raises a RuntimeError on its paths for dim 1 and for an empty
        # self of 2 or more dims, an IndexError elsewhere
        if input.dim() > 1 and (d == 1 or input.numel() == 0):
            raise
        raise IndexError("index out of range in self") from None
    if input.dim() == 0:
        if index.numel() != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                               f"{index.numel()} value(s)")
        return input.clone()
    return _index_select(input, d, index, out=out)


def _index_at(a, dim, index):
    return (slice(None),) * dim + (index,)


@op(tensor_args=("input", "index", "source", "alpha"), method=False, name="_index_add")
def _index_add(input, dim, index, source, alpha):
    s = source.astype(input.dtype)
    if alpha is not None:
        s = s * alpha.astype(input.dtype) if input.dtype != jnp.bool_ else s & alpha.astype(bool)
    return _scatter_add(input, _index_at(input, dim, index), s)


def _check_index_source(name, input, d, index, source):
    """PyTorch's checks of index_add/index_copy's source against the index and self."""
    n = index.numel()
    ns = source.shape[d] if source.dim() else 1
    if n != ns:
        if name == "index_copy":
            raise IndexError(f"index_copy_(): Number of indices ({n}) should be equal to "
                             f"source.size(dim) ({ns})")
        raise RuntimeError(f"index_add_(): Number of indices ({n}) should be equal to "
                           f"source.size(dim): ({ns}), for dim: {d}")
    rest = lambda t: [k for i, k in enumerate(t.shape) if i != d]  # noqa: E731
    if source.dim() and input.dim():
        bad = rest(source) != rest(input)
    else:  # index_add compares the whole shapes when either is 0-d
        bad = name == "index_add" and tuple(source.shape) != tuple(input.shape)
    if bad:
        if name == "index_copy":
            raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice "
                               f"shapes. Destination slice shape: {' '.join(map(str, rest(input)))}"
                               f" at dimension {d} and source slice shape: "
                               f"{' '.join(map(str, rest(source)))} at dimension 0.")
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(input.shape)} "
                           f"source.shape = {list(source.shape)}")


def _check_index_bounds(name, index, size, d):
    """index_copy/index_fill raise IndexError where index_add raises RuntimeError."""
    try:
        _check_bounds(index, size, name, d, negative_ok=name == "index_fill")
    except RuntimeError as e:
        prefix = "index_copy_(): " if name == "index_copy" else ""
        raise IndexError(prefix + str(e)) from None


def _check_index_add(input, index, source):
    """PyTorch refuses a source of another dtype (no silent cast) and a non-vector index."""
    if index.dim() > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                         f"{index.dim()} with type: {_scalar_type_name(index.dtype)} and size: "
                         f"{list(index.shape)}")
    if index.dtype is not _dt.int64 and index.dtype is not _dt.int32:
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: "
                           f"{_scalar_type_name(index.dtype)}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_add_(): self ({_scalar_type_name(input.dtype)}) and source "
                           f"({_scalar_type_name(source.dtype)}) must have the same scalar type")


def index_add(input, dim, index, source, *, alpha=1):
    d = _wrap_dim(dim, input.dim())
    _check_index_add(input, index, source)
    _check_bounds(index, input.shape[d], "index_add", d)
    _check_index_source("index_add", input, d, index, source)
    return _index_add(input, d, index, source, None if alpha == 1 else alpha)


def index_add_(self, dim, index, source, *, alpha=1):
    d = _wrap_dim(dim, self.dim())
    _check_index_add(self, index, source)
    _check_bounds(index, self.shape[d], "index_add", d)
    _check_index_source("index_add", self, d, index, source)
    o = _index_add.__wrapped_op__
    leaves, key = o.split([self, d, index, source, None if alpha == 1 else alpha])
    return apply_inplace(self, o.kernel(key), leaves[1:], "index_add_")


@op(tensor_args=("input", "index", "source"), method=False, name="_index_copy")
def _index_copy(input, dim, index, source):
    return input.at[_index_at(input, dim, index)].set(source.astype(input.dtype))


def _check_index_copy(index):
    if index.dtype is not _dt.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                           f"{_scalar_type_name(index.dtype)}")


def index_copy(input, dim, index, source):
    d = _wrap_dim(dim, input.dim())
    _check_index_copy(index)
    _check_index_bounds("index_copy", index, input.shape[d], d)
    _check_index_source("index_copy", input, d, index, source)
    return _index_copy(input, d, index, source)


def index_copy_(self, dim, index, source):
    d = _wrap_dim(dim, self.dim())
    _check_index_copy(index)
    _check_index_bounds("index_copy", index, self.shape[d], d)
    _check_index_source("index_copy", self, d, index, source)
    o = _index_copy.__wrapped_op__
    leaves, key = o.split([self, d, index, source])
    return apply_inplace(self, o.kernel(key), leaves[1:], "index_copy_")


@op(tensor_args=("input", "index", "value"), method=False, name="_index_fill")
def _index_fill(input, dim, index, value):
    x = input.reshape(1) if input.ndim == 0 else input  # a 0-d self fills like a 1-vector
    return x.at[_index_at(x, dim, index)].set(value.astype(x.dtype)).reshape(input.shape)


def _check_index_fill(index, value):
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.dim()} dimension(s).")
    if index.dtype is not _dt.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")


def index_fill(input, dim, index, value):
    _check_index_fill(index, value)
    check_scalar_fits(value, input.dtype)
    d = _wrap_dim(dim, input.dim())
    _check_index_bounds("index_fill", index, input.shape[d] if input.dim() else 1, d)
    return _index_fill(input, d, index, value)


def index_fill_(self, dim, index, value):
    _check_index_fill(index, value)
    check_scalar_fits(value, self.dtype)
    d = _wrap_dim(dim, self.dim())
    _check_index_bounds("index_fill", index, self.shape[d] if self.dim() else 1, d)
    o = _index_fill.__wrapped_op__
    leaves, key = o.split([self, d, index, value])
    return apply_inplace(self, o.kernel(key), leaves[1:], "index_fill_")


@op(tensor_args=("input", "mask", "value"), method=False, name="_masked_fill")
def _masked_fill(input, mask, value):
    if mask.dtype != jnp.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_dt.from_np(mask.dtype)._name}")
    return jnp.where(mask, value.astype(input.dtype), input)


def masked_fill(input, mask, value):
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.dim()} dimension(s).")
    check_scalar_fits(value, input.dtype)
    from .pointwise import broadcast_check
    broadcast_check(mask, input)
    return _masked_fill(input, mask, value)


def masked_fill_(self, mask, value):
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.dim()} dimension(s).")
    check_scalar_fits(value, self.dtype)
    if mask._data.shape != self._data.shape:
        _check_inplace_broadcast(self, mask)
    o = _masked_fill.__wrapped_op__
    leaves, key = o.split([self, mask, value])
    return apply_inplace(self, o.kernel(key), leaves[1:], "masked_fill_")


def _check_inplace_broadcast(self, other):
    """An in-place op keeps self's shape: other must broadcast to it."""
    from .pointwise import broadcast_check
    shape = tuple(broadcast_check(self, other))
    if shape != tuple(self.shape):
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast "
                           f"shape {list(shape)}")


def masked_select(input, mask):
    if mask.dtype is not _dt.bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = np.broadcast_shapes(tuple(input.shape), tuple(mask.shape))
    x = input.expand(*shape) if tuple(input.shape) != shape else input
    m = mask.expand(*shape) if tuple(mask.shape) != shape else mask
    return getitem(x, m)


def _masked_count(mask, source):
    if mask.dtype is not _dt.bool:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {_scalar_type_name(mask.dtype)}")
    n = int(mask.sum())
    if n > source.numel():
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return n


def _check_masked_scatter(input, source):
    if source.dtype is not input.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got "
                           f"{_scalar_type_name(input.dtype)} and {_scalar_type_name(source.dtype)}")


def masked_scatter(input, mask, source):
    _check_masked_scatter(input, source)
    from .pointwise import broadcast_check
    shape = tuple(broadcast_check(input, mask))
    out = input.expand(*shape).clone()
    m = mask.expand(*shape)
    n = _masked_count(m, source)
    setitem(out, m, source.reshape(-1)[:n])
    return out


def masked_scatter_(self, mask, source):
    _check_masked_scatter(self, source)
    m = mask.expand(*self.shape)
    n = _masked_count(m, source)
    setitem(self, m, source.reshape(-1)[:n])
    return self


def take(input, index):
    flat = input.reshape(-1)
    a = index._data
    n = flat.shape[0]
    if not isinstance(a, (jax.core.Tracer, _LazyArray)) and a.size:
        lo, hi = _index_range(a, index._device)
        if lo < -n or hi >= n:
            raise IndexError(f"out of range: tried to access index {hi if hi >= n else lo} on a "
                             f"tensor of {n} elements.")
    return getitem(flat, index)


def take_along_dim(input, indices, dim=None):
    if dim is None:
        return take(input, indices)
    if input.dim() != indices.dim():
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {input.dim()} dimensions for input, and "
                           f"{indices.dim()} dimensions for indices")
    d = _wrap_dim(dim, input.dim())
    shape = list(np.broadcast_shapes(tuple(s for i, s in enumerate(input.shape) if i != d),
                                     tuple(s for i, s in enumerate(indices.shape) if i != d)))
    ishape = shape[:d] + [input.shape[d]] + shape[d:]
    xshape = shape[:d] + [indices.shape[d]] + shape[d:]
    return gather(input.expand(*ishape), d, indices.expand(*xshape))


def nonzero(input, *, as_tuple=False):
    def place(x):
        return _from_host(x, input.device)

    a = np.asarray(input._data)
    nz = np.nonzero(a) if a.ndim else (np.nonzero(np.atleast_1d(a))[0],)
    if as_tuple:
        return tuple(place(x.astype(np.int64)) for x in nz)
    if a.ndim == 0:
        return place(np.zeros((int(bool(a)), 0), np.int64))
    return place(np.stack(nz, 1).astype(np.int64).reshape(-1, a.ndim))


def argwhere(input):
    return nonzero(input)


for _n in ("gather", "scatter", "scatter_", "scatter_add", "scatter_add_", "scatter_reduce",
           "scatter_reduce_", "index_select", "index_add", "index_add_", "index_copy",
           "index_copy_", "index_fill", "index_fill_", "masked_fill", "masked_fill_",
           "masked_select", "masked_scatter", "masked_scatter_", "take", "take_along_dim",
           "nonzero", "argwhere"):
    setattr(Tensor, _n, globals()[_n])


def unravel_index(indices, shape):
    """torch.unravel_index."""
    from .creation import tensor
    if not isinstance(indices, Tensor):
        indices = tensor(indices)
    if indices.dtype.is_floating_point or indices.dtype.is_complex or indices.dtype is _dt.bool:
        raise TypeError("expected 'indices' to be integer dtype, but got "
                        f"{indices.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    a = np.asarray(indices._data)
    total = int(np.prod(shape))
    if a.size and (a.min() < -total or a.max() >= total):
        raise ValueError("'indices' must be in range [-{0}, {0}-1]".format(total))
    a = np.where(a < 0, a + total, a)
    res = np.unravel_index(a, shape)
    return tuple(_from_host(r.astype(np.int64), indices.device) for r in res)
