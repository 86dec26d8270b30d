"""Householder QR pieces: torch.geqrf, linalg.householder_product (torch.orgqr) and
torch.ormqr, in LAPACK's representation: reflector i is H_i = I - tau_i v_i v_i^H with
v_i = (0, ..., 0, 1, A[i+1:, i])."""

import jax.numpy as jnp
from jax._src.lax import linalg as _lax_linalg

from .._core import dtypes as _dt
from .._ops.reduction import return_type
from .._ops.registry import _scalar_type_name, op


def _q_full(A, tau):
    """The m x m product H_1 ... H_k, built one reflector at a time (plain jnp, so that it is
    differentiable in A and tau, as PyTorch's orgqr and ormqr are)."""
    m = A.shape[-2]
    rows = jnp.arange(m)
    Q = jnp.broadcast_to(jnp.eye(m, dtype=A.dtype), A.shape[:-2] + (m, m))
    for i in range(tau.shape[-1]):
        v = jnp.where(rows == i, 1, jnp.where(rows > i, A[..., :, i], 0)).astype(A.dtype)
        qv = jnp.sum(Q * v[..., None, :], -1)  # Q v
        Q = Q - tau[..., i, None, None] * qv[..., :, None] * jnp.conj(v)[..., None, :]
    return Q


@op(tensor_args=("A", "tau"), method=False, name="_householder_product")
def _householder_product(A, tau):
    return _q_full(A, tau)[..., :, :A.shape[-1]]


def _check_float(name, kernel, *ts):
    for t in ts:
        # (PyTorch's CPU kernels: float, double, cfloat and cdouble only)
        if t.dtype not in (_dt.float32, _dt.float64, _dt.complex64, _dt.complex128):
            raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                      f"'{_scalar_type_name(t.dtype)}'")


def _check_batch(name, A, t, what):
    if A.dim() > 2 and tuple(t.shape[:A.dim() - 2]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{name}: Expected batch dimensions of {what} to be equal to "
                           f"input.shape[:-2], but got {list(t.shape[:A.dim() - 2])}")


def householder_product(A, tau, *, out=None):
    """torch.linalg.householder_product: the first n columns of H_1 ... H_k."""
    name = "torch.linalg.householder_product"
    if A.dim() < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if A.shape[-2] < A.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if A.shape[-1] < tau.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    if A.dim() - tau.dim() != 1:
        raise RuntimeError(f"{name}: Expected tau to have one dimension less than input, but got "
                           f"tau.ndim equal to {tau.dim()} and input.ndim is equal to {A.dim()}")
    _check_batch(name, A, tau, "tau")
    if tau.dtype is not A.dtype:
        raise RuntimeError(f"{name}: tau dtype {_scalar_type_name(tau.dtype)} does not match "
                           f"input dtype {_scalar_type_name(A.dtype)}")
    _check_float(name, "orgqr_cpu", A)
    return _householder_product(A, tau, out=out)


def orgqr(input, tau, *, out=None):
    """torch.orgqr: an alias of torch.linalg.householder_product."""
    return householder_product(input, tau, out=out)


@op(tensor_args=("input",), method=False, name="_geqrf")
def _geqrf(input):
    return _lax_linalg.geqrf(input)


def geqrf(input, *, out=None):
    """torch.geqrf: LAPACK's (a, tau), the QR factorisation as Householder reflectors (not
    differentiable, as in PyTorch)."""
    if input.dim() < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    _check_float("torch.geqrf", "geqrf_cpu", input)
    a, tau = _geqrf(input)
    return return_type("geqrf", ("a", "tau"))(a.detach(), tau.detach())


@op(tensor_args=("input", "tau", "other"), method=False, name="_ormqr")
def _ormqr(input, tau, other, left, transpose):
    Q = _q_full(input, tau)
    if transpose:
        Q = jnp.conj(jnp.swapaxes(Q, -1, -2))
    return jnp.matmul(Q, other) if left else jnp.matmul(other, Q)


def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    """torch.ormqr: other multiplied by Q = H_1 ... H_k (or Q^H) from the left or the right."""
    name = "torch.ormqr"
    if input.dim() < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if other.dim() < 2:
        raise RuntimeError(f"{name}: other must have at least 2 dimensions.")
    side = -2 if left else -1
    if other.shape[side] < tau.shape[-1]:
        raise RuntimeError(f"{name}: other.shape[{side}] must be greater than or equal to "
                           "tau.shape[-1]")
    if other.shape[side] != input.shape[-2]:
        raise RuntimeError(f"{name}: other.shape[{side}] must be equal to input.shape[-2]")
    if tau.shape[-1] != min(other.shape[side], input.shape[-1]):
        raise RuntimeError(f"{name}: tau.shape[-1] must be equal to min(other.shape[{side}], "
                           "input.shape[-1])")
    if input.dim() - tau.dim() != 1:
        raise RuntimeError(f"{name}: Expected tau to have one dimension less than input, but got "
                           f"tau.ndim equal to {tau.dim()} and input.ndim is equal to "
                           f"{input.dim()}")
    if input.dim() != other.dim():
        raise RuntimeError(f"{name}: Expected other to have the same number of dimensions as "
                           f"input, but got other.ndim equal to {other.dim()} and input.ndim is "
                           f"equal to {input.dim()}")
    _check_batch(name, input, tau, "tau")
    _check_batch(name, input, other, "other")
    for what, t in (("tau", tau), ("other", other)):
        if t.dtype is not input.dtype:
            raise RuntimeError(f"{name}: Expected input and {what} to have the same dtype, but "
                               f"input has dtype{_scalar_type_name(input.dtype)} and {what} has "
                               f"dtype {_scalar_type_name(t.dtype)}")
    _check_float(name, "ormqr_cpu", input)
    return _ormqr(input, tau, other, left, transpose, out=out)
