"""Conv1d, GroupNorm, ConvTranspose1d, interpolate, and a mix of loss functions."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, randn, report


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 8, 3, padding=1)
        self.norm = nn.GroupNorm(2, 8)
        self.up = nn.ConvTranspose1d(8, 4, 2, stride=2)
        self.cls = nn.Linear(4, 3)

    def forward(self, x):
        h = F.avg_pool1d(F.leaky_relu(self.norm(self.conv(x)), 0.1), 2)
        h = F.interpolate(self.up(h), scale_factor=0.5, mode="linear", align_corners=False)
        return self.cls(h.mean(-1)), h


model = det_init(Net(), seed=120)
opt = torch.optim.Adagrad(model.parameters(), lr=0.05)
x, y = randn(121, 6, 3, 10), randint(122, 3, 6)
soft = torch.softmax(randn(123, 6, 3), dim=1)
bce_target = (randn(124, 6, 3) > 0).float()
for step in range(8):
    logits, h = model(x)
    nll = F.nll_loss(F.log_softmax(logits, 1), y, weight=torch.tensor([1.0, 2.0, 0.5]))
    kl = F.kl_div(F.log_softmax(logits, 1), soft, reduction="batchmean")
    bce = F.binary_cross_entropy_with_logits(logits, bce_target, pos_weight=torch.ones(3) * 2)
    loss = nll + 0.5 * kl + 0.3 * bce + 1e-3 * h.pow(2).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(step, loss=loss, nll=nll, kl=kl, bce=bce)
