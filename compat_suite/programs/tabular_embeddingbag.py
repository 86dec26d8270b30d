"""Tabular model: EmbeddingBag (mean with offsets, sum with per-sample weights), one_hot
features, BatchNorm1d, parameter groups with their own lr and weight decay, SequentialLR
(LinearLR warmup then StepLR), and data through random_split, Subset and a
WeightedRandomSampler seeded by a Generator (indices compared, so both draw PyTorch's)."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, randn, report
from torch.utils.data import DataLoader, Subset, TensorDataset, WeightedRandomSampler, random_split

n = 40
cat = randint(1, 6, n)
bags = randint(2, 30, n * 3)
num = randn(3, n, 4)
y = ((num[:, 0] + (cat == 2).float()) > 0.3).long()
ds = TensorDataset(torch.arange(n), cat, num, y)
train, val = random_split(ds, [30, 10], generator=torch.Generator().manual_seed(0))
report(0, first_train=train.indices[0], first_val=val.indices[0], n_val=len(val))
sub = Subset(train, list(range(0, 30, 2)))
weights = torch.tensor([2.0 if int(ds[i][3]) == 1 else 1.0 for i in train.indices])
sampler = WeightedRandomSampler(weights, num_samples=30, replacement=True,
                                generator=torch.Generator().manual_seed(1))
order = list(sampler)
report(1, s0=order[0], s1=order[1], s_sum=sum(order), sub_len=len(sub))


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.bag_mean = nn.EmbeddingBag(30, 4, mode="mean")
        self.bag_sum = nn.EmbeddingBag(30, 4, mode="sum")
        self.bn = nn.BatchNorm1d(4 + 6 + 8)
        self.fc = nn.Linear(18, 2)

    def forward(self, idx, cat, num):
        b = idx.shape[0]
        flat = bags.view(n, 3)[idx].reshape(-1)
        offsets = torch.arange(0, 3 * b, 3)
        w = torch.linspace(0.5, 1.5, 3 * b)
        e = torch.cat([self.bag_mean(flat, offsets), self.bag_sum(flat, offsets, per_sample_weights=w)], 1)
        return self.fc(F.relu(self.bn(torch.cat([num, F.one_hot(cat, 6).float(), e], 1))))


model = det_init(Model(), seed=5)
opt = torch.optim.AdamW([
    {"params": list(model.bag_mean.parameters()) + list(model.bag_sum.parameters()),
     "lr": 0.02, "weight_decay": 0.0},
    {"params": list(model.bn.parameters()) + list(model.fc.parameters())},
], lr=0.01, weight_decay=0.1)
sched = torch.optim.lr_scheduler.SequentialLR(opt, [
    torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=3),
    torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)], milestones=[3])
loader = DataLoader(Subset(ds, train.indices), batch_size=10, shuffle=False)
step = 2
for epoch in range(3):
    model.train()
    for idx, c, x, t in loader:
        loss = F.cross_entropy(model(idx, c, x), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
        report(step, loss=loss, lr0=opt.param_groups[0]["lr"], lr1=opt.param_groups[1]["lr"])
        step += 1
    sched.step()
model.eval()
with torch.no_grad():
    idx, c, x, t = ds[val.indices]
    acc = (model(idx, c, x).argmax(1) == t).float().mean()
report(step, acc=acc, rv=model.bn.running_var.sum(), nb=model.bn.num_batches_tracked)
