"""View ops: results alias their input (reshape-as-view, transpose, slicing, expand, ...)."""

import math

import jax.numpy as jnp

from .._core import dtypes as _dt, grad_mode, views
from .._core.tensor import Tensor, _wrap_dim
from .kernel import Kernel, run

_VIEW_KERNELS = {}


def view_kernel(chain):
    """The kernel applying a view template to (root, *positions) (a view's grad_fn)."""
    k = _VIEW_KERNELS.get(chain)
    if k is None:
        name = {"idx": "slice", "reshape": "view", "permute": "permute", "expand": "expand",
                "diag": "diagonal", "strided": "as_strided", "unfold": "unfold"}.get(
                    chain[-1][0], "view") if chain else "alias"
        k = _VIEW_KERNELS[chain] = Kernel(
            lambda a, *dyn: views.apply_template(a, chain, dyn), name)
    return k


def make_view(t, step):
    """A new tensor viewing `t` through one more step."""
    if t.is_sparse:
        return t._sparse_view(step)
    v = object.__new__(Tensor)
    if t._base is None:
        v._base = t
        v._chain = (step,)
    else:
        v._base = t._base
        v._chain = t._chain + (step,)
        # (only views carry these: a root's view skips the reads)
        if t._vfam is not None:
            v._vfam = t._vfam
        if t._creation is not None:
            v._creation = t._creation
    if step[0] == "strided":
        # as_strided addresses the root's storage directly
        v._chain = (step,)
    if step[0] in ("real", "imag", "as_real"):
        v._dtype = t._dtype.to_real()
    elif step[0] == "as_complex":
        v._dtype = t._dtype.to_complex()
    elif step[0] == "bitcast":
        v._dtype = _dt.from_np(step[2])
    else:
        v._dtype = t._dtype
    v._device = t._device
    if not grad_mode.state.enabled:
        v._detached_view = True  # a view made under no_grad does not track its base's history
        if v._creation is None and t.requires_grad:
            v._creation = "nograd"
    elif t._gbase is None:
        v._gbase = t
        v._gchain = (step,)
    else:
        v._gbase = t._gbase
        v._gchain = t._gchain + (step,)
    return v


def _shape(t):
    return t._data.shape


def infer_size(shape, numel):
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = math.prod(s for s in shape if s != -1)
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _size_arg(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(s) for s in size)


def view(self, *shape):
    from .._core import dtypes as _dt
    if len(shape) == 1 and isinstance(shape[0], _dt.dtype):
        return view_dtype(self, shape[0])
    shape = infer_size(_size_arg(shape), self.numel())
    old = _shape(self)
    if tuple(shape) == tuple(old):
        return make_view(self, ("reshape", shape))
    lay_shape, lay_strides, _ = self._layout()
    if views.view_strides(lay_shape, lay_strides, shape) is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    return make_view(self, ("reshape", shape))


def view_dtype(self, dtype):
    """Tensor.view(dtype): the same storage read as another dtype (PyTorch's checks and
    messages; like PyTorch's, the result is not differentiable)."""
    from .registry import _scalar_type_name

    f, t = self.dtype.itemsize, dtype.itemsize
    if f != t:
        what = (f"to view {_scalar_type_name(self.dtype)} as {_scalar_type_name(dtype)} "
                "(different element sizes)")
        if self.dim() == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        strides = self.stride()
        if f < t:  # PyTorch's order of checks
            k = t // f
            if self.shape[-1] % k:
                raise RuntimeError(f"self.size(-1) must be divisible by {k} {what}, but got "
                                   f"{self.shape[-1]}")
            if self.storage_offset() % k:
                raise RuntimeError(f"self.storage_offset() must be divisible by {k} {what}, "
                                   f"but got {self.storage_offset()}")
        if strides[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
        if f < t:
            for i, s in enumerate(strides[:-1]):
                if s % k:
                    raise RuntimeError(f"self.stride({i}) must be divisible by {k} {what}, but "
                                       f"got {s}")
    with grad_mode.no_grad():
        return make_view(self, ("bitcast", self.dtype._np, dtype._np))


def reshape(self, *shape):
    shape = infer_size(_size_arg(shape), self.numel())
    lay_shape, lay_strides, _ = self._layout()
    if views.view_strides(lay_shape, lay_strides, shape) is not None:
        return make_view(self, ("reshape", shape))
    from .shape import _reshape_copy
    return _reshape_copy(self, shape)


def view_as(self, other):
    return view(self, *other.shape)


def reshape_as(self, other):
    return reshape(self, *other.shape)


def permute(self, *dims):
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = _size_arg(dims)
    n = self.dim()
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {n} is not equal to len(dims) = {len(dims)}")
    d = tuple(_wrap_dim(x, n) for x in dims)
    if len(set(d)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return make_view(self, ("permute", d))


def transpose(self, dim0, dim1):
    n = self.dim()
    if n == 0:
        _wrap_dim(dim0, 0), _wrap_dim(dim1, 0)
        return make_view(self, ("permute", ()))
    d0, d1 = _wrap_dim(dim0, n), _wrap_dim(dim1, n)
    p = list(range(n))
    p[d0], p[d1] = p[d1], p[d0]
    return make_view(self, ("permute", tuple(p)))


swapaxes = swapdims = transpose


def t(self):
    n = self.dim()
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    return transpose(self, 0, 1) if n == 2 else make_view(self, ("permute", tuple(range(n))))


def movedim(self, source, destination):
    n = self.dim()
    # (a dim may come as a 0-d integer tensor)
    src = (int(source),) if isinstance(source, (int, Tensor)) else tuple(source)
    dst = (int(destination),) if isinstance(destination, (int, Tensor)) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    src = [_wrap_dim(s, n) for s in src]
    dst = [_wrap_dim(s, n) for s in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):  # (not a permutation for jax)
        name, given = ("source", source) if len(set(src)) != len(src) else \
            ("destination", destination)
        raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
    if n == 0:  # (dims 0 and -1 name a 0-d tensor's one "dim")
        return make_view(self, ("permute", ()))
    order = [i for i in range(n) if i not in src]
    perm = [None] * n
    for s, d in zip(src, dst):
        perm[d] = s
    it = iter(order)
    perm = tuple(p if p is not None else next(it) for p in perm)
    return make_view(self, ("permute", perm))


moveaxis = movedim


def squeeze(self, dim=None):
    shape = _shape(self)
    n = len(shape)
    if dim is None:
        dims = [i for i, s in enumerate(shape) if s == 1]
    else:
        ds = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = [_wrap_dim(d, n) for d in ds]
        if len(set(dims)) != len(dims):
            dup = next(d for d in dims if dims.count(d) > 1)
            raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
        dims = [d for d in dims if n and shape[d] == 1]
    new = tuple(s for i, s in enumerate(shape) if i not in dims)
    return make_view(self, ("reshape", new))


def unsqueeze(self, dim):
    shape = list(_shape(self))
    d = _wrap_dim(dim, len(shape) + 1)
    shape.insert(d, 1)
    return make_view(self, ("reshape", tuple(shape)))


def flatten(self, start_dim=0, end_dim=-1):
    shape = _shape(self)
    n = len(shape)
    s, e = _wrap_dim(start_dim, n), _wrap_dim(end_dim, n)
    if n == 0:
        return reshape(self, 1)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    new = shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:]
    return reshape(self, new)


def unflatten(self, dim, sizes):
    shape = _shape(self)
    if not shape:  # (PyTorch wraps its IndexError in this RuntimeError)
        _wrap_dim(dim, 0)
        raise RuntimeError("unflatten got an unexpected error:\nDimension specified as 0 but "
                           "tensor has no dimensions")
    d = _wrap_dim(dim, len(shape))
    sizes = tuple(int(k) for k in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be "
                           "inferred")
    try:
        sizes = infer_size(sizes, shape[d])
    except RuntimeError:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({shape[d]}) in the input tensor") from None
    return view(self, shape[:d] + sizes + shape[d + 1:])


def expand(self, *sizes):
    sizes = _size_arg(sizes)
    shape = _shape(self)
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({self.type()}{{{list(shape)}}}, size={list(sizes)}): the "
                           f"number of sizes provided ({len(sizes)}) must be greater or equal to "
                           f"the number of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   "leading, non-existing dimension 0")
            out.append(s)
        else:
            cur = shape[i - lead]
            if s == -1:
                out.append(cur)
            elif cur != s and cur != 1:
                raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                                   f"size ({cur}) at non-singleton dimension {i}.  Target sizes: "
                                   f"{list(sizes)}.  Tensor sizes: {list(shape)}")
            else:
                out.append(s)
    return make_view(self, ("expand", tuple(out)))


def expand_as(self, other):
    return expand(self, *other.shape)


def broadcast_to(input, size):
    return expand(input, *size)


def diagonal(input, offset=0, dim1=0, dim2=1):
    n = input.dim()
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return make_view(input, ("diag", offset, d1, d2))


def select(input, dim, index):
    shape = _shape(input)
    n = len(shape)
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, n)
    size = shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(shape)} at dimension {dim}")
    items = tuple(("s", None, None, None) for _ in range(d)) + (("i", index % size),)
    return make_view(input, ("idx", items))


def narrow(input, dim, start, length):
    shape = _shape(input)
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, len(shape))
    start = int(start)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if not -shape[d] <= start <= shape[d]:
        raise IndexError(f"start out of range (expected to be in range of [{-shape[d]}, "
                         f"{shape[d]}], but got {start})")
    if start < 0:
        start += shape[d]
    if not 0 <= start <= shape[d] or length < 0 or start + length > shape[d]:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({shape[d]}).")
    items = tuple(("s", None, None, None) for _ in range(d)) + (("S", start, length, 1),)
    return make_view(input, ("idx", items))


def _slice_dim(input, d, start, stop):
    items = tuple(("s", None, None, None) for _ in range(d)) + (("S", start, stop - start, 1),)
    return make_view(input, ("idx", items))


def _multi(outs):
    """Mark views that are outputs of one multi-output op (PyTorch's MULTI_OUTPUT_NODE:
    modifying one in place with grad mode on is an error)."""
    if grad_mode.state.enabled:
        for o in outs:
            if o._creation is None:
                o._creation = "multi"
    return outs


def unbind(input, dim=0):
    _no_dims_check(input, dim)
    d = _wrap_dim(dim, input.dim())
    return _multi(tuple(select(input, d, i) for i in range(_shape(input)[d])))


def _no_dims_check(input, dim):
    """PyTorch's IndexError for a dim of a 0-d tensor where a 0-d input has no valid dim."""
    if not _shape(input):
        _wrap_dim(dim, 0)
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")


def split(tensor, split_size_or_sections, dim=0):
    shape = _shape(tensor)
    if not shape:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, len(shape))
    n = shape[d]
    if isinstance(split_size_or_sections, Tensor):  # (PyTorch reads it as a list of sizes)
        raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be tuple "
                        "of ints, not Tensor")
    if isinstance(split_size_or_sections, int):
        s = split_size_or_sections
        if s < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
        if s <= 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        sizes = [min(s, n - i) for i in range(0, n, s)] if s else [0]
        if not sizes:
            sizes = [0]
    else:
        sizes = [int(k) for k in split_size_or_sections]
        if any(k < 0 for k in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={sizes}")
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                               f"tensor's size at dimension {dim}), but got split_sizes={sizes}")
    out, start = [], 0
    for s in sizes:
        out.append(_slice_dim(tensor, d, start, start + s))
        start += s
    return _multi(tuple(out))


def chunk(input, chunks, dim=0):
    if input.dim() == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    n = _shape(input)[_wrap_dim(dim, input.dim())]
    size = -(-n // chunks) if n else 0
    if size == 0:
        return split(input, [0] * chunks if n == 0 else 1, dim)[:chunks] if n else tuple(
            _slice_dim(input, _wrap_dim(dim, input.dim()), 0, 0) for _ in range(chunks))
    return split(input, size, dim)


def tensor_split(input, indices_or_sections=None, dim=0, *, indices=None, sections=None):
    if indices_or_sections is None:  # (PyTorch's keyword overloads)
        indices_or_sections = sections if indices is None else list(indices)
    if input.dim() == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = _wrap_dim(dim, input.dim())
    n = _shape(input)[d]
    if isinstance(indices_or_sections, Tensor):
        if indices_or_sections.dtype is not _dt.int64:
            from .registry import _scalar_type_name
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {_scalar_type_name(indices_or_sections.dtype)}")
        if indices_or_sections.dim() > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {indices_or_sections.dim()} dims")
        # a 0-d tensor is a number of sections, a 1-d one the split indices
        indices_or_sections = (int(indices_or_sections.item()) if indices_or_sections.dim() == 0
                               else indices_or_sections.tolist())
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        bounds, s = [], 0
        for i in range(k):
            e = s + q + (1 if i < r else 0)
            bounds.append((s, e))
            s = e
    else:
        # each piece is input[prev:i] with slice semantics: a piece starts at the previous
        # index even where an earlier one was larger (the piece before it is then empty)
        idx = [int(i) for i in indices_or_sections]
        bounds = []
        for a, b in zip([0] + idx, idx + [n]):
            a, b, _ = slice(a, b).indices(n)
            bounds.append((a, max(a, b)))
    return tuple(_slice_dim(input, d, a, b) for a, b in bounds)


def _check_split_size(name, input, sections, d):
    if isinstance(sections, int) and sections > 0 and _shape(input)[d] % sections:
        raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but the size "
                           f"of the dimension {_shape(input)[d]} is not divisible by the "
                           f"split_size {sections}!")


def _check_split_dims(name, input, k):
    if input.dim() < k:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {k} dimension, but got "
                           f"a tensor with {input.dim()} dimensions!")


def hsplit(input, sections):
    _check_split_dims("hsplit", input, 1)
    d = 1 if input.dim() > 1 else 0
    _check_split_size("hsplit", input, sections, d)
    return tensor_split(input, sections, d)


def vsplit(input, sections):
    _check_split_dims("vsplit", input, 2)
    _check_split_size("vsplit", input, sections, 0)
    return tensor_split(input, sections, 0)


def dsplit(input, sections):
    _check_split_dims("dsplit", input, 3)
    _check_split_size("dsplit", input, sections, 2)
    return tensor_split(input, sections, 2)


def as_strided(input, size, stride, storage_offset=None):
    off = input.storage_offset() if storage_offset is None else storage_offset
    size, stride = tuple(size), tuple(stride)
    root_n = input._root()._data.size
    if size and math.prod(size) and off + sum((s - 1) * st for s, st in zip(size, stride)) >= root_n:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {off} requiring a storage size out of bounds of the "
                           f"storage of size {root_n}")
    return make_view(input, ("strided", size, stride, off))


def unfold(self, dimension, size, step):
    shape = _shape(self)
    d = _wrap_dim(dimension, len(shape))
    max_size = shape[d] if shape else 1
    if size > max_size:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {max_size} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if not shape:  # a 0-d tensor unfolds to its one window of `size` (0 or 1) elements
        return self.unsqueeze(0)[:size]
    return make_view(self, ("unfold", d, size, step))


def real(input):
    if not input.is_complex():
        return input
    return make_view(input, ("real",))


def imag(input):
    if not input.is_complex():
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return make_view(input, ("imag",))


def view_as_real(input):
    if not input.is_complex():
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return make_view(input, ("as_real",))


def view_as_complex(input):
    from .._core import dtypes as _dt
    from .registry import _scalar_type_name

    if input.dtype == _dt.float16:
        raise NotImplementedError("torchlike: view_as_complex of float16 (complex32) is not "
                                  "supported; use float32")
    if input.dtype not in (_dt.float32, _dt.float64):
        raise RuntimeError("view_as_complex is only supported for half, float and double "
                           f"tensors, but got a tensor of scalar type: "
                           f"{_scalar_type_name(input.dtype)}")
    if input.dim() == 0 or input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    strides = input.stride()
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if input.storage_offset() % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return make_view(input, ("as_complex",))


def _T(self):
    n = self.dim()
    if n != 2:
        _T_warning(n)
    return make_view(self, ("permute", tuple(reversed(range(n)))))


def _T_warning(n):
    import warnings
    if n == 0:
        warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in "
                      "these cases.", UserWarning, stacklevel=3)
    else:
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their "
                      "shape is deprecated and it will throw an error in a future release. "
                      "Consider `x.mT` to transpose batches of matrices or `x.permute(*torch."
                      "arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
                      UserWarning, stacklevel=3)


def _mT(self):
    if self.dim() == 0:
        import warnings
        warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the identity in "
                      "these cases.", UserWarning, stacklevel=2)
        return make_view(self, ("permute", ()))
    if self.dim() < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got "
                           f"{self.dim()}-D tensor.")
    return transpose(self, -2, -1)


for _name in ("view", "view_as", "reshape", "reshape_as", "permute", "transpose", "swapaxes",
              "swapdims", "t", "movedim", "moveaxis", "squeeze", "unsqueeze", "flatten",
              "unflatten", "expand", "expand_as", "broadcast_to", "diagonal", "select", "narrow",
              "unbind", "split", "chunk", "tensor_split", "hsplit", "vsplit", "dsplit",
              "as_strided", "unfold"):
    setattr(Tensor, _name, globals()[_name])
Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.real = property(real, lambda self, v: real(self).copy_(v))
Tensor.imag = property(imag, lambda self, v: imag(self).copy_(v))
def _H(self):
    if self.dim() not in (0, 2):
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{self.dim()}-D tensor." + (" For batches of matrices, consider "
                                                        "using tensor.mH" if self.dim() > 2 else ""))
    if self.dim() == 0:
        import warnings
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return self.conj()
    return transpose(self, 0, 1).conj()


def _mH(self):
    if self.dim() == 0:
        import warnings
        warnings.warn("Tensor.mH is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return self.conj()
    if self.dim() < 2:
        raise RuntimeError("tensor.mH is only supported on matrices or batches of matrices. Got "
                           f"{self.dim()}-D tensor.")
    return _mT(self).conj()


Tensor.H = property(_H)
Tensor.mH = property(_mH)


def _inplace_meta(name, fn):
    def method_(self, *args):
        # in-place view ops re-point this tensor at the result's layout
        new = fn(self, *args)
        if self._base is None:
            self._arr = new._data  # a root keeps owning its (re-laid-out) data
            self._vcount += 1  # (PyTorch counts a metadata change as a modification)
            return self
        self._bump(self._base)
        self.__dict__.pop("_arr", None)
        self._base, self._chain = new._base, new._chain
        self._gbase, self._gchain = new._gbase, new._gchain
        self._vsrc = None
        return self
    method_.__name__ = name
    return method_


for _name, _fn in (("t_", t), ("transpose_", transpose), ("squeeze_", squeeze),
                   ("unsqueeze_", unsqueeze), ("swapaxes_", transpose), ("swapdims_", transpose),
                   ("as_strided_", as_strided)):
    setattr(Tensor, _name, _inplace_meta(_name, _fn))
