"""torch.cpu.amp: the CPU spelling of torch.autocast (bfloat16 by default)."""

from ..amp.autocast_mode import autocast as _autocast


class autocast(_autocast):
    def __init__(self, enabled=True, dtype=None, cache_enabled=True):
        super().__init__("cpu", dtype=dtype, enabled=enabled)
