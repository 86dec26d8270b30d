"""Less common optimizers and schedulers on one small model: NAdam, RAdam, Adamax, ASGD,
Rprop, RMSprop(centered), Adagrad, AdamW(amsgrad); CosineAnnealingWarmRestarts, CyclicLR,
ReduceLROnPlateau, PolynomialLR, ChainedScheduler; per-group options and a state_dict reload."""

import io

import torch
import torch.nn as nn
from _common import det_init, randn, report

x, y = randn(900, 16, 4), randn(901, 16, 2)


def make(seed):
    return det_init(nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2)), seed=seed)


def train(name, model, opt, sched=None, steps=6, plateau=False):
    for step in range(steps):

        def closure():
            opt.zero_grad()
            loss = (model(x) - y).pow(2).mean()
            loss.backward()
            return loss

        loss = opt.step(closure)
        if sched is not None:
            sched.step(loss.item()) if plateau else sched.step()
        w = sum(p.detach().abs().sum() for p in model.parameters())
        report(f"{name}{step}", loss=loss, w=w, lr=opt.param_groups[0]["lr"])


m = make(902)
train(
    "nadam", m, torch.optim.NAdam(m.parameters(), lr=0.02, momentum_decay=0.004, weight_decay=0.01)
)
m = make(903)
train(
    "nadamw",
    m,
    torch.optim.NAdam(m.parameters(), lr=0.02, weight_decay=0.1, decoupled_weight_decay=True),
)
m = make(904)
train("radam", m, torch.optim.RAdam(m.parameters(), lr=0.05), steps=8)
m = make(905)
train("adamax", m, torch.optim.Adamax(m.parameters(), lr=0.05, weight_decay=0.01))
m = make(906)
train("asgd", m, torch.optim.ASGD(m.parameters(), lr=0.05, t0=2, lambd=1e-3))
m = make(907)
train(
    "rprop", m, torch.optim.Rprop(m.parameters(), lr=0.01, etas=(0.4, 1.3), step_sizes=(1e-4, 1.0))
)
m = make(908)
opt = torch.optim.RMSprop(m.parameters(), lr=0.01, alpha=0.9, centered=True, momentum=0.5)
train(
    "rmsprop",
    m,
    opt,
    torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2, eta_min=1e-3),
    steps=8,
)
m = make(909)
opt = torch.optim.Adagrad(m.parameters(), lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)
train("adagrad", m, opt, torch.optim.lr_scheduler.PolynomialLR(opt, total_iters=4, power=2.0))
m = make(910)
opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
train(
    "cyclic",
    m,
    opt,
    torch.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=2, mode="triangular2"),
    steps=8,
)
m = make(911)
opt = torch.optim.SGD(m.parameters(), lr=0.5)
train(
    "plateau",
    m,
    opt,
    torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0, threshold=0.05),
    plateau=True,
)
m = make(912)
opt = torch.optim.AdamW(
    [{"params": m[0].parameters(), "lr": 0.01}, {"params": m[2].parameters(), "weight_decay": 0.5}],
    lr=0.03,
    amsgrad=True,
)
chained = torch.optim.lr_scheduler.ChainedScheduler(
    [
        torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
        torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.5),
    ]
)
train("adamw", m, opt, chained, steps=3)
buf = io.BytesIO()
torch.save({"opt": opt.state_dict(), "sched": chained.state_dict(), "model": m.state_dict()}, buf)
m2 = make(913)
opt2 = torch.optim.AdamW(
    [
        {"params": m2[0].parameters(), "lr": 0.01},
        {"params": m2[2].parameters(), "weight_decay": 0.5},
    ],
    lr=0.03,
    amsgrad=True,
)
chained2 = torch.optim.lr_scheduler.ChainedScheduler(
    [
        torch.optim.lr_scheduler.ExponentialLR(opt2, gamma=0.9),
        torch.optim.lr_scheduler.MultiStepLR(opt2, milestones=[2, 4], gamma=0.5),
    ]
)
buf.seek(0)
state = torch.load(buf)
m2.load_state_dict(state["model"])
opt2.load_state_dict(state["opt"])
chained2.load_state_dict(state["sched"])
train("reloaded", m2, opt2, chained2, steps=3)
report(
    "groups",
    lr1=opt2.param_groups[1]["lr"],
    steps=opt2.state[m2[0].weight]["step"],
    max_sq=opt2.state[m2[2].weight]["max_exp_avg_sq"].sum(),
)
