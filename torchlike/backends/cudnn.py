"""torch.backends.cudnn: the switches scripts set, recorded; XLA chooses convolution kernels.

Differs from PyTorch: `benchmark` and `deterministic` are recorded only (XLA autotunes on
its own; GPU determinism needs XLA_FLAGS=--xla_gpu_deterministic_ops=true before start).
"""

import contextlib
import sys
import types

__all__ = [
    "allow_tf32",
    "benchmark",
    "benchmark_limit",
    "deterministic",
    "enabled",
    "flags",
    "is_available",
    "version",
]

_flags = {"enabled": True, "benchmark": False, "benchmark_limit": 10, "deterministic": False,
          "allow_tf32": True}
# the setter each flag is checked as in PyTorch's messages
_SETTERS = {"enabled": "set_enabled_cudnn", "benchmark": "set_benchmark_cudnn",
            "deterministic": "set_deterministic_cudnn", "allow_tf32": "set_allow_tf32_cublas"}


def is_available() -> bool:
    """Whether convolutions run on a GPU (XLA uses cuDNN there)."""
    from torchlike._core.device import gpus

    return bool(gpus())


def version():
    """None: torchlike does not link cuDNN itself."""
    return


def is_acceptable(tensor) -> bool:
    return is_available() and tensor.is_cuda


def _set(name, value):
    if name in _SETTERS and not isinstance(value, bool):
        raise RuntimeError(f"{_SETTERS[name]} expects a bool, but got {type(value).__name__}")
    if name == "benchmark_limit":
        if not is_available():
            return  # (as PyTorch without CUDA, which has no limit to set)
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"set_cudnn_benchmark_limit expects an int, but got "
                            f"{type(value).__name__}")
    _flags[name] = value


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Set the switches for the block, restoring them after."""
    prev = dict(_flags)
    for name, value in (("enabled", enabled), ("benchmark", benchmark),
                        ("benchmark_limit", benchmark_limit), ("deterministic", deterministic),
                        ("allow_tf32", allow_tf32)):
        if value is not None:
            _set(name, value)
    try:
        yield
    finally:
        _flags.update(prev)


class CudnnModule(types.ModuleType):
    """The module, with its flags as checked properties (as PyTorch's CudnnModule)."""

    def __getattr__(self, name):
        if name in _flags:
            if name == "benchmark_limit" and not is_available():
                return None
            return _flags[name]
        raise AttributeError(f"module 'torch.backends.cudnn' has no attribute '{name}'")

    def __setattr__(self, name, value):
        if name in _flags:
            _set(name, value)
        else:
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = CudnnModule
