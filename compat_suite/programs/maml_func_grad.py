"""Second-order MAML on sine regression with torch.func.functional_call and torch.func.grad:
the inner-loop gradient stays on the graph, so the meta-gradient includes its derivative."""

import torch
import torch.nn as nn
from _common import det_init, randn, report
from torch.func import functional_call, grad

net = det_init(nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1)), seed=1500)
meta_opt = torch.optim.Adam(net.parameters(), lr=1e-2)


def task(seed):
    amp = 0.5 + randn(seed, 1).abs()
    phase = randn(seed + 1, 1)
    xs = randn(seed + 2, 10, 1) * 2
    xq = randn(seed + 3, 10, 1) * 2
    return xs, amp * torch.sin(xs + phase), xq, amp * torch.sin(xq + phase)


def loss_fn(params, x, y):
    return (functional_call(net, params, (x,)) - y).pow(2).mean()


for step in range(5):
    meta_opt.zero_grad()
    total = 0.0
    for t in range(3):
        xs, ys, xq, yq = task(1510 + 10 * step + 4 * t)
        params = dict(net.named_parameters())
        for _ in range(2):  # inner steps, differentiable
            g = grad(loss_fn)(params, xs, ys)
            params = {k: p - 0.1 * g[k] for k, p in params.items()}
        q = loss_fn(params, xq, yq)
        q.backward()
        total += q.item()
    meta_opt.step()
    report(step, meta_loss=total / 3, g0=net[0].weight.grad.norm(), g2=net[2].bias.grad.abs().sum())
