"""Seeded default initialisation, random data, dropout masks and a shuffling DataLoader.

This one relies on the random stream itself: torch.manual_seed must give the same numbers
in torchlike as in PyTorch (layer init, randn, randperm, dropout, DataLoader shuffle).
"""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(1234)
model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 2))
x = torch.randn(40, 5)
y = torch.randint(0, 2, (40,))
loader = DataLoader(TensorDataset(x, y), batch_size=10, shuffle=True)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
print(
    f"step -1 w {model[0].weight.sum().item():.9g} x {x.sum().item():.9g} "
    f"perm {torch.randperm(10)[0].item()}"
)
step = 0
for epoch in range(2):
    for xb, yb in loader:
        loss = nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        print(f"step {step} loss {loss.item():.9g} first {yb[0].item()}")
        step += 1
