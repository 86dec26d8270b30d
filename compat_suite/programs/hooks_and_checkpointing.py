"""Module hooks (forward pre-hook, full backward hook, gradient hook on a parameter) and
activation checkpointing with torch.utils.checkpoint."""

import torch
import torch.nn as nn
from _common import det_init, randn, report
from torch.utils.checkpoint import checkpoint

block = det_init(nn.Sequential(nn.Linear(4, 16), nn.GELU(), nn.Linear(16, 4)), seed=170)
head = det_init(nn.Linear(4, 1), seed=171)
seen = {}
block.register_forward_pre_hook(lambda m, args: (args[0] * 0.5,))
block.register_full_backward_hook(
    lambda m, gin, gout: seen.__setitem__("gout", gout[0].abs().sum())
)
head.weight.register_hook(lambda g: g * 2)  # doubled gradient
opt = torch.optim.SGD(list(block.parameters()) + list(head.parameters()), lr=0.05)
x, y = randn(172, 10, 4), randn(173, 10, 1)
for step in range(6):
    h = checkpoint(block, x, use_reentrant=False)
    loss = nn.functional.mse_loss(head(h + x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(step, loss=loss, gout=seen["gout"], hw=head.weight.grad.abs().sum())
