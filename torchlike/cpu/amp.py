"""torch.cpu.amp: the deprecated CPU spelling of torch.autocast (bfloat16 by default)."""

from .._core import dtypes as _dt
from ..amp.autocast_mode import _deprecated_autocast

__all__ = ["autocast"]


class autocast(_deprecated_autocast):
    """See torch.autocast; torch.cpu.amp.autocast(args...) is deprecated for it."""

    _device_type = "cpu"

    def __init__(self, enabled: bool = True, dtype=_dt.bfloat16, cache_enabled: bool = True):
        super().__init__("cpu", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)
