"""Activation functionals (torch.nn.functional.relu, gelu, softmax, ...)."""

import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np

import torchlike as torch
from torchlike._core.tensor import _wrap_dim
from torchlike._ops.registry import op

from ._common import float_only

__all__ = [
    "celu",
    "celu_",
    "elu",
    "elu_",
    "gelu",
    "glu",
    "gumbel_softmax",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "leaky_relu",
    "leaky_relu_",
    "log_softmax",
    "logsigmoid",
    "mish",
    "prelu",
    "relu",
    "relu6",
    "relu_",
    "rrelu",
    "rrelu_",
    "selu",
    "selu_",
    "sigmoid",
    "silu",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanh",
    "tanhshrink",
    "threshold",
    "threshold_",
]


def _inplace(kernel, input, *args):
    """Run registered op `kernel` in place on `input` (autograd-correct, like Tensor.relu_)."""
    return kernel.__wrapped_op__.inplace(input, *args)


# ---- the kernels: one pure jax function each ------------------------------------------------


@op(tensor_args=("input",), method=False, name="nn_threshold")
def _threshold(input, threshold, value):
    return jnp.where(input > threshold, input, jnp.asarray(value, input.dtype))


@op(tensor_args=("input",), method=False, name="nn_relu")
def _relu(input):
    return jnp.where(input > 0, input, jnp.zeros((), input.dtype))


@op(tensor_args=("input",), method=False, name="nn_hardtanh")
def _hardtanh(input, min_val, max_val):
    # torch's gradient is 1 strictly inside (min_val, max_val) and 0 elsewhere.
    lo = jnp.asarray(min_val, input.dtype)
    hi = jnp.asarray(max_val, input.dtype)
    return jnp.where(input <= lo, lo, jnp.where(input >= hi, hi, input))


@op(tensor_args=("input",), method=False, name="nn_leaky_relu")
def _leaky_relu(input, negative_slope):
    float_only("leaky_relu_cpu", input)
    return jnp.where(input > 0, input, input * negative_slope)


@op(tensor_args=("input",), method=False, name="nn_elu")
def _elu(input, alpha, scale, input_scale):
    float_only("elu_cpu", input)
    neg = alpha * jnp.expm1(jnp.minimum(input, 0) * input_scale)
    return scale * jnp.where(input > 0, input, neg)


@op(tensor_args=("input",), method=False, name="nn_celu")
def _celu(input, alpha):
    float_only("elu_cpu", input)
    return jnp.maximum(input, 0) + jnp.minimum(0, alpha * jnp.expm1(jnp.minimum(input, 0) / alpha))


@op(tensor_args=("input",), method=False, name="nn_gelu")
def _gelu(input, approximate):
    float_only("GeluKernelImpl", input)
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (input + 0.044715 * input**3)
        return 0.5 * input * (1.0 + jnp.tanh(inner))
    return 0.5 * input * (1.0 + jax.lax.erf(input * (1.0 / math.sqrt(2.0))))


@op(tensor_args=("input",), method=False, name="nn_silu")
def _silu(input):
    float_only("silu_cpu", input)
    return input * jax.nn.sigmoid(input)


@op(tensor_args=("input",), method=False, name="nn_mish")
def _mish(input):
    float_only("mish_cpu", input)
    return input * jnp.tanh(jax.nn.softplus(input))


@op(tensor_args=("input",), method=False, name="nn_softplus")
def _softplus(input, beta, threshold):
    float_only("softplus_cpu", input)
    z = input * beta
    safe = jnp.where(z > threshold, jnp.zeros((), input.dtype), z)
    return jnp.where(z > threshold, input, jnp.log1p(jnp.exp(safe)) / beta)


@op(tensor_args=("input",), method=False, name="nn_softsign")
def _softsign(input):
    return input / (1 + jnp.abs(input))


@op(tensor_args=("input",), method=False, name="nn_hardsigmoid")
def _hardsigmoid(input):
    float_only("hardsigmoid_cpu", input)
    # torch's gradient is 1/6 strictly inside (-3, 3).
    return jnp.where(input <= -3, 0.0, jnp.where(input >= 3, 1.0, input / 6 + 0.5)).astype(
        input.dtype
    )


@op(tensor_args=("input",), method=False, name="nn_hardswish")
def _hardswish(input):
    float_only("hardswish_cpu", input)
    return jnp.where(
        input <= -3, 0.0, jnp.where(input >= 3, input, input * (input + 3) / 6)
    ).astype(input.dtype)


@op(tensor_args=("input",), method=False, name="nn_logsigmoid")
def _logsigmoid(input):
    float_only("log_sigmoid_cpu", input)
    return jax.nn.log_sigmoid(input)


@op(tensor_args=("input",), method=False, name="nn_softmax")
def _softmax(input, dim, dtype):
    if dtype is None:
        float_only("softmax_lastdim_kernel_impl", input)
    dim = _wrap_dim(dim, input.ndim) if input.ndim else None  # a 0-d input is one element
    if dtype is not None:
        input = input.astype(dtype)
    return jax.nn.softmax(input, axis=dim)


@op(tensor_args=("input",), method=False, name="nn_log_softmax")
def _log_softmax(input, dim, dtype):
    if dtype is None:
        float_only("log_softmax_lastdim_kernel_impl", input)
    dim = _wrap_dim(dim, input.ndim) if input.ndim else None  # a 0-d input is one element
    if dtype is not None:
        input = input.astype(dtype)
    return jax.nn.log_softmax(input, axis=dim)


@op(tensor_args=("input",), method=False, name="nn_softmin")
def _softmin(input, dim, dtype):
    if dtype is None:
        float_only("softmax_lastdim_kernel_impl", input)
    dim = _wrap_dim(dim, input.ndim) if input.ndim else None  # a 0-d input is one element
    if dtype is not None:
        input = input.astype(dtype)
    return jax.nn.softmax(-input, axis=dim)


@op(tensor_args=("input",), method=False, name="nn_glu")
def _glu(input, dim):
    float_only("glu_cpu", input)
    dim = _wrap_dim(dim, input.ndim)
    a, b = jnp.split(input, 2, axis=dim)
    return a * jax.nn.sigmoid(b)


@op(tensor_args=("input",), method=False, name="nn_tanhshrink")
def _tanhshrink(input):
    return input - jnp.tanh(input)


@op(tensor_args=("input",), method=False, name="nn_softshrink")
def _softshrink(input, lambd):
    float_only("softshrink_check", input)
    zero = jnp.zeros((), input.dtype)
    return jnp.where(input > lambd, input - lambd, jnp.where(input < -lambd, input + lambd, zero))


@op(tensor_args=("input",), method=False, name="nn_hardshrink")
def _hardshrink(input, lambd):
    float_only("hardshrink_cpu", input)
    return jnp.where((input > lambd) | (input < -lambd), input, jnp.zeros((), input.dtype))


@op(tensor_args=("input", "weight"), method=False, name="nn_prelu")
def _prelu(input, weight):
    float_only("prelu_cpu", input)
    if weight.size > 1 and input.ndim >= 2:
        shape = [1] * input.ndim
        shape[1] = weight.size
        weight = weight.reshape(shape)
    elif weight.size == 1:
        weight = weight.reshape(())
    return jnp.where(input > 0, input, weight * input)


@op(tensor_args=("input", "noise"), method=False, name="nn_rrelu_with_noise")
def _rrelu_with_noise(input, noise):
    # noise is 1 where input > 0; torch's gradient is grad * noise everywhere
    return (input * noise.astype(input.dtype)).astype(input.dtype)


# ---- the public functionals -------------------------------------------------------------------


def threshold(input, threshold, value, inplace=False):
    """Thresholds each element: `input if input > threshold else value`."""
    if inplace:
        return _inplace(_threshold, input, threshold, value)
    return _threshold(input, threshold, value)


def threshold_(input, threshold, value):
    """In-place threshold."""
    return _inplace(_threshold, input, threshold, value)


def relu(input, inplace=False):
    """max(0, x) elementwise."""
    if inplace:
        return _inplace(_relu, input)
    return _relu(input)


def relu_(input):
    """In-place relu."""
    return _inplace(_relu, input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _inplace(_hardtanh, input, min_val, max_val)
    return _hardtanh(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place hardtanh."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """max(0, x) + negative_slope * min(0, x)."""
    if inplace:
        return _inplace(_leaky_relu, input, negative_slope)
    return _leaky_relu(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    """In-place leaky_relu."""
    return leaky_relu(input, negative_slope, True)


def elu(input, alpha=1.0, inplace=False):
    """Exponential linear unit."""
    if inplace:
        return _inplace(_elu, input, alpha, 1.0, 1.0)
    return _elu(input, alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    """In-place elu."""
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """Scaled exponential linear unit."""
    if inplace:
        return _inplace(_elu, input, _SELU_ALPHA, _SELU_SCALE, 1.0)
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input):
    """In-place selu."""
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    """Continuously differentiable exponential linear unit."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    if inplace:
        return _inplace(_celu, input, alpha)
    return _celu(input, alpha)


def celu_(input, alpha=1.0):
    """In-place celu."""
    return celu(input, alpha, True)


def gelu(input, approximate="none"):
    """Gaussian error linear unit (exact, or the tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _gelu(input, approximate)


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    if inplace:
        return _inplace(_silu, input)
    return _silu(input)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    if inplace:
        return _inplace(_mish, input)
    return _mish(input)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, linear above the threshold."""
    return _softplus(input, beta, threshold)


def softsign(input):
    """x / (1 + |x|)."""
    return _softsign(input)


def hardsigmoid(input, inplace=False):
    """Piecewise linear sigmoid."""
    if inplace:
        return _inplace(_hardsigmoid, input)
    return _hardsigmoid(input)


def hardswish(input, inplace=False):
    """x * hardsigmoid(x)."""
    if inplace:
        return _inplace(_hardswish, input)
    return _hardswish(input)


def logsigmoid(input):
    """log(sigmoid(x))."""
    return _logsigmoid(input)


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _np_dtype(dtype):
    return None if dtype is None else dtype._np


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Softmax along `dim`, optionally computed in `dtype`."""
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return _softmax(input, dim, _np_dtype(dtype))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """Softmax of -input along `dim`."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    return _softmin(input, dim, _np_dtype(dtype))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along `dim`, computed stably."""
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _log_softmax(input, dim, _np_dtype(dtype))


def glu(input, dim=-1):
    """Gated linear unit: a * sigmoid(b) with input split in halves along `dim`."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input.dim())
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    return _glu(input, dim)


def tanhshrink(input):
    """x - tanh(x)."""
    return _tanhshrink(input)


def softshrink(input, lambd=0.5):
    """Soft shrinkage."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return _softshrink(input, lambd)


def hardshrink(input, lambd=0.5):
    """Hard shrinkage."""
    return _hardshrink(input, lambd)


def prelu(input, weight):
    """max(0, x) + weight * min(0, x), weight per channel (dim 1)."""
    if weight.numel() != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.dim() >= 2 else 1
        if weight.numel() != channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                f"{weight.numel()} and channel size = {channels}."
            )
    if weight.dim() > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.dim()}"
        )
    return _prelu(input, weight)


def _rrelu_noise(input, lower, upper):
    """aten's CPU rrelu_with_noise draws: one uniform double per element <= 0, in order."""
    from torchlike._core.tensor import wrap
    from torchlike._random.generator import default_generator

    x = np.asarray(input.detach().cpu().numpy())  # the draws depend on the values
    opmath = np.float64 if x.dtype == np.float64 else np.float32
    neg = (x <= 0).ravel()
    r64 = default_generator._random64(int(neg.sum())).astype(np.uint64)
    u = (r64 & np.uint64((1 << 53) - 1)).astype(np.float64) * (1.0 / (1 << 53))
    noise = np.ones(x.size, opmath)
    # the bounds are rounded to the op's math type first, then used in double
    lo, hi = float(opmath(lower)), float(opmath(upper))
    noise[neg] = (u * (hi - lo) + lo).astype(opmath)
    return wrap(noise.reshape(x.shape), device=input.device)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky relu: the negative slope is drawn from U(lower, upper) in training."""
    if training:
        noise = _rrelu_noise(input, float(lower), float(upper))
        if inplace:
            return _inplace(_rrelu_with_noise, input, noise)
        return _rrelu_with_noise(input, noise)
    if inplace:
        return _inplace(_leaky_relu, input, (lower + upper) / 2)
    return _leaky_relu(input, (lower + upper) / 2)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place rrelu."""
    return rrelu(input, lower, upper, training, True)


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """Sample from the Gumbel-softmax distribution (straight-through when hard=True)."""
    gumbels = -torch.empty_like(logits).exponential_().log()
    gumbels = (logits + gumbels) / tau
    y_soft = softmax(gumbels, dim)
    if hard:
        index = y_soft.max(dim, keepdim=True)[1]
        y_hard = torch.zeros_like(logits).scatter_(dim, index, 1.0)
        return y_hard - y_soft.detach() + y_soft
    return y_soft


def sigmoid(input):
    """Elementwise logistic sigmoid (deprecated alias of torch.sigmoid)."""
    return input.sigmoid()


def tanh(input):
    """Elementwise tanh (deprecated alias of torch.tanh)."""
    return input.tanh()
