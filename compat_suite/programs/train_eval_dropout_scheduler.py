"""train()/eval() with dropout p=0, LayerNorm, AdamW and a chain of lr schedulers."""

import torch
import torch.nn as nn
from _common import det_init, randn, report

model = det_init(
    nn.Sequential(nn.Linear(4, 16), nn.LayerNorm(16), nn.ReLU(), nn.Dropout(0.0), nn.Linear(16, 1)),
    seed=11,
)
opt = torch.optim.AdamW(model.parameters(), lr=0.02, weight_decay=0.05)
warmup = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=4)
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=12, eta_min=1e-3)
sched = torch.optim.lr_scheduler.SequentialLR(opt, [warmup, cosine], milestones=[4])
x, y = randn(12, 48, 4), randn(13, 48, 1)
xv, yv = randn(14, 16, 4), randn(15, 16, 1)
for step in range(16):
    model.train()
    loss = nn.functional.mse_loss(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    model.eval()
    with torch.no_grad():
        val = nn.functional.mse_loss(model(xv), yv)
    report(step, loss=loss, val=val, lr=sched.get_last_lr()[0])
