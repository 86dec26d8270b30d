"""torch.nn: modules, parameters, functional, init and utils."""

from . import (  # noqa: F401
    attention,
    functional,
    init,
    parallel,
    utils,
)
from .modules import *
from .modules import Module  # noqa: F401
from .parallel import DataParallel  # noqa: F401
from .parameter import (  # noqa: F401
    Buffer,
    Parameter,
    UninitializedBuffer,
    UninitializedParameter,
)
