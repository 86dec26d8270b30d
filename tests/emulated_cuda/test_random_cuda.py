"""Random draws on (emulated) cuda come from JAX keys taken from the generator: drawn on the
device, reproducible from the seed, with the right distribution (PyTorch's CUDA stream differs
from its CPU stream too, so there are no PyTorch numbers to match)."""

import numpy as np

import torchlike as tl
import torchlike.nn.functional as F
from test_devices import on_cuda


def _draws():
    tl.manual_seed(0)
    x = tl.ones(64, 64, device="cuda")
    return [
        F.dropout(x, 0.25),
        tl.rand(64, 64, device="cuda"),
        tl.randn(64, 64, device="cuda"),
        tl.rand_like(x),
        tl.randn_like(x),
        tl.empty(64, 64, device="cuda").uniform_(2.0, 3.0),
        tl.empty(64, 64, device="cuda").normal_(1.0, 2.0),
        tl.empty(64, 64, device="cuda").bernoulli_(0.75),
    ]


def test_cuda_draws_are_on_device_and_reproducible():
    a, b = _draws(), _draws()
    on_cuda(*a)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u.cpu().numpy(), v.cpu().numpy())
    # every draw advanced the generator: no two samples repeat
    assert len({u.cpu().numpy().tobytes() for u in a[1:5]}) == 4


def test_cuda_draws_follow_their_distributions():
    drop, rand, randn, rand_like, randn_like, unif, normal, bern = (u.cpu().numpy() for u in _draws())
    n = drop.size
    # F.dropout keeps 3/4 of the elements, scaled by 1/(1-p)
    assert set(np.unique(drop)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((drop > 0).mean() - 0.75) < 4 * np.sqrt(0.75 * 0.25 / n)
    for u in (rand, rand_like):
        assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 4 * np.sqrt(1 / 12 / n)
    for z in (randn, randn_like):
        assert abs(z.mean()) < 4 / np.sqrt(n) and abs(z.std() - 1) < 0.05
    assert unif.min() >= 2 and unif.max() < 3
    assert abs(normal.mean() - 1) < 8 / np.sqrt(n) and abs(normal.std() - 2) < 0.1
    assert set(np.unique(bern)) <= {0.0, 1.0} and abs(bern.mean() - 0.75) < 0.03
