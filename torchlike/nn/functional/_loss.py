"""Loss functions of torch.nn.functional, each one registered op on jax arrays."""

import functools
import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from torchlike._ops.pointwise import _abs
from torchlike._ops.registry import op

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cosine_embedding_loss",
    "cross_entropy",
    "ctc_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "margin_ranking_loss",
    "mse_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "nll_loss",
    "poisson_nll_loss",
    "smooth_l1_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]

_REDUCTIONS = ("none", "mean", "sum")


def legacy_get_string(size_average, reduce, emit_warning=True):
    """torch.nn._reduction.legacy_get_string: map size_average/reduce to a reduction name."""
    warning = "size_average and reduce args will be deprecated, please use reduction='{}' instead."
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(warning.format(ret), stacklevel=3)
    return ret


def _legacy(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce)
    return reduction


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    _check_reduction(reduction)
    if reduction == "mean":
        return jnp.mean(loss)
    if reduction == "sum":
        return jnp.sum(loss)
    return loss


def _raw(x):
    """The jax array behind a Tensor (or the array itself)."""
    return getattr(x, "_data", x)


def _concrete(x):
    """x's value as numpy when known now on the host, else None (then checks are skipped).

    Skipped: traced or recorded (compile) values, whose materialisation would split the
    compiled step, and values on an accelerator, where a host sync per call would stall the
    device (there an out-of-range class index gives a NaN loss instead of an IndexError)."""
    a = _raw(x)
    if a is None or isinstance(a, jax.core.Tracer):
        return None
    if type(a).__name__ == "LazyArray":
        if a.value is None:
            return None
        a = a.value
    dev = getattr(x, "_device", None)  # a Tensor knows its device: array.devices() is slow
    if dev is not None:
        if dev.type != "cpu":
            return None
    else:
        devices = getattr(a, "devices", None)
        if devices is not None and any(d.platform != "cpu" for d in devices()):
            return None
    return np.asarray(a)


def _warn_size(input, target):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({_size(target)}) that is different to the input size "
            f"({_size(input)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )


def _size(t):
    return "torch.Size([" + ", ".join(str(s) for s in t.shape) + "])"


def _broadcast(a, b):
    try:
        shape = jnp.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        for i in range(1, min(a.ndim, b.ndim) + 1):
            if a.shape[-i] != b.shape[-i] and 1 not in (a.shape[-i], b.shape[-i]):
                raise RuntimeError(
                    f"The size of tensor a ({a.shape[-i]}) must match the size of tensor b "
                    f"({b.shape[-i]}) at non-singleton dimension {max(a.ndim, b.ndim) - i}"
                ) from None
        raise
    return jnp.broadcast_to(a, shape), jnp.broadcast_to(b, shape)


def _weighted(loss, weight, input, reduction):
    """l1/mse/huber with an elementwise weight, as torch.nn.functional does it."""
    if weight is None:
        return _reduce(loss, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return jnp.sum(loss)
    if reduction == "mean":
        return jnp.sum(loss) / jnp.sum(weight)
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


# ---- regression losses ----------------------------------------------------------------


@op(tensor_args=("input", "target", "weight"), promote="default", method=False, name="l1_loss")
def _l1_loss(input, target, reduction="mean", weight=None):
    input, target = _broadcast(input, target)
    # _abs: PyTorch's gradient sgn(d) is 0 where input == target
    return _weighted(_abs(input - target), weight, input, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean element-wise absolute difference."""
    _warn_size(input, target)
    return _l1_loss(input, target, _legacy(size_average, reduce, reduction), weight)


@op(tensor_args=("input", "target", "weight"), promote="default", method=False, name="mse_loss")
def _mse_loss(input, target, reduction="mean", weight=None):
    input, target = _broadcast(input, target)
    return _weighted(jnp.square(input - target), weight, input, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean element-wise squared difference."""
    _warn_size(input, target)
    return _mse_loss(input, target, _legacy(size_average, reduce, reduction), weight)


def _smooth_l1(input, target, beta):
    if beta == 0.0:
        # PyTorch falls back to l1_loss here, whose gradient sgn(d) is 0 where input == target
        return _abs(input - target)
    z = jnp.abs(input - target)
    return jnp.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)


@op(tensor_args=("input", "target"), promote="default", method=False, name="smooth_l1_loss")
def _smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _broadcast(input, target)
    return _reduce(_smooth_l1(input, target, beta), reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared term below beta, L1 term above."""
    _warn_size(input, target)
    return _smooth_l1_loss(input, target, _legacy(size_average, reduce, reduction), float(beta))


@op(tensor_args=("input", "target", "weight"), promote="default", method=False, name="huber_loss")
def _huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target = _broadcast(input, target)
    z = jnp.abs(input - target)
    loss = jnp.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))
    if weight is None:
        return _reduce(loss, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    # Unlike l1/mse, torch's weighted huber 'mean' divides by the element count.
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'."
        )
    return _reduce(loss * weight, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared term below delta, delta-scaled L1 term above."""
    _warn_size(input, target)
    return _huber_loss(input, target, reduction, float(delta), weight)


@op(tensor_args=("input", "target"), promote="default", method=False, name="soft_margin_loss")
def _soft_margin_loss(input, target, reduction="mean"):
    return _reduce(jax.nn.softplus(-target * input), reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Two-class logistic loss log(1 + exp(-y x))."""
    return _soft_margin_loss(input, target, _legacy(size_average, reduce, reduction))


@op(tensor_args=("input", "target"), promote="default", method=False, name="kl_div")
def _kl_div(input, target, reduction="mean", log_target=False):
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = jnp.exp(target) * (target - input)
    else:
        loss = jax.scipy.special.xlogy(target, target) - target * input
    if reduction == "batchmean":
        loss = jnp.sum(loss)
        return loss / input.shape[0] if input.ndim != 0 else loss
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence of log-probabilities input from target."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            stacklevel=2,
        )
    return _kl_div(input, target, reduction, bool(log_target))


@op(tensor_args=("input", "target"), promote="default", method=False, name="poisson_nll_loss")
def _poisson_nll_loss(input, target, log_input=True, full=False, eps=1e-8, reduction="mean"):
    _check_reduction(reduction)
    if log_input:
        loss = jnp.exp(input) - target * input
    else:
        loss = input - target * jnp.log(input + eps)
    if full:
        safe = jnp.where(target > 1, target, 2.0)
        stirling = safe * jnp.log(safe) - safe + 0.5 * jnp.log(2 * math.pi * safe)
        loss = loss + jnp.where(target > 1, stirling, 0.0)
    return _reduce(loss, reduction)


def poisson_nll_loss(
    input,
    target,
    log_input=True,
    full=False,
    size_average=None,
    eps=1e-8,
    reduce=None,
    reduction="mean",
):
    """Negative log likelihood of target under Poisson(input)."""
    reduction = _legacy(size_average, reduce, reduction)
    return _poisson_nll_loss(input, target, bool(log_input), bool(full), float(eps), reduction)


@op(
    tensor_args=("input", "target", "var"),
    promote="default",
    method=False,
    name="gaussian_nll_loss",
)
def _gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    var = jnp.broadcast_to(var, input.shape) if var.ndim == 0 else var
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var[..., None]
        elif not (
            input.ndim == var.ndim and sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1
        ):
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    # torch clamps a clone under no_grad: the gradient passes straight through the clamp.
    var = var + jax.lax.stop_gradient(jnp.maximum(var, eps) - var)
    loss = 0.5 * (jnp.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log likelihood of target under Normal(input, var)."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = float(var)
    else:
        v = _concrete(var)
        if v is not None and (v < 0).any():
            raise ValueError("var has negative entry/entries")
    return _gaussian_nll_loss(input, target, var, bool(full), float(eps), reduction)


# ---- classification losses -------------------------------------------------------------


def _check_class_target(target):
    if target.dtype not in (jnp.int64, jnp.uint8):
        names = {
            "int32": "Int",
            "int16": "Short",
            "int8": "Char",
            "float32": "Float",
            "float64": "Double",
            "float16": "Half",
            "bool": "Bool",
            "bfloat16": "BFloat16",
        }
        raise RuntimeError(
            "expected target dtype to be Long or Byte, but got "
            + names.get(str(target.dtype), str(target.dtype))
        )


def _check_nll_shapes(input, target, weight):
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if input.ndim <= 2 and target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.ndim >= 2 and (target.ndim == 0 or input.shape[0] != target.shape[0]):
        n = target.shape[0] if target.ndim else 0
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({n})."
        )
    expected = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if input.ndim > 2 and target.shape != expected:
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")
    n_classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != n_classes):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}"
        )


def _check_target_range(input, target, ignore_index):
    """torch's IndexError for a class index out of range (checked when values are known)."""
    # (raw shape tuples, and min/max before the full test: every eager loss call and every
    # compiled step pays for this check)
    shape = input._shape()
    if not shape or target.dtype.is_floating_point:
        return
    expected = shape[:1] + shape[2:] if len(shape) > 1 else ()
    if tuple(target._shape()) != expected:
        return
    t = _concrete(target)
    if t is None or not t.size:
        return
    n_classes = shape[1 if len(shape) > 1 else 0]
    if t.min() >= 0 and t.max() < n_classes:
        return
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {t[bad].flat[0]} is out of bounds.")


def _nll(logp, target, weight, ignore_index, reduction, class_dim):
    """nll_loss on log-probabilities with classes along class_dim."""
    mask = target != ignore_index
    safe = jnp.where(mask, target, 0).astype(jnp.int32)
    picked = jnp.take_along_axis(logp, jnp.expand_dims(safe, class_dim), class_dim)
    picked = jnp.squeeze(picked, class_dim)
    w = jnp.ones_like(picked) if weight is None else weight.astype(logp.dtype)[safe]
    w = jnp.where(mask, w, 0)
    # ignored positions contribute exactly 0 and get a zero gradient (not 0 * -inf, nor 0/0
    # when every target is ignored), as aten's nll_loss skips them
    loss = jnp.where(mask, -picked * w, 0)
    _check_reduction(reduction)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return jnp.sum(loss)
    return jnp.sum(loss) / jnp.sum(w)


@op(tensor_args=("input", "target", "weight"), method=False, name="nll_loss")
def _nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    _check_class_target(target)
    _check_nll_shapes(input, target, weight)
    return _nll(input, target, weight, ignore_index, reduction, 1 if input.ndim > 1 else 0)


def nll_loss(
    input,
    target,
    weight=None,
    size_average=None,
    ignore_index=-100,
    reduce=None,
    reduction="mean",
):
    """Negative log likelihood loss on log-probabilities."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_target_range(input, target, ignore_index)
    return _nll_loss(input, target, weight, int(ignore_index), reduction)


@op(tensor_args=("input", "target", "weight"), method=False, name="cross_entropy")
def _cross_entropy(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    if input.dtype in (jnp.float16, jnp.bfloat16):
        # Half-precision inputs are computed in float32 (torch's opmath), the result cast back.
        f32 = jnp.float32
        up = target.astype(f32) if jnp.issubdtype(target.dtype, jnp.floating) else target
        out = _cross_entropy_math(
            input.astype(f32),
            up,
            None if weight is None else weight.astype(f32),
            ignore_index,
            reduction,
            label_smoothing,
        )
        return out.astype(input.dtype)
    return _cross_entropy_math(input, target, weight, ignore_index, reduction, label_smoothing)


@functools.partial(jax.custom_jvp, nondiff_argnums=(3, 4, 5))
def _ce_index(input, target, weight, ignore_index, reduction, class_dim):
    """Cross entropy with class-index targets: nll_loss of log_softmax(input)."""
    logp = jax.nn.log_softmax(input, axis=class_dim)
    return _nll(logp, target, weight, ignore_index, reduction, class_dim)


@_ce_index.defjvp
def _ce_index_jvp(ignore_index, reduction, class_dim, primals, tangents):
    # The derivative PyTorch's log_softmax and nll_loss backward compute, in closed form:
    # d loss_i / d input[i, c] = w_i (softmax(input)[i, c] - [c == target_i]). Differentiating
    # through the picked log-probability instead transposes a gather into a scatter over the
    # whole (N, C) input (on a CPU: ~40% of the loss's forward and backward at N = C = 2048).
    # Target and weight get no derivative (PyTorch implements none for them).
    input, target, weight = primals
    dx = tangents[0]
    logp = jax.nn.log_softmax(input, axis=class_dim)
    out = _nll(logp, target, weight, ignore_index, reduction, class_dim)
    mask = target != ignore_index
    safe = jnp.where(mask, target, 0)
    w = mask.astype(logp.dtype)
    if weight is not None:
        w = w * weight.astype(logp.dtype)[safe]
    if reduction == "mean":
        w = jnp.where(mask, w / jnp.sum(w), 0)  # all ignored: zero gradient, not 0/0
    classes = jnp.arange(input.shape[class_dim]).reshape(
        [-1 if d == class_dim else 1 for d in range(input.ndim)])
    picked = classes == jnp.expand_dims(safe, class_dim)
    grad = (jnp.exp(logp) - picked.astype(logp.dtype)) * jnp.expand_dims(w, class_dim)
    if reduction == "none":
        return out, jnp.sum(dx * grad, axis=class_dim)
    return out, jnp.sum(dx * grad)


def _cross_entropy_math(input, target, weight, ignore_index, reduction, label_smoothing):
    class_dim = 1 if input.ndim > 1 else 0
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    n_classes = input.shape[class_dim]
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    logp = jax.nn.log_softmax(input, axis=class_dim)
    wshape = [1] * input.ndim
    wshape[class_dim] = n_classes
    if input.shape == target.shape:
        # Class probabilities.
        if not jnp.issubdtype(target.dtype, jnp.floating):
            raise RuntimeError(
                "Expected floating point type for target with class probabilities, got "
                + str(target.dtype)
            )
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        _check_nll_shapes(input, target[:, 0] if input.ndim > 1 else target[0], weight)
        _check_reduction(reduction)
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        prod = logp * target
        if weight is not None:
            prod = prod * weight.astype(logp.dtype).reshape(wshape)
        if reduction == "none":
            return -jnp.sum(prod, axis=class_dim)
        if reduction == "sum":
            return -jnp.sum(prod)
        return -jnp.sum(prod) / (input.size / n_classes)
    _check_class_target(target)
    _check_nll_shapes(input, target, weight)
    if label_smoothing <= 0:
        _check_reduction(reduction)
        return _ce_index(input, target, weight, ignore_index, reduction, class_dim)
    nll = _nll(logp, target, weight, ignore_index, reduction, class_dim)
    mask = target != ignore_index
    if weight is not None:
        smooth = -jnp.sum(logp * weight.astype(logp.dtype).reshape(wshape), axis=class_dim)
    else:
        smooth = -jnp.sum(logp, axis=class_dim)
    smooth = jnp.where(mask, smooth, 0)
    if reduction == "mean":
        if weight is not None:
            safe = jnp.where(mask, target, 0)
            denom = jnp.sum(jnp.where(mask, weight.astype(logp.dtype)[safe], 0))
        else:
            denom = jnp.sum(mask)
        smooth = jnp.sum(smooth) / denom
    elif reduction == "sum":
        smooth = jnp.sum(smooth)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def cross_entropy(
    input,
    target,
    weight=None,
    size_average=None,
    ignore_index=-100,
    reduce=None,
    reduction="mean",
    label_smoothing=0.0,
):
    """Cross entropy between logits and class indices or class probabilities."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_target_range(input, target, ignore_index)
    return _cross_entropy(
        input, target, weight, int(ignore_index), reduction, float(label_smoothing)
    )


def _check_unit_interval(x, what):
    v = _concrete(x)
    if v is not None and ((v < 0) | (v > 1)).any():
        raise RuntimeError(f"all elements of {what} should be between 0 and 1")


@jax.custom_vjp
def _bce_elementwise(x, t):
    # torch clamps each log term at -100 so that a saturated input gives a finite loss.
    return -(t * jnp.maximum(jnp.log(x), -100.0) + (1 - t) * jnp.maximum(jnp.log1p(-x), -100.0))


def _bce_fwd(x, t):
    return _bce_elementwise(x, t), (x, t)


def _bce_bwd(res, g):
    # torch's formulas: finite (huge) input gradients at 0 and 1 instead of NaN.
    x, t = res
    grad_x = g * (x - t) / jnp.maximum((1 - x) * x, 1e-12)
    grad_t = g * (jnp.log1p(-x) - jnp.log(x))
    return grad_x, grad_t


_bce_elementwise.defvjp(_bce_fwd, _bce_bwd)


@op(tensor_args=("input", "target", "weight"), method=False, name="binary_cross_entropy")
def _binary_cross_entropy(input, target, weight=None, reduction="mean"):
    loss = _bce_elementwise(input, target.astype(input.dtype))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
):
    """Binary cross entropy between probabilities and targets."""
    reduction = _legacy(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({_size(target)}) that is different to the input size "
            f"({_size(input)}) is deprecated. Please ensure they have the same size."
        )
    _check_unit_interval(input, "input")
    _check_unit_interval(target, "target")
    return _binary_cross_entropy(input, target, weight, reduction)


@op(
    tensor_args=("input", "target", "weight", "pos_weight"),
    promote="default",
    method=False,
    name="binary_cross_entropy_with_logits",
)
def _binary_cross_entropy_with_logits(
    input, target, weight=None, pos_weight=None, reduction="mean"
):
    log_sig = jax.nn.log_sigmoid(input)
    if pos_weight is not None:
        loss = (1 - target) * input - (1 + (pos_weight - 1) * target) * log_sig
    else:
        loss = (1 - target) * input - log_sig
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None
):
    """Sigmoid followed by binary cross entropy, computed stably."""
    reduction = _legacy(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Target size ({_size(target)}) must be the same as input size ({_size(input)})"
        )
    return _binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction)


@op(
    tensor_args=("input", "target", "weight"),
    promote="default",
    method=False,
    name="multilabel_soft_margin_loss",
)
def _multilabel_soft_margin_loss(input, target, weight=None, reduction="mean"):
    loss = -(target * jax.nn.log_sigmoid(input) + (1 - target) * jax.nn.log_sigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = jnp.sum(loss, axis=input.ndim - 1) / input.shape[-1]
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
):
    """Multi-label one-versus-all logistic loss."""
    reduction = _legacy(size_average, reduce, reduction)
    return _multilabel_soft_margin_loss(input, target, weight, reduction)


@op(tensor_args=("input", "target"), method=False, name="multilabel_margin_loss")
def _multilabel_margin_loss(input, target, reduction="mean"):
    _check_reduction(reduction)
    if input.ndim > 2 or input.shape != target.shape:
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(input.shape)}"
            if input.ndim > 2
            else f"inconsistent target size: {list(target.shape)} for input of size: "
            f"{list(input.shape)}"
        )
    _check_class_target(target)
    x = jnp.atleast_1d(input)
    t = jnp.atleast_1d(target)
    n_classes = x.shape[-1]
    # Targets are the prefix of each row before the first -1.
    valid = jnp.cumprod(t >= 0, axis=-1).astype(bool)
    safe = jnp.where(valid, t, 0).astype(jnp.int32)
    is_target = jnp.zeros(x.shape, bool)
    is_target = (
        jnp.any(jax.nn.one_hot(safe, n_classes, dtype=bool) & valid[..., None], axis=-2) | is_target
    )
    x_t = jnp.take_along_axis(x, safe, axis=-1)
    hinge = jax.nn.relu(1 - x_t[..., :, None] + x[..., None, :])
    hinge = hinge * valid[..., :, None] * ~is_target[..., None, :]
    loss = jnp.sum(hinge, axis=(-2, -1)) / n_classes
    if input.ndim == 0:
        loss = loss[0]
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-class multi-label hinge loss; target rows end at the first -1."""
    reduction = _legacy(size_average, reduce, reduction)
    return _multilabel_margin_loss(input, target, reduction)


@op(tensor_args=("input", "target", "weight"), method=False, name="multi_margin_loss")
def _multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    _check_reduction(reduction)
    if (
        input.ndim > 2
        or (input.ndim == 2 and (target.ndim != 1 or target.shape[0] != input.shape[0]))
        or (input.ndim < 2 and target.size != 1)
    ):
        raise RuntimeError(
            f"inconsistent target size, expected {input.shape[0] if input.ndim == 2 else 1} "
            f"but got {list(target.shape)}"
        )
    x = input.reshape(-1, input.shape[-1]) if input.ndim else input.reshape(1, 1)
    t = target.reshape(-1).astype(jnp.int32)
    n_classes = x.shape[-1]
    x_t = jnp.take_along_axis(x, t[:, None], axis=1)
    z = jax.nn.relu(margin - x_t + x)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight.astype(x.dtype)[t][:, None]
    z = jnp.where(jax.nn.one_hot(t, n_classes, dtype=bool), 0, z)
    loss = jnp.sum(z, axis=1) / n_classes
    if input.ndim < 2:
        loss = loss.reshape(target.shape)
    return _reduce(loss, reduction)


def multi_margin_loss(
    input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"
):
    """Multi-class hinge loss."""
    reduction = _legacy(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    t = _concrete(target)
    n_classes = input.shape[-1] if input.ndim else 1
    if t is not None and ((t < 0) | (t >= n_classes)).any():
        raise RuntimeError("target out of range")
    return _multi_margin_loss(input, target, int(p), float(margin), weight, reduction)


# ---- embedding and ranking losses ------------------------------------------------------


@op(
    tensor_args=("input1", "input2", "target"),
    promote="default",
    method=False,
    name="cosine_embedding_loss",
)
def _cosine_embedding_loss(input1, input2, target, margin=0.0, reduction="mean"):
    if target.ndim == 1 and input1.ndim != 2 or target.ndim == 0 and input1.ndim != 1:
        what = "1D target tensor expects 2D" if target.ndim == 1 else "0D target tensor expects 1D"
        raise RuntimeError(
            f"{what} input tensors, but found inputs with sizes {list(input1.shape)} and "
            f"{list(input2.shape)}."
        )
    if target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    dim = target.ndim
    eps = 1e-12
    prod = jnp.sum(input1 * input2, axis=dim)
    mag1 = jnp.sum(input1 * input1, axis=dim) + eps
    mag2 = jnp.sum(input2 * input2, axis=dim) + eps
    cos = prod / jnp.sqrt(mag1 * mag2)
    zeros = jnp.zeros_like(cos)
    loss = jnp.where(target == 1, 1 - cos, zeros) + jnp.where(
        target == -1, jnp.maximum(cos - margin, 0), zeros
    )
    return _reduce(loss, reduction)


def cosine_embedding_loss(
    input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"
):
    """Loss on the cosine similarity of two inputs, labelled 1 (alike) or -1 (unlike)."""
    reduction = _legacy(size_average, reduce, reduction)
    return _cosine_embedding_loss(input1, input2, target, float(margin), reduction)


@op(
    tensor_args=("input1", "input2", "target"),
    promote="default",
    method=False,
    name="margin_ranking_loss",
)
def _margin_ranking_loss(input1, input2, target, margin=0.0, reduction="mean"):
    input1, input2 = _broadcast(input1, input2)  # a size mismatch is a RuntimeError
    return _reduce(jnp.maximum(-target * (input1 - input2) + margin, 0), reduction)


def margin_ranking_loss(
    input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"
):
    """Ranking hinge loss max(0, -y (x1 - x2) + margin)."""
    reduction = _legacy(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {_size(input1)}, input2: {_size(input2)}, target: {_size(target)} "
        )
    return _margin_ranking_loss(input1, input2, target, float(margin), reduction)


@op(tensor_args=("input", "target"), promote="default", method=False, name="hinge_embedding_loss")
def _hinge_embedding_loss(input, target, margin=1.0, reduction="mean"):
    zeros = jnp.zeros_like(input)
    loss = jnp.where(target != 1, jnp.maximum(margin - input, 0), zeros) + jnp.where(
        target != -1, input, zeros
    )
    return _reduce(loss, reduction)


def hinge_embedding_loss(
    input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"
):
    """Hinge loss for inputs labelled 1 or -1."""
    reduction = _legacy(size_average, reduce, reduction)
    return _hinge_embedding_loss(input, target, float(margin), reduction)


def _pairwise_distance(x1, x2, p, eps):
    """torch.pairwise_distance: the p-norm of x1 - x2 + eps over the last dim."""
    d = x1 - x2 + eps
    if max(x1.ndim, x2.ndim) == 0:
        return _abs(d)
    a = _abs(d)
    if p == math.inf:
        return jnp.max(a, axis=-1)
    if p == -math.inf:
        return jnp.min(a, axis=-1)
    if p == 0:
        return jnp.sum(a != 0, axis=-1).astype(d.dtype)
    if p == 2:
        # sqrt via a safe square so that a zero distance has a zero gradient, as in torch.
        s = jnp.sum(d * d, axis=-1)
        pos = s > 0
        return jnp.where(pos, jnp.sqrt(jnp.where(pos, s, 1)), 0)
    if p == 1:
        return jnp.sum(a, axis=-1)
    s = jnp.sum(a**p, axis=-1)
    pos = s > 0
    return jnp.where(pos, jnp.where(pos, s, 1) ** (1.0 / p), 0)


@op(
    tensor_args=("anchor", "positive", "negative"),
    promote="default",
    method=False,
    name="triplet_margin_loss",
)
def _triplet_margin_loss(
    anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction="mean"
):
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
            f"negative {negative.ndim}D inputs"
        )
    dist_pos = _pairwise_distance(anchor, positive, p, eps)
    dist_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = jnp.minimum(dist_neg, _pairwise_distance(positive, negative, p, eps))
    return _reduce(jnp.maximum(margin + dist_pos - dist_neg, 0), reduction)


def triplet_margin_loss(
    anchor,
    positive,
    negative,
    margin=1.0,
    p=2,
    eps=1e-6,
    swap=False,
    size_average=None,
    reduce=None,
    reduction="mean",
):
    """Triplet loss on p-norm distances."""
    reduction = _legacy(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return _triplet_margin_loss(
        anchor, positive, negative, float(margin), float(p), float(eps), bool(swap), reduction
    )


@op(
    tensor_args=("dist_pos", "dist_neg", "dist_swap"),
    promote="default",
    method=False,
    name="triplet_margin_with_distance_loss",
)
def _triplet_from_distances(dist_pos, dist_neg, dist_swap=None, margin=1.0, reduction="mean"):
    if dist_swap is not None:
        dist_neg = jnp.minimum(dist_neg, dist_swap)
    return _reduce(jnp.maximum(margin + dist_pos - dist_neg, 0), reduction)


def triplet_margin_with_distance_loss(
    anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False, reduction="mean"
):
    """Triplet loss with a custom distance function."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
            f"negative {negative.ndim}D inputs"
        )
    if distance_function is None:
        return _triplet_margin_loss(
            anchor, positive, negative, float(margin), 2.0, 1e-6, bool(swap), reduction
        )
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    dist_swap = distance_function(positive, negative) if swap else None
    return _triplet_from_distances(dist_pos, dist_neg, dist_swap, float(margin), reduction)


# ---- CTC --------------------------------------------------------------------------------


def _logsumexp3(a, b, c):
    """log(exp(a) + exp(b) + exp(c)) whose gradient stays finite when all are -inf."""
    m = jnp.maximum(jnp.maximum(a, b), c)
    m = jax.lax.stop_gradient(jnp.where(jnp.isfinite(m), m, 0))
    s = jnp.exp(a - m) + jnp.exp(b - m) + jnp.exp(c - m)
    pos = s > 0
    return jnp.where(pos, m + jnp.log(jnp.where(pos, s, 1)), -jnp.inf)


@op(
    tensor_args=("log_probs", "targets", "input_lengths", "target_lengths"),
    method=False,
    name="ctc_loss",
)
def _ctc_loss(
    log_probs,
    targets,
    input_lengths,
    target_lengths,
    blank=0,
    reduction="mean",
    zero_infinity=False,
):
    _check_reduction(reduction)
    batched = log_probs.ndim == 3
    if not batched:
        log_probs = log_probs[:, None]
        targets = targets[None] if targets.ndim == 1 and target_lengths.ndim == 0 else targets
        input_lengths = input_lengths.reshape(1)
        target_lengths = target_lengths.reshape(1)
    T, N, C = log_probs.shape
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    if input_lengths.shape != (N,) or target_lengths.shape != (N,):
        raise RuntimeError(f"input_lengths and target_lengths must have size {N} (batch size)")
    target_lengths = target_lengths.astype(jnp.int32)
    input_lengths = input_lengths.astype(jnp.int32)
    if targets.ndim == 1:
        # Concatenated targets: gather each sample's labels into a padded row.
        S = max(targets.shape[0], 1)
        offsets = jnp.cumsum(target_lengths) - target_lengths
        idx = offsets[:, None] + jnp.arange(S)[None]
        targets = jnp.take(jnp.pad(targets, (0, S)), idx, axis=0)
    else:
        S = targets.shape[1]
    targets = targets.astype(jnp.int32)
    L = 2 * S + 1
    s_idx = jnp.arange(L)
    # Extended labels: blank, l1, blank, l2, ..., blank.
    ext = jnp.where(
        s_idx % 2 == 0, blank, targets[:, jnp.minimum(s_idx // 2, S - 1)] if S > 0 else blank
    )
    ext = jnp.broadcast_to(ext, (N, L))
    prev2 = jnp.concatenate([jnp.full((N, 2), -1), ext[:, :-2]], axis=1)
    can_skip = (s_idx >= 2) & (ext != blank) & (ext != prev2)
    ninf = jnp.array(-jnp.inf, log_probs.dtype)
    lp_ext = jnp.take_along_axis(log_probs, jnp.broadcast_to(ext[None], (T, N, L)), axis=2)
    alpha0 = jnp.where(s_idx[None] < 2, lp_ext[0], ninf)
    alpha0 = jnp.where((s_idx[None] == 1) & (target_lengths[:, None] == 0), ninf, alpha0)

    def step(alpha, inp):
        t, lp = inp
        a1 = jnp.concatenate([jnp.full((N, 1), ninf), alpha[:, :-1]], axis=1)
        a2 = jnp.concatenate([jnp.full((N, 2), ninf), alpha[:, :-2]], axis=1)
        a2 = jnp.where(can_skip, a2, ninf)
        new = _logsumexp3(alpha, a1, a2) + lp
        return jnp.where((t < input_lengths)[:, None], new, alpha), None

    alpha, _ = jax.lax.scan(step, alpha0, (jnp.arange(1, T), lp_ext[1:]))
    end = 2 * target_lengths
    a_last = jnp.take_along_axis(alpha, end[:, None], axis=1)[:, 0]
    a_prev = jnp.take_along_axis(alpha, jnp.maximum(end - 1, 0)[:, None], axis=1)[:, 0]
    a_prev = jnp.where(target_lengths > 0, a_prev, ninf)
    loss = -_logsumexp3(a_last, a_prev, jnp.full_like(a_prev, ninf))
    # torch's gradient for log_probs is exp(log_probs) - posterior, i.e. it already includes
    # the log_softmax term; add a zero-valued term whose gradient is exp(log_probs).
    valid_t = (jnp.arange(T)[:, None] < input_lengths[None]).astype(log_probs.dtype)
    sg = jax.lax.stop_gradient(log_probs)
    extra = jnp.sum(jnp.exp(sg) * (log_probs - sg) * valid_t[..., None], axis=(0, 2))
    loss = loss + extra
    if zero_infinity:
        loss = jnp.where(jnp.isinf(loss), jnp.zeros_like(loss), loss)
    if reduction == "mean":
        denom = jnp.maximum(target_lengths, 1).astype(loss.dtype)
        return jnp.mean(loss / denom)
    if reduction == "sum":
        return jnp.sum(loss)
    return loss if batched else loss[0]


def ctc_loss(
    log_probs,
    targets,
    input_lengths,
    target_lengths,
    blank=0,
    reduction="mean",
    zero_infinity=False,
):
    """Connectionist Temporal Classification loss."""
    from torchlike._core.tensor import wrap

    def on_device(x):
        # PyTorch reads lengths on the host and moves CPU targets to the GPU "as a service"
        if isinstance(x, (list, tuple, int)):
            x = wrap(np.asarray(x, dtype=np.int64))
        return x if x.device == log_probs.device else x.to(log_probs.device)

    targets = on_device(targets)
    input_lengths = on_device(input_lengths)
    target_lengths = on_device(target_lengths)
    tl_ = _concrete(target_lengths)
    if tl_ is not None and tl_.size:
        if targets.ndim == 2 and tl_.max() > targets.shape[1]:
            raise RuntimeError(
                f"Expected tensor to have size at least {int(tl_.max())} at dimension 1, but got "
                f"size {targets.shape[1]} for argument #2 'targets' (while checking arguments "
                "for ctc_loss_cpu)"
            )
        if targets.ndim == 1 and tl_.sum() > targets.shape[0]:
            raise RuntimeError(
                f"Expected tensor to have size at least {int(tl_.sum())} at dimension 0, but got "
                f"size {targets.shape[0]} for argument #2 'targets' (while checking arguments "
                "for ctc_loss_cpu)"
            )
    il = _concrete(input_lengths)
    if il is not None and (il > log_probs.shape[0]).any():
        raise RuntimeError(
            f"Expected input_lengths to have value at most {log_probs.shape[0]}, "
            f"but got value {int(il.max())}"
        )
    return _ctc_loss(
        log_probs,
        targets,
        input_lengths,
        target_lengths,
        int(blank),
        reduction,
        bool(zero_infinity),
    )
