"""A user-written torch.optim.Optimizer subclass (state, param_groups, closure)."""

import torch
import torch.nn as nn
from _common import det_init, randn, report


class SignMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-2, beta=0.9):
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        super().__init__(params, {"lr": lr, "beta": beta})

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["buf"] = torch.zeros_like(p)
                state["step"] += 1
                buf = state["buf"]
                buf.mul_(group["beta"]).add_(p.grad, alpha=1 - group["beta"])
                p.add_(buf.sign(), alpha=-group["lr"])
        return loss


model = det_init(nn.Sequential(nn.Linear(3, 10), nn.Sigmoid(), nn.Linear(10, 1)), seed=20)
opt = SignMomentum(
    [{"params": model[0].parameters()}, {"params": model[2].parameters(), "lr": 0.003}], lr=0.01
)
x, y = randn(21, 40, 3), randn(22, 40, 1)


def closure():
    opt.zero_grad()
    loss = nn.functional.l1_loss(model(x), y)
    loss.backward()
    return loss


for step in range(15):
    loss = opt.step(closure)
    report(
        step,
        loss=loss,
        steps=opt.state[model[0].weight]["step"],
        buf=opt.state[model[2].bias]["buf"].sum(),
    )
