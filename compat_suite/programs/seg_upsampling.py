"""A small segmentation net: reflect padding, ConvTranspose2d and PixelShuffle upsampling,
bilinear interpolate, a learned grid_sample warp, Dropout2d, AdaptiveAvgPool2d side branch,
and a Dice + BCE loss, trained with Adamax and an ExponentialLR."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(2, 8, 3, stride=2)
        self.up1 = nn.ConvTranspose2d(8, 8, 2, stride=2)
        self.ps = nn.Sequential(nn.Conv2d(8, 16, 1), nn.PixelShuffle(2))  # -> 4 channels
        self.ctx = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(8, 4, 1))
        self.drop = nn.Dropout2d(0.3)
        self.theta = nn.Linear(4, 6)
        self.head = nn.Conv2d(8, 1, 3, padding=1, padding_mode="reflect")

    def forward(self, x):
        h = F.relu(self.enc(F.pad(x, (1, 1, 1, 1), mode="reflect")))  # (b, 8, 8, 8)
        a = self.up1(h)  # (b, 8, 16, 16)
        b = F.interpolate(self.ps(h), size=(16, 16), mode="bilinear", align_corners=False)
        c = self.ctx(h)  # (b, 4, 1, 1)
        theta = self.theta(c.flatten(1)).view(-1, 2, 3) * 0.1 + torch.tensor(
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
        grid = F.affine_grid(theta, (x.shape[0], 4, 16, 16), align_corners=False)
        b = F.grid_sample(b, grid, mode="bilinear", padding_mode="border", align_corners=False)
        return self.head(self.drop(torch.cat([a[:, :4], b], dim=1)))


model = det_init(Net(), seed=4)
opt = torch.optim.Adamax(model.parameters(), lr=5e-3)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
x = randn(1, 3, 2, 16, 16)
mask = (randn(2, 3, 1, 16, 16) > 0.3).float()
model.eval()  # Dropout2d off: the masks are drawn from each library's own stream
for step in range(8):
    logits = model(x)
    prob = torch.sigmoid(logits)
    inter = (prob * mask).sum(dim=(1, 2, 3))
    dice = 1 - (2 * inter + 1) / (prob.sum(dim=(1, 2, 3)) + mask.sum(dim=(1, 2, 3)) + 1)
    loss = dice.mean() + F.binary_cross_entropy_with_logits(logits, mask)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    report(step, loss=loss, dice=dice.mean(), iou=((prob > 0.5).float() * mask).sum())
