"""DCGAN on 8x8 images: a ConvTranspose2d + BatchNorm2d + ReLU generator, a strided Conv2d +
BatchNorm2d + LeakyReLU discriminator, BCEWithLogitsLoss with one-sided label smoothing,
separate Adam optimizers, detach() for the discriminator step, and eval-mode sampling."""

import zlib

import torch
import torch.nn as nn
from _common import randn, report

NZ, NGF, NDF, B = 8, 8, 8, 16


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(NZ, NGF * 2, 2, 1, 0, bias=False),  # 1x1 -> 2x2
            nn.BatchNorm2d(NGF * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(NGF * 2, NGF, 4, 2, 1, bias=False),  # 2x2 -> 4x4
            nn.BatchNorm2d(NGF),
            nn.ReLU(True),
            nn.ConvTranspose2d(NGF, 1, 4, 2, 1, bias=False),  # 4x4 -> 8x8
            nn.Tanh(),
        )

    def forward(self, z):
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(1, NDF, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(NDF, NDF * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(NDF * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(NDF * 2, 1, 2, 1, 0, bias=False),
        )

    def forward(self, x):
        return self.main(x).view(-1)


def weights_init(m):
    # The DCGAN paper's init, drawn from torch's seeded generator.
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


torch.manual_seed(7)
netG, netD = Generator(), Discriminator()
netG.apply(weights_init)
netD.apply(weights_init)
# Real images: blurry diagonal strokes in [-1, 1].
grid = torch.arange(8.0)
stroke = (-(grid.view(8, 1) - grid.view(1, 8)).abs() / 2).exp()
real_all = (stroke + 0.3 * randn(40, 64, 1, 8, 8)).clamp(-1, 1)
criterion = nn.BCEWithLogitsLoss()
opt_d = torch.optim.Adam(netD.parameters(), lr=2e-3, betas=(0.5, 0.999))
opt_g = torch.optim.Adam(netG.parameters(), lr=2e-3, betas=(0.5, 0.999))
fixed_noise = randn(41, 4, NZ, 1, 1)
for step in range(8):
    real = real_all[(step * B) % 64:(step * B) % 64 + B]
    # Discriminator: real labelled 0.9 (one-sided smoothing), fake labelled 0.
    netD.zero_grad()
    out_real = netD(real)
    err_real = criterion(out_real, torch.full((B,), 0.9))
    noise = torch.randn(B, NZ, 1, 1)
    fake = netG(noise)
    out_fake = netD(fake.detach())
    err_fake = criterion(out_fake, torch.zeros(B))
    err_d = err_real + err_fake
    err_d.backward()
    opt_d.step()
    # Generator: wants the discriminator to call its samples real.
    netG.zero_grad()
    err_g = criterion(netD(fake), torch.ones(B))
    err_g.backward()
    g_grad = torch.cat([p.grad.flatten() for p in netG.parameters()]).norm()
    opt_g.step()
    report(
        step,
        err_d=err_d,
        err_g=err_g,
        d_x=torch.sigmoid(out_real).mean(),
        d_g_z=torch.sigmoid(out_fake).mean(),
        g_grad=g_grad,
        bn_mean=netG.main[1].running_mean.sum(),
        bn_var=netD.main[3].running_var.sum(),
    )
netG.eval()
with torch.no_grad():
    samples = netG(fixed_noise)
report(
    "final",
    sample_mean=samples.mean(),
    sample_std=samples.std(),
    batches=netG.main[1].num_batches_tracked,
    g_params=sum(p.sum() for p in netG.parameters()),
    d_params=sum(p.sum() for p in netD.parameters()),
)
# state_dict keys, in order, as one number: a key renamed or reordered changes it.
keys = list(netG.state_dict().keys())
report("keys", n=len(keys), crc=zlib.crc32(",".join(keys).encode()))
