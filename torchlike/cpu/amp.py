"""torch.cpu.amp: the deprecated CPU spelling of torch.autocast (bfloat16 by default)."""

import warnings

from .._core import dtypes as _dt
from ..amp.autocast_mode import autocast as _autocast

__all__ = ["autocast"]

_MESSAGE = ("`torch.cpu.amp.autocast(args...)` is deprecated. Please use "
            "`torch.amp.autocast('cpu', args...)` instead.")


class autocast(_autocast):
    """See torch.autocast; torch.cpu.amp.autocast(args...) is deprecated for it."""

    def __new__(cls, *args, **kwargs):
        warnings.warn(_MESSAGE, FutureWarning, stacklevel=2)
        return super().__new__(cls)

    def __init_subclass__(cls, **kwargs):
        warnings.warn(_MESSAGE, FutureWarning, stacklevel=2)
        super().__init_subclass__(**kwargs)

    def __init__(self, enabled: bool = True, dtype=_dt.bfloat16, cache_enabled: bool = True):
        super().__init__("cpu", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)
