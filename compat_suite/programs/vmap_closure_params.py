"""torch.vmap of a closure over a module whose parameters train through it: the gradient of
shared.weight comes from inside the vmapped function and from outside."""

import torch
import torch.nn as nn
from _common import det_init, randn, report

x = randn(1220, 8, 3)
shared = det_init(nn.Linear(3, 2), seed=1221)
opt = torch.optim.SGD(shared.parameters(), lr=0.1)
for step in range(3):
    z = torch.vmap(lambda row: shared(row).tanh().sum())(x)
    loss = z.pow(2).mean() + 0.1 * shared.weight.pow(2).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(step, loss=loss, g=shared.weight.grad.abs().sum(), b=shared.bias.grad.abs().sum())
