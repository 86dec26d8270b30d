"""Tensors across the worker process boundary: workers see and produce numpy, never JAX.

A worker may be forked from a process where JAX is already running; JAX's thread pools do
not survive fork, so a worker must not touch JAX at all. The main process therefore sends
the dataset with every torchlike Tensor (and jax Array) replaced by a numpy array, workers
collate into ``_WorkerTensor`` (a numpy array marked "becomes a Tensor"), and the main
process turns those back into Tensors when it unpickles a batch.
"""

from __future__ import annotations

import io
import pickle
import sys

import numpy as np

_in_worker = False
_tensor_cls = None


def enter_worker() -> None:
    """Mark this process as a DataLoader worker: collation builds numpy from now on."""
    global _in_worker
    _in_worker = True


def in_worker() -> bool:
    return _in_worker


def tensor_type():
    """torchlike's Tensor class, or None while the core is not importable."""
    global _tensor_cls
    if _tensor_cls is None:
        try:
            from torchlike._core.tensor import Tensor
        except ImportError:
            return None
        _tensor_cls = Tensor
    return _tensor_cls


def is_tensor(obj) -> bool:
    cls = tensor_type()
    return cls is not None and isinstance(obj, cls)


def _is_jax_array(obj) -> bool:
    jax = sys.modules.get("jax")
    return jax is not None and isinstance(obj, jax.Array)


def to_numpy(t) -> np.ndarray:
    """A Tensor's value as a numpy array (any device; gradient history dropped)."""
    return np.asarray(t.detach()._data)


class _WorkerTensor(np.ndarray):
    """A numpy array built by collation in a worker; it arrives in the main process as a Tensor."""

    def __reduce__(self):
        return (_rebuild_tensor, (self.view(np.ndarray),))


def _rebuild_tensor(array: np.ndarray):
    if _in_worker:
        return array.view(_WorkerTensor)
    return from_numpy(array)


def from_numpy(array: np.ndarray):
    """A Tensor holding ``array`` (same dtype); in a worker, a ``_WorkerTensor`` instead."""
    if _in_worker:
        return np.asarray(array).view(_WorkerTensor)
    from torchlike._core.tensor import wrap

    array = np.asarray(array)
    if type(array) is not np.ndarray:
        array = array.view(np.ndarray)
    return wrap(array)


def as_tensor(data):
    """torch.as_tensor for numpy arrays and numpy scalars."""
    return from_numpy(np.asarray(data))


class _ToNumpyPickler(pickle.Pickler):
    """Pickles Tensors and jax Arrays as plain numpy arrays (for the trip into a worker)."""

    converted = False

    def reducer_override(self, obj):
        if is_tensor(obj):
            # a _WorkerTensor in the worker: numpy there, a Tensor again back in the main process
            self.converted = True
            return (_rebuild_tensor, (np.ascontiguousarray(to_numpy(obj)),))
        if _is_jax_array(obj):
            self.converted = True
            return (np.asarray, (np.ascontiguousarray(obj),))
        return NotImplemented


class _ToMainPickler(pickle.Pickler):
    """Pickles Tensors (and _WorkerTensors) so that they unpickle as Tensors in the main process."""

    def reducer_override(self, obj):
        if is_tensor(obj):
            return (_rebuild_tensor, (to_numpy(obj),))
        if _is_jax_array(obj):
            return (np.asarray, (np.asarray(obj),))
        return NotImplemented


class Packed:
    """An object pickled for a worker; ``buffers`` holds its arrays out of band (fork only)."""

    __slots__ = ("buffers", "payload")

    def __init__(self, payload: bytes, buffers):
        self.payload = payload
        self.buffers = buffers

    def __getstate__(self):
        if self.buffers is not None:  # out-of-band buffers only survive fork, never pickling
            raise pickle.PicklingError("out-of-band worker payloads cannot be pickled")
        return self.payload

    def __setstate__(self, payload):
        self.payload = payload
        self.buffers = None


def pack_for_worker(obj, inherited: bool):
    """Prepare ``obj`` for a worker process.

    With fork (``inherited``), an object holding no Tensor is inherited unchanged, as with
    PyTorch; so is one that cannot be pickled (a lambda, say). One holding Tensors is sent
    pickled, its arrays out of band: the child reads the parent's memory (copy-on-write).
    Under spawn or forkserver everything is pickled, and an unpicklable object raises.
    """
    if obj is None:
        return None
    buffers = [] if inherited else None
    f = io.BytesIO()
    pickler = _ToNumpyPickler(f, protocol=5, buffer_callback=buffers.append if inherited else None)
    try:
        pickler.dump(obj)
    except Exception:
        if inherited:
            return obj
        raise
    if inherited and not pickler.converted:
        return obj
    return Packed(f.getvalue(), buffers)


def unpack_in_worker(packed):
    if isinstance(packed, Packed):
        return pickle.loads(packed.payload, buffers=packed.buffers)
    return packed


def dumps_for_main(data) -> bytes:
    f = io.BytesIO()
    _ToMainPickler(f, protocol=pickle.HIGHEST_PROTOCOL).dump(data)
    return f.getvalue()


def loads_in_main(payload: bytes):
    return pickle.loads(payload)
