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


_DATA_PARALLEL = """
import torchlike as tl
from torchlike import nn
from torchlike._ops import kernel

class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.l = nn.Linear(4, 2)

    def forward(self, x):
        return self.l(x) * 0.5 + 1.0  # Python numbers with a batch spread over two devices

m = M().cuda()
x = tl.linspace(-1, 1, 24).reshape(6, 4).cuda()
out = nn.DataParallel(m)(x)
(out * 2.0).sum().backward()
ref = M()
ref.load_state_dict({k: v.cpu() for k, v in m.state_dict().items()})
expect = ref(x.cpu())
assert tl.allclose(out.cpu(), expect, atol=1e-6), (out, expect)
assert m.l.weight.grad.device.type == "cuda"
# one device: a number gets a cached copy on the op's device instead of a copy per call
y = tl.ones(3, device="cuda") * 3.0
assert any(d.type == "cuda" for _, d in kernel._ON_DEVICE), kernel._ON_DEVICE
assert y.tolist() == [3.0, 3.0, 3.0]
print("ok")
"""


def test_numbers_on_cuda_and_data_parallel_over_two_emulated_gpus():
    env = dict(os.environ, TORCHLIKE_EMULATE_CUDA="1",
               XLA_FLAGS="--xla_force_host_platform_device_count=3")
    r = subprocess.run([sys.executable, "-c", _DATA_PARALLEL], cwd=os.path.dirname(HERE),
                       env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), (r.stdout + r.stderr)[-5000:]
