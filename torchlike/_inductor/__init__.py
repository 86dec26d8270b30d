"""torch._inductor: only its config, which scripts set before torch.compile."""

from . import config  # noqa: F401
