"""MLP regression trained full-batch with SGD (momentum, Nesterov, weight decay)."""

import torch
import torch.nn as nn
from _common import det_init, randn, report

x = randn(0, 64, 4)
y = (x[:, :1] * 2 - x[:, 1:2].pow(2) + 0.5 * torch.sin(x[:, 2:3])).detach()

model = det_init(
    nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4)
loss_fn = nn.MSELoss()
for step in range(25):
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    gnorm = model[0].weight.grad.norm()
    opt.step()
    report(step, loss=loss.item(), grad_norm=gnorm, w00=model[0].weight[0, 0])
