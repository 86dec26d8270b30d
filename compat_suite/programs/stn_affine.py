"""A spatial transformer: a localisation net predicts affine parameters, affine_grid +
grid_sample (bilinear with border padding, nearest with zeros) warp the input, and the
classifier trains through the warp with SGD-nesterov."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, randn, report

# --- spatial transformer
imgs = randn(1, 6, 1, 10, 10)
labels = randint(2, 3, 6)


class STN(nn.Module):
    def __init__(self):
        super().__init__()
        self.loc = nn.Sequential(nn.Flatten(), nn.Linear(100, 16), nn.Tanh(), nn.Linear(16, 6))
        self.cls = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
                                 nn.Flatten(), nn.Linear(16, 3))

    def forward(self, x):
        theta = self.loc(x).view(-1, 2, 3) * 0.1 + torch.tensor([[1.0, 0, 0], [0, 1.0, 0]])
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        warped = F.grid_sample(x, grid, mode="bilinear", padding_mode="border",
                               align_corners=False)
        return self.cls(warped), warped, grid


stn = det_init(STN(), seed=2)
opt = torch.optim.SGD(stn.parameters(), lr=0.05, momentum=0.9, nesterov=True)
for step in range(6):
    out, warped, grid = stn(imgs)
    loss = F.cross_entropy(out, labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    near = F.grid_sample(imgs, grid.detach(), mode="nearest", padding_mode="zeros",
                         align_corners=True)
    report(step, loss=loss, warped=warped.abs().mean(), near=near.sum())
