"""Variable-length sequences: pad_sequence, an Embedding with padding_idx, masked mean
pooling, a GRU over pack_padded_sequence, BCEWithLogitsLoss with pos_weight, and
ReduceLROnPlateau on the epoch loss; gradients of the padding row stay zero."""

import numpy as np
import torch
import torch.nn as nn
from _common import det_init, report
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

rng = np.random.RandomState(0)
lengths = [5, 3, 7, 2, 4, 6]
seqs = [torch.from_numpy(rng.randint(1, 20, size=n).astype(np.int64)) for n in lengths]
labels = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 8, padding_idx=0)
        self.gru = nn.GRU(8, 8, batch_first=True)
        self.out = nn.Linear(16, 2)

    def forward(self, padded, lens):
        e = self.emb(padded)
        mask = (padded != 0).unsqueeze(-1).float()
        mean = (e * mask).sum(1) / mask.sum(1)
        packed = pack_padded_sequence(e, lens, batch_first=True, enforce_sorted=False)
        _, h = self.gru(packed)
        return self.out(torch.cat([mean, h[-1]], dim=1))


model = det_init(Model(), seed=2)
with torch.no_grad():
    model.emb.weight[0].zero_()
crit = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0, 0.5]))
opt = torch.optim.RMSprop(model.parameters(), lr=0.01, alpha=0.9, centered=True)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0)
padded = pad_sequence(seqs, batch_first=True)
lens = torch.tensor(lengths)
for step in range(10):
    logits = model(padded, lens)
    loss = crit(logits, labels)
    opt.zero_grad()
    loss.backward()
    pad_grad = model.emb.weight.grad[0].abs().sum()
    opt.step()
    plateau.step(loss.item() if step % 3 else loss.item() + 1.0)
    report(step, loss=loss, pad_grad=pad_grad, lr=opt.param_groups[0]["lr"],
           shape=padded.shape[1])
