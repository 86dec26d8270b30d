"""optimizer.step() for 100 parameter tensors (10M parameters): torchlike vs PyTorch, same run.

PyTorch runs its default implementation for the device (the for-loop on CPU, foreach
on CUDA). torchlike updates each param group through one cached jax.jit.

Run: python benchmarks/bench_optim.py [--device cuda]   (prints a markdown table)
"""

import argparse
import statistics
import time

import numpy as np
import torch

import torchlike as tl
import torchlike.optim

N_TENSORS = 100
SHAPE = (250, 400)  # 100 x 100k = 10M parameters


def _time(step, sync, n):
    """(median wall time per step, min host CPU time per step) over 5 runs of n steps."""
    step()
    step()
    sync()
    samples, host = [], []
    for _ in range(5):
        t, c = time.perf_counter(), time.process_time()
        for _ in range(n):
            step()
        sync()
        samples.append((time.perf_counter() - t) / n)
        host.append((time.process_time() - c) / n)
    return statistics.median(samples), min(host)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--n", type=int, default=5)
    parser.add_argument("--jax-variants", action="store_true",
                        help="also time hand-written JAX updates in four buffer layouts")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    data = [rng.standard_normal(SHAPE).astype(np.float32) for _ in range(N_TENSORS)]
    grads = [rng.standard_normal(SHAPE).astype(np.float32) * 1e-3 for _ in range(N_TENSORS)]
    cases = [
        ("SGD momentum=0.9", "SGD", {"lr": 1e-3, "momentum": 0.9}),
        ("AdamW", "AdamW", {"lr": 1e-3}),
    ]
    tdev = torch.device(args.device)
    rows = []
    for label, name, kw in cases:
        t_params = [torch.tensor(d, device=tdev, requires_grad=True) for d in data]
        for p, g in zip(t_params, grads):
            p.grad = torch.tensor(g, device=tdev)
        t_opt = getattr(torch.optim, name)(t_params, **kw)

        def t_sync():
            if tdev.type == "cuda":
                torch.cuda.synchronize()

        l_params = [tl.tensor(d, requires_grad=True, device=args.device) for d in data]
        for p, g in zip(l_params, grads):
            p.grad = tl.tensor(g, device=args.device)
        l_opt = getattr(tl.optim, name)(l_params, **kw)

        def l_sync(l_params=l_params):
            for p in l_params:
                p._data.block_until_ready()

        (tt, th), (lt, lh) = _time(t_opt.step, t_sync, args.n), _time(l_opt.step, l_sync, args.n)
        extra = {}
        if args.jax_variants:
            from _optim_jax_variants import variants

            jdev = l_params[0]._data.devices().pop()  # torchlike's device for args.device
            for layout, (step, sync) in variants(name, data, grads, jdev).items():
                extra[layout] = _time(step, sync, args.n)
            if tdev.type == "cuda":
                f_params = [torch.tensor(d, device=tdev, requires_grad=True) for d in data]
                for p, g in zip(f_params, grads):
                    p.grad = torch.tensor(g, device=tdev)
                f_opt = getattr(torch.optim, name)(f_params, fused=True, **kw)
                extra["torch fused"] = _time(f_opt.step, t_sync, args.n)
        # Both took the same steps from the same data: the results must agree.
        diff = max(
            float(np.abs(lp.detach().cpu().numpy() - tp.detach().cpu().numpy()).max())
            for lp, tp in zip(l_params, t_params)
        )
        rows.append((label, lt * 1e3, tt * 1e3, lt / tt, diff, lh * 1e3, th * 1e3, extra))
        # each case as soon as it is measured: a time-limited run keeps what it measured
        print(f"  {label}: torchlike {lt * 1e3:.2f} ms, PyTorch {tt * 1e3:.2f} ms "
              f"({lt / tt:.2f}x), host {lh * 1e3:.2f} / {th * 1e3:.2f} ms", flush=True)
    print(
        f"optimizer.step(), {N_TENSORS} tensors, {N_TENSORS * SHAPE[0] * SHAPE[1]:,} params, {args.device}"
    )
    print("| optimizer | torchlike ms | PyTorch ms | torchlike / PyTorch | max abs param diff |")
    print("|---|---|---|---|---|")
    for label, lms, tms, r, diff, *_ in rows:
        print(f"| {label} | {lms:.2f} | {tms:.2f} | {r:.2f}x | {diff:.1e} |")
    print()
    print("host CPU ms per step (process time): " + "; ".join(
        f"{label}: torchlike {lh:.2f}, PyTorch {th:.2f}" for label, _, _, _, _, lh, th, _ in rows))
    for label, *_, tms, _, _, _, extra in [(r[0], r[2], r[4], r[5], r[6], r[7]) for r in rows]:
        if extra:
            print(f"{label}: " + "; ".join(
                f"{k} {w * 1e3:.2f} ms ({w / (tms / 1e3):.2f}x PyTorch, host {h * 1e3:.2f})"
                for k, (w, h) in extra.items()))


if __name__ == "__main__":
    main()
