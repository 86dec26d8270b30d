"""MLP classifier over mini-batches from a DataLoader, with Adam and cross-entropy."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report
from torch.utils.data import DataLoader, TensorDataset

x = randn(1, 96, 5)
labels = (x[:, 0] > 0).long() + (x[:, 1] > 0.5).long()  # three classes
loader = DataLoader(TensorDataset(x, labels), batch_size=16, shuffle=False)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(5, 32)
        self.out = nn.Linear(32, 3)

    def forward(self, x):
        return self.out(F.gelu(self.hidden(x)))


model = det_init(Classifier(), seed=1)
opt = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.9, 0.99))
step = 0
for epoch in range(3):
    for xb, yb in loader:
        logits = model(xb)
        loss = F.cross_entropy(logits, yb, label_smoothing=0.05)
        opt.zero_grad()
        loss.backward()
        opt.step()
        acc = (logits.argmax(1) == yb).float().mean()
        report(step, loss=loss, acc=acc)
        step += 1
