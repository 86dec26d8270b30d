"""Smaller parts of the torch.* and Tensor surface that scripts and libraries call: adjoint,
the *_copy variants of view ops, index_reduce, resize_, frombuffer, nuclear/frobenius norms,
nonzero_static, histogramdd, as_subclass, and the device-kind flags of a CPU/GPU build."""

import builtins
import math

import numpy as np

from . import linalg
from ._core.tensor import Tensor


def adjoint(input):
    """torch.adjoint: the conjugate transpose of the last two dims, a view."""
    if input.dim() < 2:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of "
                           f"matrices. Got {input.dim()}-D tensor.")
    return input.mH


def nuclear_norm(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """torch.nuclear_norm (deprecated in PyTorch for linalg.matrix_norm(A, 'nuc'))."""
    if isinstance(dim, bool):  # nuclear_norm(input, keepdim) overload
        dim, keepdim = None, dim
    return linalg.matrix_norm(input, "nuc", dim=(-2, -1) if dim is None else dim,
                              keepdim=keepdim, dtype=dtype)


def frobenius_norm(input, dim=(-2, -1), keepdim=False, *, out=None):
    """torch.frobenius_norm: the 2-norm over `dim`."""
    return linalg.vector_norm(input, 2, dim=dim, keepdim=keepdim)


def get_device(input):
    """torch.get_device: the device index, -1 on the CPU."""
    return input.get_device()


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """torch.frombuffer: a 1-D tensor read from a Python buffer (copied: a JAX array cannot
    share the buffer's memory, unlike PyTorch's)."""
    from ._ops.creation import tensor
    nbytes = memoryview(buffer).nbytes
    item = dtype.itemsize
    if offset < 0 or offset > nbytes - (item if count != 0 else 0):
        raise ValueError(f"both buffer length ({nbytes}) and offset ({offset}) must be "
                         "non-negative and offset must be smaller than buffer length")
    if count == 0 or (count < 0 and nbytes == offset):
        raise ValueError("both buffer length (0) and count (0) must not be 0")
    if count < 0 and (nbytes - offset) % item:
        raise ValueError(f"buffer length ({nbytes - offset} after offset) must be a multiple of "
                         f"element size ({item})")
    if count > 0 and offset + count * item > nbytes:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset "
                         f"({offset}) must not be greater than actual buffer length ({nbytes})")
    a = np.frombuffer(buffer, dtype=dtype._np, count=count, offset=offset)
    return tensor(a.copy(), dtype=dtype, requires_grad=requires_grad)


def nonzero_static(input, *, size, fill_value=-1):
    """torch.nonzero_static: nonzero's indices, cut or padded with fill_value to `size` rows
    (a static shape, which is what lets it run inside compiled code)."""
    from ._ops.creation import full
    from ._ops.indexing import nonzero
    from ._ops.shape import cat
    idx = nonzero(input)
    n = idx.shape[0]
    if n >= size:
        return idx[:size]
    pad = full((size - n, idx.shape[1]), fill_value, dtype=idx.dtype, device=idx.device)
    return cat([idx, pad], 0)


from ._ops.indexing import index_reduce, index_reduce_ as _index_reduce_  # noqa: E402


def resize_(self, *sizes, memory_format=None):
    """Tensor.resize_: the same storage read as `sizes` (row-major); new elements are zeros
    (torchlike's uninitialised memory), and elements past the new size are dropped."""
    from ._core.tensor import wrap
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    sizes = tuple(int(s) for s in sizes)
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: "
                           f"{list(sizes)}")
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    import jax.numpy as jnp
    flat = jnp.ravel(self._data)
    n = math.prod(sizes)
    if n <= flat.shape[0]:
        flat = flat[:n]
    else:
        flat = jnp.concatenate([flat, jnp.zeros(n - flat.shape[0], flat.dtype)])
    self.data = wrap(jnp.reshape(flat, sizes), device=self.device)
    return self


def resize_as_(self, other, memory_format=None):
    return resize_(self, tuple(other.shape))


def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False,
                      layout=None, pin_memory=False):
    from ._ops.creation import empty_strided
    return empty_strided(size, stride, dtype=dtype or self.dtype, device=device or self.device,
                         requires_grad=requires_grad)


def as_subclass(self, cls):
    """Tensor.as_subclass: the same data (and autograd history) seen as subclass `cls`."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError(f"as_subclass(): argument 'cls' must be a subclass of Tensor, not "
                        f"{cls!r}")
    t = Tensor._make_subclass(cls, self, self.requires_grad)
    if self.grad_fn is not None:  # keep the graph: an alias of a non-leaf
        t._grad_fn, t._requires_grad = self._grad_fn, False
    return t


def _copy_variant(name, view_fn):
    """`view_fn`'s result in new memory (torch.X_copy): the view op, then a clone."""
    def f(*args, out=None, **kwargs):
        r = view_fn(*args, **kwargs)
        if isinstance(r, (tuple, list)):
            return [t.clone(memory_format=_contiguous()) for t in r]
        r = r.clone(memory_format=_contiguous())
        if out is None:
            return r
        out.resize_(r.shape)
        return out.copy_(r)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"torch.{name}: torch.{name[:-5]}'s result in new memory."
    return f


def _contiguous():
    from ._core.layouts import contiguous_format
    return contiguous_format


def _copy_variants():
    import torchlike as tl
    T = Tensor
    table = {
        "view_copy": lambda x, *s, **k: x.view(*s, **k),
        "permute_copy": tl.permute, "t_copy": tl.t, "transpose_copy": tl.transpose,
        "unsqueeze_copy": tl.unsqueeze, "squeeze_copy": tl.squeeze,
        "expand_copy": lambda x, size, implicit=False: x.expand(size),
        "diagonal_copy": tl.diagonal, "select_copy": tl.select,
        "slice_copy": lambda x, dim=0, start=None, end=None, step=1:
            x[(slice(None),) * (dim % max(x.dim(), 1)) + (slice(start, end, step),)],
        "split_copy": tl.split, "split_with_sizes_copy": lambda x, split_sizes, dim=0:
            tl.split(x, list(split_sizes), dim),
        "unbind_copy": tl.unbind, "detach_copy": T.detach, "alias_copy": lambda x: x.view_as(x),
        "as_strided_copy": tl.as_strided, "unfold_copy": T.unfold,
        "view_as_real_copy": tl.view_as_real, "view_as_complex_copy": tl.view_as_complex,
    }
    return {name: _copy_variant(name, fn) for name, fn in table.items()}


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """torch.histogramdd: the histogram of the points in input's last dimension (computed on
    the host, as histogram; no gradient), with the bin edges per dimension."""
    from ._core import dtypes as _dt
    from ._core.tensor import wrap
    from ._ops.reduction import return_type
    from ._ops.registry import _scalar_type_name
    import jax.numpy as jnp
    if not input.dtype.is_floating_point or input.dtype in (_dt.float16, _dt.bfloat16):
        raise NotImplementedError(f"\"histogramdd\" not implemented for "
                                  f"'{_scalar_type_name(input.dtype)}'")
    if input.dim() < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    d = input.shape[-1]
    pts = np.asarray(input.detach()._data).reshape(-1, d)
    if isinstance(bins, int):
        bins = [bins] * d
    if len(bins) != d:
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost "
                           "dimension of the input.")
    if range is not None:
        if len(range) != 2 * d:
            raise RuntimeError(f"torch.histogramdd: for a {d}-dimensional histogram range should "
                               f"have {2 * d} elements, but got {len(range)}")
        for i in builtins.range(d):
            if range[2 * i] > range[2 * i + 1]:
                raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                                   f"{range[2 * i]:g} max {range[2 * i + 1]:g} for dimension "
                                   f"{i}")
    edges = []
    for i, b in enumerate(bins):
        if isinstance(b, Tensor):
            if b.dtype is not input.dtype:
                raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should "
                                   f"have the same dtype, but got input with dtype "
                                   f"{_scalar_type_name(input.dtype).lower()} and bins for "
                                   f"dimension {i} with dtype "
                                   f"{_scalar_type_name(b.dtype).lower()}")
            edges.append(np.asarray(b.detach()._data))
            continue
        if b <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {b} for "
                               f"dimension {i}")
        lo, hi = (range[2 * i], range[2 * i + 1]) if range is not None else \
            ((pts[:, i].min(), pts[:, i].max()) if len(pts) else (0.0, 0.0))
        if lo == hi:  # numpy's and PyTorch's widening of an empty range
            lo, hi = lo - 0.5, hi + 0.5
        edges.append(np.linspace(lo, hi, b + 1, dtype=pts.dtype))
    w = None
    if weight is not None:
        if tuple(weight.shape) != tuple(input.shape[:-1]):
            raise RuntimeError("torch.histogramdd: if weight tensor is provided it should have "
                               "the same shape as the input tensor excluding its innermost "
                               f"dimension, but got input with shape {list(input.shape)} and "
                               f"weight with shape {list(weight.shape)}")
        w = np.asarray(weight.detach()._data).reshape(-1)
    hist, _ = np.histogramdd(pts, bins=edges, weights=w, density=density)
    out = return_type("histogramdd", ("hist", "bin_edges"))
    return out(wrap(jnp.asarray(hist.astype(pts.dtype))),
               tuple(wrap(jnp.asarray(e.astype(pts.dtype))) for e in edges))



TORCH_FUNCTIONS = {
    "adjoint": adjoint, "nuclear_norm": nuclear_norm, "frobenius_norm": frobenius_norm,
    "get_device": get_device, "frombuffer": frombuffer, "nonzero_static": nonzero_static,
    "index_reduce": index_reduce, "histogramdd": histogramdd,
}

# A CPU or CUDA build: the other accelerators' flags are False (PyTorch's, on such a build).
for _flag in ("is_mps", "is_xpu", "is_ipu", "is_vulkan", "is_xla", "is_mtia", "is_maia",
              "is_sparse_csr"):
    setattr(Tensor, _flag, property(lambda self: False))
Tensor.is_distributed = lambda self: False
Tensor.adjoint = adjoint
Tensor.index_reduce = index_reduce
Tensor.index_reduce_ = _index_reduce_
Tensor.resize_ = resize_
Tensor.resize_as_ = resize_as_
Tensor.new_empty_strided = new_empty_strided
Tensor.as_subclass = as_subclass
Tensor.nonzero_static = lambda self, *, size, fill_value=-1: nonzero_static(
    self, size=size, fill_value=fill_value)


def _xpu(self, device=None, non_blocking=False, memory_format=None):
    raise AssertionError("Torch not compiled with XPU enabled")


Tensor.xpu = _xpu


def _method_from_functional(name):
    def m(self, *args, **kwargs):
        from .nn import functional as F
        return getattr(F, name)(self, *args, **kwargs)
    m.__name__ = name
    return m


Tensor.hardshrink = _method_from_functional("hardshrink")
Tensor.prelu = _method_from_functional("prelu")


class TypedStorage:
    """What Tensor.storage() returns (deprecated in PyTorch for untyped_storage()): the
    tensor's whole storage as elements of its dtype. Values are read, not shared."""

    def __init__(self, tensor):
        root = tensor._base if tensor._base is not None else tensor
        self._root, self.dtype, self.device = root, root.dtype, root.device

    def untyped(self):
        return self._root.untyped_storage()

    def data_ptr(self):
        return self.untyped().data_ptr()

    def size(self):
        return self._root.numel()

    __len__ = size

    def element_size(self):
        return self.dtype.itemsize

    def nbytes(self):
        return self.size() * self.element_size()

    def tolist(self):
        return self._root.reshape(-1).tolist()

    def __getitem__(self, i):
        return self._root.reshape(-1)[i].item()

    def is_shared(self):
        return False

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    def type(self):
        from ._core.legacy import TYPE_NAMES
        names = {dt: name for name, dt in TYPE_NAMES.items()}
        return names.get(self.dtype, "torch.Tensor").replace("Tensor", "Storage")


def _storage(self):
    import warnings
    warnings.warn("TypedStorage is deprecated. It will be removed in the future and "
                  "UntypedStorage will be the only storage class. This should only matter to you "
                  "if you are using storages directly.  To access UntypedStorage directly, use "
                  "tensor.untyped_storage() instead of tensor.storage()", UserWarning,
                  stacklevel=2)
    return TypedStorage(self)


Tensor.storage = _storage
