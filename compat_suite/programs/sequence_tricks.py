"""Sequence and patch idioms: F.unfold/F.fold (im2col), Tensor.unfold windows, a dilated
Conv1d with padding='same', a bidirectional LSTM with proj_size, pad_packed_sequence,
index_put_ with accumulate, cdist, scatter_add and einsum attention, trained with NAdam."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 6, 3, dilation=2, padding="same")
        self.lstm = nn.LSTM(6, 8, batch_first=True, bidirectional=True, proj_size=4)
        self.patch = nn.Linear(3 * 2 * 2, 5)
        self.q = nn.Parameter(torch.zeros(4, 8))

    def forward(self, seq, lens, img):
        h = F.gelu(self.conv(seq)).transpose(1, 2)  # (b, t, 6)
        packed = pack_padded_sequence(h, lens, batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        out, out_lens = pad_packed_sequence(out, batch_first=True, total_length=seq.shape[2])
        att = torch.einsum("btd,kd->bkt", out, self.q).softmax(-1)
        pooled = torch.einsum("bkt,btd->bkd", att, out).mean(1)  # (b, 8)
        cols = F.unfold(img, kernel_size=2, stride=2)  # (b, 12, 16)
        tok = self.patch(cols.transpose(1, 2))  # (b, 16, 5)
        back = F.fold(cols, output_size=(8, 8), kernel_size=2, stride=2)
        win = seq.unfold(2, 4, 2).mean(-1)  # (b, 3, windows)
        return pooled, tok, back, win


model = det_init(Model(), seed=6)
opt = torch.optim.NAdam(model.parameters(), lr=5e-3, momentum_decay=4e-3)
seq = randn(1, 4, 3, 10)
lens = torch.tensor([10, 7, 4, 9])
img = randn(2, 4, 3, 8, 8)
centers = randn(3, 5, 8)
for step in range(8):
    pooled, tok, back, win = model(seq, lens, img)
    d = torch.cdist(pooled, centers)
    assign = d.argmin(1)
    counts = torch.zeros(5).scatter_add(0, assign, torch.ones(4))
    hist = torch.zeros(5)
    hist.index_put_((assign,), torch.ones(4), accumulate=True)
    loss = d.min(1).values.mean() + tok.pow(2).mean() * 0.1 + (back - img).abs().sum() + win.var()
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(step, loss=loss, counts=(counts * torch.arange(5)).sum(), same=(counts == hist).all())
