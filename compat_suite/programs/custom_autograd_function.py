"""A model that uses custom torch.autograd.Function ops (saved tensors, non-tensor args)."""

import torch
import torch.nn as nn
from _common import det_init, randn, report


class ScaledSoftplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, beta):
        ctx.save_for_backward(x)
        ctx.beta = beta
        return torch.log1p(torch.exp(beta * x)) / beta

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * torch.sigmoid(ctx.beta * x), None


class ClampGrad(torch.autograd.Function):
    """Identity forward; clamps the gradient on the way back."""

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out.clamp(-0.05, 0.05)


lin1, lin2 = det_init(nn.Linear(3, 8), seed=2), det_init(nn.Linear(8, 1), seed=3)
params = list(lin1.parameters()) + list(lin2.parameters())
opt = torch.optim.SGD(params, lr=0.1)
x = randn(4, 32, 3)
y = x.sum(1, keepdim=True).abs()
for step in range(15):
    h = ScaledSoftplus.apply(lin1(x), 2.0)
    pred = lin2(ClampGrad.apply(h))
    loss = ((pred - y) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    report(step, loss=loss, g=lin1.weight.grad.abs().sum(), gb=lin2.bias.grad[0])
    opt.step()
