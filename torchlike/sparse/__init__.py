"""Sparse COO tensors: torch.sparse_coo_tensor, to_sparse/to_dense, torch.sparse.mm / sum.

A sparse tensor keeps `indices` (int64, [ndim, nnz]) and `values` ([nnz]) as ordinary tensors,
so gradients reach the values (and the dense operand of a product) through the usual tape.
Differs from PyTorch: only the operations listed here accept sparse tensors; others raise
NotImplementedError naming the operation and suggesting to_dense().
"""

import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core.size import Size
from .._core.sparse_grad import USED, SparseGrad
from .._core.tensor import Tensor, wrap
from .._ops.registry import op


class SparseCOOTensor(Tensor):
    """A sparse COO tensor (layout torch.sparse_coo)."""

    is_sparse = True
    layout = "torch.sparse_coo"

    @property
    def _data(self):
        raise NotImplementedError("this operation is not supported on sparse tensors by "
                                  "torchlike yet; convert with .to_dense() first")

    @property
    def shape(self):
        return Size(self._sp_shape)

    def size(self, dim=None):
        return self.shape if dim is None else self._sp_shape[dim]

    def dim(self):
        return len(self._sp_shape)

    @property
    def ndim(self):
        return len(self._sp_shape)

    def numel(self):
        return int(np.prod(self._sp_shape))

    @property
    def dtype(self):
        return self._sp_values.dtype

    @property
    def requires_grad(self):
        return self._sp_values.requires_grad

    @requires_grad.setter
    def requires_grad(self, v):
        self._sp_values.requires_grad_(v)

    def requires_grad_(self, requires_grad=True):
        self._sp_values.requires_grad_(requires_grad)
        return self

    @property
    def grad(self):
        g = self._sp_values.grad
        return None if g is None else _make(self._sp_indices, g, self._sp_shape, self._coalesced)

    @property
    def grad_fn(self):
        return self._sp_values.grad_fn

    @property
    def is_leaf(self):
        return self._sp_values.is_leaf

    def _indices(self):
        return self._sp_indices

    def _values(self):
        return self._sp_values

    def indices(self):
        if not self._coalesced:
            raise RuntimeError("Cannot get indices on an uncoalesced tensor, please call "
                               ".coalesce() first")
        return self._sp_indices

    def values(self):
        if not self._coalesced:
            raise RuntimeError("Cannot get values on an uncoalesced tensor, please call "
                               ".coalesce() first")
        return self._sp_values

    def _nnz(self):
        return self._sp_values.shape[0]

    def is_coalesced(self):
        return self._coalesced

    def sparse_dim(self):
        return self._sp_indices.shape[0]

    def dense_dim(self):
        return len(self._sp_shape) - self.sparse_dim()

    def coalesce(self):
        if self._coalesced:
            return self
        idx = np.asarray(self._sp_indices._data)
        flat = np.ravel_multi_index(tuple(idx), self._sp_shape[:idx.shape[0]]) if idx.size else \
            np.zeros(0, np.int64)
        uniq, inverse = np.unique(flat, return_inverse=True)
        new_idx = np.stack(np.unravel_index(uniq, self._sp_shape[:idx.shape[0]])).astype(np.int64) \
            if uniq.size else np.zeros((idx.shape[0], 0), np.int64)
        vals = _segment_sum(self._sp_values, wrap(jnp.asarray(inverse.reshape(-1))), len(uniq))
        return _make(wrap(jnp.asarray(new_idx.reshape(idx.shape[0], -1))), vals, self._sp_shape,
                     True)

    def to_dense(self, dtype=None, *, masked_grad=None):
        out = _to_dense(self._sp_indices, self._sp_values, tuple(self._sp_shape))
        return out if dtype is None else out.to(dtype)

    def to_sparse(self, *args, **kwargs):
        return self

    def __repr__(self):
        return (f"tensor(indices={self._sp_indices!r},\n       values={self._sp_values!r},\n"
                f"       size={tuple(self._sp_shape)}, nnz={self._nnz()}, layout=torch.sparse_coo)")

    def __matmul__(self, other):
        return mm(self, other)

    def mm(self, other):
        return mm(self, other)

    def t(self):
        if self.sparse_dim() != 2:
            raise RuntimeError("t() expects a 2D sparse tensor")
        from .. import flip
        return _make(flip(self._sp_indices, [0]), self._sp_values, self._sp_shape[::-1], False)

    def mul(self, other):
        if isinstance(other, (int, float)):
            return _make(self._sp_indices, self._sp_values * other, self._sp_shape, self._coalesced)
        raise NotImplementedError("sparse * tensor is not supported by torchlike yet; use to_dense()")

    __mul__ = mul
    __rmul__ = mul

    def __add__(self, other):
        if isinstance(other, SparseCOOTensor):
            from .. import cat
            return _make(cat([self._sp_indices, other._sp_indices], 1),
                         cat([self._sp_values, other._sp_values]), self._sp_shape, False).coalesce()
        return self.to_dense() + other

    def detach(self):
        return _make(self._sp_indices, self._sp_values.detach(), self._sp_shape, self._coalesced)


    def zero_(self):
        # PyTorch empties a sparse tensor in place (nnz 0): zero_grad(set_to_none=False)
        self._sp_indices = self._sp_indices[:, :0]
        self._sp_values = self._sp_values.detach()[:0]
        self._coalesced = True
        return self

    def clone(self, *, memory_format=None):
        return _make(self._sp_indices.clone(), self._sp_values.clone(), self._sp_shape,
                     self._coalesced)

    def sparse_mask(self, mask):
        raise NotImplementedError("sparse_mask on a sparse tensor is not supported by torchlike")


def _make(indices, values, shape, coalesced):
    USED[0] = True
    t = object.__new__(SparseCOOTensor)
    t._sp_indices = indices
    t._sp_values = values
    t._sp_shape = tuple(int(s) for s in shape)
    t._coalesced = coalesced
    t._dtype = values.dtype
    t._device = values.device
    return t


@op(tensor_args=("indices", "values"), method=False)
def _to_dense(indices, values, shape):
    k = indices.shape[0]
    out = jnp.zeros(shape, values.dtype)
    return out.at[tuple(indices[i] for i in range(k))].add(values)


@op(tensor_args=("values", "segments"), method=False)
def _segment_sum(values, segments, n):
    return jnp.zeros((n,) + values.shape[1:], values.dtype).at[segments].add(values)


@op(tensor_args=("indices", "values", "dense"), method=False)
def _spmm(indices, values, dense, n_rows):
    rows, cols = indices[0], indices[1]
    contrib = values[:, None] * dense[cols]
    return jnp.zeros((n_rows, dense.shape[1]), contrib.dtype).at[rows].add(contrib)


def sparse_coo_tensor(indices, values, size=None, *, dtype=None, device=None, pin_memory=False,
                      requires_grad=False, check_invariants=None, is_coalesced=None):
    """torch.sparse_coo_tensor."""
    from .._ops.creation import tensor as _tensor
    if not isinstance(indices, Tensor):
        indices = _tensor(indices, dtype=_dt.int64)
    if not isinstance(values, Tensor):
        values = _tensor(values, dtype=dtype)
    elif dtype is not None:
        values = values.to(dtype)
    if indices.dim() != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(indices.shape)}")
    if indices.shape[1] != values.shape[0]:
        raise RuntimeError(f"indices and values must have same nnz, but got nnz from indices: "
                           f"{indices.shape[1]}, nnz from values: {values.shape[0]}")
    idx = np.asarray(indices._data)
    if size is None:
        size = tuple((idx.max(1) + 1).tolist() if idx.size else [0] * idx.shape[0]) + \
            tuple(values.shape[1:])
    size = tuple(size)
    for d in range(idx.shape[0]):
        if idx.size and (idx[d].min() < 0 or idx[d].max() >= size[d]):
            raise RuntimeError(f"size is inconsistent with indices: for dim {d}, size is "
                               f"{size[d]} but found index {int(idx[d].max())}")
    if requires_grad:
        values = values.detach().requires_grad_(True)
    return _make(indices, values, size, bool(is_coalesced))


def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
    """Tensor.to_sparse: the nonzero entries as a coalesced COO tensor."""
    if layout not in (None, "torch.sparse_coo"):
        raise NotImplementedError(f"Tensor.to_sparse(layout={layout}) is not supported by "
                                  "torchlike yet")
    nz = self.nonzero(as_tuple=True)
    from .. import stack
    idx = stack(nz) if nz else wrap(jnp.zeros((self.dim(), 0), jnp.int64))
    return _make(idx, self[nz] if nz else self.reshape(-1)[:0], tuple(self.shape), True)


def mm(mat1, mat2):
    """torch.sparse.mm: sparse @ dense (gradients reach the values and the dense operand)."""
    if isinstance(mat1, SparseCOOTensor):
        if isinstance(mat2, SparseCOOTensor):
            mat2 = mat2.to_dense()
        if mat1.sparse_dim() != 2 or mat2.dim() != 2:
            raise RuntimeError("sparse.mm: expected a 2-D sparse and a 2-D dense matrix")
        if mat1.shape[1] != mat2.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x"
                               f"{mat1.shape[1]} and {mat2.shape[0]}x{mat2.shape[1]})")
        return _spmm(mat1._sp_indices, mat1._sp_values, mat2, mat1.shape[0])
    if isinstance(mat2, SparseCOOTensor):
        return mm(mat2.t(), mat1.t()).t()
    from .. import mm as dense_mm
    return dense_mm(mat1, mat2)


def sum(input, dim=None, dtype=None):
    """torch.sparse.sum: a dense result (all dims summed, or the given ones)."""
    if dim is None:
        s = input._sp_values.sum()
        return s if dtype is None else s.to(dtype)
    return input.to_dense().sum(dim, dtype=dtype)


def addmm(mat, mat1, mat2, *, beta=1.0, alpha=1.0):
    return beta * mat + alpha * mm(mat1, mat2)


Tensor.to_sparse = to_sparse
Tensor.to_dense = lambda self, dtype=None, **kw: self if dtype is None else self.to(dtype)
Tensor.is_coalesced = lambda self: False
