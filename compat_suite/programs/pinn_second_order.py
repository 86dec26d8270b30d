"""A physics-informed network for u'' = -u on [0, pi]: input gradients through
torch.autograd.grad(create_graph=True) twice, boundary terms, requires_grad_ on data,
Softplus/Tanh activations, and training with Adam then a few LBFGS steps with a closure."""

# compat: rtol=1e-3
# (LBFGS's line search amplifies float32 rounding: the Adam steps agree to 1e-6, the third
# LBFGS step to 1e-4)
import math

import torch
import torch.nn as nn
from _common import det_init, report

net = det_init(nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 16), nn.Softplus(beta=2.0),
                             nn.Linear(16, 1)), seed=7)
x = torch.linspace(0, math.pi, 24).unsqueeze(1).requires_grad_()
xb = torch.tensor([[0.0], [math.pi / 2]])
ub = torch.tensor([[0.0], [1.0]])


def loss_fn():
    u = net(x)
    du = torch.autograd.grad(u.sum(), x, create_graph=True)[0]
    d2u = torch.autograd.grad(du.sum(), x, create_graph=True)[0]
    residual = (d2u + u).pow(2).mean()
    boundary = (net(xb) - ub).pow(2).mean()
    return residual + 10 * boundary, residual, du


opt = torch.optim.Adam(net.parameters(), lr=1e-2)
for step in range(6):
    loss, residual, du = loss_fn()
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(step, loss=loss, residual=residual, du0=du[0, 0])

lbfgs = torch.optim.LBFGS(net.parameters(), lr=0.5, max_iter=5, history_size=4)


def closure():
    lbfgs.zero_grad()
    loss = loss_fn()[0]
    loss.backward()
    return loss


for step in range(6, 9):
    loss = lbfgs.step(closure)
    report(step, loss=loss, grad_norm=torch.cat([p.grad.flatten() for p in net.parameters()]).norm())
