"""torch.vmap over a model ensemble (torch.func.stack_module_state + functional_call), then an
ordinary loss.backward() into the stacked parameters, and torch.vmap of a closure over a
module whose parameters train through it."""
# compat-xfail: torchlike's torch.func transforms run outside the autograd tape: vmap's output does not require grad, so backward() into the stacked parameters (or a closed-over module) raises or silently drops those gradients

import copy

import torch
import torch.nn as nn
from _common import det_init, randn, report
from torch.func import functional_call, stack_module_state

models = [
    det_init(nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1)), seed=1200 + i)
    for i in range(3)
]
params, buffers = stack_module_state(models)
params = {k: v.requires_grad_() for k, v in params.items()}
base = copy.deepcopy(models[0])  # (the tutorial moves it to "meta": torchlike has no meta device)


def call(p, b, x):
    return functional_call(base, (p, b), (x,))


x, y = randn(1210, 8, 3), randn(1211, 8, 1)
opt = torch.optim.SGD(params.values(), lr=0.1)
for step in range(4):
    out = torch.vmap(call, in_dims=(0, 0, None))(params, buffers, x)  # (3, 8, 1)
    loss = (out - y).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(step, loss=loss, g=params["0.weight"].grad.norm())

shared = det_init(nn.Linear(3, 2), seed=1212)
z = torch.vmap(lambda row: shared(row).sum())(x)
(z.sum() + shared.weight.pow(2).sum()).backward()
report("closure", z=z.sum(), g=shared.weight.grad.abs().sum())
