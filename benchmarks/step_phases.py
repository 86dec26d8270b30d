"""Where a compiled training step's host time goes, phase by phase, on this device.

Times, inside one process over 40 synchronised steps of bench_train's workload, the step's
Python per phase (zero_grad, forward, loss, backward, optimizer: the recording of the
program), the end of the call (building the program key, dispatching the XLA program,
handing out results), and then the program's dispatch alone on fresh copies of its inputs,
in four variants (as is; numpy inputs put on the device first; without donation; neither),
against a one-add program with the same inputs and the hand-written JAX step's call.

    python benchmarks/step_phases.py mlp
    python benchmarks/step_phases.py gpt --quick --layers 4 --only

--only stops after the phases; --cprofile adds a profile of the step's Python. The JAX step
runs in this process, after torchlike has enabled float64 (jax_enable_x64), so its call
time here is not bench_train's (which runs each mode in its own process).
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time

import bench_train as bt
from profile_step import tl_sync
import jax
import jax.numpy as jnp
import numpy as np


def ms(v):
    return f"{statistics.median(v) * 1e3:.3f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workload", choices=list(bt.WORKLOADS))
    ap.add_argument("--quick", action="store_true", help="bench_train's --quick sizes")
    ap.add_argument("--layers", type=int, help="the GPT's number of layers")
    ap.add_argument("--only", action="store_true", help="the phases only")
    ap.add_argument("--cprofile", action="store_true", help="profile the steps' Python")
    args = ap.parse_args()

    import torchlike as lib
    import torchlike._lazy as lazy

    name = args.workload
    cfg = dict(bt.WORKLOADS[name]["quick" if args.quick else "full"])
    if args.layers:
        cfg["layers"] = args.layers
    x, y = bt._data(name, cfg)
    end = {"pre": [], "call": [], "post": []}
    cap = {}
    orig_build = lazy._build

    def build(records, live, donate=()):
        cap["records"], cap["live"] = records, live
        return orig_build(records, live, donate)

    lazy._build = build

    def materialize(self, why=None):  # Trace.materialize, timed in three parts
        if not self.records:
            return
        t0 = time.perf_counter()
        holders = [la for la in (w() for w in self.values) if la is not None and la.value is None]
        records = tuple(self.records)
        donate, holders = lazy._donatable(self.inputs, self.in_avals, holders)
        live = tuple(la.idx for la in holders)
        key = (records, tuple(self.in_avals), live, donate)
        prog = self.owner.programs.get(key)
        if prog is None:
            prog = self.owner.programs[key] = lazy._build(records, live, donate)
        cap["prog"] = prog
        if cap.get("copy"):  # the inputs, kept for the dispatch measurements below
            cap["inputs"] = [jnp.copy(i) if isinstance(i, jax.Array) else i for i in self.inputs]
            jax.block_until_ready([i for i in cap["inputs"] if isinstance(i, jax.Array)])
        t1 = time.perf_counter()
        outs = prog(*self.inputs)
        t2 = time.perf_counter()
        for la, o in zip(holders, outs):
            la.value = o
        self._reset()
        t3 = time.perf_counter()
        end["pre"].append(t1 - t0)
        end["call"].append(t2 - t1)
        end["post"].append(t3 - t2)

    lazy.Trace.materialize = materialize

    dev = "cuda" if lib.cuda.is_available() else "cpu"
    lib.manual_seed(0)
    model = bt.BUILDERS[name](lib, cfg).to(dev)
    opt = bt._optimizer(lib, name, model.parameters())
    F = lib.nn.functional
    phases = {k: [] for k in ("zero", "fwd", "loss", "bwd", "opt")}

    def step(x, y):
        t0 = time.perf_counter()
        opt.zero_grad()
        t1 = time.perf_counter()
        out = model(x)
        if name in bt.LM:
            out, y = out.reshape(-1, out.shape[-1]), y.reshape(-1)
        t2 = time.perf_counter()
        loss = F.cross_entropy(out, y)
        t3 = time.perf_counter()
        loss.backward()
        t4 = time.perf_counter()
        opt.step()
        t5 = time.perf_counter()
        for k, a, b in (("zero", t0, t1), ("fwd", t1, t2), ("loss", t2, t3), ("bwd", t3, t4),
                        ("opt", t4, t5)):
            phases[k].append(b - a)
        return loss

    cstep = lib.compile(step)
    tx, ty = lib.tensor(x).to(dev), lib.tensor(y).to(dev)
    sync = tl_sync(model)

    for _ in range(5):
        sync(cstep(tx, ty))
    for d in (end, phases):
        for v in d.values():
            v.clear()
    host = []
    for _ in range(40):
        t0 = time.perf_counter()
        loss = cstep(tx, ty)
        host.append(time.perf_counter() - t0)
        sync(loss)
    print(f"{name} on {jax.devices()[0].device_kind}: compiled call {ms(host)} ms; step Python:",
          ", ".join(f"{k} {ms(v)}" for k, v in phases.items()), "; materialize:",
          ", ".join(f"{k} {ms(v)}" for k, v in end.items()))
    if args.cprofile:
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(40):
            sync(cstep(tx, ty))
        prof.disable()
        stats = pstats.Stats(prof, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(30)
    if args.only:
        return

    cap["copy"] = True
    sync(cstep(tx, ty))
    inputs, prog = cap["inputs"], cap["prog"]
    print("inputs:", [(type(i).__name__, getattr(i, "shape", None), str(getattr(i, "dtype", "")))
                      for i in inputs])

    def timed(f, inputs, n=40):
        out = []
        for _ in range(n):
            c = [jnp.copy(i) if isinstance(i, jax.Array) else i for i in inputs]
            jax.block_until_ready([i for i in c if isinstance(i, jax.Array)])
            t0 = time.perf_counter()
            r = f(*c)
            out.append(time.perf_counter() - t0)
            jax.block_until_ready(r)
        return ms(out)

    dev_inputs = [jax.device_put(i) if isinstance(i, np.ndarray) else i for i in inputs]
    nodonate = orig_build(cap["records"], cap["live"], ())
    print("dispatch of the step's program alone: as is", timed(prog, inputs),
          "| numpy inputs already on device", timed(prog, dev_inputs),
          "| not donating", timed(nodonate, inputs), "| neither", timed(nodonate, dev_inputs))
    print("a one-add program with the same inputs:",
          timed(jax.jit(lambda *a: a[0] + 1), dev_inputs))

    import torch

    m = bt.BUILDERS[name](torch, cfg)
    sd = {k: v.detach().numpy() for k, v in m.state_dict().items()}
    run, jsync, *_ = bt._setup_jax(name, cfg, sd, [k for k, _ in m.named_parameters()], x, y)
    for _ in range(5):
        jsync(run())
    jh = []
    for _ in range(40):
        t0 = time.perf_counter()
        loss = run()
        jh.append(time.perf_counter() - t0)
        jsync(loss)
    print(f"JAX step call (this process) {ms(jh)} ms")


if __name__ == "__main__":
    main()
