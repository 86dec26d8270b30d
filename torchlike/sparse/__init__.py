"""torch.sparse: sparse COO tensors (torch.sparse_coo_tensor, to_sparse/to_dense) and
torch.sparse.mm / addmm / sum / softmax / log_softmax.

Gradients reach a sparse tensor's values (its `.grad` is sparse, on its pattern) and the dense
operand of a product through the usual tape.
Differs from PyTorch: only the COO layout; ops PyTorch has no sparse kernel for raise its
NotImplementedError (the first sentences of its message).
"""

import jax.numpy as jnp
import numpy as np

from .._core.sparse_grad import USED, SparseGrad  # noqa: F401 (optimizers read them here)
from .._core.tensor import wrap
from .._ops.registry import op
from ._coo import SparseCOOTensor, _flat, _host, _make, sparse_coo_tensor, to_sparse, unsupported  # noqa: F401,E501
from ._dispatch import sparse_sum

__all__ = ["addmm", "log_softmax", "mm", "softmax", "sum"]


@op(tensor_args=("indices", "values", "dense"), method=False, function=False)
def _sparse_addmm(indices, values, dense, n_rows):
    rows, cols = indices[0], indices[1]
    contrib = values[:, None] * dense[cols]
    return jnp.zeros((n_rows, dense.shape[1]), contrib.dtype).at[rows].add(contrib)


def _check_mm(mat1, mat2, name="addmm"):
    if mat1.dim() != 2 or mat2.dim() != 2:
        raise RuntimeError(f"{name}: matrices expected, got "
                           f"{mat1.dim() if mat1.dim() != 2 else mat2.dim()}D tensor")
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"{name}: Argument #3 (dense): Expected dim 0 size {mat1.shape[1]}, "
                           f"got {mat2.shape[0]}")
    if mat1.dtype is not mat2.dtype:
        from .._ops.registry import _scalar_type_name as n
        raise RuntimeError(f"expected scalar type {n(mat1.dtype)} but found {n(mat2.dtype)}")


def mm(mat1, mat2):
    """torch.sparse.mm (and torch.mm with a sparse operand): sparse @ dense is dense, sparse @
    sparse is sparse; gradients reach the values and the dense operand."""
    s1, s2 = type(mat1) is SparseCOOTensor, type(mat2) is SparseCOOTensor
    if s1 and s2:
        _check_mm(mat1, mat2)
        return _mm_sparse_sparse(mat1, mat2)
    if s1:
        if mat1.dense_dim():
            raise RuntimeError(f"addmm: matrices expected, got {mat1.sparse_dim()}D tensor")
        _check_mm(mat1, mat2)
        return _sparse_addmm(mat1._sp_indices, mat1._sp_values, mat2, mat1.shape[0])
    if s2:
        if mat1.dim() != 2 or mat2.dim() != 2:
            raise RuntimeError(f"addmm: matrices expected, got "
                               f"{mat1.dim() if mat1.dim() != 2 else mat2.dim()}D tensor")
        return mm(mat2.t(), mat1.t()).t()
    from .._ops.linalg_basic import _mm
    return _mm(mat1, mat2)


def _mm_sparse_sparse(a, b):
    # (the product of the values on the host's pattern: rows of a meet columns of b)
    a, b = a.coalesce(), b.coalesce()
    ia, ib = _host(a._sp_indices), _host(b._sp_indices)
    pa, pb = [], []
    for j, k in enumerate(ib[0]):
        hit = np.flatnonzero(ia[1] == k)
        pa.extend(hit.tolist())
        pb.extend([j] * len(hit))
    from .. import stack
    pa_t, pb_t = wrap(np.asarray(pa, np.int64)), wrap(np.asarray(pb, np.int64))
    idx = stack([a._sp_indices[0].index_select(0, pa_t), b._sp_indices[1].index_select(0, pb_t)])
    vals = a._sp_values.index_select(0, pa_t) * b._sp_values.index_select(0, pb_t)
    return _make(idx, vals, (a.shape[0], b.shape[1]), False).coalesce()


def addmm(mat, mat1, mat2, *, beta=1.0, alpha=1.0):
    """torch.sparse.addmm: beta * mat + alpha * (mat1 @ mat2), mat1 sparse."""
    prod = mm(mat1, mat2)
    prod = prod if alpha == 1 else prod * alpha
    if beta == 0:
        return prod + 0 * mat
    return (mat if beta == 1 else mat * beta) + prod


def sum(input, dim=None, dtype=None):
    """torch.sparse.sum: over all dims a dense 0-d tensor; over some, a sparse tensor (dense
    where no sparse dim is left)."""
    if type(input) is not SparseCOOTensor:
        raise RuntimeError("coalesce expected sparse coordinate tensor layout but got Strided")
    input = input.coalesce()
    if dim is None:
        return input._sp_values.sum(dtype=dtype) if dtype is not None else \
            input._sp_values.sum()
    return sparse_sum(input, dim, False, dtype)


def _softmax(input, dim, dtype, log):
    if type(input) is not SparseCOOTensor:
        raise unsupported("_sparse_log_softmax" if log else "_sparse_softmax", "CPU")
    from .._ops.reduction import _norm_dims
    d = _norm_dims(dim, input.dim())[0]
    s = input.coalesce()
    v = s._sp_values if dtype is None else s._sp_values.to(dtype)
    k = s.sparse_dim()
    if d >= k:  # a dense dim: each entry's values on their own
        out = v.log_softmax(d - k + 1) if log else v.softmax(d - k + 1)
        return _make(s._sp_indices, out, s._sp_shape, True)
    if v.shape[0] == 0:
        return _make(s._sp_indices, v, s._sp_shape, True)
    # entries that differ only in dim d share a group; the missing ones count as -inf
    idx = _host(s._sp_indices)
    rest = [i for i in range(k) if i != d]
    key = _flat(idx[rest], tuple(s._sp_shape[i] for i in rest))
    groups, gid = np.unique(key, return_inverse=True)
    gid = gid.reshape(-1)
    host = np.asarray(v.detach()._data)
    mx = np.full((len(groups),) + host.shape[1:], -np.inf, host.dtype)
    np.maximum.at(mx, gid, host)
    g = wrap(jnp.asarray(gid.astype(np.int64)))
    shifted = v - wrap(jnp.asarray(mx[gid]))
    e = shifted.exp()
    from .. import zeros
    tot = zeros((len(groups),) + tuple(v.shape[1:]), dtype=v.dtype).index_add(0, g, e)
    out = shifted - tot.log().index_select(0, g) if log else e / tot.index_select(0, g)
    return _make(s._sp_indices, out, s._sp_shape, True)


def softmax(input, dim, *, dtype=None):
    """torch.sparse.softmax: softmax over the specified entries (the others count as -inf)."""
    return _softmax(input, dim, dtype, False)


def log_softmax(input, dim, *, dtype=None):
    """torch.sparse.log_softmax: log_softmax over the specified entries."""
    return _softmax(input, dim, dtype, True)
