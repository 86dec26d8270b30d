"""torch.backends.cudnn: the switches scripts set, recorded; XLA chooses convolution kernels.

Differs from PyTorch: `benchmark` and `deterministic` are recorded only (XLA autotunes on
its own; GPU determinism needs XLA_FLAGS=--xla_gpu_deterministic_ops=true before start).
"""

import contextlib

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

enabled = True
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """Whether convolutions run on a GPU (XLA uses cuDNN there)."""
    from torchlike._core.device import gpus

    return bool(gpus())


def version():
    """None: torchlike does not link cuDNN itself."""
    return


def is_acceptable(tensor) -> bool:
    return is_available() and tensor.is_cuda


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Set the switches for the block, restoring them after."""
    g = globals()
    names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")
    prev = {n: g[n] for n in names}
    g.update(zip(names, (enabled, benchmark, benchmark_limit, deterministic, allow_tf32)))
    try:
        yield
    finally:
        g.update(prev)
