"""torch.distributed.elastic.multiprocessing: the `errors.record` decorator only."""

from . import errors  # noqa: F401
