"""torch.linalg: linear algebra on jax.numpy.linalg, one registered op per function."""

import builtins
import functools
import math

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np

from .._core import dtypes as _dt
from .._core.tensor import Tensor, _wrap_dim
from .._ops import reduction as _red
from .._ops.linalg_basic import flags as _flags
from .._ops.pointwise import _abs
from .._ops.reduction import return_type
from .._ops.registry import op

__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "cross",
    "det",
    "diagonal",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "inv",
    "inv_ex",
    "lstsq",
    "matmul",
    "matrix_exp",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_ex",
    "solve_triangular",
    "svd",
    "svdvals",
    "vecdot",
    "vector_norm",
]


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a linear algebra routine failed on its input."""


_HI = jax.lax.Precision.HIGHEST


def _mm(a, b):
    return jnp.matmul(a, b, precision=_flags.precision)


def _tname(t):
    from .._ops.pointwise import _tname as tn
    return tn(t)


def _check_float(name, *ts):
    for t in ts:
        if not (t.dtype.is_floating_point or t.dtype.is_complex):
            raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                               f"Got {_tname(t._data)}")


def _no_low(A, name=None, kernel=None):
    """PyTorch's CPU linear algebra has no float16/bfloat16 kernels: a RuntimeError naming the
    function, or the NotImplementedError of a missing kernel."""
    if A.dtype in (_dt.float16, _dt.bfloat16):
        if kernel is not None:
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_tname(A._data)}'")
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got {_tname(A._data)}")


def _check_square(name, A, what="A"):
    if A.dim() < 2:
        raise RuntimeError(f"{name}: The input tensor {what} must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: {what} must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _check_matrix(name, A):
    if A.dim() < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")


def _concrete(t):
    a = t._data
    return None if isinstance(a, jax.core.Tracer) else np.asarray(a)


# ---------------------------------------------------------------- norms
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """torch.linalg.vector_norm."""
    if isinstance(ord, str):
        raise TypeError("linalg_vector_norm(): argument 'ord' (position 2) must be Number, not str")
    _check_float("linalg.vector_norm", x)
    return _red.vector_norm(x, ord, dim, keepdim, dtype=dtype, out=out)


@op(tensor_args=("A",), method=False, name="_matrix_norm")
def _matrix_norm(A, ord, dim, keepdim):
    d0, d1 = dim
    x = A
    if ord == "fro":
        a = jnp.abs(x)
        s = jnp.sum(a * a, axis=(d0, d1), keepdims=keepdim)
        z = s == 0
        return jnp.where(z, 0, jnp.sqrt(jnp.where(z, 1, s)))
    if ord in ("nuc", 2.0, -2.0):
        m = jnp.moveaxis(x, (d0, d1), (-2, -1))
        sv = jnp.linalg.svd(m, compute_uv=False)
        # (an empty matrix's norms are 0: matrix_norm refuses the min over no values first)
        # (initial=0 only where there is no value: a tie with it would halve max's gradient)
        r = jnp.sum(sv, -1) if ord == "nuc" else (
            jnp.max(sv, -1, initial=0 if sv.shape[-1] == 0 else None) if ord == 2.0
            else jnp.min(sv, -1))
        if keepdim:
            r = jnp.expand_dims(r, tuple(sorted((d0, d1))))
        return r
    # ord = +-1: max/min column sum; +-inf: max/min row sum
    red_first, red_then = (d0, d1) if abs(ord) == 1 else (d1, d0)
    s = jnp.sum(_abs(x), axis=red_first, keepdims=True)
    r = jnp.max(s, axis=red_then, keepdims=True, initial=0) if ord > 0 else \
        jnp.min(s, axis=red_then, keepdims=True)
    if not keepdim:
        r = jnp.squeeze(r, (d0, d1))
    return r


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """torch.linalg.matrix_norm."""
    _check_float("linalg.matrix_norm", A)
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    else:
        if float(ord) not in (1.0, -1.0, 2.0, -2.0, math.inf, -math.inf):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        ord = float(ord)
    dim = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dim) != 2:
        raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                           + " ".join(str(x) for x in dim))
    if ord in ("nuc", 2.0, -2.0):  # (through the SVD)
        _no_low(A, "linalg.matrix_norm")
    d = (_wrap_dim(dim[0], A.dim()), _wrap_dim(dim[1], A.dim()))
    if d[0] == d[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d[0]}, {d[1]})")
    _check_amin(A, ord, d, keepdim)
    if dtype is not None:
        try:
            _red._check_norm_dtype(A.dtype, dtype)
        except RuntimeError as e:  # (the same rules as vector_norm's, under this name)
            raise RuntimeError(str(e).replace("linalg.vector_norm", "linalg.matrix_norm")) from None
        A = A.to(dtype)
    want = A.dtype.to_real()
    if out is not None and out.dtype is not want:
        raise RuntimeError(f"linalg.matrix_norm expected out tensor dtype {_dt_name(want)} but "
                           f"got: {_dt_name(out.dtype)}")
    return _matrix_norm(A, ord, d, keepdim, out=out)


def _dt_name(d):
    from .._ops.registry import _scalar_type_name
    return _scalar_type_name(d)


def _check_amin(A, ord, d, keepdim):
    """The negative orders end in PyTorch's amin, which refuses an empty reduction (the
    positive ones give 0 there)."""
    if ord == -2.0 and builtins.min(A.shape[d[0]], A.shape[d[1]]) == 0:
        raise IndexError("amin(): Expected reduction dim -1 to have non-zero size.")
    if ord in (-1.0, -math.inf):
        first, then = d if ord == -1.0 else (d[1], d[0])
        if A.shape[then] == 0:
            then -= (not keepdim and first < then)  # (the dim PyTorch's amin is given)
            raise IndexError(f"amin(): Expected reduction dim {then} to have non-zero size.")


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """torch.linalg.norm: a vector or a matrix norm, chosen from ord and dim (as PyTorch's
    linalg_norm: a matrix norm for a string ord, or a numeric ord over two dims)."""
    dims = None if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    if dims is not None:
        if len(dims) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got {list(dims)}")
    elif ord is not None and A.dim() not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.dim()}D.")
    if isinstance(ord, str) or (ord is not None and (len(dims) == 2 if dims is not None
                                                      else A.dim() == 2)):
        return matrix_norm(A, ord, (0, 1) if dims is None else dims, keepdim, dtype=dtype, out=out)
    return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype, out=out)


# ---------------------------------------------------------------- inverses and determinants
@op(tensor_args=("A",), method=False, name="_inv")
def _inv(A):
    return jnp.linalg.inv(A)


def _info_error(info, batched):
    """(prefix, value) for the first failed matrix's LAPACK info, None if none failed;
    PyTorch names a batched input's failed matrix as "(Batch element i): "."""
    if info is None or not info.any():
        return None
    flat = np.asarray(info).ravel()
    i = int(np.flatnonzero(flat)[0])
    return (f"(Batch element {i}): " if batched else ""), int(flat[i])


def _raise_singular(name, A, info):
    bad = _info_error(info, A.dim() > 2)
    if bad is not None:
        raise LinAlgError(f"{name}: {bad[0]}The diagonal element {bad[1]} is zero, the inversion "
                          "could not be completed because the input matrix is singular.")


def _lu_info(A):
    """LAPACK's getrf info: index (1-based) of the first zero pivot per matrix, 0 if none."""
    a = _concrete(A)
    if a is None:
        return None
    return _zero_pivot(jsl.lu_factor(jnp.asarray(a))[0])


def _zero_pivot(lu):
    """getrf's info from a factorisation: the first zero on U's diagonal (1-based), else 0."""
    zero = np.asarray(jnp.diagonal(lu, axis1=-2, axis2=-1)) == 0
    if zero.shape[-1] == 0:  # (0 x 0 matrices: nothing to pivot)
        return np.zeros(zero.shape[:-1], np.int32)
    return np.where(zero.any(-1), zero.argmax(-1) + 1, 0).astype(np.int32)


def inv(A, *, out=None):
    """torch.linalg.inv; a singular input raises LinAlgError as in PyTorch."""
    _check_float("linalg.inv", A)
    _no_low(A, "linalg.inv")
    _check_square("linalg.inv", A)
    _raise_singular("linalg.inv", A, _lu_info(A))
    return _inv(A, out=out)


def inv_ex(A, *, check_errors=False, out=None):
    """torch.linalg.inv_ex: (inverse, info)."""
    _check_float("linalg.inv", A)  # (PyTorch names linalg.inv)
    _no_low(A, "linalg.inv")
    _check_square("linalg.inv", A)
    info = _lu_info(A)
    if check_errors:
        _raise_singular("linalg.inv_ex", A, info)
    from .._core.tensor import wrap
    info_t = wrap(jnp.asarray(info if info is not None else np.zeros(A.shape[:-2], np.int32)))
    return return_type("linalg_inv_ex", ("inverse", "info"))(_inv(A), info_t)


@op(tensor_args=("A",), method=False, name="_det")
def _det(A):
    return jnp.linalg.det(A)


def det(A, *, out=None):
    """torch.linalg.det."""
    _check_float("linalg.det", A)
    _no_low(A, kernel="lu_cpu")
    _check_square("linalg.det", A)
    return _det(A, out=out)


@op(tensor_args=("A",), method=False, name="_slogdet")
def _slogdet(A):
    s, l = jnp.linalg.slogdet(A)
    return s.astype(A.dtype), l.astype(jnp.real(A).dtype)


def slogdet(A, *, out=None):
    """torch.linalg.slogdet: (sign, logabsdet)."""
    _check_float("linalg.slogdet", A)
    _no_low(A, "linalg.slogdet")
    _check_square("linalg.slogdet", A)
    s, l = _slogdet(A)
    return return_type("linalg_slogdet", ("sign", "logabsdet"))(s, l)


def logdet(input):
    """torch.logdet: log(det), NaN for a negative determinant."""
    _check_float("logdet", input)
    _no_low(input, "logdet")
    s, l = slogdet(input)
    from .._ops.pointwise import where
    return where(s < 0, float("nan"), l) if not input.is_complex() else l + s.log()


# ---------------------------------------------------------------- solves and factorizations
@op(tensor_args=("A", "B"), method=False, name="_solve")
def _solve(A, B, left, vector):
    if not left:
        A = jnp.swapaxes(A, -1, -2)
        B = jnp.swapaxes(B, -1, -2) if not vector else B
    if vector:
        batch = jnp.broadcast_shapes(A.shape[:-2], B.shape[:-1])
        A = jnp.broadcast_to(A, batch + A.shape[-2:])
        B = jnp.broadcast_to(B, batch + B.shape[-1:])
        return jnp.linalg.solve(A, B[..., None])[..., 0]
    batch = jnp.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    A = jnp.broadcast_to(A, batch + A.shape[-2:])
    B = jnp.broadcast_to(B, batch + B.shape[-2:])
    X = jnp.linalg.solve(A, B)
    return X if left else jnp.swapaxes(X, -1, -2)


def solve(A, B, *, left=True, out=None):
    """torch.linalg.solve."""
    _check_float("linalg.solve", A, B)
    _no_low(A, kernel="lu_cpu")
    _check_square("linalg.solve", A)
    if A.dtype is not B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {_tname(A._data)} and B of type {_tname(B._data)} instead")
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    n = A.shape[-1]
    # a vector B is a column: n x 1 (so never a solution of XA = B unless n == 1)
    k = (B.shape[-1] if left else 1) if vector else (B.shape[-2] if left else B.shape[-1])
    if k != n:
        b = f"{B.shape[-1]}x1" if vector else "x".join(str(s) for s in B.shape[-2:])
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({A.shape[-2]}x{A.shape[-1]} and "
                           f"{b})")
    if vector and not left:
        raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is not "
                           "supported for left=False. In this case linalg.solve is equivalent to "
                           "B / A.squeeze(-1)")
    _raise_solve(A, _lu_info(A), "torch.linalg.solve")
    return _solve(A, B, left, vector, out=out)


def _raise_solve(A, info, name):
    bad = _info_error(info, A.dim() > 2)
    if bad is not None:
        raise LinAlgError(f"{name}: {bad[0]}The solver failed because the input matrix is "
                          "singular.")


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """torch.linalg.solve_ex: (result, info)."""
    info = _lu_info(A)
    from .._core.tensor import wrap
    if check_errors:
        _raise_solve(A, info, "torch.linalg.solve_ex")
    if info is None or not info.any():
        x = solve(A, B, left=left)
    else:
        vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
        x = _solve(A, B, left, vector)
    info_t = wrap(jnp.asarray(info if info is not None else np.zeros(A.shape[:-2], np.int32)))
    return return_type("linalg_solve_ex", ("result", "info"))(x, info_t)


@op(tensor_args=("A", "B"), promote="default", method=False, name="_solve_triangular")
def _solve_triangular(A, B, upper, left, unitriangular):
    if not left:  # X A = B  <=>  A^T X^T = B^T
        A, B, upper = jnp.swapaxes(A, -1, -2), jnp.swapaxes(B, -1, -2), not upper
    batch = jnp.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    A = jnp.broadcast_to(A, batch + A.shape[-2:])
    B = jnp.broadcast_to(B, batch + B.shape[-2:])
    X = jax.lax.linalg.triangular_solve(A, B, left_side=True, lower=not upper,
                                        unit_diagonal=unitriangular)
    return X if left else jnp.swapaxes(X, -1, -2)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """torch.linalg.solve_triangular: X with AX = B (or XA = B), A triangular."""
    if not (A.dtype.is_floating_point or A.dtype.is_complex):  # (an integer B is promoted)
        raise NotImplementedError(f"\"triangular_solve_cpu\" not implemented for "
                                  f"'{_tname(A._data)}'")
    _no_low(A, kernel="triangular_solve_cpu")
    if B.dim() < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 "
                           "dimensions.")
    _check_square("linalg.solve_triangular", A)
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                           f"equation {'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")
    if B.dtype is not A.dtype:  # (PyTorch computes in A's dtype)
        B = B.to(A.dtype)
    return _solve_triangular(A, B, upper, left, unitriangular, out=out)


def _cholesky_solve_arrays(B, L, upper):
    Lh = jnp.conj(jnp.swapaxes(L, -1, -2))
    lower_factor, upper_factor = (Lh, L) if upper else (L, Lh)
    batch = jnp.broadcast_shapes(L.shape[:-2], B.shape[:-2])
    lower_factor = jnp.broadcast_to(lower_factor, batch + L.shape[-2:])
    upper_factor = jnp.broadcast_to(upper_factor, batch + L.shape[-2:])
    B = jnp.broadcast_to(B, batch + B.shape[-2:])
    y = jax.lax.linalg.triangular_solve(lower_factor, B, left_side=True, lower=True)
    return jax.lax.linalg.triangular_solve(upper_factor, y, left_side=True, lower=False)


@op(tensor_args=("B", "L"), promote="default", method=False, name="_cholesky_solve")
def _cholesky_solve(B, L, upper):
    return _cholesky_solve_arrays(B, L, upper)


def cholesky_solve(B, L, upper=False, *, out=None):
    """torch.cholesky_solve: X with (L L^H) X = B, from the Cholesky factor L (or U = L^H)."""
    if not (B.dtype.is_floating_point or B.dtype.is_complex):
        raise NotImplementedError(f"\"cholesky_solve_cpu\" not implemented for '{_tname(B._data)}'")
    _no_low(B, kernel="cholesky_solve_cpu")
    if B.dtype is not L.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{_tname(B._data)} and A of type {_tname(L._data)} instead.")
    if B.dim() < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {B.dim()} dimensions "
                           "instead")
    if L.dim() < 2:
        raise RuntimeError(f"u should have at least 2 dimensions, but has {L.dim()} dimensions "
                           "instead")
    if L.shape[-1] != L.shape[-2] or B.shape[-2] != L.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is "
                           f"{L.shape[-2]} by {L.shape[-1]} but each b matrix is {B.shape[-2]} by "
                           f"{B.shape[-1]}")
    return _cholesky_solve(B, L, upper, out=out)


@op(tensor_args=("L",), method=False, name="_cholesky_inverse")
def _cholesky_inverse(L, upper):
    eye = jnp.broadcast_to(jnp.eye(L.shape[-1], dtype=L.dtype), L.shape)
    return _cholesky_solve_arrays(eye, L, upper)


def cholesky_inverse(L, upper=False, *, out=None):
    """torch.cholesky_inverse: the inverse of L L^H (or U^H U) from its Cholesky factor."""
    if not (L.dtype.is_floating_point or L.dtype.is_complex):
        raise NotImplementedError(f"\"cholesky_inverse_out_cpu\" not implemented for "
                                  f"'{_tname(L._data)}'")
    _no_low(L, kernel="cholesky_inverse_out_cpu")
    if L.dim() < 2 or L.shape[-1] != L.shape[-2]:
        raise RuntimeError(f"cholesky_inverse: A must be batches of square matrices, but they are "
                           f"{L.shape[-2] if L.dim() > 1 else 1} by {L.shape[-1]} matrices")
    return _cholesky_inverse(L, upper, out=out)


@op(tensor_args=("A",), method=False, name="_cholesky")
def _cholesky(A, upper):
    L = jnp.linalg.cholesky(A)
    return jnp.conj(jnp.swapaxes(L, -1, -2)) if upper else L


def _chol_info(L, A, upper):
    """potrf's info: the order of the first leading minor that is not positive-definite, 0 if
    none (read on the host; None where the values are not known now)."""
    a = _concrete(L)
    if a is None:
        return None
    info = np.zeros(a.shape[:-2], np.int32)
    if a.shape[-1] == 0:
        return info
    failed = ~np.isfinite(a).all(axis=(-1, -2))
    if failed.any():
        # jax leaves a failed factor all NaN: redo those matrices column by column, as LAPACK
        # does, to find where the factorisation stops
        m = np.asarray(A._data)
        m = np.broadcast_to(m, a.shape)
        for idx in zip(*np.nonzero(failed)) if failed.ndim else [()]:
            x = m[idx]
            x = np.conj(x.T) if upper else x  # (the triangle that was read)
            info[idx] = _potrf_info(x)
    return info


def _potrf_info(x):
    n = x.shape[-1]
    L = np.zeros_like(x)
    for j in range(n):
        d = x[j, j].real - np.sum(np.abs(L[j, :j]) ** 2)
        if not d > 0:  # (NaN fails too)
            return j + 1
        L[j, j] = np.sqrt(d)
        L[j + 1:, j] = (x[j + 1:, j] - L[j + 1:, :j] @ np.conj(L[j, :j])) / L[j, j]
    return n


def cholesky(A, *, upper=False, out=None, _name="linalg.cholesky"):
    """torch.linalg.cholesky; a matrix that is not positive-definite raises LinAlgError."""
    _check_float("linalg.cholesky", A)
    _no_low(A, kernel="cholesky_cpu")
    _check_square("linalg.cholesky" if _name == "linalg.cholesky_ex" else _name, A)
    L = _cholesky(A, upper, out=out)
    _raise_not_pd(_name, A, _chol_info(L, A, upper))
    return L


def _raise_not_pd(name, A, info):
    bad = _info_error(info, A.dim() > 2)
    if bad is not None:
        raise LinAlgError(f"{name}: {bad[0]}The factorization could not be completed because the "
                          f"input is not positive-definite (the leading minor of order {bad[1]} is "
                          "not positive-definite).")


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """torch.linalg.cholesky_ex: (L, info)."""
    if check_errors:
        L = cholesky(A, upper=upper, _name="linalg.cholesky_ex")
    else:
        _check_float("linalg.cholesky", A)  # (PyTorch names linalg.cholesky)
        _no_low(A, kernel="cholesky_cpu")
        _check_square("linalg.cholesky", A)
        L = _cholesky(A, upper)
    info = _chol_info(L, A, upper)
    from .._core.tensor import wrap
    info_t = wrap(jnp.asarray(info if info is not None else np.zeros(A.shape[:-2], np.int32)))
    return return_type("linalg_cholesky_ex", ("L", "info"))(L, info_t)


@op(tensor_args=("A",), method=False, name="_qr")
def _qr(A, mode):
    if mode == "r":
        return jnp.zeros((0,), A.dtype), jnp.linalg.qr(A, mode="r")
    return jnp.linalg.qr(A, mode=mode)


def qr(A, mode="reduced", *, out=None):
    """torch.linalg.qr: (Q, R)."""
    _check_float("linalg.qr", A)
    _no_low(A, kernel="geqrf_cpu")
    _check_matrix("linalg.qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    q, r = _qr(A, mode)
    return return_type("linalg_qr", ("Q", "R"))(q, r)


@op(tensor_args=("A",), method=False, name="_svd")
def _svd(A, full_matrices):
    u, s, vh = jnp.linalg.svd(A, full_matrices=full_matrices)
    return u, s.astype(jnp.real(A).dtype), vh


def svd(A, full_matrices=True, *, driver=None, out=None):
    """torch.linalg.svd: (U, S, Vh). Signs of singular vectors follow LAPACK, as PyTorch's CPU."""
    _check_float("linalg.svd", A)
    _no_low(A, kernel="linalg_svd_cpu")
    _check_matrix("linalg.svd", A)
    u, s, vh = _svd(A, full_matrices)
    return return_type("linalg_svd", ("U", "S", "Vh"))(u, s, vh)


@op(tensor_args=("A",), method=False, name="_svdvals")
def _svdvals(A):
    return jnp.linalg.svd(A, compute_uv=False).astype(jnp.real(A).dtype)


def svdvals(A, *, driver=None, out=None):
    """torch.linalg.svdvals."""
    _check_float("linalg.svd", A)  # (PyTorch names linalg.svd)
    _no_low(A, kernel="linalg_svd_cpu")
    _check_matrix("linalg.svdvals", A)
    return _svdvals(A, out=out)


def _check_complexable(A):
    # PyTorch looks up the complex dtype of the input's before anything else
    if not (A.dtype.is_floating_point or A.dtype.is_complex):
        raise RuntimeError(f"Unknown Complex ScalarType for {_tname(A._data)}")


def _complex_of(dt):
    return {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128}.get(
        np.dtype(dt), dt)


@op(tensor_args=("A",), method=False, name="_eig")
def _eig(A):
    w, v = jnp.linalg.eig(A)
    c = _complex_of(A.dtype)
    return w.astype(c), v.astype(c)


def eig(A, *, out=None):
    """torch.linalg.eig: complex (eigenvalues, eigenvectors). CPU only, as in JAX."""
    _check_complexable(A)
    _no_low(A, kernel="linalg_eig_out_cpu")
    _check_square("linalg.eig", A)
    w, v = _eig(A)
    return return_type("linalg_eig", ("eigenvalues", "eigenvectors"))(w, v)


@op(tensor_args=("A",), method=False, name="_eigvals")
def _eigvals(A):
    return jnp.linalg.eigvals(A).astype(_complex_of(A.dtype))


def eigvals(A, *, out=None):
    """torch.linalg.eigvals."""
    _check_complexable(A)
    _no_low(A, kernel="linalg_eig_out_cpu")
    _check_square("linalg.eigvals", A)
    return _eigvals(A, out=out)


def _eigh_fwd_impl(A, UPLO):
    # PyTorch reads only the UPLO triangle
    w, v = jnp.linalg.eigh(A, UPLO=UPLO, symmetrize_input=False)
    return w.astype(jnp.real(A).dtype), v


@functools.partial(jax.custom_vjp, nondiff_argnums=(1,))
def _eigh_torch(A, lower):
    return _eigh_fwd_impl(A, "L" if lower else "U")


def _eigh_vjp_fwd(A, lower):
    w, v = _eigh_fwd_impl(A, "L" if lower else "U")
    return (w, v), (w, v)


def _eigh_vjp_bwd(lower, res, g):
    # PyTorch's linalg_eig_backward (hermitian): gA = V (skew(V^H gV) / E + diag(gL)) V^H,
    # a full matrix even though the forward read one triangle
    w, v = res
    gw, gv = g
    vh = jnp.conj(jnp.swapaxes(v, -1, -2))
    inner = jnp.zeros(v.shape, v.dtype)
    if gv is not None:
        vhgv = _mm(vh, gv)
        skew = 0.5 * (vhgv - jnp.conj(jnp.swapaxes(vhgv, -1, -2)))
        e = w[..., None, :] - w[..., :, None]
        n = w.shape[-1]
        e = jnp.where(jnp.eye(n, dtype=bool), 1, e)
        inner = inner + skew / e
    if gw is not None:
        inner = inner + (jnp.eye(w.shape[-1], dtype=v.dtype) * gw[..., None, :].astype(v.dtype))
    return (_mm(_mm(v, inner), vh),)


_eigh_torch.defvjp(_eigh_vjp_fwd, _eigh_vjp_bwd)


@op(tensor_args=("A",), method=False, name="_eigh")
def _eigh(A, UPLO):
    return _eigh_torch(A, UPLO == "L")


def _check_eigh_dtype(A):
    if not (A.dtype.is_floating_point or A.dtype.is_complex):
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for '{_tname(A._data)}'")


def _check_uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A, UPLO="L", *, out=None):
    """torch.linalg.eigh: (eigenvalues ascending, eigenvectors)."""
    _check_uplo(UPLO)
    _check_eigh_dtype(A)
    _no_low(A, kernel="linalg_eigh_cpu")
    _check_square("linalg.eigh", A)
    w, v = _eigh(A, UPLO)
    return return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))(w, v)


@op(tensor_args=("A",), method=False, name="_eigvalsh")
def _eigvalsh(A, UPLO):
    return _eigh_torch(A, UPLO == "L")[0]


def eigvalsh(A, UPLO="L", *, out=None):
    """torch.linalg.eigvalsh."""
    _check_uplo(UPLO)
    _check_eigh_dtype(A)
    _no_low(A, kernel="linalg_eigh_cpu")
    _check_square("linalg.eigvalsh", A)
    return _eigvalsh(A, UPLO, out=out)


@op(tensor_args=("A", "atol", "rtol"), method=False, name="_pinv")
def _pinv(A, atol, rtol, hermitian):
    if atol is None:
        return jnp.linalg.pinv(A, rtol=rtol, hermitian=hermitian)
    if hermitian:
        w, v = jnp.linalg.eigh(A)
        s = jnp.abs(w)
    else:
        u, s, vh = jnp.linalg.svd(A, full_matrices=False)
    smax = jnp.max(s, axis=-1, keepdims=True) if s.shape[-1] else jnp.zeros(s.shape[:-1] + (1,))
    cut = jnp.maximum(jnp.asarray(atol)[..., None], jnp.asarray(rtol)[..., None] * smax)
    keep = s > cut
    if hermitian:
        winv = jnp.where(keep, 1 / jnp.where(keep, w, 1), 0)
        return _mm(v * winv[..., None, :].astype(v.dtype), jnp.conj(jnp.swapaxes(v, -1, -2)))
    sinv = jnp.where(keep, 1 / jnp.where(keep, s, 1), 0).astype(A.dtype)
    return _mm(jnp.conj(jnp.swapaxes(vh, -1, -2)) * sinv[..., None, :],
               jnp.conj(jnp.swapaxes(u, -1, -2)))


def _nonzero(v):
    return builtins.bool(np.any(np.asarray(v._data if isinstance(v, Tensor) else v) > 0))


def _default_rtol(A, atol, rtol):
    """PyTorch's rtol: eps * max(m, n), or 0 when only a positive atol is given."""
    if rtol is not None:
        return rtol
    if atol is not None and _nonzero(atol):
        return 0.0
    return float(np.finfo(A.dtype.to_real()._np).eps * builtins.max(A.shape[-2:]))


def pinv(A, *, atol=None, rtol=None, hermitian=False, rcond=None, out=None):
    """torch.linalg.pinv."""
    if A.dtype not in (_dt.float32, _dt.float64, _dt.complex64, _dt.complex128) or A.dim() < 2:
        raise RuntimeError(f"linalg.pinv({_tname(A._data)}{{{list(A.shape)}}}): expected a tensor "
                           "with 2 or more dimensions of float, double, cfloat or cdouble types")
    if rcond is not None:
        rtol = rcond
    return _pinv(A, atol, _default_rtol(A, atol, rtol), hermitian, out=out)


@op(tensor_args=("A", "B"), method=False, name="_lstsq")
def _lstsq(A, B, rcond, vector):
    if vector:
        B = B[..., None]
    batch = jnp.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    A = jnp.broadcast_to(A, batch + A.shape[-2:])
    B = jnp.broadcast_to(B, batch + B.shape[-2:])
    m, n = A.shape[-2:]
    # gelsy's cutoff: eps * max(m, n) relative to the largest singular value
    r = rcond if rcond is not None else float(jnp.finfo(A.dtype).eps) * builtins.max(m, n)
    u, s, vh = jnp.linalg.svd(A, full_matrices=False)
    smax = jnp.max(s, axis=-1, keepdims=True) if s.shape[-1] else jnp.zeros(s.shape[:-1] + (1,))
    keep = s > r * smax
    sinv = jnp.where(keep, 1 / jnp.where(keep, s, 1), 0)
    uhb = _mm(jnp.conj(jnp.swapaxes(u, -1, -2)), B)
    x = _mm(jnp.conj(jnp.swapaxes(vh, -1, -2)), sinv[..., :, None] * uhb)
    rank = jnp.sum(keep, axis=-1).astype(jnp.int64)
    if vector:
        x = x[..., 0]
    return x, rank


def lstsq(A, B, rcond=None, *, driver=None):
    """torch.linalg.lstsq (PyTorch's CPU default driver 'gelsy': residuals and singular_values
    are empty; 'gelsd' and 'gelss' give the singular values). Differs from PyTorch: every
    driver solves through the SVD, so a rank-deficient system gets the minimum-norm solution,
    and gelsy's rank (from a pivoted QR) may differ for a large rcond."""
    if A.dim() < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, "
                           f"but got input's dtype {_tname(A._data)} and other's dtype "
                           f"{_tname(B._data)}")
    if A.dtype not in (_dt.float32, _dt.float64, _dt.complex64, _dt.complex128):
        raise RuntimeError("This function doesn't handle types other than float and double")
    if driver not in (None, "gelsy", "gelsd", "gelss", "gels"):
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")
    vector = B.dim() == A.dim() - 1
    if (B.shape[-1] if vector else B.shape[-2]) != A.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    x, rank = _lstsq(A, B, rcond, vector)
    from .._ops.creation import zeros
    sv = svdvals(A) if driver in ("gelsd", "gelss") else \
        zeros(0, dtype=A.dtype.to_real(), device=A.device)
    if driver == "gels":
        rank = zeros(0, dtype=_dt.int64)
    m, n = A.shape[-2:]
    residuals = zeros(0, dtype=A.dtype.to_real(), device=A.device)
    if driver not in (None, "gelsy") and m > n and (driver == "gels" or bool((rank == n).all())):
        # as LAPACK: the squared norm of each column of B's part outside A's column space
        r = (A @ (x.unsqueeze(-1) if vector else x)) - (B.unsqueeze(-1) if vector else B)
        residuals = (r.abs() ** 2).sum(-2)
    return return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))(
        x, residuals, rank, sv)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None, out=None):
    """torch.linalg.matrix_rank."""
    if A.dtype not in (_dt.float32, _dt.float64, _dt.complex64, _dt.complex128):
        raise RuntimeError("This function doesn't handle types other than float and double")
    _check_matrix("linalg.matrix_rank", A)
    if tol is not None:
        atol, rtol = tol, 0.0
    return _matrix_rank(A, 0.0 if atol is None else atol, _default_rtol(A, atol, rtol), hermitian,
                        out=out)


@op(tensor_args=("A", "atol", "rtol"), method=False, name="_matrix_rank")
def _matrix_rank(A, atol, rtol, hermitian):
    s = jnp.abs(jnp.linalg.eigvalsh(A)) if hermitian else jnp.linalg.svd(A, compute_uv=False)
    smax = jnp.max(s, axis=-1, keepdims=True) if s.shape[-1] else jnp.zeros(s.shape[:-1] + (1,))
    cut = jnp.maximum(jnp.asarray(atol)[..., None], jnp.asarray(rtol)[..., None] * smax)
    return jnp.sum(s > cut, axis=-1).astype(jnp.int64)


@op(tensor_args=("A",), method=False, name="_matrix_power")
def _matrix_power(A, n):
    if n == 0:
        return jnp.broadcast_to(jnp.eye(A.shape[-1], dtype=A.dtype), A.shape)
    if n < 0:
        A = jnp.linalg.inv(A)
        n = -n
    result = None
    base = A
    while n:
        if n & 1:
            result = base if result is None else _mm(result, base)
        n >>= 1
        if n:
            base = _mm(base, base)
    return result


def matrix_power(A, n, *, out=None):
    """torch.linalg.matrix_power."""
    _check_square("linalg.matrix_power", A)
    if n < 0:  # through inv: its dtype check, and LinAlgError on a singular matrix
        return _matrix_power(inv(A), -int(n), out=out)
    return _matrix_power(A, int(n), out=out)


@op(tensor_args=("A",), method=False, name="_matrix_exp")
def _matrix_exp(A):
    if A.ndim == 2:
        return jsl.expm(A)
    flat = A.reshape((-1,) + A.shape[-2:])
    return jax.vmap(jsl.expm)(flat).reshape(A.shape)


def matrix_exp(A):
    """torch.linalg.matrix_exp."""
    _check_float("linalg.matrix_exp", A)
    _check_square("linalg.matrix_exp", A)
    return _matrix_exp(A)


# ---------------------------------------------------------------- products
@op(tensor_args=("input", "other"), promote="default", method=False, name="_linalg_cross")
def _cross(input, other, dim):
    shape = jnp.broadcast_shapes(input.shape, other.shape)
    return jnp.cross(jnp.broadcast_to(input, shape), jnp.broadcast_to(other, shape), axis=dim)


def cross(input, other, *, dim=-1, out=None):
    """torch.linalg.cross."""
    if input.dtype is _dt.bool or other.dtype is _dt.bool:  # (refused on empty input too)
        raise NotImplementedError("\"cross\" not implemented for 'Bool'")
    if input.dim() != other.dim():
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = _wrap_dim(dim, input.dim())
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    try:
        np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    except ValueError:
        from .._ops.pointwise import broadcast_check
        broadcast_check(input._data, other._data)
    return _cross(input, other, d, out=out)


@op(tensor_args=("x", "y"), promote="default", method=False, name="_vecdot")
def _vecdot(x, y, dim):
    return jnp.sum(jnp.conj(x) * y, axis=dim)


def vecdot(x, y, *, dim=-1, out=None):
    """torch.linalg.vecdot: sum(conj(x) * y) over dim."""
    from .._ops.registry import _scalar_type_name as n
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as "
                           f"input. Got {n(x.dtype)}")
    if x.dtype is not y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found "
                           f"x of type {n(x.dtype)} and y of type {n(y.dtype)} instead")
    from .._ops.pointwise import broadcast_check
    shape = broadcast_check(x._data, y._data)
    _wrap_dim(dim, len(shape))
    return _vecdot(x, y, dim, out=out)


@op(tensor_args=("tensors",), method=False, name="_multi_dot")
def _multi_dot(tensors):
    return jnp.linalg.multi_dot(tensors, precision=_HI)


def multi_dot(tensors, *, out=None):
    """torch.linalg.multi_dot."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        ok = t.dim() == 2 or (t.dim() == 1 and i in (0, len(tensors) - 1))
        if not ok:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.dim()}D")
    dts = {t.dtype for t in tensors}
    if len(dts) > 1:
        raise RuntimeError("multi_dot(): all tensors must have be the same dtype")
    shapes = [(1, t.shape[0]) if t.dim() == 1 and i == 0 else
              ((t.shape[0], 1) if t.dim() == 1 else tuple(t.shape)) for i, t in enumerate(tensors)]
    for i in range(len(shapes) - 1):
        if shapes[i][1] != shapes[i + 1][0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(tensors[i].shape)} and {list(tensors[i + 1].shape)} cannot "
                               "be multiplied")
    if tensors[0].dtype is _dt.bool and builtins.all(t.numel() for t in tensors):
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    return _multi_dot(tensors, out=out)


def matmul(input, other, *, out=None):
    """torch.linalg.matmul (an alias of torch.matmul)."""
    from .._ops.linalg_basic import matmul as mm
    return mm(input, other, out=out)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """torch.linalg.diagonal: torch.diagonal with matrix defaults."""
    return A.diagonal(offset, dim1, dim2)


# ---------------------------------------------------------------- torch.* spellings
def _svd_legacy(input, some=True, compute_uv=True):
    """torch.svd: (U, S, V) with V, not Vh."""
    if not compute_uv:
        s = svdvals(input)
        from .._ops.creation import zeros
        m, n = input.shape[-2:]
        z = zeros(*input.shape[:-2], m, m if not some else builtins.min(m, n), dtype=input.dtype)
        z2 = zeros(*input.shape[:-2], n, n if not some else builtins.min(m, n), dtype=input.dtype)
        return return_type("svd", ("U", "S", "V"))(z, s, z2)
    u, s, vh = svd(input, full_matrices=not some)
    return return_type("svd", ("U", "S", "V"))(u, s, vh.mH)


def _qr_legacy(input, some=True):
    q, r = qr(input, "reduced" if some else "complete")
    return return_type("qr", ("Q", "R"))(q, r)


def _cholesky_legacy(input, upper=False):
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise NotImplementedError(f"\"cholesky_cpu\" not implemented for '{_tname(input._data)}'")
    return cholesky(input, upper=upper, _name="cholesky")


def _slogdet_legacy(input):
    s, l = slogdet(input)
    return return_type("slogdet", ("sign", "logabsdet"))(s, l)


def _pinverse(input, rcond=1e-15):
    return pinv(input, rtol=rcond)


# The lead wires these into the torch namespace: globals().update(linalg.TORCH_FUNCTIONS)
TORCH_FUNCTIONS = {
    "inverse": inv, "det": det, "logdet": logdet, "slogdet": _slogdet_legacy, "svd": _svd_legacy,
    "qr": _qr_legacy, "cholesky": _cholesky_legacy, "pinverse": _pinverse,
    "matrix_power": matrix_power, "matrix_exp": matrix_exp, "cholesky_solve": cholesky_solve,
    "cholesky_inverse": cholesky_inverse,
}


def _method(f):
    def m(self, *args, **kwargs):
        return f(self, *args, **kwargs)
    m.__name__ = f.__name__
    return m


for _n, _f in TORCH_FUNCTIONS.items():
    setattr(Tensor, _n, _method(_f))


# LU factorisations and solves, cond, vander, tensorinv, tensorsolve (_lu.py)
from ._lu import (  # noqa: E402
    _torch_lu, _torch_lu_solve, _triangular_solve, cond, lu, lu_factor, lu_factor_ex, lu_solve,
    lu_unpack, tensorinv, tensorsolve, vander,
)

__all__ += ["cond", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "tensorinv", "tensorsolve",
            "vander"]
_LU_TORCH = {"lu": _torch_lu, "lu_solve": _torch_lu_solve, "lu_unpack": lu_unpack,
             "triangular_solve": _triangular_solve}
TORCH_FUNCTIONS.update(_LU_TORCH)
for _n in ("lu", "lu_solve", "triangular_solve"):  # Tensor.lu, .lu_solve, .triangular_solve
    setattr(Tensor, _n, _method(_LU_TORCH[_n]))

# Householder QR: geqrf, householder_product (orgqr), ormqr (_householder.py)
from ._householder import geqrf, householder_product, orgqr, ormqr  # noqa: E402

__all__ += ["householder_product"]
TORCH_FUNCTIONS.update({"geqrf": geqrf, "orgqr": orgqr, "ormqr": ormqr})
for _n in ("geqrf", "orgqr", "ormqr"):  # Tensor.geqrf, .orgqr, .ormqr
    setattr(Tensor, _n, _method(TORCH_FUNCTIONS[_n]))
