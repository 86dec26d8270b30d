"""torch.vmap over a model ensemble (torch.func.stack_module_state + functional_call), then an
ordinary loss.backward() into the stacked parameters."""

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
