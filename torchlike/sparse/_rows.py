"""Rows of a weight whose gradient is sparse: embedding(sparse=True), embedding_bag(sparse=True).

PyTorch's sparse embedding backward gives `weight.grad` as a sparse COO tensor holding one
row per looked-up index (not coalesced, padding_idx's positions left out). Here the lookup is
`rows = weight[indices]` recorded with a node of its own, whose backward hands the engine a
SparseGrad for a leaf weight (so `.grad`, hooks and autograd.grad see PyTorch's sparse
tensor) and a dense gradient for a weight computed by other ops (PyTorch would carry the
sparse one further; torchlike's other backward formulas take dense arrays).
"""

import jax
import jax.numpy as jnp
import numpy as np

from .. import _lazy
from .._core import grad_mode
from .._core.autograd import AccumulateGrad, Node
from .._core.tensor import Tensor
from ..nn.functional._common import host_value
from .._core.sparse_grad import SparseGrad

_MASK = jax.jit(lambda v, keep: v * keep[:, None].astype(v.dtype))


class EmbeddingBackward(Node):
    """The node of `rows = weight[indices]` with a sparse gradient for `weight`."""

    def __init__(self, edge, indices, keep, shape, rows_aval, by_freq):
        super().__init__(None, (), (edge,), (rows_aval,), [None])
        self._name = "EmbeddingBackward0"
        self._sp = (indices, keep, tuple(shape), by_freq)

    def name(self):
        return self._name

    def apply(self, grads, create_graph):
        if self.released:
            raise RuntimeError(_FREED)
        g = grads[0] if grads else None
        if g is None:
            return [None]
        indices, keep, shape, by_freq = self._sp
        if by_freq:
            raise RuntimeError("embedding_backward: scale_grad_by_freq not supported with "
                               "sparse gradients")
        if create_graph:  # a differentiable (dense) gradient, built from tensor ops
            from .. import zeros
            v = g
            if keep is not None:
                v = v * Tensor._wrap(jnp.asarray(keep)).to(v.dtype)[:, None]
            return [zeros(shape, dtype=v.dtype, device=v.device).index_add(
                0, Tensor._wrap(indices), v)]
        v, idx = g, indices
        if type(keep) is np.ndarray:  # padding_idx's rows get no entry, as in PyTorch
            pos = np.flatnonzero(keep)
            idx, v = indices[pos], v[pos]
        elif keep is not None:  # indices known only in the program: zero those rows instead
            v = _lazy.call(_MASK, (v, keep))
        sg = SparseGrad(_lazy.call(_ROW, (idx,)), v, shape)
        if type(self.edges[0][0]) is AccumulateGrad:
            return [sg]
        return [sg.dense()]

    def release(self):
        super().release()
        self._sp = None


_ROW = jax.jit(lambda i: jnp.reshape(i, (1, -1)))
_NOT_PAD = jax.jit(lambda i, p: i != p)
_FREED = ("Trying to backward through the graph a second time (or directly access saved "
          "tensors after they have already been freed). Saved intermediate values of the graph "
          "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
          "you need to backward through the graph a second time or if you need to access saved "
          "tensors after calling backward.")


def sparse_rows(weight, indices, padding_idx, scale_grad_by_freq):
    """weight[indices.reshape(-1)] ([n, ...]) whose backward gives weight a sparse gradient."""
    from .. import index_select
    flat = indices.reshape(-1)
    with grad_mode.no_grad():
        rows = index_select(weight, 0, flat)
    if not (grad_mode.state.enabled and weight.requires_grad):
        return rows
    idx = flat._data
    host = host_value(flat)
    keep = None
    if padding_idx is not None and padding_idx >= 0:
        if host is not None:
            keep = host != padding_idx
            if keep.all():
                keep = None
        else:  # values unknown now (compiled): zero rows instead of leaving them out
            keep = _lazy.call(_NOT_PAD, (idx, np.asarray(padding_idx, idx.dtype)))
    node = EmbeddingBackward(weight._history(), idx, keep, tuple(weight.shape),
                             (tuple(rows.shape), rows._data.dtype, True), scale_grad_by_freq)
    rows._grad_fn = node
    rows._out_nr = 0
    return rows
