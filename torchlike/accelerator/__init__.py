"""torch.accelerator: the current accelerator (a CUDA device when JAX sees a GPU)."""

import collections
import warnings

from .._core.device import _NO_ACCELERATOR, current_cuda as _current
from .._core.device import device as _device, gpus as _gpus

__all__ = [
    "current_accelerator",
    "current_device_idx",
    "current_device_index",
    "current_stream",
    "device_count",
    "device_index",
    "empty_cache",
    "empty_host_cache",
    "get_device_capability",
    "get_memory_info",
    "is_available",
    "max_memory_allocated",
    "max_memory_reserved",
    "memory_allocated",
    "memory_reserved",
    "memory_stats",
    "reset_accumulated_memory_stats",
    "reset_peak_memory_stats",
    "set_device_idx",
    "set_device_index",
    "set_stream",
    "synchronize",
]


def _check():
    if not _gpus():
        raise RuntimeError(_NO_ACCELERATOR)


def _index(device, optional=False) -> int:
    """A device argument as an accelerator index (PyTorch's _get_device_index)."""
    if isinstance(device, int):
        return device
    if isinstance(device, str):
        device = _device(device)
    index = None
    if isinstance(device, _device):
        acc = current_accelerator()
        if acc is None:
            raise RuntimeError("Accelerator expected")
        if acc.type != device.type:
            raise ValueError(f"{device.type} doesn't match the current accelerator {acc}.")
        index = device.index
    if index is None:
        if not optional:
            raise ValueError("Expected a torch.device with a specified index or an integer, but "
                             f"got:{device}")
        return current_device_index()
    return index


def _cuda():
    from .. import cuda

    return cuda


def is_available() -> bool:
    return bool(_gpus())


def current_accelerator(check_available: bool = False):
    if _gpus():
        return _device("cuda")
    return None


def device_count() -> int:
    return len(_gpus())


def current_device_index() -> int:
    _check()
    return _current["index"]


def current_device_idx() -> int:
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    return current_device_index()


def set_device_index(device, /) -> None:
    index = _index(device)
    _check()
    _cuda().set_device(index)


def set_device_idx(device, /) -> None:
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    set_device_index(device)


def get_device_capability(device=None, /) -> dict:
    index = _index(device, optional=True)
    _check()
    major, minor = _cuda().get_device_capability(index)
    return {"major": major, "minor": minor}


def current_stream(device=None, /):
    index = _index(device, optional=True)
    _check()
    return _cuda().current_stream(index)


def set_stream(stream) -> None:
    _check()


def synchronize(device=None, /) -> None:
    index = _index(device, optional=True)
    _check()
    _cuda().synchronize(index)


class device_index:
    """Set the current accelerator index for a block; None changes nothing."""

    def __init__(self, device, /) -> None:
        self.idx = device
        self.prev_idx = -1

    def __enter__(self) -> None:
        if self.idx is not None:
            self.prev_idx = current_device_index()
            set_device_index(self.idx)

    def __exit__(self, *exc_info) -> None:
        if self.idx is not None:
            _current["index"] = self.prev_idx


def empty_cache() -> None:
    _check()


def empty_host_cache() -> None:
    _check()


def memory_stats(device_index=None, /) -> dict:
    index = _index(device_index, optional=True)
    _check()
    return collections.OrderedDict(_cuda().memory_stats(index))


def memory_allocated(device_index=None, /) -> int:
    index = _index(device_index, optional=True)
    _check()
    return _cuda().memory_allocated(index)


def max_memory_allocated(device_index=None, /) -> int:
    index = _index(device_index, optional=True)
    _check()
    return _cuda().max_memory_allocated(index)


def memory_reserved(device_index=None, /) -> int:
    index = _index(device_index, optional=True)
    _check()
    return _cuda().memory_reserved(index)


def max_memory_reserved(device_index=None, /) -> int:
    index = _index(device_index, optional=True)
    _check()
    return _cuda().max_memory_reserved(index)


def reset_accumulated_memory_stats(device_index=None, /) -> None:
    _index(device_index, optional=True)
    _check()


def reset_peak_memory_stats(device_index=None, /) -> None:
    _index(device_index, optional=True)
    _check()


def get_memory_info(device_index=None, /) -> tuple:
    index = _index(device_index, optional=True)
    _check()
    return _cuda().mem_get_info(index)
