"""Gradient accumulation over micro-batches, clip_grad_norm_, and RMSprop."""

import torch
import torch.nn as nn
from _common import det_init, randn, report

model = det_init(nn.Sequential(nn.Linear(6, 24), nn.SiLU(), nn.Linear(24, 2)), seed=4)
opt = torch.optim.RMSprop(model.parameters(), lr=0.01, alpha=0.9, momentum=0.5)
x, y = randn(5, 64, 6), randn(6, 64, 2)
accum = 4
for step in range(12):
    opt.zero_grad(set_to_none=True)
    total = 0.0
    for xb, yb in zip(x.chunk(accum), y.chunk(accum)):
        loss = nn.functional.smooth_l1_loss(model(xb), yb) / accum
        loss.backward()
        total += loss.item()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.05)
    torch.nn.utils.clip_grad_value_(model.parameters(), clip_value=0.01)
    opt.step()
    report(step, loss=total, grad_norm=norm)
