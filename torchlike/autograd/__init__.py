"""torch.autograd: backward, grad, Function, grad-mode contexts, anomaly detection."""

import contextlib
import warnings
from collections.abc import Mapping

import jax
import jax.numpy as jnp

from .._core import grad_mode
from .._core.autograd import _anomaly, run_backward
from .._core.sparse_grad import grad_tensor
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


def _make_grads(outputs, grads, create_graph, batched=False):
    if len(grads) < len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    out = []
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if o.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not o.dtype.is_floating_point:
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs "
                                   f"but got {o.dtype}")
            g = _ones(o._shape(), o._dtype._np, o._device)
            out.append(wrap(g, device=o._device) if create_graph else g)
        else:
            if not isinstance(g, Tensor):
                raise TypeError("gradients can be either Tensors or None, but got "
                                + type(g).__name__)
            gshape = tuple(g.shape)[1:] if batched else tuple(g.shape)
            if gshape != tuple(o.shape):
                if batched:
                    raise RuntimeError(
                        "If `is_grads_batched=True`, we interpret the first dimension of each "
                        "grad_output as the batch dimension. The sizes of the remaining "
                        f"dimensions are expected to match the shape of corresponding output, "
                        f"but a mismatch was detected: grad_output[{i}] has a shape of "
                        f"{g.shape[1:]} and output[{i}] has a shape of {o.shape}. If you only "
                        "want some tensors in `grad_output` to be considered batched, consider "
                        "using vmap.")
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{g.shape} and output[{i}] has a shape of {o.shape}.")
            if o.dtype.is_complex != g.dtype.is_complex:
                raise RuntimeError(
                    "For complex Tensors, both grad_output and output are required to have the "
                    f"same dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} "
                    f"and output[{i}] has a dtype of {o.dtype}.")
            out.append(g if create_graph or batched else g._data)
    return out


def _roots(outputs, grad_tensors, create_graph):
    outputs = _tensors(outputs)
    grads = _tensors(grad_tensors) if grad_tensors is not None else (None,) * len(outputs)
    for o in outputs:
        if not o.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                               "grad_fn")
    gs = _make_grads(outputs, grads, create_graph)
    return [(o._history(), g) for o, g in zip(outputs, gs)]


_WARNED_CREATE_GRAPH = [False]


def _inputs_tuple(inputs, fn):
    if isinstance(inputs, Tensor):
        return (inputs,)
    if type(inputs) is dict:
        return tuple(inputs.values())
    if isinstance(inputs, Mapping):
        raise TypeError(f"`inputs` argument to `{fn}()` must be a dict, not "
                        f"{type(inputs).__name__}. Other Mapping types are not supported.")
    return tuple(inputs)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate gradients of `tensors` into the leaves' `.grad`."""
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.",
                      FutureWarning, stacklevel=2)
        if grad_tensors is None:
            grad_tensors = grad_variables
        else:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both "
                               "passed to `backward()`. Please only use `grad_tensors`.")
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _inputs_tuple(inputs, "backward")
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    roots = _roots(tensors, grad_tensors, create_graph)
    if create_graph and not _WARNED_CREATE_GRAPH[0]:
        # PyTorch warns once per process
        _WARNED_CREATE_GRAPH[0] = True
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after use "
            "to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    if inputs is not None:
        for t in inputs:
            if not t.requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            if not t.is_leaf:
                t.retain_grad()  # as PyTorch: the engine fills (and accumulates) its .grad
        cap = {}
        for i, t in enumerate(inputs):
            cap.setdefault(t._history(), []).append(i)
        got = run_backward(roots, retain_graph, create_graph, capture=cap, accumulate=False)
        from .._core.autograd import _accumulate
        for i, t in enumerate(inputs):
            g = got.get(i)
            if g is not None and t.is_leaf:
                _accumulate(t._history()[0], g, create_graph)
        return
    run_backward(roots, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of outputs with respect to inputs, returned (not accumulated)."""
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    as_dict = type(inputs) is dict
    keys = list(inputs.keys()) if as_dict else None
    inputs = _inputs_tuple(inputs, "grad")
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). "
                      "To accumulate gradient for other parts of the graph, please use "
                      "torch.autograd.backward.", FutureWarning, stacklevel=2)
    if is_grads_batched:
        res = _grad_batched(outputs, inputs, grad_outputs, retain_graph, create_graph,
                            allow_unused)
    else:
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
                if not allow_unused:
                    raise RuntimeError("One of the differentiated Tensors appears to not have "
                                       "been used in the graph. Set allow_unused=True if this is "
                                       "the desired behavior.")
                res.append(None)
            else:
                res.append(g if create_graph else grad_tensor(g, t.device))
    if materialize_grads:
        from .._ops.creation import zeros_like
        res = [zeros_like(t).requires_grad_(create_graph) if r is None else r
               for r, t in zip(res, inputs)]
    res = tuple(res)
    return dict(zip(keys, res)) if as_dict else res


def _grad_batched(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused):
    """is_grads_batched=True: one backward per slice of the grad_outputs' first dimension,
    stacked (PyTorch vmaps the backward; the values are the same)."""
    from .._ops.creation import zeros_like
    from .. import stack
    outputs = _tensors(outputs)
    grads = _tensors(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    gs = _make_grads(outputs, grads, True, batched=True)
    n = next((g.shape[0] for g in gs if g is not None), None)
    if n is None:
        return grad(outputs, inputs, None, retain_graph, create_graph, allow_unused=allow_unused)
    per = []
    for b in range(n):
        go = [None if g is None else g[b] for g in gs]
        per.append(grad(outputs, inputs, go, True if b < n - 1 else retain_graph, create_graph,
                        allow_unused=True))
    res = []
    for j, t in enumerate(inputs):
        col = [p[j] for p in per]
        if all(c is None for c in col):
            if not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been "
                                   "used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            res.append(None)
            continue
        res.append(stack([zeros_like(t) if c is None else c for c in col]))
    return res


from . import forward_ad  # noqa: E402,F401
