"""torch.nn.modules: every layer class."""

from . import (
    activation as _activation,
)
from . import (
    adaptive as _adaptive,
)
from . import (
    batchnorm as _batchnorm,
)
from . import (
    channelshuffle as _channelshuffle,
)
from . import (
    container as _container,
)
from . import (
    conv as _conv,
)
from . import (
    distance as _distance,
)
from . import (
    dropout as _dropout,
)
from . import (
    flatten as _flatten,
)
from . import (
    fold as _fold,
)
from . import (
    instancenorm as _instancenorm,
)
from . import (
    linear as _linear,
)
from . import (
    loss as _loss,
)
from . import (
    normalization as _normalization,
)
from . import (
    padding as _padding,
)
from . import (
    pixelshuffle as _pixelshuffle,
)
from . import (
    pooling as _pooling,
)
from . import (
    rnn as _rnn,
)
from . import (
    sparse as _sparse,
)
from . import (
    transformer as _transformer,
)
from . import (
    upsampling as _upsampling,
)
from .activation import *
from .adaptive import *
from .batchnorm import *
from .channelshuffle import *
from .container import *
from .conv import *
from .distance import *
from .dropout import *
from .flatten import *
from .fold import *
from .instancenorm import *
from .lazy import *
from .linear import *
from .loss import *
from .module import Module
from .normalization import *
from .padding import *
from .pixelshuffle import *
from .pooling import *
from .rnn import *
from .sparse import *
from .transformer import *
from .upsampling import *

# Like torch.nn.modules: the layer classes only (so `from torch.nn import *` stays clean).
__all__ = ["Module"] + sorted(  # noqa: PLE0605
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
