"""state_dict round trip in memory: model and optimizer saved, restored, training resumed."""

import copy

import torch
import torch.nn as nn
from _common import det_init, randn, report


def make():
    model = nn.Sequential(nn.Linear(5, 12), nn.ReLU(), nn.Linear(12, 3))
    return model, torch.optim.Adam(model.parameters(), lr=0.01)


x, y = randn(30, 32, 5), randn(31, 32, 3)
model, opt = make()
det_init(model, seed=30)


def train_step(model, opt):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


for step in range(5):
    report(step, loss=train_step(model, opt))

ckpt = {"model": copy.deepcopy(model.state_dict()), "opt": copy.deepcopy(opt.state_dict())}
model2, opt2 = make()
model2.load_state_dict(ckpt["model"])
opt2.load_state_dict(ckpt["opt"])
report(
    5,
    keys=len(ckpt["model"]),
    state=len(ckpt["opt"]["state"]),
    exp_avg=ckpt["opt"]["state"][0]["exp_avg"].sum(),
    step_count=ckpt["opt"]["state"][0]["step"],
)
for step in range(6, 12):
    a, b = train_step(model, opt), train_step(model2, opt2)
    report(step, loss=a, resumed=b)
