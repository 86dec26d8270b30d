"""Device bookkeeping on cuda without a GPU: tests/emulated_cuda and test_gpu.py run in a
subprocess where two CPU devices play 'cpu' and 'cuda:0' (see torchlike/_core/device.py gpus)."""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.mark.slow
def test_emulated_cuda_suite():
    env = dict(os.environ, TORCHLIKE_EMULATE_CUDA="1",
               XLA_FLAGS="--xla_force_host_platform_device_count=2")
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         os.path.join(HERE, "emulated_cuda"), os.path.join(HERE, "test_gpu.py")],
        cwd=os.path.dirname(HERE), env=env, capture_output=True, text=True, timeout=600)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-20000:]
    assert " passed" in out and "skipped" not in out, out[-5000:]
