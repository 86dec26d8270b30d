"""A small DDPM: sinusoidal time embeddings, a GroupNorm/SiLU conv net, a linear beta
schedule gathered by random timesteps, noise prediction with MSE, an EMA copy of the weights,
and a few ancestral sampling steps under no_grad."""

import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report

torch.manual_seed(0)
T = 50
betas = torch.linspace(1e-4, 0.02, T)
alphas = 1.0 - betas
alphas_cumprod = torch.cumprod(alphas, dim=0)
sqrt_ac = alphas_cumprod.sqrt()
sqrt_1mac = (1.0 - alphas_cumprod).sqrt()


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = t[:, None].float() * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class Block(nn.Module):
    def __init__(self, cin, cout, tdim):
        super().__init__()
        self.norm1 = nn.GroupNorm(4, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.temb = nn.Linear(tdim, cout)
        self.norm2 = nn.GroupNorm(4, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.temb(temb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.skip(x)


class Net(nn.Module):
    def __init__(self, ch=8, tdim=16):
        super().__init__()
        self.tdim = tdim
        self.tmlp = nn.Sequential(nn.Linear(tdim, tdim * 2), nn.SiLU(), nn.Linear(tdim * 2, tdim))
        self.inp = nn.Conv2d(1, ch, 3, padding=1)
        self.down = Block(ch, ch * 2, tdim)
        self.mid = Block(ch * 2, ch * 2, tdim)
        self.up = Block(ch * 4, ch, tdim)
        self.out = nn.Conv2d(ch, 1, 3, padding=1)

    def forward(self, x, t):
        temb = self.tmlp(timestep_embedding(t, self.tdim))
        h0 = self.inp(x)
        h1 = self.down(h0, temb)
        h2 = self.mid(F.avg_pool2d(h1, 2), temb)
        h2 = F.interpolate(h2, scale_factor=2, mode="nearest")
        return self.out(self.up(torch.cat([h2, h1], dim=1), temb))


model = det_init(Net(), seed=7)
ema = copy.deepcopy(model).requires_grad_(False)
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
data = torch.tanh(randn(1, 16, 1, 8, 8))
for step in range(12):
    t = torch.randint(0, T, (data.shape[0],))
    noise = torch.randn_like(data)
    xt = sqrt_ac.gather(0, t)[:, None, None, None] * data + \
        sqrt_1mac[t].view(-1, 1, 1, 1) * noise
    loss = F.mse_loss(model(xt, t), noise)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    gn = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    with torch.no_grad():
        for pe, pm in zip(ema.parameters(), model.parameters()):
            pe.lerp_(pm, 0.1)
    report(step, loss=loss, grad_norm=gn, t_sum=t.sum())

# ancestral sampling from the EMA model, a few steps from the end of the chain
ema.eval()
with torch.no_grad():
    x = torch.randn(4, 1, 8, 8)
    for i in reversed(range(T - 5, T)):
        tt = torch.full((4,), i, dtype=torch.long)
        eps = ema(x, tt)
        mean = (x - betas[i] / sqrt_1mac[i] * eps) / alphas[i].sqrt()
        x = mean + betas[i].sqrt() * torch.randn_like(x) if i > 0 else mean
        report(100 + i, x_mean=x.mean(), x_std=x.std(), x_absmax=x.abs().max())
