"""A character-level GRU language model: embedding, 2-layer GRU with dropout between layers,
truncated BPTT with detached hidden state, clip_grad_value_, then temperature and top-k
sampling with torch.multinomial from a seeded Generator."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, report

text = randint(2, 20, 400)
V, H = 20, 24


class CharRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, 12)
        self.rnn = nn.GRU(12, H, num_layers=2, batch_first=True)
        self.head = nn.Linear(H, V)

    def forward(self, x, h=None):
        out, h = self.rnn(self.emb(x), h)
        return self.head(out), h


model = det_init(CharRNN(), seed=11)
opt = torch.optim.RMSprop(model.parameters(), lr=3e-3, alpha=0.95)
seq, batch = 16, 4
starts = torch.arange(batch) * (len(text) // batch)
h = None
for step in range(10):
    idx = starts[:, None] + (step * seq + torch.arange(seq + 1))[None]
    chunk = text[idx % len(text)]
    x, y = chunk[:, :-1], chunk[:, 1:]
    logits, h = model(x, h)
    h = h.detach()
    loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1), label_smoothing=0.05)
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_value_(model.parameters(), 0.5)
    opt.step()
    acc = (logits.argmax(-1) == y).float().mean()
    report(step, loss=loss, acc=acc, h_norm=h.norm())

model.eval()
g = torch.Generator().manual_seed(1234)
with torch.no_grad():
    cur = torch.tensor([[3]])
    hs = None
    picked = []
    for i in range(12):
        logits, hs = model(cur, hs)
        logits = logits[:, -1] / 0.8
        if i % 2:
            v, ix = torch.topk(logits, 5)
            nxt = ix.gather(1, torch.multinomial(F.softmax(v, -1), 1, generator=g))
        else:
            nxt = torch.multinomial(F.softmax(logits, -1), 1, generator=g)
        picked.append(int(nxt))
        cur = nxt
        report(100 + i, token=nxt, logp=F.log_softmax(logits, -1)[0, nxt[0, 0]])
    many = torch.multinomial(torch.ones(3, V), 6, replacement=False, generator=g)
    report(200, many_sum=many.sum(), many_first=many[:, 0].sum())
