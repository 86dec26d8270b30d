"""torch.utils.checkpoint.

Differs from PyTorch: the checkpointed function runs once and its activations are kept (no
recomputation in backward), so values and gradients are PyTorch's but memory is not saved.
Under torchlike.compile, XLA schedules the memory of the whole step itself.
"""

import warnings

from .._core import grad_mode


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default",
               debug=False, preserve_rng_state=True, **kwargs):
    """Run `function(*args, **kwargs)`; see the module docstring."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed "
                      "explicitly.", stacklevel=2)
    return function(*args, **kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a Sequential (or list of modules) on `input`; see the module docstring."""
    mods = list(functions.children()) if hasattr(functions, "children") else list(functions)
    if segments <= 0:
        raise ValueError("checkpoint_sequential: segments must be positive")
    x = input
    for m in mods:
        x = m(x)
    return x


def set_checkpoint_early_stop(enable):
    class _Ctx:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False
    return _Ctx()


def noop_context_fn():
    return grad_mode.enable_grad(), grad_mode.enable_grad()
