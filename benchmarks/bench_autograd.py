"""Autograd overhead: forward and backward of a 20-op chain on small tensors, against PyTorch
eager in the same run (time ratios torchlike / PyTorch: lower is better).

Run: python benchmarks/bench_autograd.py
"""

import statistics
import time

import numpy as np
import torch

import torchlike as tl


def chain(x):
    for _ in range(5):
        x = (x * 1.01).tanh()
        x = x + 0.1
        x = x.sigmoid()
    return x.sum()


def _median(fn, n=200, reps=5):
    fn()
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        out.append((time.perf_counter() - t) / n)
    return statistics.median(out)


def main():
    a = np.random.RandomState(0).randn(16, 16).astype(np.float32)
    rows = []
    for name, lib in (("PyTorch", torch), ("torchlike", tl)):
        x = lib.tensor(a, requires_grad=True)

        def fwd():
            with lib.no_grad():
                r = chain(x)
            return float(r)

        def fwd_bwd():
            x.grad = None
            chain(x).backward()
            return float(x.grad.sum())

        f = _median(fwd)
        fb = _median(fwd_bwd)
        rows.append((name, f, fb))
    print("| library | forward µs | forward+backward µs | backward / forward |")
    print("|---|---|---|---|")
    for name, f, fb in rows:
        print(f"| {name} | {f * 1e6:.0f} | {fb * 1e6:.0f} | {(fb - f) / f:.2f} |")
    print(f"\ntorchlike / PyTorch: forward {rows[1][1] / rows[0][1]:.2f}x, "
          f"forward+backward {rows[1][2] / rows[0][2]:.2f}x")


if __name__ == "__main__":
    main()
