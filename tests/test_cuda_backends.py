"""torch.cuda and torch.backends on a machine without a GPU, against real PyTorch."""

import jax
import pytest

import torchlike as tl
import torchlike.backends
import torchlike.cuda
from tests._oracle import import_torch

torch = import_torch()

needs_no_gpu = pytest.mark.skipif(tl.cuda.is_available(), reason="checks the no-GPU answers")


@needs_no_gpu
def test_cuda_queries_without_gpu_match_torch():
    for name in (
        "is_available",
        "device_count",
        "memory_allocated",
        "max_memory_allocated",
        "memory_reserved",
        "empty_cache",
    ):
        assert getattr(tl.cuda, name)() == getattr(torch.cuda, name)(), name
    for name in ("current_device", "get_device_name", "synchronize", "get_device_capability"):
        with pytest.raises(AssertionError):
            getattr(torch.cuda, name)()
        with pytest.raises(AssertionError, match="not compiled with CUDA"):
            getattr(tl.cuda, name)()
    # Seeding CUDA on a machine without one leaves the CPU stream alone, as in PyTorch.
    tl.manual_seed(3)
    before = tl.rand(3).tolist()
    tl.manual_seed(3)
    tl.cuda.manual_seed(99)
    tl.cuda.manual_seed_all(99)
    assert tl.rand(3).tolist() == before
    assert issubclass(tl.cuda.OutOfMemoryError, RuntimeError)


def test_backend_defaults_match_torch():
    b, tb = tl.backends, torch.backends
    assert b.cudnn.enabled == tb.cudnn.enabled
    assert b.cudnn.benchmark == tb.cudnn.benchmark
    assert b.cudnn.deterministic == tb.cudnn.deterministic
    assert b.cudnn.allow_tf32 == tb.cudnn.allow_tf32
    assert b.mps.is_available() == tb.mps.is_available() is False
    if not tl.cuda.is_available():
        assert b.cudnn.is_available() == tb.cudnn.is_available()
        assert b.cuda.matmul.allow_tf32 == tb.cuda.matmul.allow_tf32


def test_allow_tf32_sets_jax_matmul_precision():
    m = tl.backends.cuda.matmul
    before = jax.config.jax_default_matmul_precision
    try:
        m.allow_tf32 = True
        assert m.allow_tf32 and jax.config.jax_default_matmul_precision == "tensorfloat32"
        assert tl.backends.cuda._get_float32_matmul_precision() == "high"
        m.allow_tf32 = False
        assert not m.allow_tf32 and jax.config.jax_default_matmul_precision == "float32"
        assert tl.backends.cuda._get_float32_matmul_precision() == "highest"
    finally:
        jax.config.update("jax_default_matmul_precision", before)


def test_cudnn_flags_context_restores():
    c = tl.backends.cudnn
    with c.flags(enabled=True, benchmark=True, deterministic=True):
        assert c.benchmark and c.deterministic
    assert not c.benchmark and not c.deterministic
    c.benchmark = True  # scripts assign these
    c.benchmark = False


def test_cuda_amp_names():
    import torchlike.cuda.amp as amp

    assert amp.GradScaler is not None
    with pytest.raises(AttributeError):
        amp.not_a_name  # noqa: B018
