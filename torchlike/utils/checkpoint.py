"""torch.utils.checkpoint.

Differs from PyTorch: the checkpointed function runs once and its activations are kept (no
recomputation in backward), so values and gradients are PyTorch's but memory is not saved.
Under torchlike.compile, XLA schedules the memory of the whole step itself.
"""

import warnings

from .._core import grad_mode
from .._core.tensor import Tensor


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default",
               debug=False, preserve_rng_state=True, **kwargs):
    """Run `function(*args, **kwargs)`; see the module docstring."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
        if grad_mode.is_grad_enabled() and not any(
                isinstance(a, Tensor) and a.requires_grad for a in args):
            # The reentrant variant's output depends on its inputs only: with none requiring
            # grad, PyTorch returns an output without grad_fn (parameters get no gradient).
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                          stacklevel=2)
            with grad_mode.no_grad():
                return function(*args)
    return function(*args, **kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a Sequential (or list of modules) on `input`; see the module docstring."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
            "passed explicitly. In version 2.9 we will raise an exception if use_reentrant is not "
            "passed. use_reentrant=False is recommended, but if you need to preserve the current "
            "default behavior, you can pass use_reentrant=True. Refer to docs for more details on "
            "the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    mods = list(functions.children()) if hasattr(functions, "children") else list(functions)
    segment_size = len(mods) // segments  # PyTorch's split (ZeroDivisionError for 0 segments)
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        seg = mods[start:end + 1]
        input = checkpoint(lambda x, seg=seg: _run(seg, x), input, use_reentrant=use_reentrant,
                           **kwargs)
    return _run(mods[end + 1:], input)


def _run(mods, x):
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
