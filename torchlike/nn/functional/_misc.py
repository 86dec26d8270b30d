"""Linear maps and distances: linear, bilinear, cosine_similarity, pairwise_distance, pdist."""

import math

import jax.numpy as jnp
import numpy as np
from jax import lax

from torchlike._core.tensor import _wrap_dim
from torchlike._ops.pointwise import broadcast_check
from torchlike._ops.reduction import _safe_pnorm
from torchlike._ops.registry import op

__all__ = ["bilinear", "cosine_similarity", "linear", "pairwise_distance", "pdist"]

_HI = lax.Precision.HIGHEST


def _shape_str(s):
    return "x".join(str(v) for v in s)


@op(tensor_args=("input", "weight", "bias"), method=False)
def linear(input, weight, bias=None):
    """y = input @ weight.T + bias."""
    if weight.ndim not in (1, 2):
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {weight.ndim}D")
    if input.ndim == 0:
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are 0D and {weight.ndim}D"
        )
    if bias is not None and input.ndim > 1:
        from ..._ops.linalg_basic import check_addmm_dtypes
        check_addmm_dtypes(bias, input, weight)  # (PyTorch's linear is addmm with a bias)
    elif input.dtype != weight.dtype:
        from ..._ops.linalg_basic import _check_dtypes
        _check_dtypes(input, weight)
    k = weight.shape[-1]
    if input.shape[-1] != k:
        rows = math.prod(input.shape[:-1]) if input.ndim > 1 else 1
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} and "
            f"{_shape_str(weight.shape[::-1])})"
        )
    if input.ndim > 2 and weight.ndim == 2:
        # leading dimensions folded into rows, as PyTorch's linear does: the weight gradient is
        # then one plain (out, rows) x (rows, in) product; with the batch dimensions kept XLA
        # copied the output gradient into a transposed layout first (an LSTM LM's 2048x2048
        # vocabulary gradient: ~10 ms of its CPU step)
        out = jnp.matmul(input.reshape(-1, k), weight.T, precision=_HI)
        out = out.reshape(input.shape[:-1] + (weight.shape[0],))
    else:
        out = jnp.matmul(input, weight.T, precision=_HI)
    if bias is not None:
        out = out + bias
    return out


@op(tensor_args=("input1", "input2", "weight", "bias"), method=False)
def bilinear(input1, input2, weight, bias=None):
    """y = x1^T A x2 + b for each output feature."""
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} and "
            f"{list(input2.shape[:-1])}"
        )
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
            f"expected {weight.shape[1]}"
        )
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
            f"expected {weight.shape[2]}"
        )
    out = jnp.einsum("...i,oij,...j->...o", input1, weight, input2, precision=_HI)
    if bias is not None:
        out = out + bias
    return out


@op(tensor_args=("x1", "x2"), method=False, promote="default")
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between x1 and x2 along `dim` (norms clamped below by eps)."""
    broadcast_check(x1, x2)
    x1, x2 = jnp.broadcast_arrays(x1, x2)
    dim = _wrap_dim(dim, x1.ndim)
    if not jnp.issubdtype(x1.dtype, jnp.inexact):
        x1 = x1.astype(jnp.float32)
        x2 = x2.astype(jnp.float32)
    # _safe_pnorm: a zero vector's norm has a zero gradient (aten's norm backward), not NaN
    n1 = _safe_pnorm(x1, 2, dim, True)
    n2 = _safe_pnorm(x2, 2, dim, True)
    # aten clamps the norms in place under no_grad: the value is clamped, the gradient is not
    n1 = n1 + lax.stop_gradient(jnp.maximum(n1, eps) - n1)
    n2 = n2 + lax.stop_gradient(jnp.maximum(n2, eps) - n2)
    return jnp.sum((x1 / n1) * (x2 / n2), axis=dim)


@op(tensor_args=("x1", "x2"), method=False, promote="default")
def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """p-norm of x1 - x2 + eps along the last dimension."""
    broadcast_check(x1, x2)
    ndim = max(x1.ndim, x2.ndim)
    # _safe_pnorm: a zero distance has a zero gradient, as in PyTorch (not NaN)
    return _safe_pnorm(x1 - x2 + eps, p, ndim - 1 if ndim else None, keepdim)


@op(tensor_args=("input",), method=False)
def pdist(input, p=2):
    """p-norm distances between all pairs of rows (upper triangle, row-major)."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    d = input[i] - input[j]
    return _safe_pnorm(d, p, -1, False)
