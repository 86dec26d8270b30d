"""In-place heavy code: masked assignment, p.data updates, views, manual SGD."""

import torch
from _common import randn, report

w1 = (randn(7, 5, 8) * 0.3).requires_grad_()
w2 = (randn(8, 8, 3) * 0.3).requires_grad_()
x, y = randn(9, 20, 5), randn(10, 20, 3)
lr = 0.1
for step in range(15):
    xs = x.clone()
    xs[xs.abs() > 1.5] = 0  # masked assignment
    h = torch.tanh(xs @ w1)
    out = h @ w2
    loss = ((out - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w1 -= lr * w1.grad
        w2.sub_(w2.grad, alpha=lr)
        w1.grad.zero_()
        w2.grad.zero_()
    w1.data.mul_(0.999)  # decay through .data, invisible to autograd
    w2.data[0].add_(0.001)
    view = w2.data[:, 0]
    view.clamp_(-1, 1)  # in place through a view
    report(step, loss=loss, w1abs=w1.abs().sum(), w2abs=w2.abs().sum())
