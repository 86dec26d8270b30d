"""torch.compiler."""


def disable(fn=None, recursive=True):
    """Run `fn` eagerly (everything runs eagerly in torchlike today)."""
    if fn is None:
        return lambda f: f
    return fn


def reset():
    """Clear compilation caches: the traced built-in module calls compiled steps record as
    one op each (a compiled function's own programs live on that function)."""
    from ..nn.modules import _composite

    _composite._CACHE.clear()


def is_compiling():
    return False


def is_dynamo_compiling():
    return False


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
