"""PPO with an actor-critic: a shared trunk, a Categorical head for a discrete action and a
Normal head (state-independent log_std parameter) for a continuous one, GAE advantages,
the clipped surrogate, value-loss clipping, an entropy bonus, and minibatch shuffling
with torch.randperm over several epochs per rollout."""

import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report
from torch.distributions import Categorical, Normal

N_ENVS, HORIZON, OBS, N_ACT = 8, 6, 4, 3
GAMMA, LAM, CLIP, EPOCHS, MINIBATCH = 0.95, 0.9, 0.2, 2, 16


class ActorCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(OBS, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh())
        self.logits = nn.Linear(32, N_ACT)
        self.mu = nn.Linear(32, 1)
        self.log_std = nn.Parameter(torch.zeros(1))
        self.value = nn.Linear(32, 1)

    def forward(self, obs):
        h = self.trunk(obs)
        cat = Categorical(logits=self.logits(h))
        normal = Normal(self.mu(h), self.log_std.exp().expand_as(self.mu(h)))
        return cat, normal, self.value(h).squeeze(-1)


def env_step(state, a_disc, a_cont):
    """A toy linear system: the discrete action picks a push direction, the continuous one
    its strength; reward is minus the distance to the origin and an action cost."""
    push = (a_disc.float() - 1.0).unsqueeze(-1) * torch.tanh(a_cont)
    nxt = 0.9 * state + 0.3 * push * torch.tensor([1.0, -0.5, 0.25, 0.0])
    reward = -nxt.pow(2).sum(-1) - 0.01 * a_cont.squeeze(-1).pow(2)
    done = (nxt.abs().max(-1).values < 0.2).float()
    return nxt, reward, done


def gae(rewards, values, dones, last_value):
    adv = torch.zeros_like(rewards)
    running = torch.zeros_like(last_value)
    for t in reversed(range(rewards.shape[0])):
        nxt = last_value if t == rewards.shape[0] - 1 else values[t + 1]
        not_done = 1.0 - dones[t]
        delta = rewards[t] + GAMMA * nxt * not_done - values[t]
        running = delta + GAMMA * LAM * not_done * running
        adv[t] = running
    return adv, adv + values


torch.manual_seed(11)
model = det_init(ActorCritic(), seed=31)
opt = torch.optim.Adam(model.parameters(), lr=3e-3, eps=1e-5)
state = randn(32, N_ENVS, OBS)
for it in range(3):
    obs_buf, disc_buf, cont_buf, logp_buf, val_buf, rew_buf, done_buf = ([] for _ in range(7))
    with torch.no_grad():
        for _ in range(HORIZON):
            cat, normal, v = model(state)
            a_d, a_c = cat.sample(), normal.sample()
            logp = cat.log_prob(a_d) + normal.log_prob(a_c).sum(-1)
            nxt, r, d = env_step(state, a_d, a_c)
            for buf, x in zip(
                (obs_buf, disc_buf, cont_buf, logp_buf, val_buf, rew_buf, done_buf),
                (state, a_d, a_c, logp, v, r, d),
            ):
                buf.append(x)
            # Finished environments restart where they began.
            state = torch.where(d.bool().unsqueeze(-1), randn(33 + it, N_ENVS, OBS), nxt)
        last_v = model(state)[2]
    rewards, values, dones = torch.stack(rew_buf), torch.stack(val_buf), torch.stack(done_buf)
    adv, ret = gae(rewards, values, dones, last_v)
    obs, a_d, a_c, old_logp = (
        torch.stack(buf).flatten(0, 1) for buf in (obs_buf, disc_buf, cont_buf, logp_buf)
    )
    old_v, adv, ret = values.flatten(), adv.flatten(), ret.flatten()
    n = obs.shape[0]
    stats = []
    for epoch in range(EPOCHS):
        perm = torch.randperm(n)
        for start in range(0, n, MINIBATCH):
            idx = perm[start:start + MINIBATCH]
            cat, normal, v = model(obs[idx])
            logp = cat.log_prob(a_d[idx]) + normal.log_prob(a_c[idx]).sum(-1)
            mb_adv = adv[idx]
            mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8)
            ratio = (logp - old_logp[idx]).exp()
            surr = torch.min(ratio * mb_adv, ratio.clamp(1 - CLIP, 1 + CLIP) * mb_adv)
            v_clipped = old_v[idx] + (v - old_v[idx]).clamp(-CLIP, CLIP)
            v_loss = 0.5 * torch.max(
                F.mse_loss(v, ret[idx], reduction="none"),
                F.mse_loss(v_clipped, ret[idx], reduction="none"),
            ).mean()
            entropy = cat.entropy().mean() + normal.entropy().sum(-1).mean()
            loss = -surr.mean() + 0.5 * v_loss - 0.01 * entropy
            opt.zero_grad()
            loss.backward()
            gn = nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            opt.step()
            clip_frac = ((ratio - 1).abs() > CLIP).float().mean()
            stats.append(torch.stack([loss.detach(), v_loss.detach(), clip_frac, gn]))
    s = torch.stack(stats)
    report(
        it,
        reward=rewards.sum(0).mean(),
        adv=adv.abs().mean(),
        ret=ret.mean(),
        loss=s[:, 0].mean(),
        v_loss=s[:, 1].mean(),
        clip_frac=s[:, 2].mean(),
        grad_norm=s[:, 3].mean(),
        log_std=model.log_std,
        perm=perm[:8].float() @ torch.arange(8.0),
        actions=a_d.float().sum(),
        param_sum=sum(p.detach().sum() for p in model.parameters()),
    )
# state_dict keys, in order, as one number: a key renamed or reordered changes it.
keys = list(model.state_dict().keys())
report("keys", n=len(keys), crc=zlib.crc32(",".join(keys).encode()))
