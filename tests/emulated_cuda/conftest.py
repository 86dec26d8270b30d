"""Tests of device bookkeeping on emulated cuda devices (CPU devices playing 'cuda:0').

tests/test_cuda_emulated.py runs this directory in a subprocess with
TORCHLIKE_EMULATE_CUDA=1 and XLA_FLAGS=--xla_force_host_platform_device_count=2, which must be
set before jax is imported. Run directly without them, the tests refuse to run (never skip).
"""

import os

if os.environ.get("TORCHLIKE_EMULATE_CUDA", "0") in ("", "0") or \
        "xla_force_host_platform_device_count" not in os.environ.get("XLA_FLAGS", ""):
    raise RuntimeError("tests/emulated_cuda needs TORCHLIKE_EMULATE_CUDA=1 and "
                       "XLA_FLAGS=--xla_force_host_platform_device_count=2 set before jax is "
                       "imported; run it through tests/test_cuda_emulated.py")
