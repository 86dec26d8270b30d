"""Checks shared by the functional kernels (run at trace time, on static dtypes)."""

import jax.numpy as jnp

_CPP_NAMES = {
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
}


def float_only(kernel, *arrays):
    """PyTorch's NotImplementedError for a floating-point-only kernel given integer input."""
    for a in arrays:
        if a is not None and not jnp.issubdtype(a.dtype, jnp.inexact):
            name = _CPP_NAMES.get(str(a.dtype), str(a.dtype))
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")
