"""torch.save / torch.load of a model and optimizer checkpoint through an in-memory file."""

import io

import torch
import torch.nn as nn
from _common import det_init, randn, report

model = det_init(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)), seed=90)
opt = torch.optim.Adam(model.parameters(), lr=0.01)
x, y = randn(91, 16, 4), randn(92, 16, 1)


def step_once(m, o):
    o.zero_grad()
    loss = nn.functional.mse_loss(m(x), y)
    loss.backward()
    o.step()
    return loss.item()


for step in range(4):
    report(step, loss=step_once(model, opt))
buf = io.BytesIO()
torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": 4}, buf)
buf.seek(0)
ckpt = torch.load(buf)
model2 = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
opt2 = torch.optim.Adam(model2.parameters(), lr=0.01)
model2.load_state_dict(ckpt["model"])
opt2.load_state_dict(ckpt["opt"])
for step in range(ckpt["step"], 8):
    report(step, loss=step_once(model, opt), resumed=step_once(model2, opt2))
