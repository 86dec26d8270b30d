"""torch.autograd: backward, grad, Function, grad-mode contexts, anomaly detection."""

import contextlib

import jax
import jax.numpy as jnp

from .._core import grad_mode
from .._core.autograd import _anomaly, run_backward
from .._core.device import jax_device
from .._core.grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                               set_grad_enabled)
from .._core.tensor import Tensor, wrap
from .function import Function, FunctionCtx, once_differentiable
from . import functional, graph, profiler
from .gradcheck import gradcheck, gradgradcheck
from .grad_mode_ext import (set_detect_anomaly, detect_anomaly, is_anomaly_enabled,
                            is_anomaly_check_nan_enabled, set_anomaly_enabled)



class _VariableMeta(type):
    def __instancecheck__(cls, other):
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """torch.autograd.Variable(data, requires_grad=False): a detached tensor sharing `data`."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        import warnings

        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` "
                          "instead.", stacklevel=2)
        if data is None:
            from .._ops.creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        return out.requires_grad_(True) if requires_grad else out


def _tensors(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


_ONES = {}


def _ones(shape, dtype, device):
    """The implicit gradient of a scalar output, on its device (cached: building it costs a
    dispatch)."""
    key = (shape, dtype, device)
    g = _ONES.get(key)
    if g is None:
        g = jnp.ones(shape, dtype)
        if device.type != "cpu":
            g = jax.device_put(g, jax_device(device))
        if len(_ONES) < 256:
            _ONES[key] = g
    return g


def _make_grads(outputs, grads, create_graph):
    out = []
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if o.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not (o.dtype.is_floating_point or o.dtype.is_complex):
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs "
                                   f"but got {o.dtype}")
            g = _ones(o._shape(), o._dtype._np, o._device)
            out.append(wrap(g, device=o._device) if create_graph else g)
        else:
            if not isinstance(g, Tensor):
                from .._ops.creation import tensor
                g = tensor(g, dtype=o.dtype)
            if tuple(g.shape) != tuple(o.shape):
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{g.shape} and output[{i}] has a shape of {o.shape}.")
            out.append(g if create_graph else g._data)
    return out


def _roots(outputs, grad_tensors, create_graph):
    outputs = _tensors(outputs)
    grads = _tensors(grad_tensors) if grad_tensors is not None else (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"grad_tensors has {len(grads)} tensors but outputs has "
                           f"{len(outputs)}")
    for o in outputs:
        if not o.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                               "grad_fn")
    gs = _make_grads(outputs, grads, create_graph)
    return [(o._history(), g) for o, g in zip(outputs, gs)]


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate gradients of `tensors` into the leaves' `.grad`."""
    if grad_variables is not None:
        grad_tensors = grad_variables
    if retain_graph is None:
        retain_graph = create_graph
    roots = _roots(tensors, grad_tensors, create_graph)
    if inputs is not None:
        inputs = _tensors(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        cap = {}
        for i, t in enumerate(inputs):
            cap.setdefault(t._history(), []).append(i)
        got = run_backward(roots, retain_graph, create_graph, capture=cap, accumulate=False)
        from .._core.autograd import AccumulateGrad, _accumulate
        for i, t in enumerate(inputs):
            g = got.get(i)
            if g is None:
                continue
            if t.is_leaf:
                _accumulate(t._history()[0], g, create_graph)
            else:
                t._grad = g if create_graph else wrap(g, device=t.device)
        return
    run_backward(roots, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of outputs with respect to inputs, returned (not accumulated)."""
    if is_grads_batched:
        raise NotImplementedError("torch.autograd.grad(is_grads_batched=True) is not supported "
                                  "by torchlike yet; use torch.func.vmap")
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    single = isinstance(inputs, Tensor)
    inputs = _tensors(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots = _roots(outputs, grad_outputs, create_graph)
    cap = {}
    for i, t in enumerate(inputs):
        cap.setdefault(t._history(), []).append(i)
    got = run_backward(roots, retain_graph, create_graph, capture=cap, accumulate=False)
    res = []
    for i, t in enumerate(inputs):
        g = got.get(i)
        if g is None:
            if materialize_grads:
                from .._ops.creation import zeros_like
                res.append(zeros_like(t))
                continue
            if not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been "
                                   "used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            res.append(None)
        else:
            res.append(g if create_graph else wrap(g, device=t.device))
    return tuple(res)
from . import forward_ad  # noqa: E402,F401
