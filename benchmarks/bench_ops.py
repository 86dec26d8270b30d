"""Per-op eager time: torchlike vs PyTorch eager vs a bare jitted jax call, same run.

Run: python benchmarks/bench_ops.py   (prints a markdown table: the fastest round's time per call
and, for each ratio, the median over rounds of the ratio within the round)
"""

import time

import jax
import jax.numpy as jnp
import numpy as np
import torch

import torchlike as tl


def _time(fns, n, rounds=7):
    """Seconds per call of each (fn, sync) in fns, for each of `rounds` runs of n calls, the
    libraries taking turns within each round, so that a disturbance from other work on this
    shared machine is not charged to one of them. Each run starts after a pause: PyTorch's
    OpenMP threads spin for a while after its parallel ops, and on a 2-core machine they slow
    whatever runs next (1024x1024 adds timed right after PyTorch's took ~40 us longer)."""
    for fn, sync in fns:
        fn()
        sync(fn())
    times = [[] for _ in fns]
    for _ in range(rounds):
        for k, (fn, sync) in enumerate(fns):
            time.sleep(0.05)
            t = time.perf_counter()
            for _ in range(n):
                r = fn()
            sync(r)
            times[k].append((time.perf_counter() - t) / n)
    return times


def _ratio(a, b):
    """a's time over b's: the median over rounds of the ratio within each round (the two ran
    back to back, so the machine's slow drifts cancel), for each round's a and b."""
    return float(np.median([x / y for x, y in zip(a, b)]))


def main():
    rows = []
    for size in (16, 1024):
        # large ops are memory-bound and this machine is shared: more, shorter rounds
        n, rounds = (1000, 15) if size == 16 else (20, 21)
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
            # x[3] is a view in both libraries; torchlike computes a view's values when they are
            # first read (._data), PyTorch's share its storage. Both rows are reported.
            ("index x[3] (the view)", lambda: ta[3], lambda: la[3], None, None),
            ("index read x[3] (its values)", lambda: ta[3], lambda: la[3]._data,
             lambda: jidx(ja), lambda: jidx_dyn(ja, 3)),
            ("view + in-place x[3].add_(1)", t_view_inplace, tl_view_inplace, lambda: jset(ja),
             lambda: jset_dyn(ja, 3)),
        ]
        for name, ft, fl, fj, fd in cases:
            ready = lambda r: r.block_until_ready()  # noqa: E731
            fns = [(ft, lambda r: None),
                   # the view itself has nothing to wait for
                   (fl, (lambda r: None) if fj is None else
                    (lambda r: getattr(r, "_data", r).block_until_ready()))]
            fns += [(f, ready) for f in (fj, fd) if f is not None]
            times = _time(fns, n, rounds)
            tt, lt = times[:2]
            jt = times[2] if fj else None
            dt = times[3] if fd else None
            rows.append((f"{name} {size}x{size}", min(lt) * 1e6,
                         f"{_ratio(lt, jt):.2f}x" if jt else "-", _ratio(lt, tt),
                         f"{_ratio(lt, dt):.2f}x" if dt else "-"))
    print("| op | torchlike µs | vs bare jax.jit | vs jax.jit, index as argument "
          "| vs PyTorch eager |")
    print("|---|---|---|---|---|")
    for name, us, rj, rt, rd in rows:
        print(f"| {name} | {us:.1f} | {rj} | {rd} | {rt:.2f}x |")


if __name__ == "__main__":
    main()
