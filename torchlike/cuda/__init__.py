"""torch.cuda: the GPUs JAX sees, under PyTorch's names.

Differs from PyTorch: memory is managed by XLA's allocator, streams are XLA's, and there is
one random stream for all devices (see torchlike.random).
"""

import contextlib
import time

from torchlike._core import device as _device_mod

__all__ = [
    "Event",
    "OutOfMemoryError",
    "Stream",
    "current_device",
    "current_stream",
    "default_stream",
    "device",
    "device_count",
    "empty_cache",
    "get_device_capability",
    "get_device_name",
    "get_device_properties",
    "init",
    "is_available",
    "is_bf16_supported",
    "is_initialized",
    "manual_seed",
    "manual_seed_all",
    "max_memory_allocated",
    "max_memory_reserved",
    "mem_get_info",
    "memory_allocated",
    "memory_reserved",
    "reset_peak_memory_stats",
    "seed",
    "seed_all",
    "set_device",
    "stream",
    "synchronize",
]

_current = 0


class OutOfMemoryError(RuntimeError):
    """torch.cuda.OutOfMemoryError."""


def _gpus():
    return _device_mod.gpus()


def is_available() -> bool:
    """Whether JAX sees a GPU."""
    return bool(_gpus())


def is_initialized() -> bool:
    return is_available()


def init() -> None:
    """Initialize the GPU backend (JAX does this on first use)."""
    _lazy_check()


def _lazy_check():
    if not is_available():
        raise AssertionError(
            "Torch not compiled with CUDA enabled (JAX sees no GPU; install jax[cuda12])"
        )


def device_count() -> int:
    return len(_gpus())


def _index(dev=None) -> int:
    """A device argument (None, int, str, torch.device) as a GPU index."""
    if dev is None:
        return _current
    if isinstance(dev, int):
        return dev
    d = _device_mod.device(dev)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return _current if d.index is None else d.index


def _jax_device(dev=None):
    _lazy_check()
    idx = _index(dev)
    g = _gpus()
    if not 0 <= idx < len(g):
        raise RuntimeError("CUDA error: invalid device ordinal")
    return g[idx]


def current_device() -> int:
    _lazy_check()
    return _current


def set_device(device) -> None:
    """Select the current GPU. Differs from PyTorch: tensors made without a device stay on CPU."""
    global _current
    idx = _index(device)
    if idx >= 0:
        _jax_device(idx)
        _current = idx


class device:
    """Context manager that changes the current GPU."""

    def __init__(self, device):
        self.idx = -1 if device is None else _index(device)
        self.prev = -1

    def __enter__(self):
        self.prev = _current
        if self.idx >= 0:
            set_device(self.idx)

    def __exit__(self, *exc):
        global _current
        _current = self.prev
        return False


def get_device_name(device=None) -> str:
    return _jax_device(device).device_kind


def get_device_capability(device=None) -> tuple:
    return _capability(_jax_device(device))


def _capability(d) -> tuple:
    cc = getattr(d, "compute_capability", None)
    if not cc:
        return (0, 0)
    major, _, minor = str(cc).partition(".")
    return (int(major), int(minor or 0))


class _DeviceProperties:
    def __init__(self, d):
        self.name = d.device_kind
        self.major, self.minor = _capability(d)
        stats = _stats(d)
        self.total_memory = int(stats.get("bytes_limit", 0))
        self.multi_processor_count = int(getattr(d, "core_count", 0) or 0)
        self.is_integrated = False
        self.is_multi_gpu_board = False

    def __repr__(self):
        return (
            f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
            f"minor={self.minor}, total_memory={self.total_memory // (1024 * 1024)}MB, "
            f"multi_processor_count={self.multi_processor_count})"
        )


def get_device_properties(device=None):
    return _DeviceProperties(_jax_device(device))


def _stats(d) -> dict:
    try:
        return d.memory_stats() or {}
    except Exception:  # noqa: BLE001 - some backends do not report memory
        return {}


def synchronize(device=None) -> None:
    """Wait for the device's queued work.

    Differs from PyTorch: JAX has no global barrier; this waits on a small op queued after
    earlier work on the device (enough for timing loops).
    """
    import jax
    import jax.numpy as jnp

    if not is_available():
        _lazy_check()
    jax.effects_barrier()
    jax.device_put(jnp.zeros(()), _jax_device(device)).block_until_ready()


def empty_cache() -> None:
    """No-op: XLA's allocator owns GPU memory."""


def memory_allocated(device=None) -> int:
    return int(_stats(_jax_device(device)).get("bytes_in_use", 0)) if is_available() else 0


def max_memory_allocated(device=None) -> int:
    return int(_stats(_jax_device(device)).get("peak_bytes_in_use", 0)) if is_available() else 0


def memory_reserved(device=None) -> int:
    if not is_available():
        return 0
    s = _stats(_jax_device(device))
    return int(s.get("bytes_reserved", s.get("pool_bytes", s.get("bytes_in_use", 0))))


max_memory_reserved = memory_reserved


def reset_peak_memory_stats(device=None) -> None:
    """No-op: XLA's peak counter cannot be reset."""


def reset_max_memory_allocated(device=None) -> None:
    """No-op: XLA's peak counter cannot be reset."""


def mem_get_info(device=None) -> tuple:
    """(free, total) bytes on the GPU."""
    s = _stats(_jax_device(device))
    total = int(s.get("bytes_limit", 0))
    return (total - int(s.get("bytes_in_use", 0)), total)


def memory_summary(device=None, abbreviated=False) -> str:
    return (
        f"torchlike (XLA allocator): {memory_allocated(device)} bytes allocated, "
        f"peak {max_memory_allocated(device)}"
    )


def manual_seed(seed) -> None:
    """Seed the GPU random stream.

    Differs from PyTorch: torchlike has one random stream for every device, so where a GPU
    exists this seeds it (as torch.manual_seed does); without one it does nothing, as in
    PyTorch, where the CUDA generator is never used on such a machine.
    """
    if is_available():
        from torchlike.random import manual_seed as _seed

        _seed(int(seed))


manual_seed_all = manual_seed


def seed() -> None:
    if is_available():
        from torchlike.random import seed as _seed

        _seed()


seed_all = seed


def initial_seed() -> int:
    from torchlike.random import initial_seed as _initial

    return _initial()


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return is_available()


class Event:
    """torch.cuda.Event: timing marks (wall clock after a device sync)."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        self.enable_timing = enable_timing
        self._t = None

    def record(self, stream=None):
        if is_available():
            synchronize()
        self._t = time.perf_counter()

    def synchronize(self):
        if is_available():
            synchronize()

    def wait(self, stream=None):
        pass

    def query(self):
        return True

    def elapsed_time(self, end_event) -> float:
        """Milliseconds between this event and end_event."""
        if self._t is None or end_event._t is None:
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        return (end_event._t - self._t) * 1000.0


class Stream:
    """torch.cuda.Stream. Differs from PyTorch: XLA schedules work; streams are nominal."""

    def __init__(self, device=None, priority=0, **kwargs):
        self.device = _device_mod.device("cuda", _index(device))
        self.priority = priority

    def synchronize(self):
        synchronize()

    def wait_stream(self, stream):
        pass

    def wait_event(self, event):
        pass

    def record_event(self, event=None):
        event = event or Event()
        event.record(self)
        return event

    def query(self):
        return True


def current_stream(device=None) -> Stream:
    return Stream(device)


default_stream = current_stream


@contextlib.contextmanager
def stream(stream):
    yield stream


def __getattr__(name):
    # torch.cuda.amp is imported on first use: torchlike.amp is optional here.
    if name == "amp":
        import importlib

        return importlib.import_module("torchlike.cuda.amp")
    raise AttributeError(f"module 'torch.cuda' has no attribute '{name}'")
