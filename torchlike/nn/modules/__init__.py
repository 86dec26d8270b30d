"""torch.nn.modules: every layer class."""

from .activation import *  # noqa: F403
from .adaptive import *  # noqa: F403
from .batchnorm import *  # noqa: F403
from .channelshuffle import *  # noqa: F403
from .container import *  # noqa: F403
from .conv import *  # noqa: F403
from .distance import *  # noqa: F403
from .dropout import *  # noqa: F403
from .flatten import *  # noqa: F403
from .fold import *  # noqa: F403
from .instancenorm import *  # noqa: F403
from .lazy import *  # noqa: F403
from .linear import *  # noqa: F403
from .loss import *  # noqa: F403
from .module import Module  # noqa: F401
from .normalization import *  # noqa: F403
from .padding import *  # noqa: F403
from .pixelshuffle import *  # noqa: F403
from .pooling import *  # noqa: F403
from .rnn import *  # noqa: F403
from .sparse import *  # noqa: F403
from .transformer import *  # noqa: F403
from .upsampling import *  # noqa: F403

from . import (  # noqa: E402
    activation as _activation,
    adaptive as _adaptive,
    batchnorm as _batchnorm,
    channelshuffle as _channelshuffle,
    container as _container,
    conv as _conv,
    distance as _distance,
    dropout as _dropout,
    flatten as _flatten,
    fold as _fold,
    instancenorm as _instancenorm,
    linear as _linear,
    loss as _loss,
    normalization as _normalization,
    padding as _padding,
    pixelshuffle as _pixelshuffle,
    pooling as _pooling,
    rnn as _rnn,
    sparse as _sparse,
    transformer as _transformer,
    upsampling as _upsampling,
)

# Like torch.nn.modules: the layer classes only (so `from torch.nn import *` stays clean).
__all__ = ["Module"] + sorted(
    {
        n
        for m in (
            _activation,
            _adaptive,
            _batchnorm,
            _channelshuffle,
            _container,
            _conv,
            _distance,
            _dropout,
            _flatten,
            _fold,
            _instancenorm,
            _linear,
            _loss,
            _normalization,
            _padding,
            _pixelshuffle,
            _pooling,
            _rnn,
            _sparse,
            _transformer,
            _upsampling,
        )
        for n in getattr(m, "__all__", ())
    }
)
