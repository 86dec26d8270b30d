"""A neural ODE fitted to a spiral with a hand-written fixed-step RK4 integrator (many small
ops per step, backprop through the whole solve), Softplus/Tanh dynamics, Huber loss, and a
MultiStepLR schedule; then torch.autograd.functional.jacobian of the learned field."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, report

t = torch.linspace(0, 2 * math.pi, 25)
target = torch.stack([torch.exp(-0.1 * t) * torch.cos(t), torch.exp(-0.1 * t) * torch.sin(t)], 1)


class Field(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(3, 16), nn.Softplus(beta=2.0), nn.Linear(16, 16),
                                 nn.Tanh(), nn.Linear(16, 2))

    def forward(self, tt, y):
        return self.net(torch.cat([y, tt.expand(y.shape[0], 1)], dim=1))


def odeint_rk4(f, y0, ts):
    ys = [y0]
    y = y0
    for i in range(len(ts) - 1):
        t0, h = ts[i], ts[i + 1] - ts[i]
        k1 = f(t0, y)
        k2 = f(t0 + h / 2, y + h / 2 * k1)
        k3 = f(t0 + h / 2, y + h / 2 * k2)
        k4 = f(t0 + h, y + h * k3)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        ys.append(y)
    return torch.stack(ys, 0)  # T, B, 2


field = det_init(Field(), seed=12)
opt = torch.optim.Adam(field.parameters(), lr=1e-2)
sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[3, 6], gamma=0.5)
y0 = target[:1]
for step in range(8):
    pred = odeint_rk4(field, y0, t)[:, 0]
    loss = F.huber_loss(pred, target, delta=0.5)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    report(step, loss=loss, end=pred[-1].norm(), lr=sched.get_last_lr()[0])

jac = torch.autograd.functional.jacobian(lambda y: field(torch.tensor([0.5]), y), y0)
report(100, jac_sum=jac.sum(), jac_norm=jac.norm())
