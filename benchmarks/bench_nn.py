"""Per-layer speed on the CPU: PyTorch vs torchlike eager vs pure JAX (jax.jit), forward and
forward+backward, under several XLA_FLAGS sets (each set runs in its own process: XLA reads
its flags once). Used by benchmarks/ANALYSIS.md to find where torchlike's training steps lose.

Cases: the CNN's 32->64 3x3 conv (N=64, 14x14), a ResNet 64->64 3x3 conv (N=32, 32x32), the
MLP's first Linear (128x784 -> 512) and exact GELU on the GPT's feed-forward activations
(16*128 x 1024; pure JAX also as a custom_vjp and as the tanh approximation).

Run: python benchmarks/bench_nn.py [--flags default,xnn,...] [--cases conv,gelu,...] [--reps R]
Cells: median (min) over R interleaved repetitions of n calls each, milliseconds per call.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

FLAG_SETS = {
    "default": "",
    "xnn": "--xla_cpu_experimental_xnn_fusion_type=LIBRARY_FUSION_TYPE_DOT,"
           "LIBRARY_FUSION_TYPE_ELTWISE,LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT,"
           "LIBRARY_FUSION_TYPE_INDIVIDUAL_CONVOLUTION",
    "xnn-graph": "--xla_cpu_experimental_xnn_graph_fusion_mode=XNN_GRAPH_FUSION_MODE_GREEDY",
    "ynn": "--xla_cpu_experimental_ynn_fusion_type=LIBRARY_FUSION_TYPE_DOT,"
           "LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT,LIBRARY_FUSION_TYPE_INDIVIDUAL_CONVOLUTION",
    "onednn": "--xla_cpu_use_onednn=true --xla_cpu_experimental_onednn_custom_call=true",
    "onednn-fusion": "--xla_cpu_experimental_onednn_fusion_type=LIBRARY_FUSION_TYPE_DOT,"
                     "LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT",
    "fast-math": "--xla_cpu_enable_fast_math=true",
}

CASES = ("conv_cnn", "conv_resnet", "linear", "gelu")


def _interleaved(fns, reps, n):
    """{name: (median, min) ms per call} over `reps` rounds, every fn timed once per round."""
    for f in fns.values():
        f()
        f()
    samples = {k: [] for k in fns}
    for r in range(reps):
        items = list(fns.items())
        items = items[r % len(items):] + items[:r % len(items)]
        for k, f in items:
            t = time.perf_counter()
            for _ in range(n):
                f()
            samples[k].append((time.perf_counter() - t) / n * 1e3)
    return {k: (statistics.median(v), min(v)) for k, v in samples.items()}


def _fwd_bwd(jax, f):
    """(output, input gradients): the forward is kept, as a training step needs it."""

    def run(*args):
        out, vjp = jax.vjp(f, *args[:-1])
        return out, vjp(args[-1])

    return run


def worker(cases, reps):
    import jax
    import jax.numpy as jnp
    import numpy as np
    import torch

    import torchlike as tl

    jax.config.update("jax_default_matmul_precision", "highest")
    if os.environ.get("BENCH_THREADS"):
        torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
    torch.manual_seed(0)
    rs = np.random.RandomState(0)
    out = {}

    def conv_case(n, cin, cout, hw):
        x = rs.randn(n, cin, hw, hw).astype(np.float32)
        w = (rs.randn(cout, cin, 3, 3) * 0.1).astype(np.float32)
        b = rs.randn(cout).astype(np.float32)
        g = rs.randn(n, cout, hw, hw).astype(np.float32)
        tx, tw, tb, tg = (torch.tensor(a, requires_grad=a is not g) for a in (x, w, b, g))
        lx, lw, lb, lg = (tl.tensor(a, requires_grad=a is not g) for a in (x, w, b, g))
        jx, jw, jb, jg = (jnp.asarray(a) for a in (x, w, b, g))

        def jconv(x, w, b):
            y = jax.lax.conv_general_dilated(x, w, (1, 1), ((1, 1), (1, 1)),
                                             dimension_numbers=("NCHW", "OIHW", "NCHW"))
            return y + b[None, :, None, None]

        jf = jax.jit(jconv)
        jfb = jax.jit(_fwd_bwd(jax, jconv))

        def t_fwd():
            with torch.no_grad():
                torch.nn.functional.conv2d(tx, tw, tb, padding=1)

        def t_bwd():
            for a in (tx, tw, tb):
                a.grad = None
            torch.nn.functional.conv2d(tx, tw, tb, padding=1).backward(tg)

        def l_fwd():
            with tl.no_grad():
                tl.nn.functional.conv2d(lx, lw, lb, padding=1)._data.block_until_ready()

        def l_bwd():
            for a in (lx, lw, lb):
                a.grad = None
            tl.nn.functional.conv2d(lx, lw, lb, padding=1).backward(lg)
            for a in (lx, lw, lb):
                a.grad._data.block_until_ready()

        return {
            "fwd": _interleaved({"PyTorch": t_fwd, "torchlike eager": l_fwd,
                                 "pure JAX": lambda: jf(jx, jw, jb).block_until_ready()},
                                reps, 5),
            "fwd+bwd": _interleaved({"PyTorch": t_bwd, "torchlike eager": l_bwd,
                                     "pure JAX": lambda: jax.block_until_ready(
                                         jfb(jx, jw, jb, jg))}, reps, 3),
        }

    if "conv_cnn" in cases:
        out["conv 32->64 3x3, N=64, 14x14"] = conv_case(64, 32, 64, 14)
    if "conv_resnet" in cases:
        out["conv 64->64 3x3, N=32, 32x32"] = conv_case(32, 64, 64, 32)

    if "linear" in cases:
        x = rs.randn(128, 784).astype(np.float32)
        w = (rs.randn(512, 784) * 0.03).astype(np.float32)
        b = rs.randn(512).astype(np.float32)
        g = rs.randn(128, 512).astype(np.float32)
        tx, tw, tb, tg = (torch.tensor(a, requires_grad=a is not g) for a in (x, w, b, g))
        lx, lw, lb, lg = (tl.tensor(a, requires_grad=a is not g) for a in (x, w, b, g))
        jx, jw, jb, jg = (jnp.asarray(a) for a in (x, w, b, g))

        def jlin(x, w, b):
            return x @ w.T + b

        jfb = jax.jit(_fwd_bwd(jax, jlin))

        def t_bwd():
            for a in (tx, tw, tb):
                a.grad = None
            torch.nn.functional.linear(tx, tw, tb).backward(tg)

        def l_bwd():
            for a in (lx, lw, lb):
                a.grad = None
            tl.nn.functional.linear(lx, lw, lb).backward(lg)
            for a in (lx, lw, lb):
                a.grad._data.block_until_ready()

        out["linear 784->512, N=128"] = {"fwd+bwd": _interleaved(
            {"PyTorch": t_bwd, "torchlike eager": l_bwd,
             "pure JAX": lambda: jax.block_until_ready(jfb(jx, jw, jb, jg))}, reps, 5)}

    if "gelu" in cases:
        x = rs.randn(16 * 128, 1024).astype(np.float32)
        g = rs.randn(16 * 128, 1024).astype(np.float32)
        tx, tg = torch.tensor(x, requires_grad=True), torch.tensor(g)
        lx, lg = tl.tensor(x, requires_grad=True), tl.tensor(g)
        jx, jg = jnp.asarray(x), jnp.asarray(g)
        sqrt_half = float(1 / np.sqrt(2.0))  # Python floats: x64 is on (torchlike)
        inv_sqrt_2pi = float(1 / np.sqrt(2 * np.pi))

        def exact(x):
            return 0.5 * x * (1 + jax.lax.erf(x * sqrt_half))

        @jax.custom_vjp
        def exact_cvjp(x):
            return exact(x)

        def cvjp_fwd(x):
            return exact(x), x

        def cvjp_bwd(x, g):
            # d/dx x*Phi(x) = Phi(x) + x*phi(x)
            cdf = 0.5 * (1 + jax.lax.erf(x * sqrt_half))
            return (g * (cdf + x * inv_sqrt_2pi * jnp.exp(-0.5 * x * x)),)

        exact_cvjp.defvjp(cvjp_fwd, cvjp_bwd)

        def tanh_gelu(x):
            return jax.nn.gelu(x, approximate=True)

        def fb(f):
            return jax.jit(_fwd_bwd(jax, f))

        jf = {"exact": jax.jit(exact), "tanh": jax.jit(tanh_gelu)}
        jfb = {"exact": fb(exact), "cvjp": fb(exact_cvjp), "tanh": fb(tanh_gelu)}

        def t_fwd(approx):
            def f():
                with torch.no_grad():
                    torch.nn.functional.gelu(tx, approximate=approx)
            return f

        def t_bwd(approx):
            def f():
                tx.grad = None
                torch.nn.functional.gelu(tx, approximate=approx).backward(tg)
            return f

        def l_fwd():
            with tl.no_grad():
                tl.nn.functional.gelu(lx)._data.block_until_ready()

        def l_bwd():
            lx.grad = None
            tl.nn.functional.gelu(lx).backward(lg)
            lx.grad._data.block_until_ready()

        out["GELU 2048x1024"] = {
            "fwd": _interleaved({
                "PyTorch exact": t_fwd("none"), "PyTorch tanh": t_fwd("tanh"),
                "torchlike eager exact": l_fwd,
                "pure JAX exact": lambda: jf["exact"](jx).block_until_ready(),
                "pure JAX tanh": lambda: jf["tanh"](jx).block_until_ready()}, reps, 5),
            "fwd+bwd": _interleaved({
                "PyTorch exact": t_bwd("none"), "PyTorch tanh": t_bwd("tanh"),
                "torchlike eager exact": l_bwd,
                "pure JAX exact (autodiff)": lambda: jax.block_until_ready(jfb["exact"](jx, jg)),
                "pure JAX exact (custom_vjp)": lambda: jax.block_until_ready(jfb["cvjp"](jx, jg)),
                "pure JAX tanh": lambda: jax.block_until_ready(jfb["tanh"](jx, jg))}, reps, 5),
        }
    print("@@NN " + json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--flags", default=",".join(FLAG_SETS),
                    help=f"XLA flag sets: {', '.join(FLAG_SETS)}")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--threads", type=int, default=None,
                    help="1: PyTorch on one thread and XLA with --xla_cpu_multi_thread_eigen=false "
                         "(fair numbers on a loaded machine)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    cases = args.cases.split(",")
    if args.worker:
        return worker(cases, args.reps)
    results = {}
    for name in args.flags.split(","):
        env = dict(os.environ)
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " " + FLAG_SETS[name]).strip()
        if args.threads:
            env["BENCH_THREADS"] = str(args.threads)
            if args.threads == 1:
                env["XLA_FLAGS"] += " --xla_cpu_multi_thread_eigen=false"
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", "--cases",
                               args.cases, "--reps", str(args.reps)],
                              check=False, capture_output=True, text=True, env=env)
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@NN ")]
        if proc.returncode or not line:
            err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
            print(f"flags {name}: failed: {err[-1] if err else proc.returncode}", flush=True)
            continue
        results[name] = json.loads(line[0][5:])
        print(f"flags {name} ({FLAG_SETS[name] or 'none'}): done", file=sys.stderr, flush=True)
    print(f"threads: {args.threads or 'library defaults'}; "
          f"load average {os.getloadavg()[0]:.1f}; ms per call: median (min) of "
          f"{args.reps} interleaved repetitions\n")
    print("| case | pass | impl | " + " | ".join(results) + " |")
    print("|---|---|---|" + "---:|" * len(results))
    first = next(iter(results.values()), {})
    for case, passes in first.items():
        for pas, impls in passes.items():
            for impl in impls:
                cells = ["{:.2f} ({:.2f})".format(*results[f][case][pas][impl]) for f in results]
                print(f"| {case} | {pas} | {impl} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
