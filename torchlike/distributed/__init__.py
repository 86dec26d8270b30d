"""torch.distributed for one process: process groups, collectives, rendezvous.

Differs from PyTorch: world_size must be 1 (init_process_group raises NotImplementedError for
more); several local devices are driven from one process by nn.DataParallel instead.
"""

from . import distributed_c10d, rendezvous  # noqa: F401
from .distributed_c10d import *
from .distributed_c10d import _get_default_group  # noqa: F401
