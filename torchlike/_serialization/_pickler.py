"""The save-side pickler: writes torchlike objects under torch's own global names
(torch._utils._rebuild_tensor_v2, torch.FloatStorage, torch.Size, ...) without importing torch."""

import pickle
from collections import OrderedDict
from typing import ClassVar

import numpy as np

from .._core import dtypes as _dt
from .._core.device import device as _device
from .._core.size import Size
from .._core.tensor import Tensor

# dtype name -> the legacy storage class torch pickles for it (torch.storage._dtype_to_storage_type_map)
STORAGE_NAMES = {
    "float64": "DoubleStorage",
    "float32": "FloatStorage",
    "float16": "HalfStorage",
    "int64": "LongStorage",
    "int32": "IntStorage",
    "int16": "ShortStorage",
    "int8": "CharStorage",
    "uint8": "ByteStorage",
    "bool": "BoolStorage",
    "bfloat16": "BFloat16Storage",
    "complex128": "ComplexDoubleStorage",
    "complex64": "ComplexFloatStorage",
}


class TorchGlobal:
    """A stand-in for the torch global `module.name`; pickles as that GLOBAL."""

    __slots__ = ("module", "name")
    _cache: ClassVar[dict] = {}

    def __new__(cls, module, name):
        key = (module, name)
        g = cls._cache.get(key)
        if g is None:
            g = cls._cache[key] = object.__new__(cls)
            g.module, g.name = module, name
        return g

    def __call__(self, *args, **kwargs):  # pickle requires reduce functions to be callable
        raise TypeError(f"{self.module}.{self.name} is a placeholder for pickling")


REBUILD_V2 = TorchGlobal("torch._utils", "_rebuild_tensor_v2")
REBUILD_V3 = TorchGlobal("torch._utils", "_rebuild_tensor_v3")
REBUILD_PARAMETER = TorchGlobal("torch._utils", "_rebuild_parameter")
REBUILD_PARAMETER_WITH_STATE = TorchGlobal("torch._utils", "_rebuild_parameter_with_state")
REBUILD_FROM_TYPE_V2 = TorchGlobal("torch._tensor", "_rebuild_from_type_v2")
SIZE = TorchGlobal("torch", "Size")
DEVICE = TorchGlobal("torch", "device")
UNTYPED = TorchGlobal("torch.storage", "UntypedStorage")


class StorageRef:
    """One storage to write: a root tensor's data seen as `dtype` (a complex root viewed as
    real by .real/.imag is written as its float pairs, as torch's view_as_real shares bytes)."""

    __slots__ = ("dtype", "numel", "root")

    def __init__(self, root, dtype):
        self.root, self.dtype = root, dtype
        self.numel = root.numel() * (2 if root.dtype.is_complex and not dtype.is_complex else 1)

    def array(self):
        """The storage bytes as a flat, C-contiguous uint8 numpy array."""
        from .._core.tensor import _no_trace

        data = self.root._data
        _no_trace(data, "torch.save")  # a recorded value is computed first (or a graph break)
        data = self.root._data
        return np.ascontiguousarray(np.asarray(data)).reshape(-1).view(np.uint8)


class TorchPickler(pickle._Pickler):
    """A pickler whose tensors, sizes, dtypes and devices reduce exactly as torch's do."""

    dispatch: ClassVar[dict] = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}  # key -> StorageRef, in key order
        self._keys = {}  # id(root) -> key
        self._dtypes = {}  # id(root) -> dtype it is saved as

    def _save_torch_global(self, obj):
        module, name = obj.module, obj.name
        if self.proto >= 4:
            self.save(module)
            self.save(name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode())
        self.memoize(obj)

    def _save_dtype(self, obj):
        # through save(): a repeated dtype is one BINGET of the memoized global, as torch writes
        self.save(TorchGlobal("torch", obj._name))

    dispatch[TorchGlobal] = _save_torch_global
    dispatch[_dt.dtype] = _save_dtype

    def save_global(self, obj, name=None):
        # torchlike's own classes go by torch's names (a subclass's state names its type)
        g = _class_names().get(obj) if name is None else None
        if g is not None:
            self.save(g)
            return
        super().save_global(obj, name)

    def persistent_id(self, obj):
        if type(obj) is not StorageRef:
            return None
        root = obj.root
        prev = self._dtypes.setdefault(id(root), obj.dtype)
        if prev is not obj.dtype:
            raise RuntimeError(
                "Cannot save multiple tensors or storages that view the same data "
                "as different types"
            )
        key = self._keys.get(id(root))
        if key is None:
            key = self._keys[id(root)] = str(len(self._keys))
            self.storages[key] = obj
        name = STORAGE_NAMES.get(obj.dtype._name)
        if name is None:  # torch writes the newer dtypes as untyped (byte) storages
            return ("storage", UNTYPED, key, _location(root.device), obj.numel * obj.dtype.itemsize)
        return ("storage", TorchGlobal("torch", name), key, _location(root.device), obj.numel)

    def reducer_override(self, obj):
        t = type(obj)
        if t is Size:
            return (SIZE, (tuple(obj),))
        if t is _device:
            # a fresh string, so it is written out rather than memo-shared with storage
            # locations: byte-for-byte what torch writes
            kind = obj.type.encode().decode()
            return (DEVICE, (kind,) if obj.index is None else (kind, obj.index))
        if isinstance(obj, Tensor):
            return _reduce_tensor(obj)
        return NotImplemented


class SparseLayout:
    """torch.sparse_coo as torch pickles it: torch.serialization._get_layout('torch.sparse_coo')."""

    def __reduce__(self):
        return (TorchGlobal("torch.serialization", "_get_layout"), ("torch.sparse_coo",))


_CLASS_NAMES = None


def _class_names():
    global _CLASS_NAMES
    if _CLASS_NAMES is None:
        import torchlike as tl

        from ..nn.parameter import Parameter

        _CLASS_NAMES = {
            Tensor: TorchGlobal("torch", "Tensor"),
            Parameter: TorchGlobal("torch.nn.parameter", "Parameter"),
        }
        for t in (
            "BFloat16",
            "Bool",
            "Byte",
            "Char",
            "Double",
            "Float",
            "Half",
            "Int",
            "Long",
            "Short",
        ):
            legacy = getattr(tl, f"{t}Tensor", None)
            if legacy is not None:
                _CLASS_NAMES[legacy] = TorchGlobal("torch", f"{t}Tensor")
    return _CLASS_NAMES


def _location(dev):
    return "cpu" if dev.type == "cpu" else f"{dev.type}:{dev.index or 0}"


def _reduce_tensor(t):
    from .._core.tensor import _FIELDS
    from ..nn.parameter import Parameter

    if t.is_sparse:  # torch's own record: the layout and (indices, values, size, coalesced)
        return (TorchGlobal("torch._utils", "_rebuild_sparse_tensor"), (
            SparseLayout(), (t._indices(), t._values(), t.shape, t.is_coalesced())))
    # user attributes (torch pickles a tensor's __dict__ as its state)
    state = {k: v for k, v in t.__dict__.items() if k not in _FIELDS}
    if isinstance(t, Parameter):
        args = (t.detach(), t.requires_grad, OrderedDict())
        if state:
            return (REBUILD_PARAMETER_WITH_STATE, (*args, state))
        return (REBUILD_PARAMETER, args)
    func, args = _reduce_plain(t)
    if type(t) is Tensor and not state:
        return (func, args)
    return (REBUILD_FROM_TYPE_V2, (func, type(t), args, state))


def _reduce_plain(t):
    root = t._root()
    dtype = _view_dtype(t, root)
    storage = StorageRef(root, dtype)
    args = (
        storage,
        t.storage_offset(),
        tuple(t.shape),
        tuple(t.stride()),
        t.requires_grad,
        OrderedDict(),
    )
    if dtype._name not in STORAGE_NAMES:
        return (REBUILD_V3, (*args, dtype))
    return (REBUILD_V2, args)


def _view_dtype(t, root):
    # .real/.imag of a complex tensor hold its float parts (torchlike's core may still report
    # the complex dtype on such views, so read it from the chain)
    if root.dtype.is_complex and any(step[0] in ("real", "imag") for step in t._chain):
        return _dt.from_np(np.zeros((), root.dtype._np).real.dtype)
    return t.dtype
