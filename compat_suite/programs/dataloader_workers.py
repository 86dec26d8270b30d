"""A map-style Dataset from the program's own module, loaded by 2 worker processes with a
custom collate_fn, a seeded WeightedRandomSampler, and a training loop over it."""

import torch
import torch.nn as nn
from _common import det_init, randn, report
from torch.utils.data import DataLoader, Dataset, WeightedRandomSampler


class Pairs(Dataset):
    def __init__(self, n):
        self.x = randn(140, n, 3)
        self.y = self.x.sum(1, keepdim=True) * 0.5

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"x": self.x[i], "y": self.y[i], "i": i}


def collate(items):
    return (
        torch.stack([it["x"] for it in items]),
        torch.stack([it["y"] for it in items]),
        torch.tensor([it["i"] for it in items]),
    )


if __name__ == "__main__":
    data = Pairs(48)
    weights = torch.linspace(0.5, 2.0, 48, dtype=torch.float64)
    gen = torch.Generator().manual_seed(5)
    sampler = WeightedRandomSampler(weights, num_samples=48, replacement=True, generator=gen)
    loader = DataLoader(
        data,
        batch_size=12,
        sampler=sampler,
        num_workers=2,
        collate_fn=collate,
        persistent_workers=True,
    )
    model = det_init(nn.Linear(3, 1), seed=141)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    step = 0
    for epoch in range(2):
        for xb, yb, idx in loader:
            loss = nn.functional.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            report(step, loss=loss, idx_sum=idx.sum())
            step += 1
