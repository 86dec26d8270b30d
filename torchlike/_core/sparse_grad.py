"""The sparse gradient the autograd engine carries for embedding(sparse=True)'s weight."""

import jax
import jax.numpy as jnp
import numpy as np

from .. import _lazy

USED = [False]  # whether any sparse tensor was made (the engine and optimizers check then)
COO = [None]  # the sparse COO tensor class (torchlike.sparse sets it)


def sparse_operand(leaves):
    """Whether an op's operands include a sparse COO tensor (checked once USED is set)."""
    cls = COO[0]
    return any(type(x) is cls for x in leaves)


class SparseGrad:
    """A sparse gradient on its way through the autograd engine (PyTorch's sparse COO grad of
    embedding(sparse=True)): `indices` int64 [1, nnz] and `values` [nnz, ...] arrays of a
    tensor of `shape`, not coalesced. `+` concatenates two of them (as PyTorch accumulates
    sparse gradients) and densifies against a dense one; `tensor()` is the user's .grad."""

    __slots__ = ("indices", "values", "shape")

    def __init__(self, indices, values, shape):
        USED[0] = True
        self.indices, self.values, self.shape = indices, values, tuple(shape)

    @property
    def dtype(self):
        return self.values.dtype

    def dense(self):
        return _lazy.call(_scatter_rows(self.shape), (self.indices, self.values))

    def tensor(self, device=None):
        from ..sparse import _make
        from .tensor import wrap
        return _make(wrap(self.indices, device=device), wrap(self.values, device=device),
                     self.shape, False)

    def astype(self, dtype):
        return SparseGrad(self.indices, _lazy.call(_astype(np.dtype(dtype)), (self.values,)),
                          self.shape)

    @staticmethod
    def of(t):
        """The SparseGrad of a sparse COO tensor (a hook's result)."""
        return SparseGrad(t._sp_indices._data, t._sp_values._data, t._sp_shape)

    def __add__(self, other):
        if type(other) is SparseGrad:
            return SparseGrad(_lazy.call(_CAT1, (self.indices, other.indices)),
                              _lazy.call(_CAT0, (self.values, other.values)), self.shape)
        return _lazy.call(_ADD_ROWS(self.shape), (other, self.indices, self.values))

    __radd__ = __add__


_CAT0 = jax.jit(lambda a, b: jnp.concatenate([a, b], 0))
_CAT1 = jax.jit(lambda a, b: jnp.concatenate([a, b], 1))
_SCATTERS = {}


def _scatter_rows(shape):
    f = _SCATTERS.get(("new", shape))
    if f is None:
        f = _SCATTERS[("new", shape)] = jax.jit(
            lambda i, v: jnp.zeros(shape, v.dtype).at[i[0]].add(v))
    return f


def _ADD_ROWS(shape):
    f = _SCATTERS.get(("add", shape))
    if f is None:
        f = _SCATTERS[("add", shape)] = jax.jit(lambda d, i, v: d.at[i[0]].add(v.astype(d.dtype)))
    return f


def _astype(dt):
    f = _SCATTERS.get(("cast", dt))
    if f is None:
        f = _SCATTERS[("cast", dt)] = jax.jit(lambda v: v.astype(dt))
    return f


def accumulate(old, g, device):
    """A leaf's next .grad from its current one (None, sparse or dense) and an incoming
    gradient g (a SparseGrad or a dense array), by PyTorch's rules: sparse + sparse stays
    sparse (the entries concatenated, not coalesced); anything with a dense side is dense."""
    from .tensor import wrap
    if old is None:
        return g.tensor(device) if type(g) is SparseGrad else wrap(g, device=device)
    if old.is_sparse:
        total = SparseGrad.of(old) + g
        return total.tensor(device) if type(total) is SparseGrad else wrap(total, device=device)
    if old.requires_grad:
        return old + (g.tensor(device) if type(g) is SparseGrad else wrap(g, device=device))
    old._set_data(old._data + g)
    return old


def grad_tensor(g, device):
    """A gradient array (or SparseGrad) as the Tensor a user sees."""
    from .tensor import wrap
    return g.tensor(device) if type(g) is SparseGrad else wrap(g, device=device)
