"""Outputs assembled by writing slices into a preallocated tensor (`out[:, i] = ...`)."""

import torch
from _common import randn, report

w = (randn(40, 6, 4) * 0.4).requires_grad_()
x, y = randn(41, 10, 6), randn(42, 10, 4)
for step in range(10):
    h = torch.tanh(x @ w)
    out = torch.zeros(10, 4)
    for i in range(4):  # column-by-column writes keep the graph
        out[:, i] = h[:, i] * (i + 1)
    out[0] = out[0] * 0.5  # a row rewritten from itself
    loss = ((out - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.05 * w.grad
    w.grad = None
    report(step, loss=loss, wabs=w.abs().sum())
