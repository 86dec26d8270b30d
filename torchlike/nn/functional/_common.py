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


def host_value(x):
    """x's value as numpy when it is already known on the host, else None (checks are skipped).

    Skipped: traced or recorded (compile) values, whose materialisation would split the
    compiled step, and values on an accelerator, where a host sync per call would stall it."""
    import jax
    import numpy as np

    a = getattr(x, "_data", x)
    if a is None or isinstance(a, jax.core.Tracer):
        return None
    if type(a).__name__ == "LazyArray":
        if a.value is None:
            return None
        a = a.value
    devices = getattr(a, "devices", None)
    if devices is not None and any(d.platform != "cpu" for d in devices()):
        return None
    return np.asarray(a)
