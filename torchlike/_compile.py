"""torch.compile.

Differs from PyTorch (for now): whole-step compilation into one XLA program is not built
yet, so `compile` returns the function or module unchanged and it runs eagerly — each op
still runs as a cached compiled XLA kernel. A warning says so once.
"""

import functools
import warnings

_warned = False


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """Accepts torch.compile's arguments; returns `model` unchanged (runs eagerly)."""
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                 mode=mode, options=options, disable=disable)
    global _warned
    if not _warned and not disable:
        warnings.warn("torchlike.compile: whole-step XLA compilation is not implemented yet; "
                      "running eagerly (each op is still a compiled XLA kernel)", stacklevel=2)
        _warned = True
    return model
