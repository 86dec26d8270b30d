"""10M float32 uniform and normal samples: torchlike (bit-identical stream) against PyTorch.

Run: python benchmarks/bench_random.py [n]
"""

import sys
import time

import numpy as np


def best_of(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(n=10_000_000):
    import torch

    import torchlike._ops.random_ops as R
    from torchlike import random as tlrandom

    cases = [
        ("rand", lambda: R.rand(n), lambda: torch.rand(n)),
        ("randn", lambda: R.randn(n), lambda: torch.randn(n)),
    ]
    print(f"n = {n:,} float32, best of 3 (seconds)")
    print(f"{'':8s} {'torchlike':>10s} {'torch':>10s} {'ratio':>8s}")
    for name, ours, theirs in cases:
        tlrandom.manual_seed(0)
        torch.manual_seed(0)
        assert np.array_equal(np.asarray(ours()._data), theirs().numpy()), f"{name} differs"
        t_ours, t_torch = best_of(ours), best_of(theirs)
        print(f"{name:8s} {t_ours:10.3f} {t_torch:10.3f} {t_ours / t_torch:7.1f}x")
    t_raw = best_of(lambda: tlrandom.default_generator._random(n))
    print(f"(raw mt19937, {n:,} uint32 draws: {t_raw:.3f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
