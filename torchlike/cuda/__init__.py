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
    "get_rng_state",
    "get_rng_state_all",
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
    "memory_stats",
    "memory_summary",
    "reset_peak_memory_stats",
    "seed",
    "seed_all",
    "set_device",
    "set_rng_state",
    "set_rng_state_all",
    "stream",
    "synchronize",
]

_current = _device_mod.current_cuda  # {"index": the current GPU}


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


def _is_compiled() -> bool:
    return is_available()


def _lazy_check():
    if not is_available():
        # PyTorch's CPU build's message (here: JAX sees no GPU; install jax[cuda12])
        raise AssertionError(_device_mod._NO_CUDA)


def device_count() -> int:
    return len(_gpus())


def _index(dev=None) -> int:
    """A device argument (None, int, str, torch.device) as a GPU index."""
    if dev is None:
        return _current["index"]
    if isinstance(dev, int):
        return dev
    d = _device_mod.device(dev)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return _current["index"] if d.index is None else d.index


def _jax_device(dev=None):
    _lazy_check()
    idx = _index(dev)
    g = _gpus()
    if not 0 <= idx < len(g):
        raise RuntimeError("CUDA error: invalid device ordinal")
    return g[idx]


def current_device() -> int:
    _lazy_check()
    return _current["index"]


def set_device(device) -> None:
    """Select the current GPU (where 'cuda' without an index places tensors)."""
    if device is None or (not isinstance(device, int)
                          and _device_mod.device(device).type == "cuda"
                          and _device_mod.device(device).index is None):
        raise ValueError("Expected a torch.device with a specified index or an integer, "
                         f"but got:{device}")
    idx = _index(device)
    if idx >= 0:
        if not is_available():
            # What PyTorch's CPU build raises.
            raise AttributeError("module 'torch._C' has no attribute '_cuda_setDevice'")
        _jax_device(idx)
        _current["index"] = idx


class device:
    """Context manager that changes the current GPU."""

    def __init__(self, device):
        self.idx = -1 if device is None else _index(device)
        self.prev = -1

    def __enter__(self):
        self.prev = _current["index"]
        if self.idx >= 0:
            if not is_available():
                raise RuntimeError("PyTorch was compiled without CUDA support")
            set_device(self.idx)

    def __exit__(self, *exc):
        _current["index"] = self.prev
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


def _no_cuda_c(name):
    """What PyTorch's CPU build raises for calls into its missing CUDA extension."""
    if not is_available():
        raise AttributeError(f"module 'torch._C' has no attribute '{name}'")


def reset_peak_memory_stats(device=None) -> None:
    """No-op where a GPU exists: XLA's peak counter cannot be reset."""
    _no_cuda_c("_cuda_resetPeakMemoryStats")


def reset_max_memory_allocated(device=None) -> None:
    """See reset_peak_memory_stats."""
    import warnings

    warnings.warn("torch.cuda.reset_max_memory_allocated now calls "
                  "torch.cuda.reset_peak_memory_stats, which resets /all/ peak memory stats.",
                  FutureWarning, stacklevel=2)
    reset_peak_memory_stats(device)


def memory_stats(device=None) -> dict:
    """A few of PyTorch's allocator statistics, from XLA's; empty without a GPU."""
    import collections

    if not is_available():
        return collections.OrderedDict()
    s = _stats(_jax_device(device))
    return collections.OrderedDict([
        ("allocated_bytes.all.current", int(s.get("bytes_in_use", 0))),
        ("allocated_bytes.all.peak", int(s.get("peak_bytes_in_use", 0))),
        ("reserved_bytes.all.current", memory_reserved(device)),
    ])


def memory_cached(device=None) -> int:
    import warnings

    warnings.warn("`torch.cuda.memory_cached` has been renamed to `torch.cuda.memory_reserved`",
                  FutureWarning, stacklevel=2)
    return memory_reserved(device)


def max_memory_cached(device=None) -> int:
    import warnings

    warnings.warn("`torch.cuda.max_memory_cached` has been renamed to "
                  "`torch.cuda.max_memory_reserved`", FutureWarning, stacklevel=2)
    return max_memory_reserved(device)


def host_memory_stats() -> dict:
    """Empty: XLA does not report pinned host memory."""
    import collections

    return collections.OrderedDict()


def get_allocator_backend() -> str:
    _no_cuda_c("_cuda_getAllocatorBackend")
    return "native"


def get_per_process_memory_fraction(device=None) -> float:
    """XLA's preallocated fraction of GPU memory (XLA_PYTHON_CLIENT_MEM_FRACTION)."""
    import os

    _jax_device(device)
    return float(os.environ.get("XLA_PYTHON_CLIENT_MEM_FRACTION", "0.75"))


def can_device_access_peer(device, peer_device) -> bool:
    _jax_device(device)
    _jax_device(peer_device)
    return True


def caching_allocator_alloc(size, device=None, stream=None):
    _lazy_check()
    raise NotImplementedError("torch.cuda.caching_allocator_alloc is not supported by torchlike: "
                              "XLA's allocator owns GPU memory; make a tensor instead")


def current_blas_handle():
    _lazy_check()
    raise NotImplementedError("torch.cuda.current_blas_handle is not supported by torchlike: XLA "
                              "owns the cuBLAS handles")


def _nvml(name):
    """The NVML queries: PyTorch's error without nvidia-ml-py; torchlike does not read NVML."""
    try:
        import pynvml  # noqa: F401
    except ImportError:
        raise ModuleNotFoundError(
            "nvidia-ml-py does not seem to be installed or it can't be imported.") from None
    raise NotImplementedError(f"torch.cuda.{name} is not supported by torchlike; query NVML "
                              "(pynvml) directly")


def utilization(device=None) -> int:
    _nvml("utilization")


def temperature(device=None) -> int:
    _nvml("temperature")


def power_draw(device=None) -> int:
    _nvml("power_draw")


def clock_rate(device=None) -> int:
    _nvml("clock_rate")


def memory_usage(device=None) -> int:
    _nvml("memory_usage")


def device_memory_used(device=None) -> int:
    _nvml("device_memory_used")


def list_gpu_processes(device=None) -> str:
    try:
        import pynvml  # noqa: F401
    except ImportError:
        return "pynvml module not found, please install nvidia-ml-py"
    _nvml("list_gpu_processes")


def ipc_collect() -> None:
    _lazy_check()


def get_arch_list() -> list:
    if not is_available():
        return []
    return sorted({"sm_{}{}".format(*_capability(d)) for d in _gpus()})


def get_gencode_flags() -> str:
    return ""


def is_tf32_supported() -> bool:
    return is_available() and _capability(_jax_device())[0] >= 8


def set_per_process_memory_fraction(fraction, device=None) -> None:
    """Differs from PyTorch: XLA fixes its memory fraction at start (XLA_PYTHON_CLIENT_MEM_FRACTION)."""
    _lazy_check()


def set_sync_debug_mode(debug_mode) -> None:
    _lazy_check()


def get_sync_debug_mode() -> int:
    _lazy_check()
    return 0


def mem_get_info(device=None) -> tuple:
    """(free, total) bytes on the GPU."""
    s = _stats(_jax_device(device))
    total = int(s.get("bytes_limit", 0))
    return (total - int(s.get("bytes_in_use", 0)), total)


def memory_summary(device=None, abbreviated=False) -> str:
    if not is_available():
        raise KeyError("allocated_bytes.all.current")  # as PyTorch's CPU build
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

    _lazy_check()
    return _initial()


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return is_available()


def get_rng_state(device="cuda"):
    """Differs from PyTorch: the one random stream torchlike has (see manual_seed)."""
    from torchlike.random import get_rng_state as _get

    _lazy_check()
    return _get()


def set_rng_state(new_state, device="cuda") -> None:
    """Does nothing without a GPU, as in PyTorch; else sets the one random stream."""
    new_state = new_state.clone()  # (as PyTorch, which copies it before the lazy call)
    if is_available():
        from torchlike.random import set_rng_state as _set

        _set(new_state)


def get_rng_state_all() -> list:
    return [get_rng_state(i) for i in range(device_count())]


def set_rng_state_all(new_states) -> None:
    for i, state in enumerate(new_states):
        set_rng_state(state, i)


class Event:
    """torch.cuda.Event: timing marks (wall clock after a device sync)."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        if not is_available():
            raise RuntimeError("Tried to instantiate dummy base class Event")
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
        if not is_available():
            raise RuntimeError("torch.cuda.Stream requires CUDA support")
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
    _lazy_check()
    return Stream(device)


default_stream = current_stream


@contextlib.contextmanager
def stream(stream):
    yield


def set_stream(stream) -> None:
    """Nominal, as streams are (see Stream)."""


class CUDAGraph:
    """torch.cuda.CUDAGraph: not supported; torch.compile gives one XLA program per step."""

    def __init__(self, keep_graph=False):
        if not is_available():
            raise RuntimeError("Tried to instantiate dummy base class CUDAGraph")
        raise NotImplementedError("torch.cuda.CUDAGraph is not supported by torchlike; use "
                                  "torch.compile, which runs a whole step as one XLA program")


class graph:
    """torch.cuda.graph: capture into a CUDAGraph (which torchlike does not support)."""

    def __init__(self, cuda_graph, pool=None, stream=None, capture_error_mode="global"):
        raise NotImplementedError("torch.cuda.graph is not supported by torchlike; use "
                                  "torch.compile, which runs a whole step as one XLA program")


def _legacy_type(name):
    """torch.cuda.FloatTensor and friends: legacy constructors of GPU tensors."""
    from torchlike._core.legacy import TYPE_NAMES, legacy_construct
    from torchlike._core.tensor import Tensor

    dtype = TYPE_NAMES[f"torch.{name}"]

    class _Meta(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, Tensor) and obj.dtype is dtype and obj.device.type == "cuda"

        def __call__(cls, *args, **kwargs):
            if not is_available():
                raise TypeError(f"type torch.cuda.{name} not available. Torch not compiled with "
                                "CUDA enabled.")
            kwargs.setdefault("device", "cuda")
            return legacy_construct(Tensor, dtype, *args, **kwargs)

    return _Meta(name, (), {"_legacy_dtype": dtype, "dtype": dtype, "is_cuda": True,
                            "__module__": "torch.cuda"})


_LEGACY = ("BFloat16Tensor", "BoolTensor", "ByteTensor", "CharTensor", "DoubleTensor",
           "FloatTensor", "HalfTensor", "IntTensor", "LongTensor", "ShortTensor")


def is_current_stream_capturing() -> bool:
    if not is_available():
        raise RuntimeError("Tried to instantiate dummy base class _cuda_isCurrentStreamCapturing")
    return False


def __getattr__(name):
    # torch.cuda.amp is imported on first use: torchlike.amp is optional here.
    if name in ("amp", "nvtx", "memory"):
        import importlib

        return importlib.import_module(f"torchlike.cuda.{name}")
    if name in _LEGACY:
        cls = globals()[name] = _legacy_type(name)
        return cls
    raise AttributeError(f"module 'torch.cuda' has no attribute '{name}'")
