"""REINFORCE through torch.distributions: a Categorical policy on a toy corridor, seeded
sampling, log_prob, an entropy bonus and a KL penalty to the previous policy, Adam."""

import torch
import torch.nn as nn
from _common import det_init, randn, report
from torch.distributions import Categorical, kl_divergence

N_ENVS, HORIZON, N_CELLS = 16, 6, 5


def rollout(policy, starts):
    """Walk N_ENVS copies of a 1-D corridor; action 0 steps left, 1 stays, 2 steps right.
    Reward 1 for standing on the rightmost cell, minus 0.1 per move."""
    pos = starts.clone()
    obs, acts, rews = [], [], []
    for _ in range(HORIZON):
        o = torch.stack([pos.float() / (N_CELLS - 1), (pos == N_CELLS - 1).float()], dim=1)
        with torch.no_grad():
            a = Categorical(logits=policy(o)).sample()
        pos = (pos + a - 1).clamp(0, N_CELLS - 1)
        r = (pos == N_CELLS - 1).float() - 0.1 * (a != 1).float()
        obs.append(o)
        acts.append(a)
        rews.append(r)
    return torch.stack(obs), torch.stack(acts), torch.stack(rews)


def returns_to_go(rews, gamma=0.9):
    out, running = torch.zeros_like(rews), torch.zeros_like(rews[0])
    for t in range(rews.shape[0] - 1, -1, -1):
        running = rews[t] + gamma * running
        out[t] = running
    return out


torch.manual_seed(3)
policy = det_init(nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3)), seed=21)
old_policy = det_init(nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3)), seed=21)
opt = torch.optim.Adam(policy.parameters(), lr=0.02)
starts = (randn(22, N_ENVS).abs() * 1.5).long().clamp(0, N_CELLS - 2)
for step in range(10):
    obs, acts, rews = rollout(policy, starts)
    ret = returns_to_go(rews)
    adv = (ret - ret.mean()) / (ret.std() + 1e-6)
    dist = Categorical(logits=policy(obs))
    with torch.no_grad():
        old = Categorical(logits=old_policy(obs))
    log_prob = dist.log_prob(acts)
    entropy = dist.entropy().mean()
    kl = kl_divergence(old, dist).mean()
    # The same policy from probabilities: entropy and log_prob must agree with the logits one.
    by_probs = Categorical(probs=dist.probs)
    loss = -(adv * log_prob).mean() - 0.01 * entropy + 0.1 * kl
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 3 == 2:  # the KL term anchors to a policy a few updates old
        old_policy.load_state_dict(policy.state_dict())
    report(
        step,
        loss=loss,
        ret=rews.sum(0).mean(),
        entropy=entropy,
        kl=kl,
        actions=acts.float().sum(),
        probs_entropy=by_probs.entropy().mean(),
        probs_log_prob=by_probs.log_prob(acts).mean(),
        extra_draws=by_probs.sample((2,)).float().sum(),
    )
