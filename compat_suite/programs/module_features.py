"""Module plumbing: buffers, forward hooks, apply(), frozen parameters, per-group learning
rates, zero_grad on the model, and ReduceLROnPlateau."""

import torch
import torch.nn as nn
from _common import det_init, randn, report


class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.ELU(), nn.Linear(8, 8), nn.Tanh())
        self.head = nn.Linear(8, 2)
        self.register_buffer("scale", torch.ones(2))
        self.register_buffer("calls", torch.zeros((), dtype=torch.long))

    def forward(self, x):
        self.calls += 1
        return self.head(self.body(x)) * self.scale


model = det_init(Scaled(), seed=80)


def shrink(m):
    if isinstance(m, nn.Linear):
        with torch.no_grad():
            m.weight.mul_(0.9)


model.apply(shrink)
model.body[2].bias.requires_grad_(False)  # frozen
activations = {}
model.body.register_forward_hook(lambda m, inp, out: activations.__setitem__("body", out))
opt = torch.optim.SGD(
    [{"params": model.body.parameters(), "lr": 0.05}, {"params": model.head.parameters()}],
    lr=0.2,
    momentum=0.5,
)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
x, y = randn(81, 30, 4), randn(82, 30, 2)
for step in range(12):
    model.zero_grad()
    loss = nn.functional.huber_loss(model(x), y, delta=0.5)
    loss.backward()
    opt.step()
    model.scale.mul_(1.01)
    plateau.step(round(loss.item(), 2))  # coarse, so the plateau triggers
    report(
        step,
        loss=loss,
        act=activations["body"].abs().mean(),
        calls=model.calls,
        lr0=opt.param_groups[0]["lr"],
        lr1=opt.param_groups[1]["lr"],
        frozen=model.body[2].bias.sum(),
        n=len(list(model.named_modules())),
    )
