"""torch.cuda.nvtx: NVTX ranges for NVIDIA's profilers.

Differs from PyTorch: where a GPU exists the ranges are no-ops (use jax.profiler for XLA's
traces); without one they raise as PyTorch's CPU build does.
"""

import contextlib

__all__ = ["mark", "range", "range_end", "range_pop", "range_push", "range_start"]


def _check():
    from . import is_available

    if not is_available():
        raise RuntimeError("NVTX functions not installed. Are you sure you have a CUDA build?")


def range_push(msg):
    _check()
    return 0


def range_pop():
    _check()
    return 0


def range_start(msg) -> int:
    _check()
    return 0


def range_end(range_id) -> None:
    _check()


def mark(msg):
    _check()


@contextlib.contextmanager
def range(msg, *args, **kwargs):
    range_push(msg.format(*args, **kwargs))
    try:
        yield
    finally:
        range_pop()
