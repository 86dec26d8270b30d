"""torch.nn.attention: choosing scaled_dot_product_attention's backend.

In PyTorch these switches pick among fused attention kernels (flash, memory-efficient, cuDNN)
and the math fallback. Here XLA compiles `F.scaled_dot_product_attention` and picks the
kernel itself, so the choice is recorded (and read back through torch.backends.cuda's
`*_sdp_enabled()`), never an error, and changes neither the values nor which kernel runs.
"""

import contextlib
from enum import Enum

__all__ = [
    "WARN_FOR_UNFUSED_KERNELS",
    "SDPBackend",
    "activate_flash_attention_impl",
    "current_flash_attention_impl",
    "list_flash_attention_impls",
    "register_flash_attention_impl",
    "restore_flash_attention_impl",
    "sdpa_kernel",
]

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(Enum):
    """The backends of scaled dot product attention (torch's enum; int() gives torch's value)."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __int__(self):
        return self.value

    __index__ = __int__


_backend_names = {
    "cudnn": "CUDNN_ATTENTION",
    "flash": "FLASH_ATTENTION",
    "mem_efficient": "EFFICIENT_ATTENTION",
    "math": "MATH",
    "overrideable": "OVERRIDEABLE",
}
_overrideable = [True]  # torch.backends.cuda has no switch for it
_priority = [1, 2, 0, 3, 4]  # torch._C._get_sdp_priority_order()'s default


def _enabled(name):
    from torchlike.backends import cuda

    return _overrideable[0] if name == "overrideable" else getattr(cuda, f"{name}_sdp_enabled")()


def _set_enabled(name, value):
    from torchlike.backends import cuda

    if name == "overrideable":
        _overrideable[0] = value
    else:
        getattr(cuda, f"enable_{name}_sdp")(value)


def _cur_sdpa_kernel_backends(with_priority: bool = False):
    backends = [SDPBackend[val] for name, val in _backend_names.items() if _enabled(name)]
    if with_priority:
        backends.sort(key=lambda b: _priority.index(int(b)))
    return backends


def _sdpa_kernel(backends, set_priority: bool = False) -> None:
    for name, val in _backend_names.items():
        _set_enabled(name, SDPBackend[val] in backends)
    if set_priority:
        user = [int(b) for b in backends]
        _priority[:] = user + [b for b in _priority if b not in user]


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority: bool = False):
    """Select the attention backends for the block; restores the previous choice on exit.

    Differs from PyTorch: recorded only; XLA picks the attention kernel (the results are
    those of the math backend up to floating-point rounding, whatever is selected).
    """
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError(  # noqa: TRY004 (torch's exception type)
            "Backend must be an instance of SDPBackend or a list of SDPBackend instances, "
            f"got {type(backends).__name__}"
        )
    if isinstance(backends, SDPBackend):
        backends = [backends]
    backends = list(dict.fromkeys(backends))
    previous = _cur_sdpa_kernel_backends(with_priority=set_priority)
    previous_priority = list(_priority)
    try:
        _sdpa_kernel(backends, set_priority)
        yield {}
    finally:
        _sdpa_kernel(previous, set_priority)
        _priority[:] = previous_priority


def list_flash_attention_impls() -> list:
    """Differs from PyTorch: no external flash-attention implementations (FA3, FA4) here."""
    return []


def current_flash_attention_impl() -> str | None:
    """The active external flash-attention implementation: none (XLA's kernels are used)."""
    return None


def register_flash_attention_impl(impl, *, register_fn) -> None:
    """Differs from PyTorch: not supported (external attention kernels do not run under XLA)."""
    raise NotImplementedError(
        "torchlike.nn.attention.register_flash_attention_impl is not supported: XLA picks the "
        "attention kernel; use F.scaled_dot_product_attention"
    )


def activate_flash_attention_impl(impl) -> None:
    """Differs from PyTorch: not supported (no external implementation can be registered)."""
    raise NotImplementedError(
        f"torchlike.nn.attention.activate_flash_attention_impl({impl!r}) is not supported: XLA "
        "picks the attention kernel; use F.scaled_dot_product_attention"
    )


def restore_flash_attention_impl() -> None:
    """Go back to the default attention kernels (a no-op: they are always in use here)."""
