"""Common eager calls beyond arithmetic (creation, indexing, copies, reductions, random) on
small inputs: torchlike's time against PyTorch eager's, the libraries taking turns in each
timing round. Finds the calls whose Python path (not XLA) is far off PyTorch's.

Run: python benchmarks/bench_calls.py   (prints a markdown table, worst ratio first)
"""

import time

import numpy as np
import torch

import torchlike as tl


def _time(fns, n=300, rounds=5):
    """Seconds per call of each function: the fastest of `rounds` runs of n calls, taking
    turns, each run after a pause (PyTorch's OpenMP threads spin after parallel work)."""
    for f in fns:
        f()
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for k, f in enumerate(fns):
            time.sleep(0.02)
            t = time.perf_counter()
            for _ in range(n):
                f()
            best[k] = min(best[k], (time.perf_counter() - t) / n)
    return best


def _inputs(m):
    a = np.random.RandomState(0).randn(16, 16).astype(np.float32)
    return {"x": m.tensor(a), "y": m.tensor(a), "i": m.tensor([1, 3, 5]),
            "lab": m.tensor(np.arange(16) % 10), "mask": m.tensor(a > 0)}


CASES = {
    "zeros(32, 256)": lambda m, d: m.zeros(32, 256),
    "full((4, 4), 2.5)": lambda m, d: m.full((4, 4), 2.5),
    "zeros_like(x)": lambda m, d: m.zeros_like(d["x"]),
    "tensor([1., 2.])": lambda m, d: m.tensor([1.0, 2.0]),
    "eye(8)": lambda m, d: m.eye(8),
    "arange(10)": lambda m, d: m.arange(10),
    "linspace(0, 1, 10)": lambda m, d: m.linspace(0, 1, 10),
    "x[idx]": lambda m, d: d["x"][d["i"]],
    "x.index_select(0, idx)": lambda m, d: d["x"].index_select(0, d["i"]),
    "x[mask]": lambda m, d: d["x"][d["mask"]],
    "mask.nonzero()": lambda m, d: d["mask"].nonzero(),
    "x.clone().copy_(y)": lambda m, d: d["x"].clone().copy_(d["y"]),
    "cat([x, y])": lambda m, d: m.cat([d["x"], d["y"]]),
    "x.t().contiguous()": lambda m, d: d["x"].t().contiguous(),
    "x.max(1)": lambda m, d: d["x"].max(1),
    "x.topk(3)": lambda m, d: d["x"].topk(3),
    "cross_entropy": lambda m, d: m.nn.functional.cross_entropy(d["x"][:, :10], d["lab"]),
    "layer_norm": lambda m, d: m.nn.functional.layer_norm(d["x"], (16,)),
    "x.item()": lambda m, d: d["x"][0, 0].item(),
    "randn(16, 16)": lambda m, d: m.randn(16, 16),
    "rand(16, 16)": lambda m, d: m.rand(16, 16),
    "randint(0, 10, (64,))": lambda m, d: m.randint(0, 10, (64,)),
}


def main():
    dl, dt = _inputs(tl), _inputs(torch)
    rows = []
    for name, f in CASES.items():
        lt, tt = _time([lambda f=f: f(tl, dl), lambda f=f: f(torch, dt)])
        rows.append((lt / tt, name, lt * 1e6, tt * 1e6))
    print("| call (16x16 inputs) | torchlike µs | PyTorch µs | torchlike / PyTorch |")
    print("|---|---:|---:|---:|")
    for r, name, lu, tu in sorted(rows, reverse=True):
        print(f"| `{name}` | {lu:.1f} | {tu:.1f} | {r:.1f}x |")


if __name__ == "__main__":
    main()
