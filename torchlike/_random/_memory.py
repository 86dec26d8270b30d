"""Host buffers that XLA's CPU client adopts without copying."""

from __future__ import annotations

import numpy as np

# PJRT's CPU client aliases a host array handed to jax.device_put when its data is aligned to
# 64 bytes and copies it otherwise (a slow copy: about 4 ms per 10 MB here).
ALIGN = 64


def empty(n: int, dtype) -> np.ndarray:
    """A 1-D ``np.empty(n, dtype)`` whose data starts on an ``ALIGN``-byte boundary."""
    dt = np.dtype(dtype)
    raw = np.empty(n * dt.itemsize + ALIGN, dtype=np.uint8)
    off = -raw.ctypes.data % ALIGN
    return raw[off : off + n * dt.itemsize].view(dt)


def is_aligned(a: np.ndarray) -> bool:
    return a.ctypes.data % ALIGN == 0
