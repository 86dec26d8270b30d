"""Load side: storages read from a checkpoint and the torch._utils rebuild functions,
rebuilding torchlike tensors that share a root wherever the file's tensors share a storage."""

import math

import numpy as np

from .._core import dtypes as _dt
from .._core.device import device as _device
from .._core.tensor import Tensor, wrap

_BY_NAME = {d._name: d for d in _dt.ALL}
# legacy storage class name -> dtype (torch.FloatStorage -> float32, ...)
STORAGE_DTYPES = {
    "DoubleStorage": "float64",
    "FloatStorage": "float32",
    "HalfStorage": "float16",
    "LongStorage": "int64",
    "IntStorage": "int32",
    "ShortStorage": "int16",
    "CharStorage": "int8",
    "ByteStorage": "uint8",
    "BoolStorage": "bool",
    "BFloat16Storage": "bfloat16",
    "ComplexDoubleStorage": "complex128",
    "ComplexFloatStorage": "complex64",
}


class StorageType:
    """torch.FloatStorage and friends as they appear in a checkpoint: a dtype to read with."""

    def __init__(self, name):
        self._name = name
        self.dtype = _BY_NAME[STORAGE_DTYPES[name]] if name in STORAGE_DTYPES else None

    def __repr__(self):
        return f"StorageType(dtype={self.dtype})"

    def __call__(self, *args, **kwargs):
        raise NotImplementedError(
            f"torchlike.load: constructing torch.{self._name} is not supported"
        )


class UntypedStorage(StorageType):
    """torch.storage.UntypedStorage in a checkpoint: raw bytes (the newer dtypes use it)."""

    def __init__(self):
        self._name = "UntypedStorage"
        self.dtype = None


UNTYPED = UntypedStorage()


class LoadedStorage:
    """A storage read from a checkpoint: flat bytes, the dtype they hold, and a device.
    Differs from PyTorch: the object a map_location callable receives; it has .device,
    .cpu(), .cuda(), .to(), .nbytes() and .size()."""

    def __init__(self, data, dtype, device):
        self._bytes = data  # flat uint8 numpy array (read, or memory-mapped)
        self.dtype = dtype  # torchlike dtype, or None for an untyped storage
        self.device = device
        self._root = None  # the torchlike tensor all tensors on this storage view
        self._root_dtype = None
        # _bytes belongs to this storage alone (read for it, or a private mapping of the file
        # with mmap=True): JAX may alias it rather than copy
        self._owned = False

    def nbytes(self):
        return self._bytes.size

    def size(self):
        return self._bytes.size // (self.dtype.itemsize if self.dtype is not None else 1)

    __len__ = size

    def _moved(self, dev):
        s = LoadedStorage(self._bytes, self.dtype, _device(dev))
        s._owned = self._owned
        return s

    def cpu(self):
        return self._moved("cpu")

    def cuda(self, device=None, non_blocking=False):
        idx = (
            0
            if device is None
            else (
                device.index
                if isinstance(device, _device)
                else int(str(device).rpartition(":")[2] or 0)
            )
        )
        return self._moved(_device("cuda", idx))

    def to(self, device=None, non_blocking=False):
        return self._moved(device)

    def __repr__(self):
        return f"LoadedStorage(nbytes={self.nbytes()}, dtype={self.dtype}, device={self.device})"

    def _root_for(self, dtype, size, stride, offset):
        """The root tensor of this storage; the first tensor to use it may be the root itself."""
        if self._root is not None:
            if dtype is not self._root_dtype:
                raise RuntimeError(
                    "torchlike.load: tensors of different dtypes on one storage are not supported"
                )
            return self._root, False
        numel = self._bytes.size // dtype.itemsize
        arr = self._bytes[: numel * dtype.itemsize].view(dtype._np)
        whole = offset == 0 and math.prod(size) == numel and _is_contiguous(size, stride)
        arr = arr.reshape(size) if whole else arr
        if self._owned and self.device.type == "cpu":
            root = wrap(_alias_jax(arr))
        elif self.device.type == "cpu":
            root = wrap(_copy_jax(arr))
        else:
            # straight from the host bytes to the device: one transfer
            import jax

            from .._core.device import canonical, jax_device

            dev = canonical(self.device)
            root = wrap(jax.device_put(arr, jax_device(dev)), device=dev)
        self._root, self._root_dtype = root, dtype
        return root, whole


def empty_aligned(nbytes):
    """A flat uint8 buffer starting on a 64-byte boundary (JAX aliases such memory; numpy's
    own allocations are only 16-byte aligned)."""
    buf = np.empty(nbytes + 64, np.uint8)
    start = -buf.ctypes.data % 64
    return buf[start : start + nbytes]


def _alias_jax(arr):
    """A jax array over `arr`'s memory (with mmap=True a file mapping: pages load on first
    use, as torch's mmap load), or a copy where JAX cannot alias it (unaligned data, dtypes
    DLPack lacks)."""
    import jax.numpy as jnp

    if arr.size and arr.ctypes.data % 64 == 0:
        try:
            return jnp.from_dlpack(arr)
        except (BufferError, TypeError, ValueError, RuntimeError):
            pass
    return jnp.asarray(arr)


def _copy_jax(arr):
    import jax.numpy as jnp

    return jnp.array(arr, copy=True)


def _is_contiguous(size, stride):
    expected = 1
    for n, s in zip(reversed(size), reversed(stride)):
        if n != 1 and s != expected:
            return False
        expected *= n
    return True


def _storage_numel(storage, dtype):
    return storage.nbytes() // dtype.itemsize


def _view(root, dtype, size, stride, offset):
    """A detached tensor sharing `root`'s data, laid out as (size, stride, offset)."""
    from .._ops.shape_views import as_strided

    base = root.detach()
    n = math.prod(size)
    if _is_contiguous(size, stride):
        if offset == 0 and tuple(root.shape) == tuple(size):
            return base
        flat = base.reshape(-1)
        return flat[offset : offset + n].view(size)
    return as_strided(base, size, stride, offset)


def rebuild_tensor(storage, storage_offset, size, stride, requires_grad=False, dtype=None):
    """A torchlike tensor over a loaded storage (torch._utils._rebuild_tensor's layout)."""
    if not isinstance(storage, LoadedStorage):
        raise RuntimeError(  # noqa: TRY004  (a corrupt checkpoint, as torch reports it)
            f"torchlike.load: expected a storage, got {type(storage).__name__}"
        )
    dtype = dtype if dtype is not None else storage.dtype
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(
            f"mismatch in length of strides and shape ({len(stride)} vs {len(size)})"
        )
    if any(n < 0 for n in size):
        raise RuntimeError(f"negative dimension in the checkpoint's tensor size {list(size)}")
    numel = _storage_numel(storage, dtype)
    if math.prod(size) and (
        storage_offset < 0
        or min(stride, default=0) < 0
        or storage_offset + sum((n - 1) * s for n, s in zip(size, stride)) >= numel
    ):
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
            f"offset {storage_offset}, and itemsize {dtype.itemsize} requiring a "
            f"storage size out of bounds of the storage of {numel} elements "
            "(the checkpoint is corrupted)"
        )
    root, whole = storage._root_for(dtype, size, stride, storage_offset)
    t = root if whole else _view(root, dtype, size, stride, storage_offset)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    return rebuild_tensor(storage, storage_offset, size, stride)


def _rebuild_tensor_v2(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None
):
    _check_metadata(metadata)
    return rebuild_tensor(storage, storage_offset, size, stride, requires_grad)


def _rebuild_tensor_v3(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None
):
    _check_metadata(metadata)
    if not isinstance(dtype, _dt.dtype):
        raise RuntimeError(  # noqa: TRY004
            f"torchlike.load: expected a dtype, got {dtype!r}"
        )
    return rebuild_tensor(storage, storage_offset, size, stride, requires_grad, dtype)


def _check_metadata(metadata):
    # torch records conj/neg bits here; torchlike never sets them lazily
    if metadata and any(metadata.values()):
        raise NotImplementedError(
            f"torchlike.load: tensor metadata {metadata} (lazy conj/neg bits) is not supported"
        )


def _rebuild_parameter(data, requires_grad, backward_hooks):
    from ..nn.parameter import Parameter

    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    param = _rebuild_parameter(data, requires_grad, backward_hooks)
    _set_obj_state(param, state)
    return param


def _set_obj_state(obj, state):
    if isinstance(state, tuple):
        if len(state) != 2:
            raise RuntimeError(f"Invalid serialized state: {state}")
        dict_state, slots_state = state
    else:
        dict_state, slots_state = state, None
    from .._core.tensor import _FIELDS

    for k, v in [*(dict_state or {}).items(), *(slots_state or {}).items()]:
        # user attributes only: a checkpoint must not rewrite a tensor's internals
        if not isinstance(k, str) or k in _FIELDS or (k.startswith("__") and k.endswith("__")):
            raise RuntimeError(f"torchlike.load: refusing to set attribute {k!r} from a checkpoint")
        setattr(obj, k, v)
    return obj


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if type(ret) is not new_type:
        if not (isinstance(new_type, type) and issubclass(new_type, Tensor)):
            raise RuntimeError(f"torchlike.load: cannot rebuild a tensor as {new_type!r}")
        ret = Tensor._make_subclass(new_type, ret.detach(), ret.requires_grad)
    if state:
        _set_obj_state(ret, state)
    return ret


def _rebuild_device_tensor_from_cpu_tensor(data, dtype, device, requires_grad):
    return data.to(dtype=dtype, device=device).requires_grad_(requires_grad)


def _rebuild_device_tensor_from_numpy(data, dtype, device, requires_grad):
    return wrap(np.asarray(data)).to(dtype=dtype, device=device).requires_grad_(requires_grad)


def unsupported(name):
    """A stand-in for a torch global torchlike cannot rebuild (sparse, quantized, ...)."""

    def f(*args, **kwargs):
        raise NotImplementedError(f"torchlike.load: {name} is not supported by torchlike")

    f.__name__ = f.__qualname__ = name.rpartition(".")[2]
    return f
