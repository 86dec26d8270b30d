"""Process-wide settings: threads, determinism, float32 matmul precision, torch.accelerator."""

import os

from .backends.cuda import _get_float32_matmul_precision as get_float32_matmul_precision  # noqa
from .backends.cuda import _set_float32_matmul_precision as set_float32_matmul_precision  # noqa

_threads = {"n": os.cpu_count() or 1, "interop": os.cpu_count() or 1}
_det = {"on": False, "warn_only": False}


def set_num_threads(n):
    """Recorded only: XLA sizes its own thread pool when the process starts."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise RuntimeError(  # noqa: TRY004 - PyTorch's type
            f"set_num_threads expects an int, but got {type(n).__name__}")
    if n < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    _threads["n"] = n


def get_num_threads():
    return _threads["n"]


def set_num_interop_threads(n):
    """Recorded only; as in PyTorch, a second call raises."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise RuntimeError(  # noqa: TRY004 - PyTorch's type
            f"set_num_interop_threads expects an int, but got {type(n).__name__}")
    if n < 1:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    if _threads.get("interop_set"):
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has "
                           "started or set_num_interop_threads called")
    _threads["interop"], _threads["interop_set"] = n, True


def get_num_interop_threads():
    return _threads["interop"]


def use_deterministic_algorithms(mode, *, warn_only=False):
    """XLA's CPU kernels are deterministic; on GPUs this asks XLA for deterministic ops."""
    if not isinstance(mode, bool):
        raise TypeError("_set_deterministic_algorithms(): argument 'mode' (position 1) must be "
                        f"bool, not {type(mode).__name__}")
    _det["on"], _det["warn_only"] = bool(mode), warn_only
    if mode:
        flags = os.environ.get("XLA_FLAGS", "")
        if "--xla_gpu_deterministic_ops" not in flags:
            os.environ["XLA_FLAGS"] = (flags + " --xla_gpu_deterministic_ops=true").strip()


def are_deterministic_algorithms_enabled():
    return _det["on"]


def is_deterministic_algorithms_warn_only_enabled():
    return _det["warn_only"]
