"""A bidirectional GRU over variable-length sequences with pack_padded_sequence."""

import torch
import torch.nn as nn
from _common import det_init, randn, report
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

gru = det_init(nn.GRU(3, 5, batch_first=True, bidirectional=True), seed=110)
head = det_init(nn.Linear(10, 1), seed=111)
opt = torch.optim.SGD(list(gru.parameters()) + list(head.parameters()), lr=0.2)
x = randn(112, 4, 6, 3)
lengths = torch.tensor([6, 4, 3, 1])
target = randn(113, 4, 1)
for step in range(8):
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=True)
    out, h = gru(packed)
    padded, lens = pad_packed_sequence(out, batch_first=True)
    summary = padded.sum(1) / lens.unsqueeze(1).float()
    loss = nn.functional.mse_loss(head(summary), target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(step, loss=loss, h=h.abs().sum(), pad_tail=padded[3, 1:].abs().sum())
