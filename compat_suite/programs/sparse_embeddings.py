"""A matrix-factorisation recommender with sparse embedding gradients: nn.Embedding(sparse=True)
rows trained by SparseAdam, a dense bias by Adam, and an EmbeddingBag(sparse=True) side
feature trained by SGD with momentum; the sparse .grad's layout and nnz are checked too."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, randn, report

n_users, n_items, d = 30, 40, 6
users, items = randint(5, n_users, 64), randint(6, n_items, 64)
rating = (randn(7, 64) > 0).float()


class MF(nn.Module):
    def __init__(self):
        super().__init__()
        self.u = nn.Embedding(n_users, d, sparse=True)
        self.i = nn.Embedding(n_items, d, sparse=True, padding_idx=0)
        self.tags = nn.EmbeddingBag(12, d, mode="mean", sparse=True)
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, u, i, tags):
        return (self.u(u) * (self.i(i) + self.tags(tags))).sum(-1) + self.bias


mf = det_init(MF(), seed=8)
tags = randint(9, 12, 64, 3)
sparse_opt = torch.optim.SparseAdam([mf.u.weight, mf.i.weight], lr=0.05)
dense_opt = torch.optim.Adam([mf.bias], lr=0.05)
tag_opt = torch.optim.SGD(mf.tags.parameters(), lr=0.1, momentum=0.9)
for step in range(8):
    sl = slice(step * 8, step * 8 + 8)
    logit = mf(users[sl], items[sl], tags[sl])
    loss = F.binary_cross_entropy_with_logits(logit, rating[sl])
    for o in (sparse_opt, dense_opt, tag_opt):
        o.zero_grad()
    loss.backward()
    g, gi = mf.u.weight.grad, mf.i.weight.grad
    sparse_opt.step()
    dense_opt.step()
    tag_opt.step()
    report(100 + step, loss=loss, is_sparse=g.is_sparse, nnz=g._nnz(), i_nnz=gi._nnz(),
           g_nnz=g.coalesce()._nnz(), u_norm=mf.u.weight.norm(), i_norm=mf.i.weight.norm(),
           tag_norm=mf.tags.weight.norm(), bias=mf.bias)
st = sparse_opt.state_dict()["state"][0]
report(200, n_steps=st["step"], exp_avg=st["exp_avg"].abs().sum())
