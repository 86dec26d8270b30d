"""Per-op eager time: torchlike vs PyTorch eager vs a bare jitted jax call, same run.

Run: python benchmarks/bench_ops.py   (prints a markdown table of ratios)
"""

import time

import jax
import jax.numpy as jnp
import numpy as np
import torch

import torchlike as tl


def _time(fn, sync, n):
    """Seconds per call: the fastest of 7 runs of n calls (the least disturbed by other work
    on a shared machine; every library gets the same treatment)."""
    fn()
    sync(fn())
    samples = []
    for _ in range(7):
        t = time.perf_counter()
        for _ in range(n):
            r = fn()
        sync(r)
        samples.append((time.perf_counter() - t) / n)
    return min(samples)


def main():
    rows = []
    for size in (16, 1024):
        n = 2000 if size == 16 else 50
        a = np.random.RandomState(0).randn(size, size).astype(np.float32)
        ta, tb = torch.tensor(a), torch.tensor(a)
        la, lb = tl.tensor(a), tl.tensor(a)
        ja, jb = jnp.asarray(a), jnp.asarray(a)
        jadd = jax.jit(lambda x, y: x + y)
        jmul = jax.jit(lambda x, y: x * y)
        jmm = jax.jit(lambda x, y: jnp.matmul(x, y, precision="highest"))
        jsum = jax.jit(jnp.sum)
        jidx = jax.jit(lambda x: x[3])
        jset = jax.jit(lambda x: x.at[3].add(1.0))
        # the index as an argument, as an eager library must pass it (a baked-in index
        # compiles once per index value: a loop over rows would compile per row)
        jidx_dyn = jax.jit(lambda x, i: x[i])
        jset_dyn = jax.jit(lambda x, i: x.at[i].add(1.0))

        def tl_view_inplace():
            la[3].add_(1.0)
            return la

        def t_view_inplace():
            ta[3].add_(1.0)
            return ta

        cases = [
            ("add", lambda: ta + tb, lambda: la + lb, lambda: jadd(ja, jb), None),
            ("mul", lambda: ta * tb, lambda: la * lb, lambda: jmul(ja, jb), None),
            ("matmul", lambda: ta @ tb, lambda: la @ lb, lambda: jmm(ja, jb), None),
            ("sum", lambda: ta.sum(), lambda: la.sum(), lambda: jsum(ja), None),
            ("index read x[3]", lambda: ta[3], lambda: la[3]._data, lambda: jidx(ja),
             lambda: jidx_dyn(ja, 3)),
            ("view + in-place x[3].add_(1)", t_view_inplace, tl_view_inplace, lambda: jset(ja),
             lambda: jset_dyn(ja, 3)),
        ]
        for name, ft, fl, fj, fd in cases:
            tt = _time(ft, lambda r: None, n)
            lt = _time(fl, lambda r: getattr(r, "_data", r).block_until_ready(), n)
            jt = _time(fj, lambda r: r.block_until_ready(), n)
            dt = _time(fd, lambda r: r.block_until_ready(), n) if fd else None
            rows.append((f"{name} {size}x{size}", lt * 1e6, lt / jt, lt / tt,
                         f"{lt / dt:.2f}x" if dt else "-"))
    print("| op | torchlike µs | vs bare jax.jit | vs jax.jit, index as argument "
          "| vs PyTorch eager |")
    print("|---|---|---|---|---|")
    for name, us, rj, rt, rd in rows:
        print(f"| {name} | {us:.1f} | {rj:.2f}x | {rd} | {rt:.2f}x |")


if __name__ == "__main__":
    main()
