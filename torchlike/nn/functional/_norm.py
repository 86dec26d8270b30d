"""Normalization functionals: batch/instance/layer/group/rms/local-response norm, normalize."""

import math

import jax.numpy as jnp
import numpy as np
from jax import lax

import torchlike as torch
from torchlike._core.tensor import _wrap_dim
from torchlike._ops.reduction import _safe_pnorm
from torchlike._ops.registry import op

from ._common import float_only

__all__ = [
    "batch_norm",
    "group_norm",
    "instance_norm",
    "layer_norm",
    "local_response_norm",
    "normalize",
    "rms_norm",
]


def _verify_batch_size(size) -> None:
    size_prods = size[0]
    for i in range(len(size) - 2):
        size_prods *= size[i + 2]
    if size_prods == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}"
        )


def _verify_spatial_size(size) -> None:
    size_prods = 1
    for i in range(2, len(size)):
        size_prods *= size[i]
    if size_prods == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {size}"
        )


def _channel_shape(ndim):
    return (1, -1) + (1,) * (ndim - 2)


def _affine(out, weight, bias, shape):
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


@op(
    tensor_args=("input", "weight", "bias", "running_mean", "running_var"),
    method=False,
    name="nn_batch_norm_train",
)
def _batch_norm_train(input, weight, bias, running_mean, running_var, momentum, eps):
    float_only("batch_norm", input)
    """Normalise with batch statistics; also return the updated running statistics."""
    axes = (0,) + tuple(range(2, input.ndim))
    acc = jnp.promote_types(input.dtype, jnp.float32)
    x = input.astype(acc)
    mean = jnp.mean(x, axis=axes)
    var = jnp.mean(jnp.square(x - mean.reshape(_channel_shape(input.ndim))), axis=axes)
    shape = _channel_shape(input.ndim)
    out = (x - mean.reshape(shape)) * lax.rsqrt(var.reshape(shape) + eps)
    out = _affine(out, weight, bias, shape).astype(input.dtype)
    if running_mean is None or running_var is None:
        return out
    n = input.size // input.shape[1]
    new_mean = ((1 - momentum) * running_mean + momentum * mean).astype(running_mean.dtype)
    unbiased = var * (n / max(n - 1, 1))
    new_var = ((1 - momentum) * running_var + momentum * unbiased).astype(running_var.dtype)
    return out, new_mean, new_var


@op(
    tensor_args=("input", "running_mean", "running_var", "weight", "bias"),
    method=False,
    name="nn_batch_norm_eval",
)
def _batch_norm_eval(input, running_mean, running_var, weight, bias, eps):
    float_only("batch_norm", input)
    shape = _channel_shape(input.ndim)
    acc = jnp.promote_types(input.dtype, jnp.float32)
    x = input.astype(acc)
    out = (x - running_mean.reshape(shape)) * lax.rsqrt(running_var.reshape(shape) + eps)
    return _affine(out, weight, bias, shape).astype(input.dtype)


def _write_running(buf, new):
    if buf is not None and new is not None:
        buf._set_data(new._data)


def batch_norm(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """Batch normalisation; in training, running statistics are updated in place."""
    if training:
        _verify_batch_size(input.size())  # a torch.Size, shown as torch shows it
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if input.dim() < 2:
        raise RuntimeError(
            f"batch_norm: Expected input to have at least 2 dimensions, got {input.dim()}"
        )
    c = input.shape[1]
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    if training or running_mean is None or running_var is None:
        track = training and running_mean is not None and running_var is not None
        res = _batch_norm_train(
            input,
            weight,
            bias,
            running_mean if track else None,
            running_var if track else None,
            float(momentum or 0.0),
            float(eps),
        )
        if not track:
            return res
        out, new_mean, new_var = res
        with torch.no_grad():
            _write_running(running_mean, new_mean)
            _write_running(running_var, new_var)
        return out
    return _batch_norm_eval(input, running_mean, running_var, weight, bias, float(eps))


@op(
    tensor_args=("input", "weight", "bias", "running_mean", "running_var"),
    method=False,
    name="nn_instance_norm",
)
def _instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps):
    float_only("batch_norm", input)
    shape = _channel_shape(input.ndim)
    acc = jnp.promote_types(input.dtype, jnp.float32)
    x = input.astype(acc)
    if not use_input_stats:
        out = (x - running_mean.reshape(shape)) * lax.rsqrt(running_var.reshape(shape) + eps)
        return _affine(out, weight, bias, shape).astype(input.dtype)
    axes = tuple(range(2, input.ndim))
    mean = jnp.mean(x, axis=axes, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=axes, keepdims=True)
    out = (x - mean) * lax.rsqrt(var + eps)
    out = _affine(out, weight, bias, shape).astype(input.dtype)
    if running_mean is None or running_var is None:
        return out
    n = math.prod(input.shape[2:])
    m = jnp.mean(mean.reshape(input.shape[:2]), axis=0)
    new_mean = ((1 - momentum) * running_mean + momentum * m).astype(running_mean.dtype)
    v = jnp.mean(var.reshape(input.shape[:2]), axis=0) * (n / max(n - 1, 1))
    new_var = ((1 - momentum) * running_var + momentum * v).astype(running_var.dtype)
    return out, new_mean, new_var


def instance_norm(
    input,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,
    use_input_stats=True,
    momentum=0.1,
    eps=1e-5,
):
    """Instance normalisation (per sample and channel)."""
    if use_input_stats:
        _verify_spatial_size(list(input.size()))
    elif running_mean is None or running_var is None:
        raise RuntimeError(
            "Expected running_mean and running_var to be defined when use_input_stats is false"
        )
    track = use_input_stats and running_mean is not None and running_var is not None
    res = _instance_norm(
        input,
        weight,
        bias,
        running_mean if (track or not use_input_stats) else None,
        running_var if (track or not use_input_stats) else None,
        bool(use_input_stats),
        float(momentum or 0.0),
        float(eps),
    )
    if not track:
        return res
    out, new_mean, new_var = res
    with torch.no_grad():
        _write_running(running_mean, new_mean)
        _write_running(running_var, new_var)
    return out


@op(tensor_args=("input", "weight", "bias"), method=False, name="nn_layer_norm")
def _layer_norm(input, normalized_shape, weight, bias, eps):
    float_only("LayerNormKernelImpl", input)
    axes = tuple(range(input.ndim - len(normalized_shape), input.ndim))
    acc = jnp.promote_types(input.dtype, jnp.float32)
    x = input.astype(acc)
    mean = jnp.mean(x, axis=axes, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=axes, keepdims=True)
    out = (x - mean) * lax.rsqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out.astype(input.dtype)


def _check_normalized_shape(input, normalized_shape, weight):
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(int(s) for s in normalized_shape)
    n = len(normalized_shape)
    if n == 0:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
            "one element, but got normalized_shape = []"
        )
    if weight is not None and tuple(weight.shape) != normalized_shape:
        raise RuntimeError(
            f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight.shape)} and normalized_shape = {list(normalized_shape)}"
        )
    if input.dim() < n or tuple(input.shape[input.dim() - n :]) != normalized_shape:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size"
            f"{list(input.shape)}"
        )
    return normalized_shape


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalisation over the trailing `normalized_shape` dimensions."""
    normalized_shape = _check_normalized_shape(input, normalized_shape, weight)
    return _layer_norm(input, normalized_shape, weight, bias, float(eps))


@op(tensor_args=("input", "weight", "bias"), method=False, name="nn_group_norm")
def _group_norm(input, num_groups, weight, bias, eps):
    float_only("GroupNormKernelImpl", input)
    n, _c = input.shape[:2]
    acc = jnp.promote_types(input.dtype, jnp.float32)
    x = input.astype(acc).reshape(n, num_groups, -1)
    mean = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=-1, keepdims=True)
    out = ((x - mean) * lax.rsqrt(var + eps)).reshape(input.shape)
    return _affine(out, weight, bias, _channel_shape(input.ndim)).astype(input.dtype)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalisation over groups of channels."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}"
        )
    _verify_batch_size(
        [input.size(0) * input.size(1) // num_groups, num_groups] + list(input.size()[2:])
    )
    if input.shape[1] % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}"
        )
    return _group_norm(input, int(num_groups), weight, bias, float(eps))


@op(tensor_args=("input", "weight"), method=False, name="nn_rms_norm")
def _rms_norm(input, normalized_shape, weight, eps):
    float_only("rms_norm", input)
    axes = tuple(range(input.ndim - len(normalized_shape), input.ndim))
    acc = jnp.promote_types(input.dtype, jnp.float32)
    x = input.astype(acc)
    if eps is None:
        eps = float(jnp.finfo(acc).eps)
    out = x * lax.rsqrt(jnp.mean(jnp.square(x), axis=axes, keepdims=True) + eps)
    if weight is not None:
        out = out * weight
    return out.astype(input.dtype)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalisation over the trailing `normalized_shape` dimensions."""
    normalized_shape = _check_normalized_shape(input, normalized_shape, weight)
    return _rms_norm(input, normalized_shape, weight, None if eps is None else float(eps))


@op(tensor_args=("input",), method=False, name="nn_local_response_norm")
def _local_response_norm(input, size, alpha, beta, k):
    sq = jnp.square(input)
    pads = [(0, 0)] * input.ndim
    pads[1] = (size // 2, (size - 1) // 2)
    sq = jnp.pad(sq, pads)
    win = [1] * input.ndim
    win[1] = size
    div = lax.reduce_window(
        sq, np.array(0, input.dtype), lax.add, tuple(win), (1,) * input.ndim, "VALID"
    )
    div = (div / size * alpha + k) ** beta
    return input / div


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Local response normalisation across channels."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality                          input (got {dim} dimensions)"
        )
    if input.numel() == 0:
        return input
    return _local_response_norm(input, int(size), float(alpha), float(beta), float(k))


@op(tensor_args=("input",), method=False, name="nn_normalize")
def _normalize(input, p, dim, eps):
    # the norm's gradient is 0 where it is 0 (a zero row gets grad / eps, not NaN)
    norm = _safe_pnorm(input, p, _wrap_dim(dim, input.ndim), True)
    return input / jnp.maximum(norm, eps)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """Divide by the L_p norm along `dim` (clamped below by eps)."""
    if out is not None:
        raise NotImplementedError("torchlike: F.normalize(out=...) is not supported")
    return _normalize(input, float(p), dim, float(eps))
