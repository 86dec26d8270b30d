"""torch.utils.dlpack: exchange arrays with other frameworks through DLPack."""

import jax.numpy as jnp

from .._core.tensor import Tensor, wrap


def to_dlpack(tensor):
    """A DLPack capsule-like object for the tensor (JAX arrays export through __dlpack__)."""
    return tensor._data


def from_dlpack(ext_tensor):
    """A tensor from any object with __dlpack__ (numpy, PyTorch, CuPy, JAX ...)."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    return wrap(jnp.from_dlpack(ext_tensor))
