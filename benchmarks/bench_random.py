"""10M float32 uniform and normal samples: torchlike (bit-identical stream) against PyTorch.

Run: python benchmarks/bench_random.py [n] [repeats]

Each case runs torchlike and PyTorch alternately, `repeats` times each (the machine is shared
and noisy); the ratio is best against best, and the median of the per-round ratios is shown
beside it. Every case first checks that both give the same bits.
"""

import statistics
import sys
import time

import numpy as np


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main(n=10_000_000, repeats=7):
    import torch

    import torchlike
    import torchlike._ops.random_ops as R
    from torchlike import random as tlrandom

    torch.set_num_threads(1)  # PyTorch's CPU samplers are serial anyway
    ours_t, theirs_t = torchlike.empty(n), torch.empty(n)
    ours_w, theirs_w = torchlike.empty(n // 1000, 1000), torch.empty(n // 1000, 1000)
    cases = [
        ("rand", lambda: R.rand(n), lambda: torch.rand(n)),
        ("randn", lambda: R.randn(n), lambda: torch.randn(n)),
        ("uniform_", lambda: ours_t.uniform_(-2, 3), lambda: theirs_t.uniform_(-2, 3)),
        ("normal_", lambda: ours_t.normal_(0.5, 2.0), lambda: theirs_t.normal_(0.5, 2.0)),
        (
            "init.normal_",
            lambda: torchlike.nn.init.normal_(ours_w, std=0.02),
            lambda: torch.nn.init.normal_(theirs_w, std=0.02),
        ),
    ]
    print(f"n = {n:,} float32; best of {repeats}, torchlike and torch alternating (seconds)")
    print(f"{'':13s} {'torchlike':>10s} {'torch':>10s} {'ratio':>7s} {'median':>7s}")
    for name, ours, theirs in cases:
        tlrandom.manual_seed(0)
        torch.manual_seed(0)
        got, want = ours(), theirs()
        assert np.array_equal(np.asarray(got.detach()._data), want.numpy()), f"{name} differs"
        t_ours, t_theirs = [], []
        for _ in range(repeats):
            t_ours.append(_timed(ours))
            t_theirs.append(_timed(theirs))
        ratio = min(t_ours) / min(t_theirs)
        med = statistics.median(a / b for a, b in zip(t_ours, t_theirs))
        print(f"{name:13s} {min(t_ours):10.3f} {min(t_theirs):10.3f} {ratio:6.2f}x {med:6.2f}x")
    t_raw = min(_timed(lambda: tlrandom.default_generator._random(n)) for _ in range(3))
    print(f"(raw mt19937, {n:,} uint32 draws: {t_raw:.3f} s)")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
