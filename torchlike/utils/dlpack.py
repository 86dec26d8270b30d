"""torch.utils.dlpack: exchange arrays with other frameworks through DLPack."""

import ctypes

import jax.numpy as jnp
import numpy as np

from .._core.tensor import Tensor, wrap

__all__ = ["from_dlpack", "to_dlpack"]

_INVALID_CAPSULE = ("from_dlpack received an invalid capsule. Note that DLTensor capsules can be "
                    "consumed only once, so you might have already constructed a tensor from it "
                    "once.")


def to_dlpack(tensor):
    """A DLPack capsule of the tensor's values (consumed once, by a from_dlpack)."""
    return tensor._data.__dlpack__()


class _Capsule:
    """A bare DLPack capsule, given the __dlpack__ protocol that JAX's from_dlpack reads."""

    def __init__(self, capsule, dev):
        self._capsule, self._dev = capsule, dev

    def __dlpack__(self, **kwargs):
        return self._capsule

    def __dlpack_device__(self):
        return self._dev


def _capsule_device(capsule):
    """(device type, device id) of an unconsumed DLPack capsule, else None."""
    api = ctypes.pythonapi
    api.PyCapsule_IsValid.restype = ctypes.c_int
    api.PyCapsule_IsValid.argtypes = [ctypes.py_object, ctypes.c_char_p]
    api.PyCapsule_GetPointer.restype = ctypes.c_void_p
    api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    # DLManagedTensor starts with its DLTensor; DLManagedTensorVersioned has a version, a
    # manager context, a deleter and flags first. A DLTensor's DLDevice follows its data pointer.
    for name, offset in ((b"dltensor", 8), (b"dltensor_versioned", 40)):
        if api.PyCapsule_IsValid(capsule, name):
            ptr = api.PyCapsule_GetPointer(capsule, name)
            kind, index = (ctypes.c_int32 * 2).from_address(ptr + offset)
            return kind, index
    return None


def from_dlpack(ext_tensor):
    """A tensor from any object with __dlpack__ (numpy, PyTorch, CuPy, JAX ...) or a capsule.

    Differs from PyTorch: the values are immutable JAX arrays, so writes through the other
    framework's array are not seen by the tensor."""
    if isinstance(ext_tensor, Tensor):
        if ext_tensor.requires_grad:
            raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
        return ext_tensor.detach()  # (shares the values, as PyTorch's does)
    if isinstance(ext_tensor, np.ndarray) and not ext_tensor.flags.writeable:
        # (numpy exports a read-only array only through versioned DLPack, which JAX asks not for)
        return wrap(jnp.asarray(np.array(ext_tensor)))
    if not hasattr(ext_tensor, "__dlpack__"):
        dev = _capsule_device(ext_tensor) if type(ext_tensor).__name__ == "PyCapsule" else None
        if dev is None:
            raise RuntimeError(_INVALID_CAPSULE)
        ext_tensor = _Capsule(ext_tensor, dev)
    return wrap(jnp.from_dlpack(ext_tensor))
