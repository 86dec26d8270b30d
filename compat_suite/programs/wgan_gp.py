"""WGAN-GP on 2-D points: several critic steps per generator step, a gradient penalty from
torch.autograd.grad(create_graph=True) on random interpolates (double backward through
LayerNorm and LeakyReLU), Adam with betas=(0.0, 0.9), and the critic's Wasserstein estimate."""

import zlib

import torch
import torch.nn as nn
from _common import det_init, randn, report

B, LAMBDA, N_CRITIC = 32, 10.0, 3

G = det_init(
    nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2)),
    seed=51,
)
D = det_init(
    nn.Sequential(
        nn.Linear(2, 32), nn.LayerNorm(32), nn.LeakyReLU(0.2),
        nn.Linear(32, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1),
    ),
    seed=52,
)
opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.0, 0.9))
opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.0, 0.9))
# Eight Gaussians on a circle.
angles = torch.arange(8.0) * (2 * torch.pi / 8)
centers = torch.stack([angles.cos(), angles.sin()], dim=1) * 2.0


def real_batch(seed):
    idx = (randn(seed, B).abs() * 3).long() % 8
    return centers[idx] + 0.05 * randn(seed + 1000, B, 2)


def gradient_penalty(critic, real, fake):
    alpha = torch.rand(real.shape[0], 1).expand_as(real)
    interp = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    out = critic(interp)
    (grad,) = torch.autograd.grad(
        outputs=out, inputs=interp, grad_outputs=torch.ones_like(out),
        create_graph=True, retain_graph=True,
    )
    return ((grad.norm(2, dim=1) - 1) ** 2).mean(), grad.norm(2, dim=1).mean()


torch.manual_seed(5)
for step in range(6):
    for k in range(N_CRITIC):
        real = real_batch(100 * step + k)
        with torch.no_grad():
            fake = G(torch.randn(B, 4))
        gp, gnorm = gradient_penalty(D, real, fake)
        w_dist = D(real).mean() - D(fake).mean()
        d_loss = -w_dist + LAMBDA * gp
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
    # Generator step; the critic's parameters are frozen for it.
    for p in D.parameters():
        p.requires_grad_(False)
    fake = G(torch.randn(B, 4))
    g_loss = -D(fake).mean()
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    for p in D.parameters():
        p.requires_grad_(True)
    report(
        step,
        d_loss=d_loss,
        w_dist=w_dist,
        gp=gp,
        grad_norm=gnorm,
        g_loss=g_loss,
        d_w_grad=D[0].weight.grad.abs().sum(),
        ln_grad=D[1].weight.grad.abs().sum(),
        fake_spread=fake.std(),
    )
# state_dict keys, in order, as one number: a key renamed or reordered changes it.
keys = list(D.state_dict().keys())
report("keys", n=len(keys), crc=zlib.crc32(",".join(keys).encode()))
