"""The meta device: tensors with a shape and a dtype but no data.

A meta tensor's array is a MetaArray. Creating one allocates nothing (a model built under
`torch.device('meta')` costs no memory); ops on meta tensors compute only their results'
shapes and dtypes (jax.eval_shape of the same kernel), and in-place random fills (weight
initialisation) do nothing, as in PyTorch. Reading values raises PyTorch's errors.
"""

import jax
import numpy as np

from .._lazy import Shaped

USED = [False]  # set once a meta tensor exists: the checks on hot paths are skipped before


class _MetaDevice:
    platform = "meta"


_DEVICES = frozenset({_MetaDevice()})


def no_data():
    return NotImplementedError("Cannot copy out of meta tensor; no data!")


class MetaArray(Shaped):
    """Shape and dtype of a meta tensor."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        USED[0] = True
        self.shape = tuple(int(s) for s in shape)
        self.dtype = np.dtype(dtype)

    def astype(self, dtype):
        return MetaArray(self.shape, dtype)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return MetaArray(np.empty(self.shape, np.bool_).reshape(shape).shape, self.dtype)

    def __add__(self, other):  # gradients accumulating in the autograd engine
        return MetaArray(np.broadcast_shapes(self.shape, other.shape),
                         np.result_type(self.dtype, other.dtype))

    __radd__ = __add__

    def devices(self):
        return _DEVICES

    def struct(self):
        return jax.ShapeDtypeStruct(self.shape, self.dtype)

    def __jax_array__(self):
        raise no_data()

    def __array__(self, dtype=None, copy=None):
        raise no_data()

    def __repr__(self):
        return f"MetaArray(shape={self.shape}, dtype={self.dtype})"


def like(a):
    """A MetaArray with array a's shape and dtype."""
    return MetaArray(a.shape, a.dtype)


def eval_shape(fn, args):
    """MetaArrays for fn(*args)'s results, meta arguments standing in by shape and dtype."""
    out = jax.eval_shape(fn, *[a.struct() if type(a) is MetaArray else a for a in args])
    return jax.tree_util.tree_map(lambda s: MetaArray(s.shape, s.dtype), out)
