"""Polynomial regression fitted with LBFGS (strong Wolfe line search) and a closure."""

import torch
from _common import randn, report

x = torch.linspace(-1, 1, 40).unsqueeze(1)
y = 0.5 * x ** 3 - x + 0.25 + 0.05 * randn(12, 40, 1)
feats = torch.cat([x, x ** 2, x ** 3], 1)
w = torch.zeros(3, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
opt = torch.optim.LBFGS([w, b], lr=1, max_iter=5, line_search_fn="strong_wolfe")


def closure():
    opt.zero_grad()
    loss = ((feats @ w + b - y) ** 2).mean()
    loss.backward()
    return loss


for step in range(6):
    loss = opt.step(closure)
    report(step, loss=loss, w0=w[0, 0], b=b[0])
