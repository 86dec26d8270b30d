"""A mixture density network for a multimodal 1-D regression: mixture logits through
log_softmax, per-component Normal log_prob, the negative log-likelihood via logsumexp; the
same density from MixtureSameFamily(Categorical, Independent(Normal)) for a 2-D target;
sampling from the mixture and the mixture mean and variance; Adam with a StepLR schedule."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report
from torch.distributions import Categorical, Independent, MixtureSameFamily, Normal

K, B = 4, 64


class MDN(nn.Module):
    def __init__(self, out_dim):
        super().__init__()
        self.out_dim = out_dim
        self.body = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh())
        self.pi = nn.Linear(32, K)
        self.mu = nn.Linear(32, K * out_dim)
        self.log_sigma = nn.Linear(32, K * out_dim)

    def forward(self, x):
        h = self.body(x)
        log_pi = F.log_softmax(self.pi(h), dim=-1)
        mu = self.mu(h).view(-1, K, self.out_dim)
        sigma = self.log_sigma(h).clamp(-5, 3).exp().view(-1, K, self.out_dim)
        return log_pi, mu, sigma


# The inverse of y = x + 0.3 sin(2 pi x): several x for one y.
t = torch.linspace(0, 1, B).unsqueeze(1)
y_true = t + 0.3 * torch.sin(2 * torch.pi * t) + 0.05 * randn(121, B, 1)
x_in, target = y_true, t
target2 = torch.cat([t, t.pow(2)], dim=1) + 0.02 * randn(122, B, 2)

mdn1, mdn2 = det_init(MDN(1), seed=123), det_init(MDN(2), seed=124)
opt = torch.optim.Adam(list(mdn1.parameters()) + list(mdn2.parameters()), lr=1e-2)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
for step in range(10):
    log_pi, mu, sigma = mdn1(x_in)
    comp = Normal(mu.squeeze(-1), sigma.squeeze(-1)).log_prob(target)  # (B, K)
    nll1 = -torch.logsumexp(log_pi + comp, dim=-1).mean()
    log_pi2, mu2, sigma2 = mdn2(x_in)
    mix = MixtureSameFamily(Categorical(logits=log_pi2), Independent(Normal(mu2, sigma2), 1))
    nll2 = -mix.log_prob(target2).mean()
    loss = nll1 + nll2
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    report(
        step,
        nll1=nll1,
        nll2=nll2,
        lr=sched.get_last_lr()[0],
        pi_grad=mdn1.pi.weight.grad.abs().sum(),
        sigma_grad=mdn2.log_sigma.weight.grad.abs().sum(),
        mix_mean=mix.mean.sum(),
        mix_var=mix.variance.sum(),
        entropy=Categorical(logits=log_pi).entropy().mean(),
    )
torch.manual_seed(41)
with torch.no_grad():
    log_pi, mu, sigma = mdn1(x_in[:8])
    k = Categorical(logits=log_pi).sample()
    mu_k, sigma_k = mu.squeeze(-1).gather(1, k[:, None]), sigma.squeeze(-1).gather(1, k[:, None])
    draw = torch.normal(mu_k, sigma_k)
    samples2 = mix.sample((3,))
report(
    "sample",
    k=k.float().sum(),
    draw=draw.sum(),
    mix_samples=samples2.sum(),
    shape=samples2.shape[0] * 100 + samples2.shape[1] * 10 + samples2.shape[2],
    cdf=mix.component_distribution.base_dist.cdf(target2[:, None, :]).sum(),
)
