"""torch.nn.functional."""

from ._activation import *
from ._attention import *
from ._conv import *
from ._dropout import *
from ._loss import *
from ._misc import *
from ._norm import *
from ._pooling import *
from ._sparse import *
from ._vision import *
