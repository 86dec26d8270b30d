"""torch.nn: modules, parameters, functional, init and utils."""

from . import functional, init  # noqa: F401
from .modules import *  # noqa: F403
from .modules import Module  # noqa: F401
from .parameter import (  # noqa: F401
    Buffer,
    Parameter,
    UninitializedBuffer,
    UninitializedParameter,
)
from . import utils  # noqa: E402, F401
