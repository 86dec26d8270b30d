"""torch.cuda.amp: the deprecated CUDA spellings of torch.amp's autocast and GradScaler."""

import functools
import importlib
import warnings

from .._core import dtypes as _dt
from ..amp import autocast_mode as _am

__all__ = ["autocast", "custom_bwd", "custom_fwd", "GradScaler"]


class autocast(_am._deprecated_autocast):
    """See torch.autocast; torch.cuda.amp.autocast(args...) is deprecated for it."""

    _device_type = "cuda"

    def __init__(self, enabled: bool = True, dtype=_dt.float16, cache_enabled: bool = True):
        super().__init__("cuda", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


def custom_fwd(fwd=None, *, cast_inputs=None):
    """Deprecated: torch.amp.custom_fwd(args..., device_type='cuda')."""
    warnings.warn("`torch.cuda.amp.custom_fwd(args...)` is deprecated. Please use "
                  "`torch.amp.custom_fwd(args..., device_type='cuda')` instead.", FutureWarning,
                  stacklevel=2)
    return functools.partial(_am.custom_fwd, device_type="cuda")(fwd=fwd,
                                                                 cast_inputs=cast_inputs)


def custom_bwd(bwd):
    """Deprecated: torch.amp.custom_bwd(args..., device_type='cuda')."""
    warnings.warn("`torch.cuda.amp.custom_bwd(args...)` is deprecated. Please use "
                  "`torch.amp.custom_bwd(args..., device_type='cuda')` instead.", FutureWarning,
                  stacklevel=2)
    return functools.partial(_am.custom_bwd, device_type="cuda")(bwd)


def __getattr__(name):
    # GradScaler is resolved on use, from torchlike.amp's grad_scaler.
    if name == "GradScaler":
        try:
            importlib.import_module("torchlike.amp")
        except ImportError:
            pass
        # torch.cuda.amp.GradScaler: a GradScaler('cuda') subclass that warns deprecated.
        from torchlike.amp.grad_scaler import _DeprecatedCudaGradScaler

        return _DeprecatedCudaGradScaler
    raise AttributeError(f"module 'torch.cuda.amp' has no attribute '{name}'")
