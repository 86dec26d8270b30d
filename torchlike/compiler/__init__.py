"""torch.compiler."""

import functools
import types

_DISABLED = [0]  # depth of torch.compiler.disable'd calls running now


def disable(fn=None, recursive=True, *, reason=None):
    """Mark `fn` as not compiled: inside it `is_compiling()` is False, as in PyTorch. Its ops
    still join the compiled step's program (the values are the same either way; PyTorch
    would split the graph there)."""
    if fn is None:
        return lambda f: disable(f, recursive, reason=reason)
    if not isinstance(fn, (types.FunctionType, types.MethodType)):
        return fn

    @functools.wraps(fn)
    def disabled(*args, **kwargs):
        _DISABLED[0] += 1
        try:
            return fn(*args, **kwargs)
        finally:
            _DISABLED[0] -= 1

    return disabled


def reset():
    """Clear compilation caches: the traced built-in module calls compiled steps record as
    one op each (a compiled function's own programs live on that function)."""
    from ..nn.modules import _composite

    _composite._CACHE.clear()


def is_compiling():
    """True while a torch.compile'd function runs (its Python runs to record the program)."""
    from .._lazy import state

    return state.trace is not None and not _DISABLED[0]


def is_dynamo_compiling():
    return is_compiling()


def allow_in_graph(fn):
    """Tell Dynamo to keep `fn` in its graph; torchlike's compile records it as it runs."""
    return fn


def assume_constant_result(fn):
    """Mark `fn` as returning a constant (a hint for Dynamo, none needed here)."""
    return fn


def cudagraph_mark_step_begin():
    """Mark a new step for CUDA graphs (XLA needs no marker)."""


def is_exporting() -> bool:
    return False
