import warnings
"""Shape ops that copy: cat, stack, flip, roll, repeat, tile, tril/triu, ..."""

import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core.tensor import Tensor, _wrap_dim
from .kernel import Kernel, run
from .registry import _scalar_type_name, op

_RESHAPE = {}


def _reshape_copy(t, shape):
    k = _RESHAPE.get(shape)
    if k is None:
        k = _RESHAPE[shape] = Kernel(lambda a: jnp.reshape(a, shape), "reshape")
    return run(k, [t])


@op()
def clone(input, memory_format=None):
    return jnp.array(input, copy=True)


def contiguous(self, memory_format=None):
    return self if self.is_contiguous() else clone(self)


Tensor.contiguous = contiguous


def _check_cat(tensors, dim):
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # raw shape tuples (a Size per tensor costs more than the check)
    shapes = [t._shape() if isinstance(t, Tensor) else t.shape for t in tensors]
    nd = [len(s) for s in shapes if not (len(s) == 1 and s[0] == 0)]
    if not nd:
        return 0
    n = nd[0]
    if n == 0:  # (jnp raises a ValueError)
        i = [len(s) for s in shapes].index(0)
        raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    d = _wrap_dim(dim, n)
    ref = next(s for s in shapes if not (len(s) == 1 and s[0] == 0))
    for i, s in enumerate(shapes):
        if len(s) == 1 and s[0] == 0:
            continue
        if len(s) == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
        if len(s) != n:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {n} and {len(s)}")
        for j in range(n):
            if j != d and s[j] != ref[j]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected "
                                   f"size {ref[j]} but got size {s[j]} for tensor number {i} in "
                                   "the list.")
    return d


@op(tensor_args=("tensors",), promote="default", method=False)
def _cat(tensors, dim=0):
    ts = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or list(tensors)[:1]
    return jnp.concatenate(ts, axis=dim)


def cat(tensors, dim=0, *, axis=None, out=None):
    if axis is not None:  # PyTorch's NumPy-style alias of dim
        dim = axis
    if isinstance(tensors, Tensor):
        raise TypeError("cat(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    d = _check_cat(tensors, dim)
    return _cat(tensors, d, out=out)


concat = concatenate = cat


@op(tensor_args=("tensors",), promote="default", method=False)
def _stack(tensors, dim=0):
    return jnp.stack(tensors, axis=dim)


def stack(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(s0)} at "
                               f"entry 0 and {list(t.shape)} at entry {i}")
    d = _wrap_dim(dim, len(s0) + 1)
    return _stack(tensors, d, out=out)


def hstack(tensors, *, out=None):
    tensors = [atleast_1d(t) for t in tensors]
    return cat(tensors, 0 if tensors[0].dim() == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    return cat([atleast_2d(t) for t in tensors], 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    return cat([atleast_3d(t) for t in tensors], 2, out=out)


def column_stack(tensors, *, out=None):
    ts = [t.reshape(-1, 1) if t.dim() <= 1 else t for t in tensors]
    return cat(ts, 1, out=out)


def atleast_1d(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(atleast_1d(t) for t in tensors[0])
    if len(tensors) > 1:
        return tuple(atleast_1d(t) for t in tensors)
    t = tensors[0]
    return t.reshape(1) if t.dim() == 0 else t


def atleast_2d(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(atleast_2d(t) for t in tensors[0])
    if len(tensors) > 1:
        return tuple(atleast_2d(t) for t in tensors)
    t = tensors[0]
    return t.reshape(1, -1) if t.dim() < 2 else t


def atleast_3d(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(atleast_3d(t) for t in tensors[0])
    if len(tensors) > 1:
        return tuple(atleast_3d(t) for t in tensors)
    t = tensors[0]
    if t.dim() == 0:
        return t.reshape(1, 1, 1)
    if t.dim() == 1:
        return t.reshape(1, -1, 1)
    if t.dim() == 2:
        return t.unsqueeze(-1)
    return t


def _dims(dims, n):
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    return tuple(_wrap_dim(d, n) for d in dims)


@op(method=False)
def _flip(input, dims):
    return jnp.flip(input, dims) if dims else input


def flip(input, dims):
    if not isinstance(dims, (list, tuple)):
        raise TypeError(f"flip(): argument 'dims' (position 2) must be tuple of ints, not "
                        f"{type(dims).__name__}")
    d = _dims(dims, input.dim())
    if len(set(d)) != len(d):
        dup = next(x for x in d if d.count(x) > 1)
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    return _flip(input, d if input.dim() else ())


def _tensor_flip(self, *dims, **kwargs):
    """Tensor.flip also takes the dims unpacked: x.flip(0, 1) (torch.flip wants a sequence)."""
    if kwargs or (len(dims) == 1 and isinstance(dims[0], (list, tuple))):
        return flip(self, *dims, **kwargs)
    return flip(self, dims)


def fliplr(input):
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


@op(method=False)
def _roll(input, shifts, dims):
    if dims is None:
        return jnp.roll(input.reshape(-1), shifts).reshape(input.shape)
    return jnp.roll(input, shifts, dims)


def roll(input, shifts, dims=None):
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if not shifts:
        raise RuntimeError("`shifts` required")
    raw = () if dims is None else (dims,) if isinstance(dims, int) else tuple(dims)
    if raw and input.dim() == 0:
        raise IndexError(f"Dimension specified as {raw[0]} but tensor has no dimensions")
    if not raw and len(shifts) == 1:  # no dims (None or ()): roll the flattened tensor
        return _roll(input, shifts[0], None)
    if len(shifts) != len(raw):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(raw)}")
    if input.numel() == 0:  # (PyTorch returns an empty input's copy before checking the dims)
        return input.clone()
    return _roll(input, shifts, _dims(raw, input.dim()))


@op(method=False)
def _rot90(input, k, dims):
    return jnp.rot90(input, k, dims)


def rot90(input, k=1, dims=(0, 1)):
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.dim() < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.dim()}")
    d = _dims(dims, input.dim())
    if d[0] == d[1]:  # (jnp raises a ValueError)
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and "
                           f"dim1 = {dims[1]}")
    return _rot90(input, k, d)


@op()
def _repeat(input, repeats):
    lead = len(repeats) - input.ndim
    x = input.reshape((1,) * lead + input.shape)
    return jnp.tile(x, repeats)


def repeat(self, *sizes):
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    sizes = sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < self.dim():
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    if sizes and min(sizes) < 0:  # (XLA fails to compile it)
        shape = [a * b for a, b in zip((1,) * (len(sizes) - self.dim()) + tuple(self.shape), sizes)]
        neg = next(k for k in shape if k < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg}: {shape}")
    return _repeat(self, sizes)


Tensor.repeat = repeat


def tile(input, *dims):
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = dims[0]
    dims = tuple(dims)
    if len(dims) < input.dim():
        dims = (1,) * (input.dim() - len(dims)) + dims
    return _repeat(input, dims)


Tensor.tile = tile


@op(tensor_args=("input", "repeats"), method=False)
def _repeat_interleave(input, repeats, dim, total):
    if dim is None:
        input = input.reshape(-1)
        dim = 0
    return jnp.repeat(input, repeats, axis=dim, total_repeat_length=total)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:  # torch.repeat_interleave(repeats): indices repeated
        from .creation import arange
        r = input
        return repeat_interleave(arange(r.numel()), r, 0)
    if dim is not None:
        dim = _wrap_dim(dim, input.dim())
    if isinstance(repeats, Tensor):
        if repeats.dtype is not _dt.int64 and repeats.dtype is not _dt.int32:
            raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for '
                                      f"'{_scalar_type_name(repeats.dtype)}'")
        if repeats.dim() == 0 or repeats.numel() == 1:
            repeats = int(repeats.item())
        else:
            r = np.asarray(repeats._data)
            if (r < 0).any():
                raise RuntimeError("repeats can not be negative")
            n = input.numel() if dim is None else input.shape[dim]
            if r.ndim != 1 or r.shape[0] != n:
                raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                                   f"repeats.size(0) = {r.reshape(-1).shape[0]} and "
                                   f"input.size({0 if dim is None else dim}) = {n}")
            total = int(r.sum()) if output_size is None else output_size
            return _repeat_interleave(input, repeats, dim, total)
    if repeats < 0:
        raise RuntimeError("repeats can not be negative")
    n = input.numel() if dim is None else input.shape[dim]
    return _repeat_interleave(input, repeats, dim, n * repeats)


Tensor.repeat_interleave = repeat_interleave


@op(inplace=True)
def tril(input, diagonal=0):
    if input.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return jnp.tril(input, diagonal)


@op(inplace=True)
def triu(input, diagonal=0):
    if input.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return jnp.triu(input, diagonal)


@op()
def diag(input, diagonal=0):
    if input.ndim not in (1, 2):
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + str(input.ndim) + "D")
    return jnp.diag(input, diagonal)


@op()
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    out_nd = input.ndim + 1
    d1, d2 = _wrap_dim(dim1, out_nd), _wrap_dim(dim2, out_nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = input.shape[-1] + abs(offset)
    idx = jnp.arange(n)
    # build with the two new dims last, then move them
    base = jnp.zeros(input.shape[:-1] + (n, n), input.dtype)
    rows = idx[: input.shape[-1]] + max(-offset, 0)
    cols = idx[: input.shape[-1]] + max(offset, 0)
    base = base.at[..., rows, cols].set(input)
    return jnp.moveaxis(base, (-2, -1), (d1, d2))


@op()
def diagflat(input, offset=0):
    return jnp.diagflat(input, offset)


@op(tensor_args=("tensors",), method=False)
def _broadcast_tensors(tensors):
    shape = jnp.broadcast_shapes(*[t.shape for t in tensors])
    return tuple(jnp.broadcast_to(t, shape) for t in tensors)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t.expand(*shape) for t in tensors)


def broadcast_shapes(*shapes):
    from .._core.size import Size
    norm = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    try:
        return Size(np.broadcast_shapes(*norm))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape") from None


@op(tensor_args=("input", "other"), promote="default")
def cross(input, other, dim=None):
    if input.dtype == jnp.bool_ or other.dtype == jnp.bool_:  # (refused on empty input too)
        raise NotImplementedError("\"cross\" not implemented for 'Bool'")
    if dim is None:
        dim = next(i for i, s in enumerate(jnp.broadcast_shapes(input.shape, other.shape)) if s == 3)
    elif input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[dim]} and {other.shape[dim]}")
    return jnp.cross(input, other, axis=dim)


_MESHGRID_WARNED = []


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if any(t.dtype != tensors[0].dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if indexing is None:
        if not _MESHGRID_WARNED:  # PyTorch warns once per process
            _MESHGRID_WARNED.append(True)
            warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                          "the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("xy", "ij"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    if any(t.dim() > 1 for t in tensors):
        raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list")
    shape = [t.numel() for t in tensors]
    if indexing == "xy" and len(tensors) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, t in enumerate(tensors):
        j = i
        if indexing == "xy" and len(tensors) >= 2 and i < 2:
            j = 1 - i
        s = [1] * len(tensors)
        s[j] = t.numel()
        out.append(t.reshape(*s).expand(*shape))
    return tuple(out)


for _n in ("fliplr", "flipud", "roll", "rot90"):
    setattr(Tensor, _n, globals()[_n])
Tensor.flip = _tensor_flip


def block_diag(*tensors):
    """torch.block_diag."""
    mats = [t.reshape(1, -1) if t.dim() == 1 else (t.reshape(1, 1) if t.dim() == 0 else t)
            for t in tensors]
    for i, t in enumerate(mats):
        if t.dim() != 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.dim()} dimensions")
    return _block_diag(mats)


@op(tensor_args=("tensors",), promote="default", method=False)
def _block_diag(tensors):
    import jax.scipy.linalg as jsl
    return jsl.block_diag(*tensors)


def cartesian_prod(*tensors):
    """torch.cartesian_prod."""
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """torch.combinations."""
    import itertools
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    n = input.shape[0]
    f = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    if r == 0:  # (PyTorch: an empty vector, not an empty (0, 0) matrix)
        return input.new_empty(0)
    idx = np.array(list(f(range(n), r)), dtype=np.int64).reshape(-1, r)
    if idx.shape[0] == 0:
        return input.new_empty((0, r))
    from .creation import tensor
    return input[tensor(idx, device=input.device)]


@op(tensor_args=("x",), method=False)
def _vander(x, N, increasing):
    return jnp.vander(x, N, increasing=increasing)


def vander(x, N=None, increasing=False):
    """torch.vander."""
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    if N is not None and N < 0:
        raise RuntimeError("N must be non-negative.")
    from .pointwise import mul
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        x = mul(x, 1)  # PyTorch promotes bool and narrow ints to int64
        if x.dtype.itemsize < 8:
            from .._core import dtypes as _dt
            x = x.to(_dt.int64)
    return _vander(x, x.shape[0] if N is None else N, increasing)
