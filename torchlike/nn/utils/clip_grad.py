"""Gradient clipping: clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_."""

import functools
import types
import warnings

import jax.numpy as jnp

from torchlike._ops.registry import op

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_"]


def _tl():
    import torchlike

    return torchlike


def _no_grad(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with _tl().no_grad():
            return func(*args, **kwargs)

    return wrapper


def _vector_norm(x, p):
    a = jnp.abs(x)
    if p == float("inf"):
        return jnp.max(a) if a.size else jnp.zeros((), a.dtype)
    if p == float("-inf"):
        return jnp.min(a)
    if p == 0:
        return jnp.sum(a != 0).astype(a.dtype)
    if p == 1:
        return jnp.sum(a)
    if p == 2:
        return jnp.sqrt(jnp.sum(a * a))
    return jnp.sum(a**p) ** (1.0 / p)


@op(tensor_args=("tensors",), method=False, name="_total_norm")
def _total_norm(tensors, norm_type=2.0):
    """The norm of the per-tensor norms, all in one kernel (torch's _foreach_norm path)."""
    norms = [_vector_norm(t, norm_type) for t in tensors]
    dtype = jnp.result_type(*norms)
    return _vector_norm(jnp.stack([n.astype(dtype) for n in norms]), norm_type)


@op(tensor_args=("grads", "total_norm"), method=False, name="_clip_grads_with_norm")
def _scaled(grads, total_norm, max_norm=1.0):
    coef = jnp.minimum(max_norm / (total_norm + 1e-6), 1.0)
    return tuple(g * coef.astype(g.dtype) for g in grads)


@op(tensor_args=("grads",), method=False, name="_clip_grad_value")
def _clamped(grads, clip_value=1.0):
    return tuple(jnp.clip(g, -clip_value, clip_value).astype(g.dtype) for g in grads)


def _as_list(tensors):
    if isinstance(tensors, _tl().Tensor):
        return [tensors]
    return list(tensors)


def _check_foreach(foreach, tensors):
    if foreach and any(t.device.type not in ("cpu", "cuda") for t in tensors):
        raise RuntimeError(
            "foreach=True was passed, but can't use the foreach API on "
            f"{tensors[0].device.type} tensors"
        )


def _write(targets, results):
    for t, new in zip(targets, results):
        t._set_data(new._data)


@_no_grad
def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of the given tensors, as if concatenated into one vector."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return _tl().tensor(0.0)
    _check_foreach(foreach, tensors)
    total_norm = _total_norm(tensors, norm_type)
    if error_if_nonfinite and not bool(total_norm.isfinite()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total_norm


@_no_grad
def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the parameters' gradients in place by min(1, max_norm / (total_norm + 1e-6))."""
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    if len(grads) == 0:
        return
    _check_foreach(foreach, grads)
    _write(grads, _scaled(grads, total_norm, float(max_norm)))


@_no_grad
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Clip the gradient norm of an iterable of parameters in place; returns the total norm."""
    if isinstance(parameters, _tl().Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and len(parameters) == 0:
            warnings.warn(
                "`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=3
            )
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of clip_grad_norm_."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@_no_grad
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp the parameters' gradients in place to [-clip_value, clip_value]."""
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    _check_foreach(foreach, grads)
    _write(grads, _clamped(grads, float(clip_value)))
