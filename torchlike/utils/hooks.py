"""torch.utils.hooks."""

from .._core.hooks import RemovableHandle  # noqa: F401
