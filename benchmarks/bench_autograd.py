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


def _median(fn, n=200, reps=5, clock=time.perf_counter):
    fn()
    out = []
    for _ in range(reps):
        t = clock()
        for _ in range(n):
            fn()
        out.append((clock() - t) / n)
    return statistics.median(out)


def _least_cpu(fn, n=200, reps=9):
    """The least process time per call over reps: what the work costs this process, the
    least disturbed by other load on a shared machine (ops here are too small to thread)."""
    _median(fn, n, 1)
    return min(_median(fn, n, 1, time.process_time) for _ in range(reps))


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
        rows.append((name, f, fb, _least_cpu(fwd), _least_cpu(fwd_bwd)))
    print("| library | forward µs | forward+backward µs | backward / forward | same, least "
          "process time: forward, forward+backward µs, backward / forward |")
    print("|---|---|---|---|---|")
    for name, f, fb, cf, cfb in rows:
        print(f"| {name} | {f * 1e6:.0f} | {fb * 1e6:.0f} | {(fb - f) / f:.2f} | "
              f"{cf * 1e6:.0f}, {cfb * 1e6:.0f}, {(cfb - cf) / cf:.2f} |")
    print(f"\ntorchlike / PyTorch (median wall time): forward {rows[1][1] / rows[0][1]:.2f}x, "
          f"forward+backward {rows[1][2] / rows[0][2]:.2f}x; (least process time): forward "
          f"{rows[1][3] / rows[0][3]:.2f}x, forward+backward {rows[1][4] / rows[0][4]:.2f}x")


if __name__ == "__main__":
    main()
