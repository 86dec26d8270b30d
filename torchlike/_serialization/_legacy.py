"""The pre-1.6 checkpoint format (torch.save(..., _use_new_zipfile_serialization=False)):
a magic number, a protocol version, system info, the pickled object, the storage keys, then
each storage as an int64 element count followed by its raw bytes."""

import pickle
import struct
import sys
import tarfile

import numpy as np

from . import _pickler, _rebuild, _unpickler

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001


class _LegacyPickler(_pickler.TorchPickler):
    """Writes storage ids as the legacy format's 6-tuples."""

    def persistent_id(self, obj):
        pid = super().persistent_id(obj)
        return None if pid is None else pid + (None,)


def legacy_save(obj, f, archive_name, pickle_protocol, disable_byteorder_record):
    sys_info = {
        "protocol_version": PROTOCOL_VERSION,
        "little_endian": sys.byteorder == "little",
        "type_sizes": {"short": 2, "int": 4, "long": 4},
    }
    pickle.dump(MAGIC_NUMBER, f, protocol=pickle_protocol)
    pickle.dump(PROTOCOL_VERSION, f, protocol=pickle_protocol)
    pickle.dump(sys_info, f, protocol=pickle_protocol)
    pickler = _LegacyPickler(f, pickle_protocol)
    pickler.dump(obj)
    keys = sorted(pickler.storages)
    pickle.dump(keys, f, protocol=pickle_protocol)
    for key in keys:
        storage = pickler.storages[key]
        data = storage.array()
        itemsize = storage.dtype.itemsize
        untyped = storage.dtype._name not in _pickler.STORAGE_NAMES
        f.write(struct.pack("<q", data.size if untyped else data.size // itemsize))
        f.write(memoryview(data))


def legacy_load(f, restore, weights_only, pickle_module, pickle_load_args):
    if f.tell() == 0 and _is_tar(f):
        if weights_only:
            raise RuntimeError(
                "Cannot use ``weights_only=True`` with files saved in the legacy "
                ".tar format. " + _unsafe_message()
            )
        raise NotImplementedError(
            "torchlike.load: the legacy .tar checkpoint format (PyTorch < 0.4) is not supported"
        )
    encoding = pickle_load_args.get("encoding", "utf-8")
    start = f.tell()
    file_size = f.seek(0, 2)
    f.seek(start)

    def load_one():
        if weights_only:
            return _unpickler.Unpickler(f, encoding=encoding).load()
        return pickle_module.load(f, **pickle_load_args)

    magic = load_one()
    if magic != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    protocol_version = load_one()
    if protocol_version != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {protocol_version}")
    sys_info = load_one()
    little = sys_info.get("little_endian", True) if isinstance(sys_info, dict) else True
    storages = {}

    def persistent_load(saved_id):
        if not isinstance(saved_id, tuple):
            raise pickle.UnpicklingError(f"Unknown persistent id {saved_id!r}")
        typename = _unpickler._decode_ascii(saved_id[0])
        if typename == "module":
            if weights_only:
                raise pickle.UnpicklingError("Only persistent_load of storage is allowed")
            return saved_id[1]
        if typename != "storage" or len(saved_id) != 6:
            raise RuntimeError(f"Unknown saved id type: {saved_id[0]}")
        storage_type, root_key, location, numel, view_metadata = saved_id[1:]
        if not isinstance(storage_type, _rebuild.StorageType):
            raise pickle.UnpicklingError(f"Unknown storage type {storage_type!r}")
        if view_metadata is not None:
            raise NotImplementedError(
                "torchlike.load: legacy storage views (view_metadata) are not supported"
            )
        root_key = _unpickler._decode_ascii(root_key)
        if root_key not in storages:
            dtype = storage_type.dtype
            nbytes = int(numel) * (dtype.itemsize if dtype is not None else 1)
            if not 0 <= nbytes <= file_size:  # before allocating what the pickle claims
                raise RuntimeError(
                    f"the checkpoint is corrupted: storage {root_key} claims {nbytes} bytes, "
                    f"more than the file's {file_size}"
                )
            # the bytes follow the pickle: a zeroed placeholder now, filled in below
            storage = _rebuild.LoadedStorage(
                np.zeros(nbytes, np.uint8), dtype, _rebuild._device("cpu")
            )
            storages[root_key] = restore(storage, _unpickler._decode_ascii(location))
        return storages[root_key]

    if weights_only:
        unpickler = _unpickler.Unpickler(f, encoding=encoding)
    else:
        from ..serialization import _full_unpickler

        unpickler = _full_unpickler(pickle_module)(f, **pickle_load_args)
    unpickler.persistent_load = persistent_load
    from ..serialization import _run_unpickler

    result = _run_unpickler(unpickler)
    keys = load_one()
    for key in keys:
        key = _unpickler._decode_ascii(key)
        if key not in storages:
            raise RuntimeError(f"storage key {key!r} not found in the checkpoint's pickle")
        _fill(storages[key], f, little, key)
    return result


def _fill(storage, f, little, key):
    head = f.read(8)
    if len(head) != 8:
        raise RuntimeError(f"the checkpoint is truncated: storage {key} is missing")
    (numel,) = struct.unpack("<q" if little else ">q", head)
    itemsize = storage.dtype.itemsize if storage.dtype is not None else 1
    nbytes = storage.nbytes()
    if numel * itemsize != nbytes:
        raise RuntimeError(f"storage {key} holds {numel * itemsize} bytes, expected {nbytes}")
    data = np.frombuffer(bytearray(f.read(nbytes)), np.uint8)
    if data.size != nbytes:
        raise RuntimeError(f"the checkpoint is truncated: storage {key} is incomplete")
    if little != (sys.byteorder == "little") and itemsize > 1:
        data = data.view(storage.dtype._np).byteswap().view(np.uint8)
    storage._bytes[:] = data
    root = storage._root
    if root is not None:
        # tensors were rebuilt over the placeholder: give their root the real values
        import jax
        import jax.numpy as jnp

        arr = data[: root.numel() * root.dtype.itemsize].view(root.dtype._np).reshape(root.shape)
        value = jnp.asarray(arr)
        if root.device.type != "cpu":
            value = jax.device_put(value, root._data.devices().pop())
        root._set_data(value)


def _is_tar(f):
    start = f.tell()
    try:
        with tarfile.open(fileobj=f, mode="r:"):
            return True
    except tarfile.TarError:
        return False
    finally:
        f.seek(start)


def _unsafe_message():
    from ..serialization import UNSAFE_MESSAGE

    return UNSAFE_MESSAGE
