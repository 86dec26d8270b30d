"""GPU behaviour (runs where JAX sees a GPU, and under the cuda emulation through
test_cuda_emulated.py; skipped elsewhere)."""

import os

import numpy as np
import pytest

import torchlike as tl

pytestmark = pytest.mark.skipif(not tl.cuda.is_available(), reason="no GPU visible to JAX")


def test_placement_and_movement():
    x = tl.ones(3, device="cuda")
    assert x.device == tl.device("cuda", 0) and x.is_cuda
    jd = str(list(x._data.devices())[0]).lower()
    if os.environ.get("TORCHLIKE_EMULATE_CUDA", "0") not in ("", "0"):
        assert jd == "cpu:1"  # the CPU device that plays cuda:0
    else:
        assert "cuda" in jd or "gpu" in jd
    y = (x * 2).cpu()
    assert y.device.type == "cpu" and y.tolist() == [2.0, 2.0, 2.0]
    assert y.cuda().device.type == "cuda"
    assert "device='cuda:0'" in repr(x)


def test_mixing_devices_raises():
    with pytest.raises(RuntimeError, match="same device"):
        tl.ones(3, device="cuda") + tl.ones(3)
    # a 0-dim CPU tensor may join a CUDA op, as in PyTorch
    assert (tl.ones(3, device="cuda") * tl.tensor(2.0)).device.type == "cuda"


def test_training_step_on_gpu_matches_cpu():
    def run(dev):
        tl.manual_seed(0)
        nn = tl.nn
        m = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2)).to(dev)
        opt = tl.optim.Adam(m.parameters(), lr=1e-2)
        x = tl.randn(32, 8).to(dev)
        y = tl.randint(0, 2, (32,)).to(dev)
        step = tl.compile(lambda: _step(m, opt, x, y))
        return [step().item() for _ in range(5)]

    np.testing.assert_allclose(run("cuda"), run("cpu"), rtol=2e-4)


def _step(m, opt, x, y):
    opt.zero_grad()
    loss = tl.nn.functional.cross_entropy(m(x), y)
    loss.backward()
    opt.step()
    return loss
