"""A variational autoencoder: reparameterisation with seeded noise, KL + reconstruction loss."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report

torch.manual_seed(0)
x = torch.sigmoid(randn(3, 64, 12))


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(12, 16)
        self.mu = nn.Linear(16, 3)
        self.logvar = nn.Linear(16, 3)
        self.dec1 = nn.Linear(3, 16)
        self.dec2 = nn.Linear(16, 12)

    def forward(self, x):
        h = F.relu(self.enc(x))
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.dec2(F.relu(self.dec1(z)))), mu, logvar


model = det_init(VAE(), seed=4)
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
for step in range(20):
    recon, mu, logvar = model(x)
    bce = F.binary_cross_entropy(recon, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    loss = (bce + kld) / x.shape[0]
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(step, loss=loss, kld=kld)
