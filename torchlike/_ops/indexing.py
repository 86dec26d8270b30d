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
        _check_step(step)
    # normalised (start, length, step): the start is traced, so x[i:i+n] for many i shares
    # one compiled program
    start, stop, st = slice(idx(s.start), idx(s.stop), step).indices(size)
    return ("S", start, len(range(start, stop, st)), st)


def _check_step(step):
    raise ValueError("slice step cannot be zero" if step == 0 else "step must be greater than zero")


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
    if isinstance(it, (list, tuple, np.ndarray)):  # (a tuple inside the index is a sequence)
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
                    for it2 in index:  # (PyTorch reads a later slice before it checks a mask)
                        if isinstance(it2, slice) and it2.step is not None and it2.step <= 0:
                            _check_step(it2.step)
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
            if isinstance(it, slice) and it.step is not None and it.step <= 0:
                _check_step(it.step)  # (PyTorch reads the items in order)
            out.append(it)
            if it is not None:
                d += 1
    if n_ellipsis > 1:
        out = list(_expand_ellipses(out, len(shape) - n_real))
    return out


def _lone_mask(index):
    ts = [t for t in index if isinstance(t, Tensor) and t.dim() > 0]
    return len(ts) == 1 and ts[0].dtype in (_dt.bool, _dt.uint8)


def _check_byte_mask_put(index, value):
    """PyTorch writes a one-element value through a lone mask index with masked_fill_, which
    refuses a uint8 mask (other uint8 index writes only warn)."""
    n = value.numel() if isinstance(value, Tensor) else np.size(value)
    if n == 1 and builtins.sum(isinstance(t, Tensor) and t.dim() > 0 for t in index) == 1:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           "unsigned char")


def _adv_spec(index, shape, check=True):
    """(static spec, index tensors) for an advanced index; checks integer bounds."""
    spec, leaves = [], []
    d = 0
    bad_dtype = False
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
                bad_dtype = True  # (PyTorch finds this after reading all the items)
            a = it._data
            if check and not isinstance(a, (jax.core.Tracer, _LazyArray)) and a.size:
                lo, hi = _index_range(a, it._device)
                size = shape[d]
                if lo < -size or hi >= size:
                    if size == 0:
                        raise IndexError("index is out of bounds for dimension with size 0")
                    bad = hi if hi >= size else lo
                    # (PyTorch names the dim by its place among the index tensors)
                    k = builtins.sum(1 for t in spec if t[0] == "t")
                    raise _OutOfBounds(f"index {bad} is out of bounds for dimension {k} with "
                                       f"size {size}")
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
    if bad_dtype:
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
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
    if builtins.any(_is_bool0(it) for it in index):
        return _bool0_get(self, index)
    if builtins.all(_is_basic(it) and not isinstance(it, Tensor) for it in index):
        return make_view(self, ("idx", _basic_items(tuple(index), shape)))
    spec, leaves = _checked_spec(self, index)
    leaves = _on_device(self, leaves)
    try:
        return run(_get_kernel(spec), [self] + leaves)
    except ValueError:
        _check_index_broadcast(spec, leaves)
        raise


def _check_index_broadcast(spec, leaves):
    """PyTorch's IndexError for index tensors that do not broadcast together (jax raises a
    ValueError while tracing)."""
    shapes = [tuple(t.shape) for s, t in zip([s for s in spec if s[0] in ("t", "t0")], leaves)
              if s[0] == "t"]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with "
                         f"shapes {', '.join(str(list(s)) for s in shapes)}") from None


def _checked_spec(self, index):
    try:
        return _adv_spec(index, self._data.shape)
    except _OutOfBounds as e:
        return _empty_result_spec(self, index, e)


def _is_bool0(it):
    return isinstance(it, tuple) and it[0] == "bool0"


def _bool0_get(self, index):
    """x[..., True, ...] / x[..., False, ...]: PyTorch reads a 0-d bool as a new dim of size 1
    indexed by [0] (True) or by an empty index (False), so it is advanced indexing (a copy) and
    broadcasts with the other index tensors."""
    n_real = builtins.sum(1 for it in index if it is not None and it is not Ellipsis
                          and not _is_bool0(it))
    pos, out, y = 0, [], self
    for it in index:
        if _is_bool0(it):
            y = y.unsqueeze(pos)
            out.append(_from_host(np.array([0] if it[1] else [], np.int64), self.device))
            pos += 1
        elif it is Ellipsis:
            out.append(it)
            pos += self.dim() - n_real
        else:
            out.append(it)
            if it is not None:
                pos += 1
    return getitem(y, tuple(out))


class _OutOfBounds(IndexError):
    pass


def _empty_result_spec(self, index, err):
    """PyTorch checks an index's bounds only for the elements it reads: an out-of-range index
    whose result is empty (x[5:1, [9]]) is no error."""
    spec, leaves = _adv_spec(index, self._data.shape, check=False)
    structs = [jax.ShapeDtypeStruct(tuple(t.shape), t.dtype._np) for t in [self] + leaves]
    res = jax.eval_shape(lambda a, *ix: _index_get(a, spec, ix), *structs).shape
    if 0 not in res:
        raise IndexError(str(err)) from None
    return spec, leaves


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


def _put_value(a, v, ix, spec, accumulate):
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


# PyTorch's index_put backward gives the value the gradient of every position it was written
# to, duplicates included (jax's scatter-set transpose credits one of them)
@functools.partial(jax.custom_vjp, nondiff_argnums=(3,))
def _put_set(a, v, ix, spec):
    return _put_value(a, v, ix, spec, False)


def _put_set_fwd(a, v, ix, spec):
    return _put_value(a, v, ix, spec, False), (v, ix)


def _put_set_bwd(spec, res, g):
    v, ix = res
    ga = _put_value(g, jnp.zeros((), g.dtype), ix, spec, False)
    gv = _index_get(g, spec, ix)
    lead = gv.ndim - v.ndim  # sum the broadcast dims away
    gv = gv.sum(axis=tuple(range(lead))) if lead else gv
    keep = tuple(i for i, n in enumerate(v.shape) if n == 1 and gv.shape[i] != 1)
    gv = gv.sum(axis=keep, keepdims=True) if keep else gv
    return ga, gv.astype(v.dtype), None


_put_set.defvjp(_put_set_fwd, _put_set_bwd)


def _put_kernel(spec, accumulate):
    key = (spec, accumulate)
    k = _PUT.get(key)
    if k is None:
        def f(a, v, *ix):
            if accumulate or not jnp.issubdtype(a.dtype, jnp.inexact) or \
                    not jnp.issubdtype(v.dtype, jnp.inexact):
                return _put_value(a, v, ix, spec, accumulate)
            return _put_set(a, v, ix, spec)
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
        # x[False] = v selects nothing (torch.distributions' kl relies on it); with other
        # items, v must still broadcast to the empty result
        _check_value(self, value)
        if len(index) > 1 and isinstance(value, Tensor):
            _check_value_shape(value, tuple(getitem(self, index).shape))
        return
    if builtins.all(_is_basic(it) and not isinstance(it, Tensor) for it in index):
        try:
            items = _basic_items(index, shape)
        except IndexError:
            _check_value(self, value)  # (PyTorch reads the value first)
            raise
        v = make_view(self, ("idx", items)) if index != (Ellipsis,) else self
        if v._base is not None and views.overlap(v._base._shape(), v._chain):
            _overlap_error()  # (PyTorch copies a number in: it refuses expanded views)
        if isinstance(value, Tensor):
            try:
                v.copy_(value)
            except RuntimeError:
                value.expand(*v.shape)  # (PyTorch's message: the value is expanded)
                raise
        else:
            if isinstance(value, (list, tuple)):
                _check_value(self, value)
            v.fill_(value)
        return
    _check_value(self, value)
    # 0-d integer tensors index as ints do (PyTorch writes x[i] = x[i] in place): only truly
    # advanced indices refuse a value that partly overlaps x
    advanced = builtins.any(isinstance(it, (list, tuple)) or isinstance(it, Tensor) and
                            (it.dim() or it.dtype == _dt.bool) for it in index)
    index = [_to_index_tensor(it) for it in index]
    # PyTorch writes a one-element value through a lone mask with masked_fill_, which casts;
    # its other advanced writes (index_put_) refuse a value of another dtype
    cast = not advanced or not isinstance(value, Tensor) or value.dtype is self.dtype or (
        value.numel() == 1 and _lone_mask(index))
    index = _expand_bool(index, shape, value)
    index = [None if (isinstance(it, tuple) and it[0] == "bool0") else it for it in index]
    spec, leaves = _checked_spec(self, index)
    leaves = _on_device(self, leaves)
    if not cast:
        _check_put_shape(self, spec, leaves, value)  # (PyTorch checks the shape first)
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_scalar_type_name(self.dtype)} for the destination and "
                           f"{_scalar_type_name(value.dtype)} for the source.")
    value = _value_leaf(self, value)
    try:
        apply_inplace(self, _put_kernel(spec, False), [value] + leaves, "index_put_",
                      check_overlap=advanced)
    except ValueError:
        _check_index_broadcast(spec, leaves)
        _check_put_shape(self, spec, leaves, value)
        raise


def _check_value(self, value):
    """PyTorch converts an assigned value before it reads the index: a sequence is refused and
    a number must fit self's dtype."""
    if isinstance(value, (list, tuple)):
        raise TypeError(f"can't assign a {type(value).__name__} to a {self.type()}")
    if not isinstance(value, Tensor):
        check_scalar_fits(value, self.dtype)


def _check_value_shape(value, res):
    vs = tuple(value.shape)
    try:
        ok = np.broadcast_shapes(vs, res) == res
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(vs)} cannot be "
                           f"broadcast to indexing result of shape {list(res)}") from None


def _check_put_shape(self, spec, leaves, value):
    """PyTorch's RuntimeError for a value that does not broadcast to the indexed shape (jax
    raises a ValueError while tracing the write)."""
    structs = [jax.ShapeDtypeStruct(tuple(t.shape), t.dtype._np) for t in [self] + leaves]
    res = tuple(jax.eval_shape(lambda a, *ix: _index_get(a, spec, ix), *structs).shape)
    _check_value_shape(value, res)


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem


def index_put_(self, indices, values, accumulate=False, *, _name="index_put_"):
    if not isinstance(values, Tensor):
        raise TypeError(f"{_name}(): argument 'values' (position 2) must be Tensor, not "
                        f"{type(values).__name__}")
    if values.dtype is not self.dtype:
        # (unlike x[i] = v, index_put_ does not cast)
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_scalar_type_name(self.dtype)} for the destination and "
                           f"{_scalar_type_name(values.dtype)} for the source.")
    if len(indices) > self.dim():
        raise IndexError(f"too many indices for tensor of dimension {self.dim()} (got "
                         f"{len(indices)})")
    index = _expand_bool([_to_index_tensor(i) for i in indices], self._data.shape, values)
    spec, leaves = _checked_spec(self, index)
    leaves = _on_device(self, leaves)
    value = _value_leaf(self, values)
    try:
        return apply_inplace(self, _put_kernel(spec, accumulate), [value] + leaves, "index_put_")
    except ValueError:
        _check_index_broadcast(spec, leaves)
        _check_put_shape(self, spec, leaves, value)
        raise


def index_put(self, indices, values, accumulate=False):
    return index_put_(self.clone(), indices, values, accumulate, _name="index_put")


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
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")


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
    if index.size == 0:  # (PyTorch skips its shape checks for an empty index)
        return jnp.zeros(index.shape, input.dtype)
    if input.ndim <= 1 and index.ndim <= 1:  # 0-d tensors gather as 1-element vectors
        return input.reshape(-1)[index.reshape(-1)].reshape(index.shape)
    return input[_gidx(index, dim, input.ndim)]


def _nonempty(shape, i):
    """PyTorch's ensure_nonempty_size: a 0-d tensor's size counts as 1."""
    return shape[i] if shape else 1


def _check_gather_shape(input, d, index):
    ish, sh = index._shape(), input._shape()  # (raw tuples: .shape builds a Size each time)
    if max(len(ish), 1) != max(len(sh), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for i in range(max(len(sh), 1)):  # XLA would clamp a row past input's end
        if i != d and _nonempty(ish, i) > _nonempty(sh, i):
            raise RuntimeError(f"Size does not match at dimension {i} expected index "
                               f"{list(ish)} to be no larger than self {list(sh)} apart "
                               f"from dimension {d}")


def gather(input, dim, index, *, sparse_grad=False, out=None):
    _check_index_dtype(index, "gather")
    d = _wrap_dim(dim, input.dim())
    if index.numel():
        _check_gather_shape(input, d, index)
        _check_bounds(index, _nonempty(input._shape(), d), "gather", d)
    return _gather(input, d, index, out=out)


def _flat_scatter(input, index, src):
    """A scatter's arguments when self and index are 0-d or 1-d: PyTorch treats a 0-d tensor as a
    1-element vector. (input, index, src) as vectors, and src cut to index's shape."""
    index = index.reshape(-1)
    src = jnp.broadcast_to(src, index.shape) if src.ndim == 0 else src.reshape(-1)[:index.size]
    return input.reshape(-1), index, src


@op(tensor_args=("input", "index", "src"), method=False, name="_scatter")
def _scatter(input, dim, index, src, reduce):
    if index.size == 0:
        return input
    if input.ndim <= 1 and index.ndim <= 1:
        x, i, v = _flat_scatter(input, index, src)
        return _scatter_value(x, 0, i, v, reduce).reshape(input.shape)
    return _scatter_value(input, dim, index, src, reduce)


def _scatter_value(input, dim, index, src, reduce):
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


def _check_scatter(input, d, index, src):
    """PyTorch's scatter checks: dtypes, then index's shape against self's and src's (XLA would
    drop or clamp what lies past an end), then the index values."""
    _check_index_dtype(index, "scatter")
    if isinstance(src, Tensor) and src.dtype != input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    ish, sh = index._shape(), input._shape()
    nd = max(len(sh), 1)
    if not index.numel():
        return
    if isinstance(src, Tensor) and max(src.dim(), 1) != max(len(ish), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    if nd != max(len(ish), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    bad = builtins.any(i != d and _nonempty(ish, i) > _nonempty(sh, i) for i in range(nd))
    if isinstance(src, Tensor):
        ss = src._shape()
        bad = bad or builtins.any(_nonempty(ish, i) > _nonempty(ss, i) for i in range(nd))
        if bad:
            raise RuntimeError(f"Expected index {list(ish)} to be no larger than self {list(sh)} "
                               f"apart from dimension {d} and to be no larger size than src "
                               f"{list(ss)}")
    elif bad:
        raise RuntimeError(f"Expected index {list(ish)} to be no larger than self {list(sh)} "
                           f"apart from dimension {d}")
    _check_bounds(index, _nonempty(sh, d), "scatter", d)


def _scatter_args(input, dim, index, src, value, reduce):
    d = _wrap_dim(dim, input.dim())
    if src is None:
        # the value overload: a number (a 0-d tensor reads as its number)
        src = value.item() if isinstance(value, Tensor) and value.dim() == 0 else value
    _check_scatter(input, d, index, src)
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if not isinstance(src, Tensor):
        src = float(src) if isinstance(src, (np.floating,)) else src
    return d, src


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    d, s = _scatter_args(input, dim, index, src, value, reduce)
    return _scatter(input, d, index, s, reduce)


def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    d, s = _scatter_args(self, dim, index, src, value, reduce)
    leaves, key = _scatter.__wrapped_op__.split([self, d, index, s, reduce])
    return apply_inplace(self, _scatter.__wrapped_op__.kernel(key), leaves[1:], "scatter_")


def scatter_add(input, dim, index, src):
    return scatter(input, dim, index, src, reduce="add")


def scatter_add_(self, dim, index, src):
    return scatter_(self, dim, index, src, reduce="add")


@op(tensor_args=("input", "index", "src"), method=False, name="_scatter_reduce")
def _scatter_reduce(input, dim, index, src, reduce, include_self):
    if index.size == 0:
        return input
    if input.ndim <= 1 and index.ndim <= 1:
        x, i, v = _flat_scatter(input, index, src)
        return _scatter_reduce_1(x, 0, i, v, reduce, include_self).reshape(input.shape)
    return _scatter_reduce_1(input, dim, index, src, reduce, include_self)


def _scatter_reduce_1(input, dim, index, src, reduce, include_self):
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


def _scatter_reduce_args(input, dim, index, src, reduce):
    # PyTorch also takes "max" and "min" for "amax" and "amin"
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)
    if reduce in ("amax", "amin") and input.dtype.is_complex:
        raise NotImplementedError(f"\"scatter_gather_tensor_cpu_reduce_{reduce}\" not "
                                  f"implemented for '{_scalar_type_name(input.dtype)}'")
    d = _wrap_dim(dim, input.dim())
    _check_scatter(input, d, index, src)
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    return d, reduce


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    d, reduce = _scatter_reduce_args(input, dim, index, src, reduce)
    return _scatter_reduce(input, d, index, src, reduce, include_self)


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    d, reduce = _scatter_reduce_args(self, dim, index, src, reduce)
    return _scatter_reduce_inplace(self, d, index, src, reduce, include_self, "scatter_reduce_")


def _scatter_reduce_inplace(self, d, index, src, reduce, include_self, name):
    """_scatter_reduce written into `self` (recorded on the tape as PyTorch's in-place op)."""
    o = _scatter_reduce.__wrapped_op__
    leaves, key = o.split([self, d, index, src, reduce, include_self])
    return apply_inplace(self, o.kernel(key), leaves[1:], name)


@op(tensor_args=("input", "index"), method=False, name="_index_select")
def _index_select(input, dim, index):
    return jnp.take(input, index.reshape(-1), axis=dim)


def index_select(input, dim, index, *, out=None):
    d = _wrap_dim(dim, input.dim())
    if index.dim() > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index.dtype is not _dt.int64 and index.dtype is not _dt.int32:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
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


def _index_vectors(input, index, source):
    """index as a vector and a 0-d self/source as 1-element vectors (PyTorch's view of them)."""
    x = input.reshape(1) if input.ndim == 0 else input
    s = source.reshape(1) if source.ndim == 0 and input.ndim == 0 else source
    return x, index.reshape(-1), s


@op(tensor_args=("input", "index", "source", "alpha"), method=False, name="_index_add")
def _index_add(input, dim, index, source, alpha):
    x, i, s = _index_vectors(input, index, source.astype(input.dtype))
    if alpha is not None:
        s = s * alpha.astype(input.dtype) if input.dtype != jnp.bool_ else s & alpha.astype(bool)
    return _scatter_add(x, _index_at(x, dim, i), s).reshape(input.shape)


def _check_index_source(name, input, d, index, source):
    """PyTorch's checks of index_add/index_copy's source against the index and self."""
    n = index.numel()
    ns = source.shape[d] if source.dim() else 1
    if n != ns:
        if name == "index_copy":
            if not source.dim():
                raise IndexError(f"index_copy_(): When source is scalar, index should have one "
                                 f"element (got {n})")
            raise IndexError(f"index_copy_(): Number of indices ({n}) should be equal to "
                             f"source.size(dim) ({ns})")
        if not source.dim():  # (PyTorch fails reading the size it would report)
            raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
        raise RuntimeError(f"{name}_(): Number of indices ({n}) should be equal to "
                           f"source.size(dim): ({ns}), for dim: {d}")
    rest = lambda t: [k for i, k in enumerate(t.shape) if i != d]  # noqa: E731
    if source.dim() and input.dim():
        bad = rest(source) != rest(input)
    else:  # index_add compares the whole shapes when either is 0-d
        bad = name != "index_copy" and tuple(source.shape) != tuple(input.shape)
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


def _check_index_add(input, d, index, source, name="index_add"):
    """PyTorch's index_add/index_reduce checks, in its order: a vector index of an int dtype, a
    source of self's dtype (no silent cast) and shape, then the index values."""
    if index.dim() > 1:
        raise IndexError(f"{name}_(): Index is supposed to be a vector, but got dim: "
                         f"{index.dim()} with type: {_scalar_type_name(index.dtype)} and size: "
                         f"{list(index.shape)}")
    if index.dtype is not _dt.int64 and index.dtype is not _dt.int32:
        raise RuntimeError(f"{name}_(): Expected dtype int32/int64 for index but got: "
                           f"{_scalar_type_name(index.dtype)}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"{name}_(): self ({_scalar_type_name(input.dtype)}) and source "
                           f"({_scalar_type_name(source.dtype)}) must have the same scalar type")
    _check_index_source(name, input, d, index, source)
    sh = input._shape()
    if name == "index_add" and builtins.any(k == 0 for k in sh):
        return  # (PyTorch does not look at the indices when self is empty)
    try:
        _check_bounds(index, _nonempty(sh, d), name, d)
    except RuntimeError:
        # PyTorch's CPU index_add raises a RuntimeError on its path for the first and last dim
        # of a self of 2 or more dims, an IndexError elsewhere (and index_reduce always)
        if name == "index_add" and len(sh) > 1 and d in (0, len(sh) - 1):
            raise
        raise IndexError("index out of range in self") from None


def index_add(input, dim, index, source, *, alpha=1):
    d = _wrap_dim(dim, input.dim())
    _check_index_add(input, d, index, source)
    return _index_add(input, d, index, source, None if alpha == 1 else alpha)


def index_add_(self, dim, index, source, *, alpha=1):
    d = _wrap_dim(dim, self.dim())
    _check_index_add(self, d, index, source)
    o = _index_add.__wrapped_op__
    leaves, key = o.split([self, d, index, source, None if alpha == 1 else alpha])
    return apply_inplace(self, o.kernel(key), leaves[1:], "index_add_")


_INDEX_REDUCE_WARNED = []


def _index_reduce_args(self, dim, index, source, reduce):
    if not _INDEX_REDUCE_WARNED:  # (PyTorch warns once)
        _INDEX_REDUCE_WARNED.append(True)
        warnings.warn("index_reduce() is in beta and the API may change at any time.",
                      UserWarning, stacklevel=3)
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    d = _wrap_dim(dim, self.dim())
    _check_index_add(self, d, index, source, "index_reduce")
    if self.dtype is _dt.bool:
        raise NotImplementedError("\"index_func_\" not implemented for 'Bool'")
    # index_reduce is scatter_reduce with the index spread over source's slices
    if source.dim():
        shape = [1] * source.dim()
        shape[d] = index.numel()
        spread = index.reshape(shape).expand(*source.shape)
    else:
        spread = index.reshape(())
    return d, spread


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    d, spread = _index_reduce_args(input, dim, index, source, reduce)
    return _scatter_reduce(input, d, spread, source, reduce, include_self)


def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    d, spread = _index_reduce_args(self, dim, index, source, reduce)
    return _scatter_reduce_inplace(self, d, spread, source, reduce, include_self, "index_reduce_")


@op(tensor_args=("input", "index", "source"), method=False, name="_index_copy")
def _index_copy(input, dim, index, source):
    x, i, s = _index_vectors(input, index, source.astype(input.dtype))
    return x.at[_index_at(x, dim, i)].set(s).reshape(input.shape)


def _check_index_copy(input, index, source):
    if index.dim() > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {index.dim()})")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but "
                           f"got (self) {_scalar_type_name(input.dtype)} and (source) "
                           f"{_scalar_type_name(source.dtype)}")
    if index.dtype is not _dt.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                           f"{_scalar_type_name(index.dtype)}")


def index_copy(input, dim, index, source):
    d = _wrap_dim(dim, input.dim())
    _check_index_copy(input, index, source)
    _check_index_bounds("index_copy", index, _nonempty(input._shape(), d), d)
    _check_index_source("index_copy", input, d, index, source)
    return _index_copy(input, d, index, source)


def index_copy_(self, dim, index, source):
    d = _wrap_dim(dim, self.dim())
    _check_index_copy(self, index, source)
    _check_index_bounds("index_copy", index, _nonempty(self._shape(), d), d)
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
    if index.dim() > 1:
        raise RuntimeError("Index has to be a vector/scalar")
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
                           f"{_C_TYPE_NAMES.get(str(mask.dtype), _dt.from_np(mask.dtype)._name)}")
    return jnp.where(mask, value.astype(input.dtype), input)


# the C++ type names PyTorch's masked_fill_ error prints
_C_TYPE_NAMES = {"uint8": "unsigned char", "int8": "signed char", "int16": "short int",
                 "int32": "int", "int64": "long int", "float32": "float", "float64": "double"}


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
    shape = _infer_size(tuple(mask.shape), tuple(input.shape))
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
    if mask.dim() > self.dim():  # (PyTorch expands the mask to self, naming its ATen type)
        raise RuntimeError(f"expand({self.device.type.upper()}"
                           f"{_scalar_type_name(mask.dtype)}Type{{{list(mask.shape)}}}, size="
                           f"{list(self.shape)}): the number of sizes provided ({self.dim()}) must "
                           f"be greater or equal to the number of dimensions in the tensor "
                           f"({mask.dim()})")
    m = mask.expand(*self.shape)
    n = _masked_count(m, source)
    setitem(self, m, source.reshape(-1)[:n])
    return self


def _check_flat_index(name, n, index):
    """take/put_'s checks of an index into the flattened tensor (n elements)."""
    if index.dtype is not _dt.int64:
        raise RuntimeError(f"{name}(): Expected a long tensor for index, but got "
                           f"{_scalar_type_name(index.dtype)}")
    if n == 0 and index.numel():
        raise IndexError("take(): tried to take from an empty tensor" if name == "take" else
                         "put_(): Tried to put elements into an empty tensor")


def _check_put(self, index, source):
    """PyTorch's checks for put_ (index_put_ on the flattened tensor would name other things)."""
    _check_flat_index("put_", self.numel(), index)
    if source.dtype is not self.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {_scalar_type_name(self.dtype)} and source.dtype = "
                           f"{_scalar_type_name(source.dtype)}")
    if source.numel() != index.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source.numel()}, index.numel() = "
                         f"{index.numel()}")
    _check_flat_bounds(self.numel(), index)


def _check_flat_bounds(n, index):
    a = index._data
    if not isinstance(a, (jax.core.Tracer, _LazyArray)) and a.size:
        lo, hi = _index_range(a, index._device)
        if lo < -n or hi >= n:
            raise IndexError(f"out of range: tried to access index {hi if hi >= n else lo} on a "
                             f"tensor of {n} elements.")


def take(input, index):
    flat = input.reshape(-1)
    a = index._data
    n = flat.shape[0]
    _check_flat_index("take", n, index)
    if not isinstance(a, (jax.core.Tracer, _LazyArray)) and a.size:
        lo, hi = _index_range(a, index._device)
        if lo < -n or hi >= n:
            raise IndexError(f"out of range: tried to access index {hi if hi >= n else lo} on a "
                             f"tensor of {n} elements.")
    return getitem(flat, index)


def _infer_size(a, b):
    """The broadcast of two shapes, or PyTorch's RuntimeError naming the mismatching dim."""
    try:
        return tuple(np.broadcast_shapes(tuple(a), tuple(b)))
    except ValueError:
        pass
    n = max(len(a), len(b))
    for i in range(n - 1, -1, -1):
        j, k = i - n + len(a), i - n + len(b)
        x, y = (a[j] if j >= 0 else 1), (b[k] if k >= 0 else 1)
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                               f"at non-singleton dimension {i}")


@op(tensor_args=("input", "index"), method=False, name="_take_along_dim")
def _take_along_dim(input, dim, index):
    # PyTorch wraps every index modulo the size (negative ones, and past the end too)
    return input[_gidx(index % input.shape[dim], dim, input.ndim)]


def take_along_dim(input, indices, dim=None):
    if dim is None:  # the flattened input, gathered (no rank check, int32 allowed)
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    if input.dim() != indices.dim():
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {input.dim()} dimensions for input, and "
                           f"{indices.dim()} dimensions for indices")
    if indices.dtype is not _dt.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_scalar_type_name(indices.dtype)}")
    d = _wrap_dim(dim, input.dim())
    if input.dim() == 0:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    sh, ish = list(input._shape()), list(indices._shape())
    ishape = _infer_size(sh[:d] + [ish[d]] + sh[d + 1:], ish)
    xshape = _infer_size(ish[:d] + [sh[d]] + ish[d + 1:], sh)
    x = input if tuple(sh) == xshape else input.expand(*xshape)
    i = indices if tuple(ish) == ishape else indices.expand(*ishape)
    if x.numel() == 0 or i.numel() == 0:
        return gather(x, d, i)
    return _take_along_dim(x, d, i)


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
           "index_copy_", "index_fill", "index_fill_", "index_reduce", "index_reduce_",
           "masked_fill", "masked_fill_",
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
