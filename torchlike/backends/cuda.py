"""torch.backends.cuda: GPU matmul precision and attention-kernel switches.

`matmul.allow_tf32` maps to JAX's `jax_default_matmul_precision` ("tensorfloat32" when
allowed, "float32" when not); the scaled-dot-product-attention switches are recorded only,
since XLA picks the attention kernel.
"""

import contextlib
import enum

import jax

__all__ = [
    "cudnn_sdp_enabled",
    "cufft_plan_cache",
    "enable_cudnn_sdp",
    "enable_flash_sdp",
    "enable_math_sdp",
    "enable_mem_efficient_sdp",
    "flash_sdp_enabled",
    "is_built",
    "math_sdp_enabled",
    "matmul",
    "mem_efficient_sdp_enabled",
    "preferred_linalg_library",
    "sdp_kernel",
]

_FAST = ("tensorfloat32", "bfloat16", "high", "default", "fastest", "bfloat16_3x")
_PRECISION = {"highest": "float32", "high": "tensorfloat32", "medium": "bfloat16"}


def is_built() -> bool:
    """Whether JAX has a GPU backend here."""
    from torchlike._core.device import gpus

    return bool(gpus())


def _set_float32_matmul_precision(precision: str) -> None:
    """torch.set_float32_matmul_precision: 'highest', 'high' (TF32) or 'medium' (bf16)."""
    if not isinstance(precision, str):
        raise RuntimeError("set_float32_matmul_precision expects a str, but got "  # noqa: TRY004
                           + type(precision).__name__)
    if precision not in _PRECISION:
        import warnings

        # PyTorch warns and leaves the setting alone.
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", stacklevel=3)
        return
    jax.config.update("jax_default_matmul_precision", _PRECISION[precision])


def _get_float32_matmul_precision() -> str:
    value = jax.config.jax_default_matmul_precision
    if value in ("tensorfloat32", "high"):
        return "high"
    if value in ("bfloat16", "default", "fastest"):
        return "medium"
    # None (XLA's default) is reported as PyTorch's default.
    return "highest"


_reduction = {"fp16": (True, True), "bf16": (True, True), "fp16_accumulation": False}


def _parse_reduction_setting(value, attr_name):
    """(allow reduced precision, allow split-k) from a bool or a tuple/list of one or two."""
    def ensure_bool(obj, which):
        if isinstance(obj, bool):
            return obj
        raise TypeError(f"{attr_name} expects a bool for {which}, but got {type(obj)!r}")

    if isinstance(value, bool):
        return value, True
    if isinstance(value, (list, tuple)):
        if not value:
            raise TypeError(f"{attr_name} expects at least one boolean argument")
        if len(value) > 2:
            raise TypeError(f"{attr_name} expects at most two boolean arguments")
        allow = ensure_bool(value[0], "allow_reduced_precision")
        return allow, (True if len(value) == 1 else ensure_bool(value[1], "allow_splitk"))
    raise TypeError(f"{attr_name} expects a bool or a tuple/list of bools, but got {type(value)!r}")


class cuBLASModule:
    """torch.backends.cuda.matmul. allow_tf32 is JAX's default matmul precision; the
    reduced-precision switches are recorded (XLA chooses how GEMMs accumulate)."""

    def __getattr__(self, name):
        if name == "allow_tf32":
            return jax.config.jax_default_matmul_precision in _FAST
        for kind in ("fp16", "bf16"):
            if name == f"allow_{kind}_reduced_precision_reduction":
                return _reduction[kind][0]
            if name == f"allow_{kind}_reduced_precision_reduction_split_k":
                return _reduction[kind][1]
        if name == "allow_fp16_accumulation":
            return _reduction["fp16_accumulation"]
        raise AttributeError("Unknown attribute " + name)

    def __setattr__(self, name, value):
        if name == "allow_tf32":
            if not isinstance(value, bool):
                raise RuntimeError("set_allow_tf32_cublas expects a bool, but got "
                                   + type(value).__name__)
            jax.config.update("jax_default_matmul_precision",
                              "tensorfloat32" if value else "float32")
            return
        for kind in ("fp16", "bf16"):
            attr = f"allow_{kind}_reduced_precision_reduction"
            if name == attr:
                allow, split_k = _parse_reduction_setting(value, attr)
                if allow and not split_k:
                    raise RuntimeError("allow_splitk=False is not supported when reduced "
                                       "precision reductions are enabled")
                _reduction[kind] = (allow, split_k)
                return
        if name == "allow_fp16_accumulation":
            if not isinstance(value, bool):
                raise RuntimeError("set_allow_fp16_accumulation_cublas expects a bool, but got "
                                   + type(value).__name__)
            _reduction["fp16_accumulation"] = value
            return
        raise AttributeError("Unknown attribute " + name)


cuBLASModule.__module__ = "torch.backends.cuda"
matmul = cuBLASModule()


class _CuFFTPlanCache:
    """torch.backends.cuda.cufft_plan_cache: XLA keeps its own FFT plans."""

    def _check(self):
        if not is_built():
            raise AssertionError("Torch not compiled with CUDA enabled")

    @property
    def size(self):
        self._check()
        return 0

    @property
    def max_size(self):
        self._check()
        return 0

    @max_size.setter
    def max_size(self, value):
        self._check()

    def clear(self):
        self._check()

    def __getitem__(self, device):
        return self


cufft_plan_cache = _CuFFTPlanCache()

_sdp = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


class _LinalgBackend(enum.Enum):
    Default = 0
    Cusolver = 1
    Magma = 2


class _BlasBackend(enum.Enum):
    Default = 0
    Cublas = 1
    Cublaslt = 2
    Ck = 3


_preferred = {"linalg": _LinalgBackend.Default, "blas": _BlasBackend.Cublas}


def _prefer(kind, enum_cls, backend, names):
    """Record a preferred library (XLA chooses its own); return the current one."""
    if backend is None:
        pass
    elif isinstance(backend, str):
        if backend not in names:
            raise RuntimeError(f"Unknown input value. Choose from: {', '.join(names)}.")
        _preferred[kind] = names[backend]
    elif isinstance(backend, enum_cls):
        _preferred[kind] = backend
    else:
        raise RuntimeError("Unknown input value type.")
    return _preferred[kind]


def preferred_linalg_library(backend=None):
    return _prefer("linalg", _LinalgBackend, backend,
                   {"default": _LinalgBackend.Default, "cusolver": _LinalgBackend.Cusolver,
                    "magma": _LinalgBackend.Magma})


def preferred_blas_library(backend=None):
    return _prefer("blas", _BlasBackend, backend,
                   {"cublas": _BlasBackend.Cublas, "cublaslt": _BlasBackend.Cublaslt,
                    "hipblaslt": _BlasBackend.Cublaslt, "ck": _BlasBackend.Ck})


def is_flash_attention_available() -> bool:
    """False: XLA chooses the attention kernel (PyTorch's flash kernel is not linked)."""
    return False


def flash_sdp_enabled() -> bool:
    return _sdp["flash"]


def enable_flash_sdp(enabled: bool) -> None:
    _sdp["flash"] = bool(enabled)


def mem_efficient_sdp_enabled() -> bool:
    return _sdp["mem_efficient"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    _sdp["mem_efficient"] = bool(enabled)


def math_sdp_enabled() -> bool:
    return _sdp["math"]


def enable_math_sdp(enabled: bool) -> None:
    _sdp["math"] = bool(enabled)


def cudnn_sdp_enabled() -> bool:
    return _sdp["cudnn"]


def enable_cudnn_sdp(enabled: bool) -> None:
    _sdp["cudnn"] = bool(enabled)


@contextlib.contextmanager
def sdp_kernel(enable_flash=True, enable_math=True, enable_mem_efficient=True, enable_cudnn=True):
    """Record which attention kernels may be used, for the block (XLA chooses the kernel)."""
    import warnings

    warnings.warn("`torch.backends.cuda.sdp_kernel()` is deprecated. In the future, this context "
                  "manager will be removed. Please see `torch.nn.attention.sdpa_kernel()` for the "
                  "new context manager, with updated signature.", FutureWarning, stacklevel=3)
    prev = dict(_sdp)
    _sdp.update(
        flash=enable_flash, math=enable_math, mem_efficient=enable_mem_efficient, cudnn=enable_cudnn
    )
    try:
        yield {}
    finally:
        _sdp.update(prev)
