"""Indexing-heavy training: gather/scatter_add, index_add_, advanced and boolean indexing
with gradients, masked_fill, topk, sort, embedding_bag-style pooling and one_hot."""

import torch
import torch.nn.functional as F
from _common import randint, randn, report

table = (randn(150, 10, 4) * 0.5).requires_grad_()
proj = (randn(151, 4, 3) * 0.5).requires_grad_()
idx = randint(152, 10, 6, 5)
offsets = randint(153, 3, 6)
target = randint(154, 3, 6)
opt = torch.optim.SGD([table, proj], lr=0.2, momentum=0.5)
for step in range(8):
    emb = table[idx]  # advanced indexing, (6, 5, 4)
    keep = emb.norm(dim=-1) > 0.3
    pooled = (emb * keep.unsqueeze(-1)).sum(1) / keep.sum(1, keepdim=True).clamp_min(1)
    logits = pooled @ proj
    logits = logits.masked_fill(F.one_hot(offsets, 3).bool(), -1.0)
    top_vals, top_idx = logits.topk(2, dim=1)
    sorted_vals, order = logits.sort(dim=1, descending=True)
    picked = logits.gather(1, target.unsqueeze(1)).squeeze(1)
    bucket = torch.zeros(3, 4).index_add(0, target, pooled)
    scattered = torch.zeros(6, 3).scatter_add(1, order, sorted_vals)
    loss = (
        F.cross_entropy(logits, target)
        - 0.1 * picked.mean()
        + 0.01 * bucket.pow(2).sum()
        + 0.01 * (scattered - logits).abs().sum()
        + 0.05 * top_vals[:, 1].mean()
    )
    opt.zero_grad()
    loss.backward()
    opt.step()
    with torch.no_grad():
        table[idx[0, 0]] *= 0.99  # in-place on an indexed row
        table.grad[table.grad.abs() < 1e-3] = 0
    report(
        step,
        loss=loss,
        kept=keep.sum(),
        top=top_idx.sum(),
        g=proj.grad.abs().sum(),
        tsum=table.abs().sum(),
    )
