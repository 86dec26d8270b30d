"""torch.compiler."""


def disable(fn=None, recursive=True):
    """Run `fn` eagerly (everything runs eagerly in torchlike today)."""
    if fn is None:
        return lambda f: f
    return fn


def reset():
    """Clear compilation caches (nothing to clear while compile runs eagerly)."""


def is_compiling():
    return False


def is_dynamo_compiling():
    return False
