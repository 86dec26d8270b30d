"""REINFORCE on a toy bandit: sampled actions (multinomial), log-prob gathering, baseline."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report

torch.manual_seed(2)
states = randn(8, 16, 4)
payoff = torch.tensor([[1.0, 0.0, 0.5], [0.0, 1.0, 0.2]])
policy = det_init(nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3)), seed=9)
opt = torch.optim.SGD(policy.parameters(), lr=0.1)
baseline = 0.0
for step in range(20):
    logits = policy(states)
    probs = F.softmax(logits, dim=-1)
    actions = torch.multinomial(probs, 1).squeeze(1)
    which = (states[:, 0] > 0).long()
    rewards = payoff[which, actions]
    log_probs = F.log_softmax(logits, -1).gather(1, actions.unsqueeze(1)).squeeze(1)
    loss = -((rewards - baseline) * log_probs).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    baseline = 0.9 * baseline + 0.1 * rewards.mean().item()
    report(step, loss=loss, reward=rewards.mean(), actions=actions.float().sum())
