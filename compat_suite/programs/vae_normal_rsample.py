"""A small VAE written with torch.distributions: an Independent(Normal) posterior sampled with
rsample (seeded; two samples per input), kl_divergence against an Independent(Normal(0, 1)) prior, and a Normal
likelihood's log_prob for the reconstruction term."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report
from torch.distributions import Independent, Normal, kl_divergence

torch.manual_seed(4)
x = randn(31, 32, 10)


class VAE(nn.Module):
    def __init__(self, d=10, h=16, z=3):
        super().__init__()
        self.enc = nn.Linear(d, h)
        self.loc = nn.Linear(h, z)
        self.scale = nn.Linear(h, z)
        self.dec = nn.Sequential(nn.Linear(z, h), nn.ReLU(), nn.Linear(h, d))

    def forward(self, x):
        h = torch.tanh(self.enc(x))
        q = Independent(Normal(self.loc(h), F.softplus(self.scale(h)) + 1e-3), 1)
        z = q.rsample((2,))  # [2, batch, z]: two reparameterised samples per input
        return q, z, self.dec(z)


model = det_init(VAE(), seed=32)
prior = Independent(Normal(torch.zeros(3), torch.ones(3)), 1)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(8):
    q, z, recon = model(x)
    log_lik = Independent(Normal(recon, 0.5), 1).log_prob(x).mean(0)  # x broadcasts over samples
    kl = kl_divergence(q, prior)
    loss = (kl - log_lik).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(
        step,
        loss=loss,
        kl=kl.mean(),
        z_sum=z.sum(),
        entropy=q.entropy().mean(),
        log_prob_z=q.log_prob(z).mean(),
        prior_log_prob_z=prior.log_prob(z).mean(),
        stddev=q.stddev.mean(),
        cdf=q.base_dist.cdf(z).mean(),
    )
