"""torch.nn.functional."""

from ._activation import *  # noqa: F403
from ._attention import *  # noqa: F403
from ._conv import *  # noqa: F403
from ._dropout import *  # noqa: F403
from ._loss import *  # noqa: F403
from ._misc import *  # noqa: F403
from ._norm import *  # noqa: F403
from ._pooling import *  # noqa: F403
from ._sparse import *  # noqa: F403
from ._vision import *  # noqa: F403
