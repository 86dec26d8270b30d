"""A small U-Net: conv/transposed conv, interpolate (nearest, bilinear both corner modes), skips."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report


def block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.Conv2d(cout, cout, 3, padding=1)
    )


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = block(2, 4)
        self.enc2 = block(4, 8)
        self.pool = nn.MaxPool2d(2)
        self.mid = block(8, 8)
        self.up2 = nn.ConvTranspose2d(8, 8, 2, stride=2)
        self.dec2 = block(16, 4)
        self.dec1 = block(8 + 4, 4)
        self.out = nn.Conv2d(4, 1, 1)

    def forward(self, x):
        e1 = self.enc1(x)  # 12x12
        e2 = self.enc2(self.pool(e1))  # 6x6
        m = self.mid(self.pool(e2))  # 3x3
        d2 = self.dec2(torch.cat([self.up2(m), e2], dim=1))  # 6x6
        up_a = F.interpolate(d2, scale_factor=2, mode="nearest")
        up_b = F.interpolate(d2, size=(12, 12), mode="bilinear", align_corners=True)
        d1 = self.dec1(torch.cat([up_a, e1, up_b], dim=1))
        side = F.interpolate(m, size=(12, 12), mode="bilinear", align_corners=False)
        return self.out(d1) + side.mean(1, keepdim=True)


def dice_loss(logits, target, eps=1.0):
    p = torch.sigmoid(logits)
    inter = (p * target).sum(dim=(1, 2, 3))
    union = p.sum(dim=(1, 2, 3)) + target.sum(dim=(1, 2, 3))
    return (1 - (2 * inter + eps) / (union + eps)).mean()


model = det_init(UNet(), seed=200)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
x = randn(201, 3, 2, 12, 12)
target = (randn(202, 3, 1, 12, 12) > 0.3).float()
bce = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.5]))
for step in range(6):
    logits = model(x)
    loss = bce(logits, target) + dice_loss(logits, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    up_grad = model.up2.weight.grad.abs().sum()
    report(step, loss=loss, up_grad=up_grad, enc_grad=model.enc1[0].weight.grad.norm())
small = randn(203, 1, 2, 5, 7)
for i, (mode, kw) in enumerate(
    [
        ("nearest", {}),
        ("bilinear", {"align_corners": False}),
        ("bilinear", {"align_corners": True}),
        ("bicubic", {"align_corners": False}),
        ("nearest-exact", {}),
        ("area", {}),
    ]
):
    y = F.interpolate(small, size=(8, 11), mode=mode, **kw)
    z = F.interpolate(small, scale_factor=1.7, mode=mode, **kw)
    report(
        100 + i,
        s=y.sum(),
        w=(y * torch.arange(11.0)).sum(),
        z=z.sum(),
        zshape=z.shape[-1] * 100 + z.shape[-2],
    )
