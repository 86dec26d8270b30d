"""A BiLSTM-CRF tagger: emission scores from a bidirectional LSTM over padded sentences, the
CRF's forward algorithm with logsumexp and masks, the gold path score with gather, Viterbi
decoding with max/argmax and back-pointers, and AdamW with gradient clipping."""

import torch
import torch.nn as nn
from _common import det_init, randint, report

V, T, B, L = 30, 5, 4, 7  # vocab, tags, batch, max length
lengths = torch.tensor([7, 5, 6, 3])
mask = torch.arange(L)[None, :] < lengths[:, None]
words = randint(1, V, B, L) * mask
tags = randint(2, T, B, L) * mask


class CRFTagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, 8, padding_idx=0)
        self.lstm = nn.LSTM(8, 6, batch_first=True, bidirectional=True)
        self.proj = nn.Linear(12, T)
        self.trans = nn.Parameter(torch.zeros(T, T))
        self.start = nn.Parameter(torch.zeros(T))
        self.end = nn.Parameter(torch.zeros(T))

    def emissions(self, x):
        return self.proj(self.lstm(self.emb(x))[0])  # B, L, T

    def log_partition(self, em, mask):
        alpha = self.start + em[:, 0]  # B, T
        for t in range(1, em.shape[1]):
            nxt = torch.logsumexp(alpha[:, :, None] + self.trans[None] + em[:, t, None, :], dim=1)
            alpha = torch.where(mask[:, t, None], nxt, alpha)
        return torch.logsumexp(alpha + self.end, dim=1)

    def gold_score(self, em, tags, mask):
        s = self.start[tags[:, 0]] + em[:, 0].gather(1, tags[:, :1]).squeeze(1)
        for t in range(1, em.shape[1]):
            step = self.trans[tags[:, t - 1], tags[:, t]] + \
                em[:, t].gather(1, tags[:, t:t + 1]).squeeze(1)
            s = s + step * mask[:, t]
        last = tags.gather(1, (mask.sum(1) - 1)[:, None]).squeeze(1)
        return s + self.end[last]

    def viterbi(self, em, mask):
        score = self.start + em[:, 0]
        back = []
        for t in range(1, em.shape[1]):
            cand = score[:, :, None] + self.trans[None]
            best, idx = cand.max(dim=1)
            nxt = best + em[:, t]
            score = torch.where(mask[:, t, None], nxt, score)
            back.append(torch.where(mask[:, t, None], idx, torch.arange(T)[None].expand_as(idx)))
        score = score + self.end
        best_last = score.argmax(-1)
        path = [best_last]
        for idx in reversed(back):
            best_last = idx.gather(1, best_last[:, None]).squeeze(1)
            path.append(best_last)
        return score.max(-1).values, torch.stack(path[::-1], dim=1)


model = det_init(CRFTagger(), seed=3)
opt = torch.optim.AdamW(model.parameters(), lr=0.05)
for step in range(8):
    em = model.emissions(words)
    nll = (model.log_partition(em, mask) - model.gold_score(em, tags, mask)).mean()
    opt.zero_grad()
    nll.backward()
    gn = nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    opt.step()
    report(step, nll=nll, grad_norm=gn, trans_norm=model.trans.norm())

with torch.no_grad():
    best, path = model.viterbi(model.emissions(words), mask)
    acc = ((path == tags) & mask).sum().float() / mask.sum()
    report(100, best=best.sum(), acc=acc, path_sum=(path * mask).sum())
