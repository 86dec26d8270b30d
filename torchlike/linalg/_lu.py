"""LU factorisations and solves (linalg.lu_factor, lu, lu_solve; torch.lu, lu_unpack,
lu_solve, triangular_solve), and linalg.cond, vander, tensorinv, tensorsolve.

PyTorch's convention: A = P @ L @ U, pivots 1-based int32 (LAPACK's getrf), as
jax.lax.linalg.lu computes them (0-based) with partial pivoting."""

import math

import jax
import jax.numpy as jnp
import numpy as np

from .._core.tensor import wrap
from .._ops.reduction import return_type
from .._ops.registry import op


def _checks(name, A):
    if A.dim() < 2:
        raise RuntimeError(f"{name}: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(A.shape)} instead")
    if not (A.dtype.is_floating_point or A.dtype.is_complex):
        raise NotImplementedError(f'"lu_cpu" not implemented for \'{_scalar_name(A)}\'')
    from . import _no_low
    _no_low(A, kernel="lu_cpu")


def _scalar_name(t):
    from . import _tname  # (linalg's: the scalar type's name, "Float")
    return _tname(t._data)


@op(tensor_args=("A",), method=False, name="_lu_factor")
def _lu_factor(A):
    lu, piv, _ = jax.lax.linalg.lu(A)
    return lu, (piv + 1).astype(jnp.int32)


def _info(LU):
    """getrf's info: the 1-based index of the first zero on U's diagonal, 0 if none (read on
    the host; None where the values are not known now, as inside a compiled step)."""
    a = LU._data
    if isinstance(a, jax.core.Tracer) or type(a).__name__ == "LazyArray":
        return None
    from . import _zero_pivot
    return _zero_pivot(a)


def _raise_zero_pivot(name, A, info):
    from . import _info_error
    bad = _info_error(info, A.dim() > 2)
    if bad is not None:  # (PyTorch prints getrf's 1-based info)
        raise RuntimeError(f"{name}: {bad[0]}U[{bad[1]},{bad[1]}] is zero and using it on "
                           "lu_solve would result in a division by zero. If you still want to "
                           "perform the factorization, consider calling linalg.lu(A, pivot) or "
                           "linalg.lu_factor_ex(A, pivot)")


def _pivot_check(name, pivot):
    if not pivot:
        raise RuntimeError(f"{name}: LU without pivoting is not implemented on the CPU")


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """torch.linalg.lu_factor_ex: (LU, pivots, info)."""
    _checks("torch.lu_factor", A)
    _pivot_check("linalg.lu_factor", pivot)
    LU, piv = _lu_factor(A)
    info = _info(LU)
    if check_errors:
        _raise_zero_pivot("torch.linalg.lu_factor_ex", A, info)
    info_t = wrap(jnp.asarray(info if info is not None else np.zeros(A.shape[:-2], np.int32)))
    return return_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))(LU, piv, info_t)


def lu_factor(A, *, pivot=True, out=None):
    """torch.linalg.lu_factor: (LU, pivots); a singular input raises as in PyTorch."""
    _checks("torch.lu_factor", A)
    _pivot_check("linalg.lu_factor", pivot)
    LU, piv = _lu_factor(A)
    _raise_zero_pivot("torch.linalg.lu_factor", A, _info(LU))
    return return_type("linalg_lu_factor", ("LU", "pivots"))(LU, piv)


@op(tensor_args=("LU", "pivots"), method=False, name="_lu_unpack")
def _lu_unpack(LU, pivots):
    m, n = LU.shape[-2:]
    k = min(m, n)
    eye = jnp.eye(m, k, dtype=LU.dtype)
    L = jnp.tril(LU[..., :, :k], -1) + eye
    U = jnp.triu(LU[..., :k, :])
    perm = jax.lax.linalg.lu_pivots_to_permutation(pivots.astype(jnp.int32) - 1, m)
    # A = P L U with (P^T A)[i] = A[perm[i]]: P[perm[i], i] = 1
    P = jnp.swapaxes(jax.nn.one_hot(perm, m, dtype=LU.dtype), -1, -2)
    return P, L, U


def lu(A, *, pivot=True, out=None):
    """torch.linalg.lu: (P, L, U) with A = P @ L @ U."""
    _checks("linalg.lu", A)
    _pivot_check("linalg.lu_factor", pivot)  # (PyTorch's name)
    LU, piv = _lu_factor(A)
    P, L, U = _lu_unpack(LU, piv)
    return return_type("linalg_lu", ("P", "L", "U"))(P, L, U)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """torch.lu_unpack: (P, L, U) from lu_factor's results; what is not unpacked is empty."""
    if LU_pivots.dtype.is_floating_point or LU_pivots.dtype.is_complex:
        raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of "
                           f"torch.int32 dtype. Note: this function is intended to be used with the "
                           f"output produced by torch.linalg.lu_factor")
    P, L, U = _lu_unpack(LU_data, LU_pivots)
    empty = wrap(jnp.zeros((0,), LU_data._data.dtype))
    return return_type("lu_unpack", ("P", "L", "U"))(
        P if unpack_pivots else empty, L if unpack_data else empty,
        U if unpack_data else empty)


@op(tensor_args=("LU", "pivots", "B"), method=False, name="_lu_solve")  # left=True only
def _lu_solve(LU, pivots, B, adjoint):
    n = LU.shape[-1]
    perm = jax.lax.linalg.lu_pivots_to_permutation(pivots.astype(jnp.int32) - 1, n)
    batch = jnp.broadcast_shapes(LU.shape[:-2], B.shape[:-2])
    LU = jnp.broadcast_to(LU, batch + LU.shape[-2:])
    B = jnp.broadcast_to(B, batch + B.shape[-2:])
    perm = jnp.broadcast_to(perm, batch + perm.shape[-1:])
    tri = jax.lax.linalg.triangular_solve
    if not adjoint:  # L U X = B[perm]
        Bp = jnp.take_along_axis(B, perm[..., None], axis=-2)
        Y = tri(LU, Bp, left_side=True, lower=True, unit_diagonal=True)
        return tri(LU, Y, left_side=True, lower=False)
    # A^H = U^H L^H P^T: X = P (L^-H (U^-H B))
    Y = tri(LU, B, left_side=True, lower=False, transpose_a=True, conjugate_a=True)
    Z = tri(LU, Y, left_side=True, lower=True, unit_diagonal=True, transpose_a=True,
            conjugate_a=True)
    inv = jnp.argsort(perm, axis=-1)
    return jnp.take_along_axis(Z, inv[..., None], axis=-2)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """torch.linalg.lu_solve: X with AX = B (or XA = B, or with A^H) from lu_factor's LU."""
    if B.dim() < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    if pivots.dtype is not _int32():
        raise RuntimeError("linalg.lu_solve: pivots should be a Tensor of scalar type torch.int32")
    n = LU.shape[-1]
    k = B.shape[-2] if left else B.shape[-1]
    if B.dim() < 2 or k != n:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({LU.shape[-2]}x{n} and "
                           f"{'x'.join(str(s) for s in B.shape[-2:])})")
    if LU.dtype is not B.dtype:
        raise RuntimeError(f"linalg.lu_solve: Expected LU and B to have the same dtype, but found "
                           f"LU of type {_scalar_name(LU)} and B of type {_scalar_name(B)} "
                           "instead")
    if not left:
        from .. import conj
        Bh = conj(B.transpose(-1, -2))
        return conj(_lu_solve(LU, pivots, Bh, not adjoint).transpose(-1, -2))
    return _lu_solve(LU, pivots, B, adjoint)


def _int32():
    from .._core import dtypes as _dt
    return _dt.int32


def _torch_lu(A, pivot=True, get_infos=False, out=None):
    """torch.lu (deprecated in PyTorch for linalg.lu_factor): (LU, pivots[, infos])."""
    if get_infos:
        r = lu_factor_ex(A, pivot=pivot)
        return return_type("_lu_with_info", ("LU", "pivots", "info"))(*r)
    LU, piv = lu_factor(A, pivot=pivot)
    return LU, piv


def _torch_lu_solve(b, LU_data, LU_pivots, *, out=None):
    """torch.lu_solve (deprecated): linalg.lu_solve(LU, pivots, b)."""
    return lu_solve(LU_data, LU_pivots, b)


def _triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """torch.triangular_solve (deprecated): (solution, cloned_coefficient)."""
    from . import solve_triangular
    At = A.transpose(-1, -2) if transpose else A
    X = solve_triangular(At, b, upper=upper != transpose, unitriangular=unitriangular)
    # (the coefficient comes back broadcast to the solution's batch shape)
    coeff = A.expand(*X.shape[:-2], *A.shape[-2:]).clone()
    return return_type("triangular_solve", ("solution", "cloned_coefficient"))(X, coeff)


# ---------------------------------------------------------------- cond, vander, tensor*
def cond(A, p=None, *, out=None):
    """torch.linalg.cond: the condition number for norm p (2 by default, through singular
    values; other norms as norm(A) * norm(A^-1), inf where A is singular)."""
    from . import _check_float, _no_low, inv, matrix_norm, svdvals
    from .._ops.pointwise import where
    if p not in (None, 2, -2):  # (the inverse comes first)
        _check_float("linalg.inv", A)
        _no_low(A, "linalg.inv")
    if p is None or p in (2, -2):
        s = svdvals(A)
        hi, lo = s[..., 0], s[..., -1]
        return hi / lo if p != -2 else lo / hi
    info = _info(_lu_factor(A)[0])
    if info is not None and info.any():
        # PyTorch fills a singular matrix's inverse with inf: the result is that inverse's
        # norm (inf; nan for 'nuc', whose SVD of inf entries is nan)
        bad = wrap(jnp.asarray(info != 0))
        eye = wrap(jnp.eye(A.shape[-1], dtype=A._data.dtype))
        inverse = where(bad.reshape(A.shape[:-2] + (1, 1)), math.inf,
                        inv(where(bad.reshape(A.shape[:-2] + (1, 1)), eye, A)))
        n_inv = matrix_norm(inverse, p)
        return where(bad, n_inv, matrix_norm(A, p) * n_inv)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def vander(x, N=None):
    """torch.linalg.vander: the columns x**0, x**1, ..., x**(N-1)."""
    n = (x.shape[-1] if x.dim() else 0) if N is None else N
    if n <= 1 or x.dim() < 1:  # (PyTorch's message for N == 1, and for a 0-d x)
        raise RuntimeError("N must be greater than 1.")
    from .._core import dtypes as _dt
    if x.dtype in (_dt.float16, _dt.bfloat16, _dt.bool):
        raise RuntimeError(f"linalg.vander supports floating point, complex, and integer tensors, "
                           f"but got {_scalar_name(x)}")
    from .. import cat, cumprod
    ones = x.new_ones(x.shape + (1,))
    return cumprod(cat([ones, x.unsqueeze(-1).expand(*x.shape, n - 1)], -1), -1)


def tensorinv(A, ind=2, *, out=None):
    """torch.linalg.tensorinv: the inverse of A reshaped to a square matrix at `ind`."""
    from . import inv
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = A.shape[:ind], A.shape[ind:]
    p, q = math.prod(rows), math.prod(cols)
    if p != q:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {q} != {p}")
    return inv(A.reshape(p, q)).reshape(*cols, *rows)


def tensorsolve(A, B, dims=None, *, out=None):
    """torch.linalg.tensorsolve: X with tensordot(A, X, X.ndim) = B."""
    from . import solve
    if dims is not None:
        rest = [d for d in range(A.dim()) if d not in [d % A.dim() for d in dims]]
        A = A.permute(*rest, *[d % A.dim() for d in dims])
    xshape = A.shape[B.dim():]
    p, q = B.numel(), math.prod(xshape)
    if p != q:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:])"
                           f" == prod(self.shape[:other.ndim]), but got {q} != {p}")
    return solve(A.reshape(p, q), B.reshape(p)).reshape(xshape)
