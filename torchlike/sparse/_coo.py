"""The sparse COO tensor (layout torch.sparse_coo): its class, constructor and conversions.

A sparse tensor keeps `indices` (int64, [sparse_dim, nnz]) and `values` ([nnz, *dense dims])
as ordinary tensors, so gradients reach the values (and the dense operand of a product) through
the usual tape. The pattern (indices) is read on the host where an op needs it (coalesce,
intersections), as PyTorch's CPU kernels do.
"""

import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core import sparse_grad as _sg
from .._core.size import Size
from .._core.tensor import Tensor, _parse_to, wrap
from .._ops.registry import op

_UNSUPPORTED = ("Could not run 'aten::{}' with arguments from the '{}' backend. This could be "
                "because the operator doesn't exist for this backend, or was omitted during the "
                "selective/custom build process (if using custom build).")


def unsupported(name, backend="SparseCPU"):
    """PyTorch's error for an op with no kernel for this layout (its message's first part)."""
    return NotImplementedError(_UNSUPPORTED.format(name, backend))


class SparseCOOTensor(Tensor):
    """A sparse COO tensor (layout torch.sparse_coo); type(t) is a Tensor subclass here.

    Differs from PyTorch: the operations PyTorch has no sparse kernel for raise its
    NotImplementedError, with the first sentences of its message only."""

    is_sparse = True
    layout = "torch.sparse_coo"  # (torchlike/__init__ sets torch.sparse_coo)

    @property
    def _data(self):
        raise NotImplementedError("torchlike: this operation is not supported on sparse COO "
                                  "tensors; convert with .to_dense() first")

    @property
    def shape(self):
        return Size(self._sp_shape)

    def _shape(self):
        return self._sp_shape

    def size(self, dim=None):
        if dim is None:
            return self.shape
        n = len(self._sp_shape)
        if not -max(n, 1) <= dim < max(n, 1):
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-max(n, 1)}, {max(n, 1) - 1}], but got {dim})")
        return self._sp_shape[dim]

    def dim(self):
        return len(self._sp_shape)

    @property
    def ndim(self):
        return len(self._sp_shape)

    def numel(self):
        return int(np.prod(self._sp_shape, dtype=np.int64))

    nelement = numel

    @property
    def dtype(self):
        return self._sp_values.dtype

    @property
    def device(self):
        return self._sp_values.device

    @property
    def requires_grad(self):
        return self._sp_values.requires_grad

    @requires_grad.setter
    def requires_grad(self, v):
        self.requires_grad_(v)

    def requires_grad_(self, requires_grad=True):
        if not requires_grad and not self.is_leaf:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If "
                               "you want to use a computed variable in a subgraph that doesn't "
                               "require differentiation use var_no_grad = var.detach().")
        self._sp_values.requires_grad_(requires_grad)
        return self

    @property
    def grad(self):
        # the dense gradient on the tensor's pattern, each position once (as PyTorch's): the
        # values' gradient holds it at every duplicate of a position
        g = self._sp_values.grad
        if g is None or self._coalesced:
            return None if g is None else _make(self._sp_indices, g, self._sp_shape, True)
        k = self.sparse_dim()
        _, first = np.unique(_flat(_host(self._sp_indices), self._sp_shape[:k]),
                             return_index=True)
        first = wrap(jnp.asarray(first.astype(np.int64)))
        return _make(self._sp_indices.index_select(1, first), g.index_select(0, first),
                     self._sp_shape, False)

    @grad.setter
    def grad(self, g):
        self._sp_values.grad = None if g is None else g._values()

    @property
    def grad_fn(self):
        return self._sp_values.grad_fn

    @property
    def is_leaf(self):
        return self._sp_values.is_leaf

    # ---- the COO structure ----
    def _indices(self):
        return self._sp_indices

    def _values(self):
        return self._sp_values

    def indices(self):
        if not self._coalesced:
            raise RuntimeError("Cannot get indices on an uncoalesced tensor, please call "
                               ".coalesce() first")
        return self._sp_indices.detach()

    def values(self):
        if not self._coalesced:
            raise RuntimeError("Cannot get values on an uncoalesced tensor, please call "
                               ".coalesce() first")
        v = self._sp_values
        return _values_alias(v) if v.requires_grad else v

    def _nnz(self):
        return self._sp_values.shape[0]

    def is_coalesced(self):
        return self._coalesced

    def _coalesced_(self, coalesced):
        self._coalesced = bool(coalesced)
        return self

    def sparse_dim(self):
        return self._sp_indices.shape[0]

    def dense_dim(self):
        return len(self._sp_shape) - self.sparse_dim()

    def coalesce(self):
        if self._coalesced:
            return self
        k = self.sparse_dim()
        idx = _host(self._sp_indices)
        flat = _flat(idx, self._sp_shape[:k])
        uniq, inverse = np.unique(flat, return_inverse=True)
        new_idx = np.stack(np.unravel_index(uniq, self._sp_shape[:k])) if k else \
            np.zeros((0, uniq.size), np.int64)
        vals = _segment_sum(self._sp_values, wrap(jnp.asarray(inverse.reshape(-1))), len(uniq))
        return _make(wrap(jnp.asarray(new_idx.astype(np.int64).reshape(k, -1))), vals,
                     self._sp_shape, True)

    # ---- conversions ----
    def to_dense(self, dtype=None, *, masked_grad=None):
        if dtype is not None:
            raise RuntimeError("dtype argument is not supported by sparse_to_dense")
        return _to_dense(self._sp_indices, self._sp_values, tuple(self._sp_shape))

    def to_sparse(self, *args, layout=None, blocksize=None, dense_dim=None):
        sparse_dim = args[0] if args else None
        if layout not in (None, "torch.sparse_coo") and str(layout) != "torch.sparse_coo":
            raise NotImplementedError(f"torchlike: Tensor.to_sparse(layout={layout}) is not "
                                      "supported; only torch.sparse_coo is")
        if sparse_dim is not None and sparse_dim != self.sparse_dim():
            raise RuntimeError("to_sparse: conversion from Sparse to Sparse with sparse_dim "
                               "argument !=self.sparse_dim() is not supported")
        return self

    def to_sparse_coo(self):
        return self

    def to(self, *args, **kwargs):
        dtype, device, copy = _parse_to(args, kwargs)
        v, i = self._sp_values, self._sp_indices
        if device is not None:
            v, i = v.to(device), i.to(device)
        if dtype is not None:
            v = v.to(dtype)
        if v is self._sp_values and i is self._sp_indices:
            return self.clone() if copy else self
        return _make(i, v, self._sp_shape, self._coalesced)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return super().type().replace("torch.", "torch.sparse.", 1)
        return super().type(dtype, non_blocking, **kwargs)

    def clone(self, *, memory_format=None):
        return _make(self._sp_indices.clone(), self._sp_values.clone(), self._sp_shape,
                     self._coalesced)

    def detach(self):
        return _make(self._sp_indices, self._sp_values.detach(), self._sp_shape, self._coalesced)

    def detach_(self):
        self._sp_values = self._sp_values.detach()
        return self

    def zero_(self):
        # PyTorch empties a sparse tensor in place (nnz 0): zero_grad(set_to_none=False)
        self._sp_indices = self._sp_indices[:, :0]
        self._sp_values = self._sp_values.detach()[:0]
        self._coalesced = True
        return self

    def sparse_mask(self, mask):
        return sparse_mask(self.coalesce().to_dense(), mask)

    # ---- what a strided tensor has and a sparse one has not ----
    def numpy(self, force=False):
        raise TypeError("can't convert Sparse layout tensor to numpy. Use Tensor.to_dense() "
                        "first.")

    def tolist(self):
        raise RuntimeError("Cannot access data pointer of Tensor that doesn't have storage")

    data_ptr = tolist

    def untyped_storage(self):
        raise NotImplementedError("Cannot access storage of SparseTensorImpl")

    def stride(self, dim=None):
        return (0,) * self.dim() if dim is None else 0

    def t(self):
        if self.sparse_dim() > 2 or self.dense_dim():
            raise RuntimeError(f"t() expects a tensor with <= 2 sparse and 0 dense dimensions, "
                               f"but got {self.sparse_dim()} sparse and {self.dense_dim()} "
                               f"dense dimensions")
        return self.transpose(0, 1) if self.dim() == 2 else self

    def reshape(self, *shape):
        raise RuntimeError("reshape is not implemented for sparse tensors")

    def view(self, *shape):
        raise unsupported("view")

    def is_contiguous(self, memory_format=None):
        return False

    def contiguous(self, memory_format=None):
        raise RuntimeError("unsupported memory format option Contiguous")

    def item(self):
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to "
                               "Scalar")
        return self.to_dense().item()

    def __len__(self):
        if not self._sp_shape:
            raise TypeError("len() of a 0-d tensor")
        return self._sp_shape[0]

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __iter__(self):
        raise unsupported("unbind.int")

    def __getitem__(self, index):
        raise NotImplementedError("torchlike: indexing a sparse tensor is not supported; index "
                                  "its to_dense() instead")

    def __setitem__(self, index, value):
        raise unsupported("index_put_")

    def __repr__(self, *, tensor_contents=None):
        return _repr(self)

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (_rebuild_sparse_tensor, ("torch.sparse_coo", (
            self._sp_indices.detach(), self._sp_values.detach(), self.shape, self._coalesced),
            self.requires_grad))

    def _sparse_view(self, step):
        """A view step (transpose, permute, t) on a sparse tensor: a new COO tensor."""
        if step[0] != "permute":
            raise unsupported("view")
        perm, k = step[1], self.sparse_dim()
        if not perm:
            return self
        if any((p < k) != (i < k) for i, p in enumerate(perm)):
            moved = [i for i, p in enumerate(perm) if i != p]
            raise RuntimeError(f"sparse transpose: transposed dimensions must be sparse Got "
                               f"sparse_dim: {k}, d0: {moved[0]}, d1: {moved[1]}") \
                if len(moved) == 2 else RuntimeError("permute(sparse_coo): transpositions between sparse and dense "
                             "dimensions are not allowed. Only transpositions between sparse "
                             "dimensions or between dense dimensions are allowed.")
        from .. import stack
        same = list(perm[:k]) == list(range(k))
        idx = self._sp_indices if same else stack([self._sp_indices[p] for p in perm[:k]])
        vals = self._sp_values
        if list(perm[k:]) != list(range(k, len(perm))):
            vals = vals.permute(0, *[p - k + 1 for p in perm[k:]])
        return _make(idx, vals, tuple(self._sp_shape[p] for p in perm), self._coalesced and same)


def _get_layout(name):
    """torch.serialization._get_layout, as torch.load meets it."""
    import torchlike
    if name != "torch.sparse_coo":
        raise NotImplementedError(f"torchlike.load: the layout {name} is not supported by "
                                  "torchlike")
    return torchlike.sparse_coo


def _rebuild_sparse_tensor(layout, data, requires_grad=False):
    """torch._utils._rebuild_sparse_tensor for a COO tensor (torch.load, pickle)."""
    if str(layout) != "torch.sparse_coo":
        raise NotImplementedError(f"torchlike.load: the layout {layout} is not supported by "
                                  "torchlike")
    indices, values, size, coalesced = data
    return sparse_coo_tensor(indices, values, size, is_coalesced=coalesced,
                             requires_grad=requires_grad)


def _host(t):
    return np.asarray(t.detach()._data)


def _flat(idx, sizes):
    """Each column of `idx` (the indices of `sizes`) as one row-major number."""
    if idx.shape[0] == 0:
        return np.zeros(idx.shape[1], np.int64)
    return np.ravel_multi_index(tuple(idx), sizes) if idx.size else np.zeros(0, np.int64)


def _make(indices, values, shape, coalesced):
    _sg.USED[0] = True
    t = object.__new__(SparseCOOTensor)
    t._sp_indices = indices
    t._sp_values = values
    t._sp_shape = tuple(int(s) for s in shape)
    t._coalesced = bool(coalesced)
    t._dtype = values.dtype
    t._device = values.device
    return t


_sg.COO[0] = SparseCOOTensor


@op(tensor_args=("indices", "values"), method=False, function=False)
def _to_dense(indices, values, shape):
    k = indices.shape[0]
    if values.dtype == jnp.bool_:  # (duplicates: or)
        return _to_dense.__wrapped_op__.fn(indices, values.astype(jnp.int32), shape) != 0
    out = jnp.zeros(shape, values.dtype)
    if k == 0:
        return out + values.sum(0)
    return out.at[tuple(indices[i] for i in range(k))].add(values)


@op(tensor_args=("values", "segments"), method=False, function=False)
def _segment_sum(values, segments, n):
    return jnp.zeros((n,) + values.shape[1:], values.dtype).at[segments].add(values)


@op(tensor_args=("input", "indices"), method=False, function=False)
def _gather_at(input, indices):
    """input[indices[0], ..., indices[k-1]]: the entries of a dense tensor at COO indices."""
    return input[tuple(indices[i] for i in range(indices.shape[0]))]


@op(tensor_args=("values",), method=False, function=False)
def _sparse_coo_tensor_with_dims_and_tensors(values):
    """The values a sparse tensor was made from (its grad_fn, as PyTorch's)."""
    return values


@op(name="values", tensor_args=("values",), method=False, function=False)
def _values_alias(values):
    """values() of a sparse tensor that requires grad (grad_fn ValuesBackward0, as PyTorch's)."""
    return values


def _repr(t):
    from .._core._tensor_str import _add_suffixes, _host_array, _tensor_str, _grad_fn_name
    indent = len("tensor(")
    dtype = t.dtype
    default = _dt.get_default_dtype()
    default_complex = _dt.complex128 if default is _dt.float64 else _dt.complex64
    suffixes = []
    device = str(t.device)
    if device != "cpu":
        suffixes.append("device='" + device + "'")
    suffixes += ["size=" + str(tuple(t._sp_shape)), "nnz=" + str(t._nnz())]
    if dtype not in (default, default_complex, _dt.int64, _dt.bool):
        suffixes.append("dtype=" + repr(dtype))
    ip, vp = "indices=tensor(", "values=tensor("
    idx = _host(t._sp_indices)
    istr = _tensor_str(idx, indent + len(ip), False, False)
    if idx.size == 0:
        istr += ", size=" + str(tuple(idx.shape))
    vals = _host_array(t._sp_values)
    vstr = _tensor_str(vals, indent + len(vp), dtype.is_floating_point, dtype.is_complex)
    if vals.size == 0:
        vstr += ", size=" + str(tuple(vals.shape))
    body = ip + istr + "),\n" + " " * indent + vp + vstr + ")"
    suffixes.append("layout=torch.sparse_coo")
    name = _grad_fn_name(t)
    if name is not None:
        suffixes.append(f"grad_fn=<{name}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes("tensor(" + body, suffixes, indent, force_newline=True)


def sparse_coo_tensor(indices=None, values=None, size=None, *, dtype=None, device=None,
                      pin_memory=False, requires_grad=False, check_invariants=None,
                      is_coalesced=None):
    """torch.sparse_coo_tensor.

    Differs from PyTorch: the indices are always checked against the size (PyTorch checks
    only with check_invariants=True and otherwise makes a tensor that crashes or misreads)."""
    from .._ops.creation import tensor as _tensor, zeros as _zeros
    if indices is None and values is None:
        if size is None:
            raise TypeError("sparse_coo_tensor() missing required argument 'indices'")
        size = tuple(size)
        return _make(_zeros((len(size), 0), dtype=_dt.int64, device=device),
                     _zeros((0,), dtype=dtype, device=device), size, True).requires_grad_(
                         requires_grad)
    if not isinstance(indices, Tensor):
        indices = _tensor(indices, device=device)
    if not isinstance(values, Tensor):
        values = _tensor(values, dtype=dtype, device=device)
    elif dtype is not None or device is not None:
        values = values.to(dtype=dtype, device=device)
    if indices.is_sparse or values.is_sparse:
        raise unsupported("_sparse_coo_tensor_with_dims_and_tensors")
    if indices.dtype is not _dt.int64:
        indices = indices.to(_dt.int64)
    if device is not None:
        indices = indices.to(device)
    if indices.dim() != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(indices.shape)}")
    if values.dim() == 0:
        values = values.reshape(1)
    sparse_dim = indices.shape[0]
    dense_dim = values.dim() - 1
    if indices.shape[1] != values.shape[0]:
        raise RuntimeError(f"indices and values must have same nnz, but got nnz from indices: "
                           f"{indices.shape[1]}, nnz from values: {values.shape[0]}")
    idx = _host(indices)
    if size is None:
        size = tuple((idx.max(1) + 1).tolist() if idx.size else [0] * sparse_dim) + \
            tuple(values.shape[1:])
    size = tuple(int(s) for s in size)
    if len(size) != sparse_dim + dense_dim:
        raise RuntimeError(f"'len(size) == sparse_dim + dense_dim' is not satisfied: len(size) "
                           f"= {len(size)}, sparse_dim = {sparse_dim}, dense_dim = {dense_dim}")
    if any(s < 0 for s in size):
        raise RuntimeError("numel: integer multiplication overflow" if size.count(-1) != 1 else
                           f"Trying to create tensor with negative dimension {min(size)}: "
                           f"{list(size)}")
    if tuple(values.shape[1:]) != size[sparse_dim:]:
        raise RuntimeError(f"values has incorrect size, expected "
                           f"{[values.shape[0]] + list(size[sparse_dim:])}, got "
                           f"{list(values.shape)}")
    if idx.size:
        lo, hi = idx.min(1), idx.max(1)
        for d in range(sparse_dim):
            if lo[d] < 0:
                raise RuntimeError(f"found negative index {int(lo[d])} for dim {d}")
            if hi[d] >= size[d]:
                raise RuntimeError(f"size is inconsistent with indices: for dim {d}, size is "
                                   f"{size[d]} but found index {int(hi[d])}")
    if requires_grad:
        if not (values.dtype.is_floating_point or values.dtype.is_complex):
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        values = values.detach().requires_grad_(True)
    elif values.requires_grad:
        values = _sparse_coo_tensor_with_dims_and_tensors(values)
    if is_coalesced is None:
        is_coalesced = values.shape[0] < 2 and sparse_dim > 0 or values.shape[0] == 0
    return _make(indices, values, size, is_coalesced)


def to_sparse(self, *args, layout=None, blocksize=None, dense_dim=None, sparse_dim=None):
    """Tensor.to_sparse (and to_sparse(sparse_dim)): the nonzero entries as a coalesced COO
    tensor; with sparse_dim < dim, the nonzero slices over the last dims."""
    if args:
        sparse_dim = args[0]
    if layout is not None and str(layout) != "torch.sparse_coo":
        raise NotImplementedError(f"torchlike: Tensor.to_sparse(layout={layout}) is not "
                                  "supported; only torch.sparse_coo is")
    n = self.dim()
    if sparse_dim is None:
        sparse_dim = n - (dense_dim or 0)
    elif not 0 <= sparse_dim <= n:
        raise RuntimeError(f"dense_to_sparse: sparse_dim argument must be in [0,{n}] range, but "
                           f"{sparse_dim} is given")
    elif sparse_dim == 0 and n > 0:
        raise RuntimeError("dense_to_sparse: sparse_dim argument must be in >0 when self.dim()>0")
    return _dense_to_sparse(self, sparse_dim)


def _dense_to_sparse(self, k):
    from .. import stack
    shape = tuple(self.shape)
    if k == 0:
        if self.dim() == 0 and not bool(self != 0):
            return _make(wrap(jnp.zeros((0, 0), jnp.int64)), self.reshape(-1)[:0], shape, True)
        return _make(wrap(jnp.zeros((0, 1), jnp.int64)), self.reshape(1, *shape), shape, True)
    nz = (self != 0)
    if k < self.dim():
        nz = nz.reshape(*shape[:k], -1).any(-1)
    pos = nz.nonzero(as_tuple=True)
    idx = stack(pos) if pos else wrap(jnp.zeros((k, 0), jnp.int64))
    return _make(idx, self[pos], shape, True)


def to_sparse_coo(self):
    """Tensor.to_sparse_coo."""
    return to_sparse(self)


def to_dense(self, dtype=None, *, masked_grad=None):
    """Tensor.to_dense of a strided tensor: itself (or a cast copy)."""
    return self if dtype is None else self.to(dtype)


def sparse_mask(self, mask):
    """Tensor.sparse_mask: this dense tensor's entries at the sparse `mask`'s indices."""
    if not mask.is_sparse:
        raise unsupported("sparse_mask", "CPU")
    if tuple(self.shape) != tuple(mask.shape):
        raise RuntimeError(f"sparse_mask(): operands have incompatible sizes; self has size "
                           f"{list(self.shape)} but mask has size {list(mask.shape)}")
    if self.is_sparse:
        self = self.coalesce().to_dense()
    vals = _gather_at(self, mask._sp_indices)
    return _make(mask._sp_indices, vals, mask._sp_shape, mask._coalesced)


def _strided_only(name, what="sparse coordinate tensor"):
    def f(self, *args, **kwargs):
        raise RuntimeError(f"{name} expected {what} layout but got Strided")
    f.__name__ = name
    return f


def _no_kernel(name):
    def f(self, *args, **kwargs):
        raise unsupported(name, "CPU")
    f.__name__ = name
    return f


Tensor.to_sparse = to_sparse
Tensor.to_sparse_coo = to_sparse_coo
Tensor.to_dense = to_dense
Tensor.sparse_mask = sparse_mask
Tensor.indices = _strided_only("indices")
Tensor.values = _strided_only("values", "sparse tensor")
Tensor.coalesce = _strided_only("coalesce")
Tensor.is_coalesced = _strided_only("is_coalesced")
Tensor._indices = _no_kernel("_indices")
Tensor._values = _no_kernel("_values")
Tensor._nnz = _no_kernel("_nnz")
Tensor.sparse_dim = lambda self: 0
Tensor.dense_dim = lambda self: self.dim()
