"""Names torch.distributions' modules import from torch internals, provided by torchlike."""

import math

from .._core.size import Size
from .._core.tensor import Tensor

__all__ = [
    "Device",
    "Number",
    "Size",
    "SymInt",
    "Tensor",
    "_Number",
    "_dtype",
    "_size",
    "deprecated",
    "inf",
    "is_tensor_like",
    "nan",
    "once_differentiable",
]

inf = math.inf
nan = math.nan
# torch.types: unions used in annotations and in isinstance checks.
_Number = int | float | bool
Number = int | float | bool
_size = Size | list | tuple
_dtype = object
Device = object
SymInt = int


def is_tensor_like(inp) -> bool:
    """torch.overrides.is_tensor_like: a Tensor (torchlike has no __torch_function__ types)."""
    return isinstance(inp, Tensor)


def once_differentiable(fn):
    """torch.autograd.function.once_differentiable: the backward itself is not differentiated."""
    return fn


def deprecated(message, category=FutureWarning):
    """typing_extensions.deprecated: warn when the decorated function is called."""
    import functools
    import warnings

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            warnings.warn(message, category, stacklevel=2)
            return fn(*args, **kwargs)

        return inner

    return wrap
