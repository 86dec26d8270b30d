"""A toy speech recogniser: Conv1d front end, bidirectional LSTM over packed variable-length
features, CTC loss (mean and sum reductions, zero_infinity), greedy decoding with
unique_consecutive, and a learning rate warmup with LambdaLR."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, randn, report

B, T, C, V = 4, 20, 6, 7  # V includes blank 0
feats = randn(3, B, C, T)
in_lens = torch.tensor([20, 18, 15, 12])
tgt_lens = torch.tensor([5, 4, 6, 3])
targets = randint(4, V - 1, int(tgt_lens.sum())) + 1  # concatenated, no blanks


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(C, 10, 3, padding=1)
        self.bn = nn.BatchNorm1d(10)
        self.rnn = nn.LSTM(10, 12, bidirectional=True)
        self.out = nn.Linear(24, V)

    def forward(self, x, lens):
        h = F.gelu(self.bn(self.conv(x)))  # B, 10, T
        h = h.permute(2, 0, 1)  # T, B, 10
        packed = nn.utils.rnn.pack_padded_sequence(h, lens, enforce_sorted=True)
        out, _ = self.rnn(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, total_length=T)
        return self.out(out).log_softmax(-1)  # T, B, V


model = det_init(Model(), seed=5)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 4))
ctc = nn.CTCLoss(blank=0, zero_infinity=True)
for step in range(10):
    logp = model(feats, in_lens)
    loss = ctc(logp, targets, in_lens, tgt_lens)
    total = F.ctc_loss(logp, targets, in_lens, tgt_lens, reduction="sum")
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    report(step, loss=loss, total=total, lr=sched.get_last_lr()[0])

model.eval()
with torch.no_grad():
    logp = model(feats, in_lens)
    best = logp.argmax(-1).t()  # B, T
    for b in range(B):
        seq = torch.unique_consecutive(best[b, : in_lens[b]])
        seq = seq[seq != 0]
        report(100 + b, n=seq.numel(), s=seq.sum() if seq.numel() else 0)
    # per-sample losses with padded 2-D targets
    padded = torch.zeros(B, int(tgt_lens.max()), dtype=torch.long)
    off = 0
    for b in range(B):
        padded[b, : tgt_lens[b]] = targets[off: off + tgt_lens[b]]
        off += int(tgt_lens[b])
    per = F.ctc_loss(logp, padded, in_lens, tgt_lens, reduction="none")
    report(200, per0=per[0], per3=per[3], per_sum=per.sum())
