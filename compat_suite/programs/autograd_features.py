"""Autograd beyond backward(): autograd.grad with create_graph (a gradient penalty),
tensor hooks, retain_grad, retain_graph, backward(gradient=...), detach and no_grad."""

import torch
import torch.nn as nn
from _common import det_init, randn, report

model = det_init(nn.Sequential(nn.Linear(3, 12), nn.Softplus(), nn.Linear(12, 1)), seed=70)
opt = torch.optim.Adam(model.parameters(), lr=0.01)
x, y = randn(71, 24, 3), randn(72, 24, 1)
for step in range(10):
    xin = x.clone().requires_grad_(True)
    pred = model(xin)
    mse = ((pred - y) ** 2).mean()
    # Gradient penalty: d(pred)/d(x) is itself differentiated.
    (gx,) = torch.autograd.grad(pred.sum(), xin, create_graph=True)
    penalty = ((gx.norm(dim=1) - 1) ** 2).mean()
    hidden = model[0](xin)
    hidden.retain_grad()
    seen = []
    hidden.register_hook(lambda g: seen.append(g.abs().sum()))
    aux = model[2](torch.nn.functional.softplus(hidden)).mean()
    loss = mse + 0.1 * penalty
    opt.zero_grad()
    loss.backward(retain_graph=True)
    aux.backward(gradient=torch.tensor(0.5))
    with torch.no_grad():
        frozen = model(x.detach()).mean()
    opt.step()
    report(
        step,
        loss=loss,
        penalty=penalty,
        hidden_grad=hidden.grad.abs().sum(),
        hook=seen[0],
        xgrad=xin.grad.abs().sum(),
        frozen=frozen,
    )
