"""The usual device boilerplate and dtype casts: model.to(device), x.to(device), .double(),
.float(), .cpu(), and torch.cuda/torch.backends switches scripts set at the top."""

import torch
import torch.nn as nn
from _common import det_init, randn, report

torch.backends.cudnn.benchmark = True
torch.backends.cuda.matmul.allow_tf32 = False
device = "cuda" if torch.cuda.is_available() else "cpu"
model = det_init(nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1)), seed=95).to(device)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = randn(96, 20, 3).to(device), randn(97, 20, 1).to(device, non_blocking=True)
for step in range(6):
    if step == 3:
        model.double()  # the optimizer keeps the same Parameter objects
        x, y = x.double(), y.to(torch.float64)
    loss = nn.functional.mse_loss(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(
        step,
        loss=loss.cpu(),
        is64=model[0].weight.dtype == torch.float64,
        dev=str(next(model.parameters()).device) == device,
    )
model.float().cpu()
report(6, w=model[0].weight.sum(), f32=model[0].weight.dtype == torch.float32)
