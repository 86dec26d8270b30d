"""Where one training step's time goes, for one bench_train workload and mode.

Prints the step's median time split into the call (host: Python and dispatch) and the wait
for its results, the XLA program's top-level instructions (fusions, copies, library calls)
for the compiled modes, and with --cprofile the step's hottest Python functions. Run it on
the device in question, e.g. on a GPU:

    python benchmarks/profile_step.py mlp tl_compile --cprofile
    python benchmarks/profile_step.py mlp jax

Modes: tl (torchlike eager), tl_compile, jax (bench_train's hand-written step).
"""

import argparse
import collections
import cProfile
import pstats
import re
import statistics
import sys
import time

import bench_train as bt
import jax
import numpy as np


def hlo_counts(text):
    """Top-level instructions of a compiled XLA program, by opcode (library calls by target)."""
    entry = text[text.index("ENTRY"):]
    entry = entry[:entry.index("\n}")]
    counts = collections.Counter()
    for line in entry.splitlines()[1:]:
        m = re.search(r"= \S+ ([a-z\-]+)\(", line)
        if m:
            op = m.group(1)
            if op == "custom-call":
                t = re.search(r'custom_call_target="([^"]+)"', line)
                op = "custom-call:" + (t.group(1) if t else "?")
            counts[op] += 1
    return counts


def _setup_jax(name, cfg, x, y):
    import torch

    model = bt.BUILDERS[name](torch, cfg)
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    names = [k for k, _ in model.named_parameters()]
    run, sync, _, _, _ = bt._setup_jax(name, cfg, sd, names, x, y)
    cells = [c.cell_contents for c in run.__closure__]
    jstep = next(c for c in cells if hasattr(c, "lower"))
    st = next(c for c in cells if isinstance(c, dict))
    args = (st["p"], st["b"], st["s"], st["key"], jax.device_put(x), jax.device_put(y))
    return run, sync, (lambda: jstep.lower(*args).compile().as_text())


def tl_sync(model):
    """A step's sync for torchlike: the loss on the host, every parameter ready."""
    params = list(model.parameters())

    def sync(loss):
        loss.item()
        for p in params:
            p._data.block_until_ready()

    return sync


def _setup_tl(name, cfg, x, y, compiled):
    import torchlike as lib
    import torchlike._lazy as lazy

    last = {}
    build, materialize = lazy._build, lazy.Trace.materialize

    def capture_build(records, live, donate=()):
        last["prog"] = build(records, live, donate)
        return last["prog"]

    def capture_inputs(self, why=None):
        if self.records:
            last["args"] = [
                i if isinstance(i, (int, float)) else
                jax.ShapeDtypeStruct(np.shape(i), i.dtype, sharding=getattr(i, "sharding", None))
                for i in self.inputs
            ]
        return materialize(self, why)

    lazy._build, lazy.Trace.materialize = capture_build, capture_inputs
    dev = "cuda" if lib.cuda.is_available() else "cpu"
    lib.manual_seed(0)
    model = bt.BUILDERS[name](lib, cfg).to(dev)
    opt = bt._optimizer(lib, name, model.parameters())
    step = bt._lib_step(lib, name, model, opt)
    if compiled:
        step = lib.compile(step)
    tx, ty = lib.tensor(x).to(dev), lib.tensor(y).to(dev)
    sync = tl_sync(model)

    def hlo():
        return last["prog"].lower(*last["args"]).compile().as_text() if "prog" in last else None

    return (lambda: step(tx, ty)), sync, hlo


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workload", choices=list(bt.WORKLOADS))
    ap.add_argument("mode", choices=["tl", "tl_compile", "jax"])
    ap.add_argument("--quick", action="store_true", help="bench_train's --quick sizes")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--cprofile", action="store_true", help="profile the steps' Python")
    args = ap.parse_args()
    cfg = bt.WORKLOADS[args.workload]["quick" if args.quick else "full"]
    x, y = bt._data(args.workload, cfg)
    if args.mode == "jax":
        run, sync, hlo = _setup_jax(args.workload, cfg, x, y)
    else:
        run, sync, hlo = _setup_tl(args.workload, cfg, x, y, args.mode == "tl_compile")
    for _ in range(5):
        sync(run())
    host, total = [], []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        loss = run()
        t1 = time.perf_counter()
        sync(loss)
        host.append(t1 - t0)
        total.append(time.perf_counter() - t0)
    line = (f"{args.workload} {args.mode} on {jax.devices()[0].device_kind}: step "
            f"{statistics.median(total) * 1e3:.3f} ms (min {min(total) * 1e3:.3f}); the call "
            f"returns after {statistics.median(host) * 1e3:.3f} ms")
    text = hlo()
    if text:
        c = hlo_counts(text)
        line += f"; program: {sum(c.values())} instructions: " + ", ".join(
            f"{k} {v}" for k, v in c.most_common(12))
    print(line)
    if args.cprofile:
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.steps):
            sync(run())
        prof.disable()
        stats = pstats.Stats(prof, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
