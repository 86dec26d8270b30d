"""The jax math behind weight / spectral normalisation, as registered ops."""

import jax.numpy as jnp

from torchlike._ops.registry import op


def _norm_except_dim(v, pow, dim):
    if dim == -1:
        return jnp.sum(jnp.abs(v) ** pow) ** (1.0 / pow)
    dim = dim % v.ndim
    axes = tuple(i for i in range(v.ndim) if i != dim)
    return jnp.sum(jnp.abs(v) ** pow, axis=axes, keepdims=True) ** (1.0 / pow)


@op(tensor_args=("v",), method=False, name="norm_except_dim")
def norm_except_dim(v, pow=2, dim=0):
    """The pow-norm of v over every dim but `dim` (keeping dims); dim=-1: the whole norm."""
    return _norm_except_dim(v, pow, dim)


@op(tensor_args=("v", "g"), method=False, name="_weight_norm")
def _weight_norm(v, g, dim=0):
    """v * (g / ||v||), the norm taken over every dim but `dim`."""
    return v * (g / _norm_except_dim(v, 2, dim))


def _normalize(x, eps):
    return x / jnp.maximum(jnp.sqrt(jnp.sum(x * x)), eps)


@op(tensor_args=("weight_mat", "u", "v"), method=False, name="_power_iteration")
def _power_iteration(weight_mat, u, v, n_power_iterations=1, eps=1e-12):
    """n rounds of v = normalize(W^T u), u = normalize(W v)."""
    for _ in range(n_power_iterations):
        v = _normalize(weight_mat.T @ u, eps)
        u = _normalize(weight_mat @ v, eps)
    return u, v


def _to_matrix(weight, dim):
    if dim != 0:
        weight = jnp.moveaxis(weight, dim, 0)
    return weight.reshape(weight.shape[0], -1)


@op(tensor_args=("weight", "u", "v"), method=False, name="_spectral_normalize")
def _spectral_normalize(weight, u, v, dim=0):
    """weight / sigma with sigma = u . (W v), W the weight reshaped to a matrix along dim."""
    sigma = jnp.dot(u, _to_matrix(weight, dim) @ v)
    return weight / sigma


@op(tensor_args=("weight_mat", "u", "v"), method=False, name="_power_method")
def _power_method(weight_mat, u, v, n_power_iterations=1, eps=1e-12):
    """parametrizations.spectral_norm's order: u = normalize(W v), v = normalize(W^H u)."""
    for _ in range(n_power_iterations):
        u = _normalize(weight_mat @ v, eps)
        v = _normalize(jnp.conj(weight_mat.T) @ u, eps)
    return u, v


@op(tensor_args=("weight", "u", "v"), method=False, name="_spectral_norm_parametrization")
def _spectral_vdot(weight, u, v, dim=0):
    """weight / vdot(u, W v), W the weight flattened to a matrix along dim."""
    sigma = jnp.vdot(u, _to_matrix(weight, dim) @ v)
    return weight / sigma


@op(tensor_args=("x",), method=False, name="_normalize_vector")
def _normalize_vector(x, eps=1e-12):
    return _normalize(x, eps)
