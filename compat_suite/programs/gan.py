"""A GAN: two models, two optimizers, detach() for the discriminator step."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report

torch.manual_seed(1)
real = randn(5, 32, 2) * 0.5 + torch.tensor([2.0, -1.0])
G = det_init(nn.Sequential(nn.Linear(4, 16), nn.LeakyReLU(0.2), nn.Linear(16, 2)), seed=6)
D = det_init(nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1)), seed=7)
opt_g = torch.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
ones, zeros = torch.ones(32, 1), torch.zeros(32, 1)
for step in range(20):
    z = torch.randn(32, 4)
    fake = G(z)
    d_loss = (F.binary_cross_entropy_with_logits(D(real), ones)
              + F.binary_cross_entropy_with_logits(D(fake.detach()), zeros))
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    g_loss = F.binary_cross_entropy_with_logits(D(fake), ones)
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    report(step, d_loss=d_loss, g_loss=g_loss, fake_mean=fake.mean())
