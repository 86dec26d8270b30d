"""torch.save / torch.load in PyTorch's own checkpoint format (the zip archive torch 2.x writes),
safe by default: loading runs an allowlist unpickler unless weights_only=False."""

import contextlib
import io
import os
import pickle
import random
import re
import sys
import tempfile
from enum import Enum
from typing import IO, Any

import numpy as np

from ._core.device import device as _device
from ._serialization import _pickler, _rebuild, _unpickler
from ._serialization._zip import ZipReader, ZipWriter

__all__ = [
    "DEFAULT_PROTOCOL",
    "LoadEndianness",
    "SourceChangeWarning",
    "StorageType",
    "add_safe_globals",
    "clear_safe_globals",
    "default_restore_location",
    "get_crc32_options",
    "get_default_load_endianness",
    "get_default_mmap_options",
    "get_safe_globals",
    "get_unsafe_globals_in_checkpoint",
    "load",
    "location_tag",
    "normalize_storage_type",
    "register_package",
    "safe_globals",
    "save",
    "set_crc32_options",
    "set_default_load_endianness",
    "set_default_mmap_options",
    "skip_data",
]

FileLike = str | os.PathLike | IO[bytes]
DEFAULT_PROTOCOL = 2
UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source."
)


# ---- options -------------------------------------------------------------------------------


class SourceChangeWarning(Warning):
    """torch.serialization.SourceChangeWarning."""


StorageType = _rebuild.StorageType


class LoadEndianness(Enum):
    """Byte order assumed for checkpoints without a byteorder record."""

    NATIVE = 1
    LITTLE = 2
    BIG = 3


_config = {"endianness": None, "crc32": True}


def get_default_load_endianness() -> LoadEndianness | None:
    """The byte order assumed for checkpoints that do not record one (None: little)."""
    return _config["endianness"]


def set_default_load_endianness(endianness) -> None:
    """Set the byte order assumed for checkpoints that do not record one."""
    if not isinstance(endianness, LoadEndianness) and endianness is not None:
        raise TypeError("Invalid argument type in function set_default_load_endianness")
    _config["endianness"] = endianness


def get_crc32_options() -> bool:
    """Whether save computes and writes a CRC-32 for each record."""
    return _config["crc32"]


def set_crc32_options(compute_crc32: bool) -> None:
    """Set whether save computes a CRC-32 for each record (load skips records without one)."""
    _config["crc32"] = bool(compute_crc32)


def get_default_mmap_options() -> int:
    """The mmap flags load(mmap=True) uses: always MAP_PRIVATE here."""
    import mmap

    return mmap.MAP_PRIVATE


def set_default_mmap_options(flags: int) -> None:
    """Only MAP_PRIVATE is supported (a private, copy-on-write mapping of the file)."""
    import mmap

    if flags != mmap.MAP_PRIVATE:
        raise NotImplementedError(
            "torchlike.serialization.set_default_mmap_options: only mmap.MAP_PRIVATE is supported"
        )


def default_restore_location(storage, location):
    """Place a loaded storage on the device a checkpoint's location tag names."""
    return _default_restore_location(storage, location)


def location_tag(storage) -> str:
    """The location tag ('cpu', 'cuda:0') save writes for a storage or tensor."""
    dev = getattr(storage, "device", None)
    if dev is None and hasattr(storage, "_root"):
        dev = storage._root.device
    return _pickler._location(_device(dev))


def normalize_storage_type(storage_type):
    """torch.serialization.normalize_storage_type: storage types are already normal here."""
    return storage_type


def register_package(priority, tagger, deserializer):
    """Not supported: torchlike places storages on the CPU or a CUDA device only."""
    raise NotImplementedError("torchlike.serialization.register_package is not supported")


class skip_data:
    """Not supported: torchlike.save / load always write and read storage bytes."""

    def __init__(self, materialize_fake_tensors: bool = False):
        raise NotImplementedError("torchlike.serialization.skip_data is not supported")


# ---- the allowlist -------------------------------------------------------------------------


def add_safe_globals(safe_globals: list) -> None:
    """Mark globals (or (global, "module.name") pairs) as safe for weights_only load."""
    _unpickler._marked_safe_globals_set = _unpickler._marked_safe_globals_set.union(
        set(safe_globals)
    )


def get_safe_globals() -> list:
    """The user-added globals that weights_only load accepts."""
    return list(_unpickler._marked_safe_globals_set)


def clear_safe_globals() -> None:
    """Forget every global added with add_safe_globals."""
    _unpickler._marked_safe_globals_set = set()


class safe_globals:
    """Context manager adding globals as safe for weights_only load within its block."""

    def __init__(self, safe_globals: list):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, type, value, tb):
        _unpickler._marked_safe_globals_set = _unpickler._marked_safe_globals_set - set(
            self.safe_globals
        )


def get_unsafe_globals_in_checkpoint(f: FileLike) -> list[str]:
    """The globals a checkpoint names that weights_only load would refuse (nothing is run)."""
    default = set(_unpickler._get_allowed_globals())
    with _open_reader(f) as stream:
        if not _is_zipfile(stream):
            raise ValueError("Expected input to be a checkpoint returned by torch.save")
        data = ZipReader(stream).get_record("data.pkl")
    found = _unpickler.get_globals_in_pkl(io.BytesIO(data))
    user = set(_unpickler._get_user_allowed_globals())
    return list(found - default - user)


# ---- save ----------------------------------------------------------------------------------


def save(
    obj: object,
    f: FileLike,
    pickle_module: Any = pickle,
    pickle_protocol: int = DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Save an object to a file in PyTorch's format; a path is written atomically.
    Differs from PyTorch: a path is written to a temporary file beside it, fsynced, then renamed
    over the target, so an interrupted save leaves the previous file whole."""
    if pickle_module is not pickle:
        raise NotImplementedError(
            "torchlike.save: pickle_module other than pickle is not supported"
        )
    if not _use_new_zipfile_serialization:
        from ._serialization._legacy import legacy_save

        writer = legacy_save
    else:
        writer = _save_zip
    if _is_path(f):
        path = os.fspath(f)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        base = os.path.basename(path)
        if not base:
            raise RuntimeError(f"Parent directory or file name invalid: {path}")
        archive = base[: base.rfind(".")] if "." in base else base
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise RuntimeError(f"Parent directory {os.path.dirname(path)} does not exist.")
        # write beside the target, then rename over it: a crash never leaves half a checkpoint.
        # The rename alone covers a crash of the process; the fsync before it covers a crash
        # of the machine (power cut, kernel panic), where a filesystem may otherwise persist
        # the rename before the data and leave an empty or partial file where the previous
        # checkpoint was. Its wait is mostly hidden by starting writeback early (see
        # _WritebackFile). The directory is not fsynced: a rename lost in a crash leaves the
        # previous file whole.
        fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as stream:
                writer(
                    obj, _WritebackFile(stream), archive, pickle_protocol, _disable_byteorder_record
                )
                stream.flush()
                os.fsync(stream.fileno())
            _copy_mode(path, tmp)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return
    if not callable(getattr(f, "write", None)):
        raise AttributeError(  # noqa: TRY004  (torch's exception type)
            f"Buffer of {str(type(f)).strip('<>')} has no callable attribute 'write'"
        )
    writer(obj, f, "archive", pickle_protocol, _disable_byteorder_record)
    f.flush()


class _WritebackFile:
    """The temp file save writes: starts the kernel writing each 16 MiB to disk while the
    rest is still being checksummed and copied, so the fsync before the rename waits for
    little (measured on 400 MB: the fsync's wait fell from 0.13 s to 0.02 s, the whole save
    by 0.05 s). A hint only: where it is unavailable the fsync does all the work."""

    _STEP = 1 << 24

    def __init__(self, f):
        self._f = f
        self._fd = f.fileno()
        self._pos = self._started = f.tell()
        self.tell, self.seekable, self.flush = f.tell, f.seekable, f.flush

    def write(self, b):
        n = self._f.write(b)
        self._pos += n
        if self._pos - self._started >= self._STEP and (start := _sync_file_range()) is not None:
            self._f.flush()
            start(self._fd, self._started, self._pos - self._started, 2)  # SYNC_FILE_RANGE_WRITE
            self._started = self._pos
        return n


_SYNC_FILE_RANGE = []


def _sync_file_range():
    # Linux's sync_file_range (not in the os module): starts writeback without waiting for it
    if not _SYNC_FILE_RANGE:
        fn = None
        if sys.platform.startswith("linux"):
            import ctypes

            try:
                fn = ctypes.CDLL(None, use_errno=True).sync_file_range
                fn.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
                fn.restype = ctypes.c_int
            except (AttributeError, OSError):
                fn = None
        _SYNC_FILE_RANGE.append(fn)
    return _SYNC_FILE_RANGE[0]


def _copy_mode(path, tmp):
    # keep an existing file's permissions; a new file gets the usual umask-derived mode
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)


def _save_zip(obj, stream, archive_name, pickle_protocol, disable_byteorder_record):
    data_buf = io.BytesIO()
    pickler = _pickler.TorchPickler(data_buf, pickle_protocol)
    pickler.dump(obj)
    zf = ZipWriter(stream, archive_name, compute_crc32=_config["crc32"])
    zf.write_record("data.pkl", data_buf.getvalue())
    zf.write_record(".format_version", b"1")
    zf.write_record(".storage_alignment", b"64")
    if not disable_byteorder_record:
        zf.write_record("byteorder", sys.byteorder.encode())
    for key, storage in pickler.storages.items():
        zf.write_record(f"data/{key}", storage.array())
    zf.write_record("version", b"3\n")
    if disable_byteorder_record:  # torch's writer still adds one at the end
        zf.write_record("byteorder", sys.byteorder.encode())
    zf.write_record(".data/serialization_id", _serialization_id())
    zf.write_end_of_file()


def _serialization_id():
    # torch writes two 20-digit random numbers
    return f"{random.getrandbits(64):020d}{random.getrandbits(64):020d}".encode()


# ---- load ----------------------------------------------------------------------------------


def _verify_crc32():
    return os.environ.get("TORCHLIKE_LOAD_CHECK_CRC32", "0") not in ("", "0")


def load(
    f: FileLike,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool = True,
    mmap: bool = False,
    **pickle_load_args: Any,
) -> Any:
    """Load an object saved by torch.save or torchlike.save; weights_only by default.
    As PyTorch's, a load does not verify the storages' CRC-32 (set the environment variable
    TORCHLIKE_LOAD_CHECK_CRC32=1 to verify them: a corrupted byte then raises). mmap=True
    aliases the file's pages (tensors are JAX arrays over the mapping, paged in on use)."""
    if weights_only is None:
        weights_only = True
    true_values = ["1", "y", "yes", "true"]
    if os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in true_values:
        weights_only = True
    if weights_only:
        if pickle_module is not None:
            raise RuntimeError(
                "Can not safely load weights when explicit pickle_module is specified"
            )
    elif pickle_module is None:
        pickle_module = pickle
    if pickle_load_args and weights_only:
        import warnings

        warnings.warn("pickle_load_args only works if `weights_only=False`.", stacklevel=2)
    pickle_load_args.setdefault("encoding", "utf-8")
    restore = _get_restore_location(map_location)
    with _open_reader(f) as stream:
        if _is_zipfile(stream):
            zf = ZipReader(stream)
            if "constants.pkl" in zf.get_all_records():
                raise NotImplementedError(
                    "torchlike.load: TorchScript archives (torch.jit.save) are not supported"
                )
            if mmap and not _is_path(f):
                raise ValueError("f must be a file path in order to use the mmap argument")
            # mmap=True aliases a mapping of the file (private copy-on-write, as torch's
            # MAP_PRIVATE default), so pages load on first use; a full load reads each storage
            # into memory of its own that JAX then aliases: one copy, as torch's
            mm = np.memmap(os.fspath(f), dtype=np.uint8, mode="c") if mmap else None
            mm = mm.view(np.ndarray) if mm is not None else None  # cheaper slices than memmap's
            return _guarded(
                weights_only,
                lambda: _load_zip(zf, restore, weights_only, pickle_module, mm, pickle_load_args),
            )
        if mmap:
            name = f"{f}, " if isinstance(f, str) else ""
            raise RuntimeError(
                "mmap can only be used with files saved with "
                f"`torch.save({name}_use_new_zipfile_serialization=True), please "
                "torch.save your checkpoint with this option in order to use mmap."
            )
        from ._serialization._legacy import legacy_load

        return _guarded(
            weights_only,
            lambda: legacy_load(stream, restore, weights_only, pickle_module, pickle_load_args),
        )


def _guarded(weights_only, fn):
    if not weights_only:
        return fn()
    try:
        return fn()
    except pickle.UnpicklingError as e:
        raise pickle.UnpicklingError(_get_wo_message(str(e))) from None


def _get_wo_message(message):
    if re.search(r"GLOBAL (\S+) was not an allowed global by default.", message):
        return (
            "Weights only load failed. This file can still be loaded, to do so you have two "
            "options, do those steps only if you trust the source of the checkpoint. "
            f"\n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` "
            "please check the recommended steps in the following error message.\n\t"
            "WeightsUnpickler error: " + message
        )
    return f"Weights only load failed. {UNSAFE_MESSAGE}\n\nWeightsUnpickler error: {message}"


def _load_zip(zf, restore, weights_only, pickle_module, mm, pickle_load_args):
    if zf.has_record("byteorder"):
        byteorder = zf.get_record("byteorder")
    else:
        fallback = _config["endianness"]
        byteorder = (
            b"big"
            if fallback is LoadEndianness.BIG
            else sys.byteorder.encode()
            if fallback is LoadEndianness.NATIVE
            else b"little"
        )
    if byteorder not in (b"little", b"big"):
        raise ValueError("Unknown endianness type: " + byteorder.decode())
    swap = byteorder.decode() != sys.byteorder
    loaded = {}

    def load_storage(dtype, nbytes, key, location):
        name = f"data/{key}"
        # check the size the pickle claims before allocating or mapping anything
        if zf.record_size(name) != nbytes:
            raise RuntimeError(
                f"PytorchStreamReader failed reading file {name}: the record holds "
                f"{zf.record_size(name)} bytes, the checkpoint's pickle expects {nbytes}"
            )
        if mm is not None and (offset := zf.get_record_offset(name)) is not None:
            if offset + nbytes > mm.size:
                raise RuntimeError(
                    f"PytorchStreamReader failed reading file {name}: file read failed "
                    "(the file is truncated)"
                )
            data = mm[offset : offset + nbytes]
        else:
            data = _rebuild.empty_aligned(nbytes)
            # PyTorch does not verify storages' CRC-32 on load (it costs more than the read);
            # TORCHLIKE_LOAD_CHECK_CRC32=1 turns the check on
            zf.read_into(name, data, verify=_verify_crc32())
        if swap and dtype is not None and dtype.itemsize > 1:
            data = data.view(dtype._np).byteswap().view(np.uint8)
        # the bytes are this storage's own (a fresh read, or a private mapping): JAX aliases
        # them rather than copying again
        storage = _rebuild.LoadedStorage(data, dtype, _device("cpu"))
        storage._owned = True
        return restore(storage, location)

    def persistent_load(saved_id):
        if not isinstance(saved_id, tuple) or len(saved_id) != 5:
            raise pickle.UnpicklingError(f"Unknown persistent id {saved_id!r}")
        typename = _unpickler._decode_ascii(saved_id[0])
        if typename != "storage":
            raise pickle.UnpicklingError(
                f"Unknown typename for persistent_load, expected 'storage' but got '{typename}'"
            )
        storage_type, key, location, numel = saved_id[1:]
        if not isinstance(storage_type, _rebuild.StorageType):
            raise pickle.UnpicklingError(f"Unknown storage type {storage_type!r}")
        key = _unpickler._decode_ascii(key)
        if key not in loaded:
            dtype = storage_type.dtype
            if dtype is None and storage_type is not _rebuild.UNTYPED:
                raise NotImplementedError(f"torchlike.load: {storage_type._name} is not supported")
            nbytes = int(numel) * (dtype.itemsize if dtype is not None else 1)
            loaded[key] = load_storage(dtype, nbytes, key, _unpickler._decode_ascii(location))
        return loaded[key]

    data = zf.get_record("data.pkl")
    unpickler = _make_unpickler(io.BytesIO(data), weights_only, pickle_module, pickle_load_args)
    unpickler.persistent_load = persistent_load
    return _run_unpickler(unpickler)


def _make_unpickler(file, weights_only, pickle_module, pickle_load_args):
    if weights_only:
        return _unpickler.Unpickler(file, encoding=pickle_load_args.get("encoding", "utf-8"))
    return _full_unpickler(pickle_module)(file, **pickle_load_args)


def _run_unpickler(unpickler):
    try:
        return unpickler.load()
    except (IndexError, KeyError, EOFError, UnicodeDecodeError) as e:
        if isinstance(unpickler, _unpickler.Unpickler):
            raise pickle.UnpicklingError(
                f"the checkpoint's pickle is corrupted ({type(e).__name__}: {e})"
            ) from None
        raise


def _full_unpickler(pickle_module):
    """weights_only=False: any global may load; torch's own names resolve to torchlike."""
    allowed = _unpickler._get_allowed_globals()

    class UnpicklerWrapper(pickle_module.Unpickler):
        def find_class(self, mod_name, name):
            full = f"{mod_name}.{name}"
            if full in allowed:
                return allowed[full]
            if mod_name == "torch" or mod_name.startswith("torch."):
                import importlib

                mod = importlib.import_module("torchlike" + mod_name[len("torch") :])
                obj = mod
                for part in name.split("."):
                    obj = getattr(obj, part)
                return obj
            return super().find_class(mod_name, name)

    return UnpicklerWrapper


def _get_restore_location(map_location):
    if map_location is None:
        return _default_restore_location
    if isinstance(map_location, dict):
        return lambda s, loc: _default_restore_location(s, map_location.get(loc, loc))
    if isinstance(map_location, (str, bytes)):
        where = map_location.decode() if isinstance(map_location, bytes) else map_location
        return lambda s, loc: _default_restore_location(s, where)
    if isinstance(map_location, _device):
        return lambda s, loc: _default_restore_location(s, str(map_location))
    if callable(map_location):

        def restore(storage, location):
            result = map_location(storage, location)
            if result is None:
                result = _default_restore_location(storage, location)
            if not isinstance(result, _rebuild.LoadedStorage):
                raise TypeError(
                    "torchlike.load: map_location must return a storage (the one it "
                    f"was given, or .cpu()/.cuda()/.to() of it), got "
                    f"{type(result).__name__}"
                )
            return result

        return restore
    # a torch.device from real PyTorch, or anything else with a device string
    return lambda s, loc: _default_restore_location(s, str(map_location))


def _default_restore_location(storage, location):
    location = str(location)
    if location.startswith("cpu"):
        return storage.cpu()
    if location.startswith("cuda"):
        from . import cuda

        if not cuda.is_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                "is False. If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU."
            )
        dev = _device(location)
        if (dev.index or 0) >= cuda.device_count():
            raise RuntimeError(
                f"Attempting to deserialize object on CUDA device {dev.index or 0} but "
                f"torch.cuda.device_count() is {cuda.device_count()}. Please use torch.load with "
                "map_location to map your storages to an existing device."
            )
        return storage.to(_device("cuda", dev.index or 0))
    if location.startswith("meta"):
        raise NotImplementedError("torchlike.load: map_location='meta' is not supported")
    raise RuntimeError(
        f"don't know how to restore data location of {type(storage).__name__} "
        f"(tagged with {location})"
    )


# ---- files ---------------------------------------------------------------------------------


def _is_path(f):
    return isinstance(f, (str, os.PathLike))


@contextlib.contextmanager
def _open_reader(f):
    if _is_path(f):
        with open(f, "rb") as stream:
            yield stream
        return
    if not callable(getattr(f, "read", None)):
        raise AttributeError(  # noqa: TRY004  (torch's exception type)
            f"expected 'f' to be string, path, or a file-like object with a 'read' attribute, "
            f"got {type(f).__name__}"
        )
    try:
        f.seek(f.tell())
    except (io.UnsupportedOperation, AttributeError, OSError) as e:
        raise RuntimeError(
            f"{e}. You can only torch.load from a file that is seekable. Please "
            "pre-load the data into a buffer like io.BytesIO and try to load from "
            "it instead."
        ) from None
    yield f


def _is_zipfile(f):
    start = f.tell()
    magic = f.read(4)
    f.seek(start)
    return magic == b"PK\x03\x04"
