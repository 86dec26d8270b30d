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
    if not isinstance(warn_only, bool):
        raise TypeError("_set_deterministic_algorithms(): argument 'warn_only' must be bool, not "
                        f"{type(warn_only).__name__}")
    _det["on"], _det["warn_only"] = bool(mode), warn_only
    if mode:
        flags = os.environ.get("XLA_FLAGS", "")
        if "--xla_gpu_deterministic_ops" not in flags:
            os.environ["XLA_FLAGS"] = (flags + " --xla_gpu_deterministic_ops=true").strip()


def are_deterministic_algorithms_enabled():
    return _det["on"]


def is_deterministic_algorithms_warn_only_enabled():
    return _det["warn_only"]


_DEBUG_MODES = ("default", "warn", "error")


def set_deterministic_debug_mode(debug_mode) -> None:
    """0/'default': off; 1/'warn': deterministic, warn only; 2/'error': deterministic."""
    if not isinstance(debug_mode, (str, int)):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    if debug_mode not in (0, 1, 2):
        raise RuntimeError("invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    if not _det["on"]:
        return 0
    return 1 if _det["warn_only"] else 2


_warn_always = {"on": False, "tensor_type_warned": False}


def set_warn_always(b: bool, /) -> None:
    """Recorded: torchlike's own warnings are Python warnings, shown by Python's filters."""
    _warn_always["on"] = bool(b)


def is_warn_always_enabled() -> bool:
    return _warn_always["on"]


def typename(obj) -> str:
    """torch.typename: 'torch.FloatTensor' for tensors, else the qualified type name."""
    from ._core.tensor import Tensor

    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module.startswith("torchlike"):
        module = "torch" + module[len("torchlike"):]
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def set_default_tensor_type(t) -> None:
    """Deprecated since PyTorch 2.1: set the default float dtype (and device) from a legacy type."""
    import warnings

    from . import cuda
    from ._core import device as _device
    from ._core.dtypes import dtype as _dtype_cls
    from ._core.dtypes import set_default_dtype
    from ._core.legacy import TYPE_NAMES

    if not _warn_always["tensor_type_warned"]:
        _warn_always["tensor_type_warned"] = True
        warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                      "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                      stacklevel=2)
    if isinstance(t, _dtype_cls):
        raise TypeError("invalid type object: only floating-point types are supported as the "
                        "default type")
    name = t if isinstance(t, str) else "torch." + getattr(t, "__name__", str(t))
    on_cuda = name.startswith("torch.cuda.")
    if on_cuda and not cuda.is_available():
        raise TypeError(f"type {name} not available. Torch not compiled with CUDA enabled.")
    dtype = TYPE_NAMES.get(name.replace("torch.cuda.", "torch.", 1))
    if dtype is None:
        raise TypeError(f"invalid type: '{name}'")
    if not dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    set_default_dtype(dtype)
    _device.set_default_device("cuda" if on_cuda else "cpu")
