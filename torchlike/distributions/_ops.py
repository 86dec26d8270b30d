"""Primitives torch.distributions calls that torchlike's namespace lacks, as private ops.

solve_triangular, cholesky_inverse and cholesky_solve stand in for torch.linalg.solve_triangular,
torch.cholesky_inverse and torch.cholesky_solve; standard_gamma and sample_dirichlet are
torch._standard_gamma and torch._sample_dirichlet with reparameterised gradients (rsample of
Gamma, Beta, Dirichlet).
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np

import torchlike as torch

from .._core.tensor import wrap
from .._ops.random_ops import _gen, _np, _to_device
from .._ops.registry import op
from .._random import rejection as _rej

__all__ = [
    "cholesky_inverse",
    "cholesky_solve",
    "sample_dirichlet",
    "solve_triangular",
    "standard_gamma",
]


def _broadcast_batch(A, B):
    batch = jnp.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    return (
        jnp.broadcast_to(A, batch + A.shape[-2:]),
        jnp.broadcast_to(B, batch + B.shape[-2:]),
    )


@op(tensor_args=("A", "B"), method=False, function=False, name="_distributions_solve_triangular")
def _solve_triangular(A, B, upper):
    A, B = _broadcast_batch(A, B)
    return jax.lax.linalg.triangular_solve(A, B, left_side=True, lower=not upper)


def solve_triangular(A, B, *, upper, left=True):
    """torch.linalg.solve_triangular(A, B, upper=..., left=True): X with A @ X = B."""
    if not left:
        raise NotImplementedError("solve_triangular(left=False) is not used by distributions")
    return _solve_triangular(A, B, bool(upper))


def _mT(x):
    return jnp.swapaxes(x, -1, -2)


def _chol_solve_fwd_impl(B, L, upper):
    Lo = _mT(L) if upper else L
    y = jax.lax.linalg.triangular_solve(Lo, B, left_side=True, lower=True)
    return jax.lax.linalg.triangular_solve(Lo, y, left_side=True, lower=True, transpose_a=True)


def _factor_grad(common, L, upper):
    # PyTorch's formula: a gradient for the whole factor, not only its triangle.
    return -(L @ common) if upper else -(common @ L)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _chol_solve(B, L, upper):
    return _chol_solve_fwd_impl(B, L, upper)


def _chol_solve_fwd(B, L, upper):
    X = _chol_solve_fwd_impl(B, L, upper)
    return X, (L, X)


def _chol_solve_bwd(upper, res, g):
    L, X = res
    gB = _chol_solve_fwd_impl(g, L, upper)
    common = gB @ _mT(X)
    return gB, _factor_grad(common + _mT(common), L, upper)


_chol_solve.defvjp(_chol_solve_fwd, _chol_solve_bwd)


@op(tensor_args=("input",), method=False, function=False, name="_distributions_cholesky_inverse")
def _cholesky_inverse(input, upper):
    eye = jnp.broadcast_to(jnp.eye(input.shape[-1], dtype=input.dtype), input.shape)
    return _chol_inverse(eye, input, upper)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _chol_inverse(eye, L, upper):
    return _chol_solve_fwd_impl(eye, L, upper)


def _chol_inverse_fwd(eye, L, upper):
    R = _chol_solve_fwd_impl(eye, L, upper)
    return R, (L, R)


def _chol_inverse_bwd(upper, res, g):
    L, R = res
    common = R @ (g + _mT(g)) @ R
    return jnp.zeros_like(g), _factor_grad(common, L, upper)


_chol_inverse.defvjp(_chol_inverse_fwd, _chol_inverse_bwd)


def cholesky_inverse(input, upper=False):
    """torch.cholesky_inverse: the inverse of L @ L.T from its Cholesky factor L."""
    return _cholesky_inverse(input, bool(upper))


@op(tensor_args=("B", "L"), method=False, function=False, name="_distributions_cholesky_solve")
def _cholesky_solve(B, L, upper):
    L, B = _broadcast_batch(L, B)
    return _chol_solve(B, L, upper)


def cholesky_solve(B, L, upper=False):
    """torch.cholesky_solve(B, L): X with (L @ L.T) @ X = B."""
    return _cholesky_solve(B, L, bool(upper))


@jax.custom_vjp
def _implicit_gamma(alpha, sample):
    return sample


def _implicit_gamma_fwd(alpha, sample):
    return sample, (alpha, sample)


def _implicit_gamma_bwd(res, g):
    # d sample / d alpha holding the sample's CDF fixed (implicit reparameterisation), the
    # quantity torch._standard_gamma_grad approximates.
    alpha, sample = res
    return g * jax.lax.random_gamma_grad(alpha, sample), jnp.zeros_like(sample)


_implicit_gamma.defvjp(_implicit_gamma_fwd, _implicit_gamma_bwd)


@op(tensor_args=("alpha", "sample"), method=False, function=False, name="_gamma_reparam")
def _gamma_reparam(alpha, sample):
    return _implicit_gamma(alpha, sample)


def standard_gamma(concentration):
    """torch._standard_gamma(concentration): PyTorch's samples, differentiable in concentration."""
    with torch.no_grad():
        sample = torch._standard_gamma(concentration.detach())
    if torch.is_grad_enabled() and concentration.requires_grad:
        return _gamma_reparam(concentration, sample)
    return sample


@jax.custom_vjp
def _implicit_dirichlet(alpha, gammas, x):
    return x


def _implicit_dirichlet_fwd(alpha, gammas, x):
    return x, (alpha, gammas, x)


def _implicit_dirichlet_bwd(res, g):
    # x = G / sum(G) with each G_i ~ Gamma(alpha_i) reparameterised implicitly, so
    # dL/dalpha_i = dG_i/dalpha_i / sum(G) * (g_i - sum_j g_j x_j).
    alpha, gammas, x = res
    dg = jax.lax.random_gamma_grad(alpha.astype(gammas.dtype), gammas)
    total = gammas.sum(-1, keepdims=True)
    gx = (g * x).sum(-1, keepdims=True)
    ga = (dg / total * (g - gx)).astype(alpha.dtype)
    return ga, jnp.zeros_like(gammas), jnp.zeros_like(x)


_implicit_dirichlet.defvjp(_implicit_dirichlet_fwd, _implicit_dirichlet_bwd)


@op(
    tensor_args=("alpha", "gammas", "x"),
    method=False,
    function=False,
    name="_dirichlet_reparam",
)
def _dirichlet_reparam(alpha, gammas, x):
    return _implicit_dirichlet(alpha, gammas, x)


def _multi_row_sum(rows):
    # SumKernel.cpp's multi_row_sum: rows (..., size, nrows, lanes) summed in a 4-level cascade.
    size, levels = rows.shape[-3], 4
    power = max(4, (size - 1).bit_length() // levels if size > 1 else 0)
    step, mask = 1 << power, (1 << power) - 1
    acc = [np.zeros(rows.shape[:-3] + rows.shape[-2:]) for _ in range(levels)]
    i = 0
    while i + step <= size:
        for _ in range(step):
            acc[0] = acc[0] + rows[..., i, :, :]
            i += 1
        for j in range(1, levels):
            acc[j], acc[j - 1] = acc[j] + acc[j - 1], np.zeros_like(acc[j - 1])
            if i & (mask << (j * power)):
                break
    for r in range(i, size):
        acc[0] = acc[0] + rows[..., r, :, :]
    for j in range(1, levels):
        acc[0] = acc[0] + acc[j]
    return acc[0]


def _torch_sum_last(x: np.ndarray) -> np.ndarray:
    """``x.sum(-1)`` of a contiguous double array in PyTorch's CPU order (bit for bit).

    vectorized_inner_sum: 4-lane vectors, 4 of them interleaved (ILP), a scalar tail, then
    the lanes added one by one.
    """
    K, lanes, ilp = x.shape[-1], 4, 4
    nvec = K // lanes
    vecs = x[..., : nvec * lanes].reshape(x.shape[:-1] + (nvec, lanes))
    rows = nvec // ilp
    part = _multi_row_sum(vecs[..., : rows * ilp, :].reshape(x.shape[:-1] + (rows, ilp, lanes)))
    p0 = part[..., 0, :]
    for i in range(rows * ilp, nvec):
        p0 = p0 + vecs[..., i, :]
    for k in range(1, ilp):
        p0 = p0 + part[..., k, :]
    total = np.zeros(x.shape[:-1])
    for k in range(nvec * lanes, K):
        total = total + x[..., k]
    for lane in range(lanes):
        total = total + p0[..., lane]
    return total


def _dirichlet_numpy(gen, alpha: np.ndarray):
    # Distributions.cpp _s_dirichlet_cpu: each gamma drawn in double (against underflow), at
    # least DBL_MIN, normalised in double, then cast and clamped into [tiny, 1) of the dtype.
    if alpha.dtype not in (np.float32, np.float64):
        raise NotImplementedError(f"\"dirichlet\" not implemented for '{alpha.dtype}'")
    flat = alpha.reshape(-1).astype(np.float64).tolist()
    dbl_min = np.finfo(np.float64).tiny
    gam = np.array([max(dbl_min, _rej._sample_gamma(gen, a, float)) for a in flat], np.float64)
    gam = gam.reshape(alpha.shape)
    x = (gam / _torch_sum_last(gam)[..., None]).astype(alpha.dtype)
    hi = np.nextafter(alpha.dtype.type(1), alpha.dtype.type(0))
    return gam, np.clip(x, np.finfo(alpha.dtype).tiny, hi)


def sample_dirichlet(concentration, generator=None):
    """torch._sample_dirichlet(concentration): PyTorch's samples, differentiable in concentration.

    Differs from PyTorch: the gradient reparameterises the underlying Gamma draws (each
    implicitly); PyTorch differentiates the Beta marginals. Both are unbiased, but their values
    for one sample differ.
    """
    gam, x = _dirichlet_numpy(_gen(generator, "_sample_dirichlet"), _np(concentration))
    dev = concentration.device
    xt = wrap(_to_device(x, dev), device=dev)
    if torch.is_grad_enabled() and concentration.requires_grad:
        gt = wrap(_to_device(gam, dev), device=dev)
        return _dirichlet_reparam(concentration, gt, xt)
    return xt
