"""torch.autograd.grad_mode: the grad-mode context managers (defined in torchlike._core)."""

from .._core.grad_mode import (  # noqa: F401
    _DecoratorContextManager,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
    set_multithreading_enabled,
)

__all__ = ["enable_grad", "inference_mode", "no_grad", "set_grad_enabled",
           "set_multithreading_enabled"]
