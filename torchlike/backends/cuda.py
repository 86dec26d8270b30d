"""torch.backends.cuda: GPU matmul precision and attention-kernel switches.

`matmul.allow_tf32` maps to JAX's `jax_default_matmul_precision` ("tensorfloat32" when
allowed, "float32" when not); the scaled-dot-product-attention switches are recorded only,
since XLA picks the attention kernel.
"""

import contextlib

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


class _Matmul:
    """torch.backends.cuda.matmul."""

    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True

    @property
    def allow_tf32(self) -> bool:
        return jax.config.jax_default_matmul_precision in _FAST

    @allow_tf32.setter
    def allow_tf32(self, value) -> None:
        jax.config.update("jax_default_matmul_precision", "tensorfloat32" if value else "float32")

    def __repr__(self):
        return f"<torch.backends.cuda.matmul allow_tf32={self.allow_tf32}>"


matmul = _Matmul()


class _CuFFTPlanCache:
    size = 0
    max_size = 0

    def clear(self):
        pass


cufft_plan_cache = _CuFFTPlanCache()

_sdp = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def preferred_linalg_library(backend=None) -> str:
    return "default"


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
