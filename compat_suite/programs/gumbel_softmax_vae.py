"""A categorical VAE: the encoder's logits go through F.gumbel_softmax with hard=True
(straight-through one-hot samples) and a temperature annealed each step, a KL to the uniform
prior from log_softmax, a Bernoulli decoder with binary_cross_entropy_with_logits summed per
example, and soft vs hard samples compared; RMSprop with momentum."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report

N_LATENT, N_CAT, X_DIM, B = 3, 4, 16, 12


class CatVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(X_DIM, 32), nn.ELU(), nn.Linear(32, N_LATENT * N_CAT))
        self.dec = nn.Sequential(nn.Linear(N_LATENT * N_CAT, 32), nn.ELU(), nn.Linear(32, X_DIM))

    def forward(self, x, tau, hard):
        logits = self.enc(x).view(-1, N_LATENT, N_CAT)
        z = F.gumbel_softmax(logits, tau=tau, hard=hard, dim=-1)
        return self.dec(z.flatten(1)), logits, z


data = (randn(101, 48, X_DIM) > 0.3).float()
model = det_init(CatVAE(), seed=102)
opt = torch.optim.RMSprop(model.parameters(), lr=3e-3, momentum=0.5)
torch.manual_seed(29)
tau = 1.0
for step in range(8):
    x = data[(step % 4) * B:(step % 4 + 1) * B]
    recon, logits, z = model(x, tau, hard=True)
    rec = F.binary_cross_entropy_with_logits(recon, x, reduction="none").sum(1).mean()
    log_q = F.log_softmax(logits, dim=-1)
    kl = (log_q.exp() * (log_q + math.log(N_CAT))).sum((1, 2)).mean()
    loss = rec + kl
    opt.zero_grad()
    loss.backward()
    enc_grad = model.enc[2].weight.grad.abs().sum()
    opt.step()
    tau = max(0.5, tau * math.exp(-0.1))
    report(
        step,
        loss=loss,
        rec=rec,
        kl=kl,
        tau=tau,
        one_hot=(z.sum(-1) - 1).abs().max(),
        is_binary=((z == 0) | (z == 1)).all(),
        choice=z.argmax(-1).float().sum(),
        enc_grad=enc_grad,
    )
with torch.no_grad():
    _, logits, soft = model(data[:B], 0.5, hard=False)
    idx = F.gumbel_softmax(logits, tau=0.5, hard=True).argmax(-1)
report(
    "eval",
    soft_max=soft.max(-1).values.mean(),
    soft_sum=soft.sum(),
    idx=idx.float().sum(),
    greedy=logits.argmax(-1).float().sum(),
)
