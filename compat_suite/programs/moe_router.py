"""A mixture-of-experts layer: softmax router with top-2 gating, tokens dispatched to experts
with nonzero/index_select and combined with index_add_, a load-balancing auxiliary loss from
bincount and one_hot, expert capacity by cumsum over a mask, trained with Adagrad."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report


class MoE(nn.Module):
    def __init__(self, d=6, hidden=12, experts=4):
        super().__init__()
        self.router = nn.Linear(d, experts, bias=False)
        self.w1 = nn.Parameter(torch.zeros(experts, d, hidden))
        self.w2 = nn.Parameter(torch.zeros(experts, hidden, d))
        self.experts = experts

    def forward(self, x):
        probs = F.softmax(self.router(x), dim=-1)  # (t, e)
        gate, idx = torch.topk(probs, 2, dim=-1)
        gate = gate / gate.sum(-1, keepdim=True)
        out = torch.zeros_like(x)
        for e in range(self.experts):
            hit = (idx == e)
            rows = hit.any(-1).nonzero(as_tuple=True)[0]
            if rows.numel() == 0:
                continue
            w = (gate * hit).sum(-1).index_select(0, rows).unsqueeze(-1)
            h = F.silu(x.index_select(0, rows) @ self.w1[e]) @ self.w2[e]
            out.index_add_(0, rows, h * w)
        counts = torch.bincount(idx[:, 0], minlength=self.experts).float()
        frac = counts / counts.sum()
        aux = self.experts * (frac * probs.mean(0)).sum()
        slot = torch.cumsum(F.one_hot(idx[:, 0], self.experts), dim=0) * F.one_hot(idx[:, 0], self.experts)
        return out, aux, slot.max()


moe = det_init(MoE(), seed=8)
head = det_init(nn.Linear(6, 3), seed=9)
params = list(moe.parameters()) + list(head.parameters())
opt = torch.optim.Adagrad(params, lr=0.05, lr_decay=0.01, initial_accumulator_value=0.1)
x = randn(4, 20, 6)
y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
for step in range(8):
    h, aux, cap = moe(x)
    logits = head(h + x)
    loss = F.cross_entropy(logits, y) + 0.01 * aux
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(step, loss=loss, aux=aux, cap=cap)
