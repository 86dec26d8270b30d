"""torch.compile on a model and on a whole training step (backend="eager" under PyTorch,
which needs no C++ toolchain; torchlike compiles to XLA whatever the backend)."""

import torch
import torch.nn as nn
from _common import det_init, randn, report

model = det_init(nn.Sequential(nn.Linear(4, 16), nn.GELU(), nn.Linear(16, 1)), seed=130)
compiled = torch.compile(model, backend="eager")
opt = torch.optim.Adam(model.parameters(), lr=0.01)
x, y = randn(131, 32, 4), randn(132, 32, 1)


@torch.compile(backend="eager")
def train_step(x, y):
    opt.zero_grad()
    loss = nn.functional.mse_loss(compiled(x), y)
    loss.backward()
    opt.step()
    return loss


for step in range(8):
    loss = train_step(x, y)
    report(step, loss=loss, w=model[0].weight.abs().sum())
