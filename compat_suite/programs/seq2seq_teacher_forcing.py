"""Seq2seq: a GRU encoder and a GRUCell decoder trained with teacher forcing."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, report

torch.manual_seed(3)
V, H, T = 7, 16, 5
src = randint(10, V, 8, T)
tgt = torch.flip(src, [1])  # learn to reverse


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, H)
        self.enc = nn.GRU(H, H, batch_first=True)
        self.dec = nn.GRUCell(H, H)
        self.out = nn.Linear(H, V)

    def forward(self, src, tgt):
        _, h = self.enc(self.emb(src))
        h = h[0]
        inp = torch.zeros(src.shape[0], dtype=torch.long)
        logits = []
        for t in range(tgt.shape[1]):
            h = self.dec(self.emb(inp), h)
            logits.append(self.out(h))
            inp = tgt[:, t]  # teacher forcing
        return torch.stack(logits, 1)


model = det_init(Seq2Seq(), seed=11)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(15):
    logits = model(src, tgt)
    loss = F.cross_entropy(logits.reshape(-1, V), tgt.reshape(-1))
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    acc = (logits.argmax(-1) == tgt).float().mean()
    report(step, loss=loss, acc=acc)
