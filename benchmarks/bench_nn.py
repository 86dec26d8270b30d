"""nn speed on the CPU: eager forward+backward of whole models and of single layers, PyTorch vs
torchlike eager (vs pure JAX where written), interleaved in the same run, under one or more
XLA_FLAGS sets (each set runs in its own process: XLA reads its flags once).

Model cases (the issue's speed report; the default): a ResNet-18 (CIFAR-style, BatchNorm,
width 64) on batch 32 x 3x32x32; a 4-layer nn.TransformerEncoder (d=256, 4 heads, feed-forward
1024, dropout 0.1, batch_first) on batch 16 x seq 128; a 2-layer nn.LSTM (input 128, hidden
256, batch_first) on batch 32 x seq 64 (pure JAX: the same lax.scan LSTM, jitted forward+vjp).
All in train mode, same weights (via state_dict) in both libraries; "fwd" is the forward with
autograd recording (what a training step runs before backward), "fwd+bwd" is that forward plus
`out.backward(g)` for a fixed random g, every parameter's .grad set to None before each call.

lstm_pieces: the LSTM case taken apart (forward and backward timed apart, the XLA programs alone,
while loops per program; benchmarks/ANALYSIS.md section 8).

Layer cases (benchmarks/ANALYSIS.md section 5): the CNN's 32->64 3x3 conv (N=64, 14x14), a
ResNet 64->64 3x3 conv (N=32, 32x32), the MLP's first Linear (128x784 -> 512) and exact GELU
on the GPT's feed-forward activations (16*128 x 1024; pure JAX also as a custom_vjp and as the
tanh approximation).

Run: python benchmarks/bench_nn.py [--threads 1] [--flags default,xnn,...] [--reps R]
         [--cases resnet18,transformer,lstm,conv_cnn,conv_resnet,linear,gelu]
On a loaded CPU machine prefer --threads 1 (every library on one thread, as bench_train.py).
Cells: median (min) over R interleaved repetitions of n calls each, milliseconds per call;
"vs PyTorch" = PyTorch median / this median (higher is faster; 1.00x is parity).
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

MODEL_CASES = ("resnet18", "transformer", "lstm")
CASES = MODEL_CASES + ("lstm_pieces", "conv_cnn", "conv_resnet", "linear", "gelu")


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


def _transformer(lib):
    nn = lib.nn
    layer = nn.TransformerEncoderLayer(256, 4, 1024, 0.1, batch_first=True)
    return nn.TransformerEncoder(layer, 4, enable_nested_tensor=False)


def _lstm(lib):
    return lib.nn.LSTM(128, 256, 2, batch_first=True)


def _first(out):
    return out[0] if isinstance(out, tuple) else out


def _model_cases(cases, reps, torch, tl, jax, rs):
    """fwd / fwd+bwd of the issue's three models, PyTorch vs torchlike (+ pure JAX LSTM)."""
    import numpy as np
    from bench_train import _resnet

    builders = {
        "resnet18": (lambda lib: _resnet(lib, {"width": 64}), (32, 3, 32, 32), 1,
                     "ResNet-18, batch 32, 3x32x32"),
        "transformer": (_transformer, (16, 128, 256), 1,
                        "Transformer encoder 4x(d=256, 4 heads), batch 16, seq 128"),
        "lstm": (_lstm, (32, 64, 128), 2, "LSTM 2x256, batch 32, seq 64"),
    }
    out = {}
    for case in (c for c in MODEL_CASES if c in cases):
        build, shape, n, title = builders[case]
        torch.manual_seed(0)
        tm = build(torch)
        sd = {k: v.detach().numpy() for k, v in tm.state_dict().items()}
        tl.manual_seed(0)
        lm = build(tl)
        lm.load_state_dict({k: tl.tensor(v) for k, v in sd.items()})
        x = rs.randn(*shape).astype(np.float32)
        tx, lx = torch.tensor(x), tl.tensor(x)
        # the same output in eval mode (no dropout, BatchNorm on running stats)
        tm.eval(), lm.eval()
        with torch.no_grad(), tl.no_grad():
            ref, got = _first(tm(tx)).numpy(), np.asarray(_first(lm(lx))._data)
        tm.train(), lm.train()
        g = rs.randn(*ref.shape).astype(np.float32)
        tg, lg = torch.tensor(g), tl.tensor(g)
        tps, lps = list(tm.parameters()), list(lm.parameters())

        def t_fwd(tm=tm, tx=tx):
            _first(tm(tx))

        def t_bwd(tm=tm, tx=tx, tg=tg, tps=tps):
            for p in tps:
                p.grad = None
            _first(tm(tx)).backward(tg)

        def l_fwd(lm=lm, lx=lx):
            _first(lm(lx))._data.block_until_ready()

        def l_bwd(lm=lm, lx=lx, lg=lg, lps=lps):
            for p in lps:
                p.grad = None
            _first(lm(lx)).backward(lg)
            jax.block_until_ready([p.grad._data for p in lps])

        fwd = {"PyTorch": t_fwd, "torchlike eager": l_fwd}
        fb = {"PyTorch": t_bwd, "torchlike eager": l_bwd}
        if case == "lstm":
            jf, jfb, args = _jax_lstm(jax, sd, x, g)
            fwd["pure JAX (same scan)"] = lambda jf=jf, a=args: jf(*a[:-1]).block_until_ready()
            fb["pure JAX (same scan)"] = lambda jfb=jfb, a=args: jax.block_until_ready(jfb(*a))
        out[title] = {"fwd": _interleaved(fwd, reps, n), "fwd+bwd": _interleaved(fb, reps, n),
                      "max |out diff| (eval)": float(np.abs(ref - got).max())}
    return out


def _jax_lstm(jax, sd, x, g):
    """torchlike's own LSTM scan (nn/modules/rnn.py) as one jitted program: forward, vjp."""
    import jax.numpy as jnp

    from torchlike.nn.modules.rnn import _direction

    def f(ws, x):
        h = jnp.swapaxes(x, 0, 1)
        zeros = jnp.zeros((h.shape[1], 256), h.dtype)
        for w in ws:
            h, _, _ = _direction("LSTM", h, None, zeros, zeros, w + (None,), False)
        return jnp.swapaxes(h, 0, 1)

    ws = tuple(tuple(jnp.asarray(sd[f"{k}_l{i}"]) for k in ("weight_ih", "weight_hh", "bias_ih",
                                                            "bias_hh")) for i in range(2))
    args = (ws, jnp.asarray(x), jnp.asarray(g))
    return jax.jit(f), jax.jit(_fwd_bwd(jax, f)), args


def _lstm_pieces(reps, torch, tl, jax, rs):
    """The LSTM fwd+bwd taken apart: PyTorch's and torchlike's forward and backward, and the
    XLA programs alone (the op's forward; a vjp from the primals, which recomputes the forward,
    as every op's backward did before 79ede9d; the forward keeping jax.vjp's residuals and the
    backward from them, as the RNN op does since), with the while loops in each program."""
    import numpy as np

    torch.manual_seed(0)
    tm = _lstm(torch)
    sd = {k: v.detach().numpy() for k, v in tm.state_dict().items()}
    lm = _lstm(tl)
    lm.load_state_dict({k: tl.tensor(v) for k, v in sd.items()})
    x = rs.randn(32, 64, 128).astype(np.float32)
    g = rs.randn(32, 64, 256).astype(np.float32)
    tx, lx, tg, lg = torch.tensor(x), tl.tensor(x), torch.tensor(g), tl.tensor(g)
    tps, lps = list(tm.parameters()), list(lm.parameters())
    jf, jfb, args = _jax_lstm(jax, sd, x, g)
    ws, jx, jg = args
    fres = jax.jit(lambda ws, x: jax.vjp(jf, ws, x))
    bres = jax.jit(lambda vjp, g: vjp(g))
    _, vjp = fres(ws, jx)
    jax.block_until_ready(bres(vjp, jg))

    held = {}

    def t_fwd():
        held["t"] = _first(tm(tx))

    def t_bwd():
        for p in tps:
            p.grad = None
        held["t"].backward(tg)

    def l_fwd():
        held["l"] = _first(lm(lx))
        held["l"]._data.block_until_ready()

    def l_bwd():
        for p in lps:
            p.grad = None
        held["l"].backward(lg)
        jax.block_until_ready([p.grad._data for p in lps])

    # forward then backward, each timed alone, interleaved like everything else
    for f in (t_fwd, t_bwd, l_fwd, l_bwd):
        f()
    samples = {k: [] for k in ("PyTorch fwd", "PyTorch bwd", "torchlike fwd", "torchlike bwd")}
    for _ in range(reps):
        for name, fwd, bwd in (("PyTorch", t_fwd, t_bwd), ("torchlike", l_fwd, l_bwd)):
            t0 = time.perf_counter()
            fwd()
            t1 = time.perf_counter()
            bwd()
            t2 = time.perf_counter()
            samples[name + " fwd"].append((t1 - t0) * 1e3)
            samples[name + " bwd"].append((t2 - t1) * 1e3)
    eager = {k: (statistics.median(v), min(v)) for k, v in samples.items()}
    nodes, stack, seen = 0, [held["l"].grad_fn], set()
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        nodes += type(n).__name__ != "AccumulateGrad"
        stack += [e[0] for e in n.next_functions]
    xla = _interleaved({
        "forward (the _rnn op's kernel)": lambda: jf(ws, jx).block_until_ready(),
        "vjp from primals: forward again + backward (the op's backward before 79ede9d)":
            lambda: jax.block_until_ready(jfb(ws, jx, jg)),
        "forward keeping residuals (jax.vjp)": lambda: jax.block_until_ready(fres(ws, jx)),
        "backward from residuals": lambda: jax.block_until_ready(bres(vjp, jg)),
    }, reps, 2)

    def loops(f, *a):
        return f.lower(*a).compile().as_text().count(" while(")

    return {"LSTM 2x256 pieces": {
        "eager, forward and backward timed apart": eager,
        "XLA programs alone": xla,
        "tape nodes in torchlike's forward": nodes,
        "while loops: forward / vjp from primals / fwd keeping residuals / bwd from residuals":
            " / ".join(str(loops(f, *a)) for f, a in ((jf, (ws, jx)), (jfb, (ws, jx, jg)),
                                                      (fres, (ws, jx)), (bres, (vjp, jg)))),
    }}


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
    out = _model_cases(cases, reps, torch, tl, jax, rs)
    if "lstm_pieces" in cases:
        out.update(_lstm_pieces(reps, torch, tl, jax, rs))

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
    ap.add_argument("--flags", default="default",
                    help=f"XLA flag sets: {', '.join(FLAG_SETS)}")
    ap.add_argument("--cases", default=",".join(MODEL_CASES), help=", ".join(CASES))
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
            if not isinstance(impls, dict):
                continue
            for impl in impls:
                cells = []
                for f in results:
                    timings = results[f][case][pas]
                    cell = "{:.2f} ({:.2f})".format(*timings[impl])
                    if "PyTorch" in timings and impl != "PyTorch":
                        cell += f" {timings['PyTorch'][0] / timings[impl][0]:.2f}x"
                    cells.append(cell)
                print(f"| {case} | {pas} | {impl} | " + " | ".join(cells) + " |")
    for case, passes in first.items():
        for key, value in passes.items():
            if not isinstance(value, dict):
                print(f"\n{case}: {key} = " + ", ".join(
                    f"{v:.1e}" if isinstance(v, float) else str(v)
                    for v in (results[f][case][key] for f in results)))

if __name__ == "__main__":
    main()
