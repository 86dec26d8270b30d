"""Pickling tensors (copy.deepcopy, multiprocessing): values as numpy."""

import numpy as np


def _rebuild(array, requires_grad, cls=None, state=None):
    from ._core.tensor import Tensor, wrap
    t = wrap(array)
    if cls is not None and cls is not Tensor:
        t = Tensor._make_subclass(cls, t, requires_grad)
    elif requires_grad:
        t.requires_grad_(True)
    if state:
        t.__dict__.update(state)
    return t


def reduce_tensor(t):
    from ._core.tensor import _FIELDS, Tensor
    state = {k: v for k, v in t.__dict__.items() if k not in _FIELDS}
    return (_rebuild, (np.asarray(t.detach()._data), t.requires_grad,
                       type(t) if type(t) is not Tensor else None, state or None))
