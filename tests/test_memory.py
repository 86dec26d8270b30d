"""Eager training does not grow memory: saved arrays are freed after each backward."""

import gc
import resource

import pytest

import torchlike as tl


def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2 ** 20


@pytest.mark.slow
def test_many_eager_steps_do_not_grow_memory():
    tl.manual_seed(0)
    nn = tl.nn
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 4))
    opt = tl.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = tl.randn(16, 32), tl.randint(0, 4, (16,))

    def steps(n):
        for _ in range(n):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()

    steps(300)  # warm up: compile every kernel once
    gc.collect()
    before = _rss_mb()
    steps(3000)
    gc.collect()
    grown = _rss_mb() - before
    assert grown < 40, f"resident memory grew by {grown:.1f} MiB over 3000 steps"
