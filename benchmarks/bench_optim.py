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
    step()
    step()
    sync()
    samples = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(n):
            step()
        sync()
        samples.append((time.perf_counter() - t) / n)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--n", type=int, default=5)
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

        tt = _time(t_opt.step, t_sync, args.n)
        lt = _time(l_opt.step, l_sync, args.n)
        # Both took the same steps from the same data: the results must agree.
        diff = max(
            float(np.abs(lp.detach().cpu().numpy() - tp.detach().cpu().numpy()).max())
            for lp, tp in zip(l_params, t_params)
        )
        rows.append((label, lt * 1e3, tt * 1e3, lt / tt, diff))
    print(
        f"optimizer.step(), {N_TENSORS} tensors, {N_TENSORS * SHAPE[0] * SHAPE[1]:,} params, {args.device}"
    )
    print("| optimizer | torchlike ms | PyTorch ms | torchlike / PyTorch | max abs param diff |")
    print("|---|---|---|---|---|")
    for label, lms, tms, r, diff in rows:
        print(f"| {label} | {lms:.2f} | {tms:.2f} | {r:.2f}x | {diff:.1e} |")


if __name__ == "__main__":
    main()
