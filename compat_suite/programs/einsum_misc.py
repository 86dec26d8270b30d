"""Einsum attention, bmm/baddbmm, normalize, cosine similarity, cdist, cumulative ops, gradients."""

import torch
import torch.nn.functional as F
from _common import randn, report

q = randn(400, 2, 3, 4).requires_grad_()
k = randn(401, 2, 5, 4).requires_grad_()
v = randn(402, 2, 5, 6).requires_grad_()
bias = randn(403, 2, 3, 5).requires_grad_()
mask = randn(404, 2, 3, 5) > 0.8
for step in range(4):
    scores = torch.einsum("bqd,bkd->bqk", q, k) / 2.0
    scores2 = torch.baddbmm(bias, q, k.transpose(1, 2), beta=0.5, alpha=0.25)
    scores = (scores + scores2).masked_fill(mask, float("-inf"))
    attn = scores.softmax(-1)
    out = torch.bmm(attn, v)
    qn = F.normalize(q, dim=-1)
    cos = F.cosine_similarity(q[:, :, None, :], k[:, None, :, :], dim=-1)
    dist = torch.cdist(q, k)
    d1 = torch.cdist(q, k, p=1.0)
    cs = torch.cumsum(out, dim=1)
    lcse = torch.logcumsumexp(scores2, dim=-1)
    cp = torch.cumprod(torch.sigmoid(out), dim=2)
    w = torch.where(dist > 2.0, dist, -cos)
    safe = torch.nan_to_num(torch.log(out), nan=0.0, neginf=-3.0, posinf=3.0)
    e = torch.einsum("bij,bjk,bkl->bil", attn, v, v.transpose(1, 2)).diagonal(dim1=-2, dim2=-1)
    tr = torch.einsum("bii->b", torch.einsum("bqd,bkd->bqk", q, q))
    outer = torch.einsum("i,j->ij", q[0, 0], k[0, 0])
    loss = (
        out.pow(2).mean()
        + qn.sum() * 0.1
        + cos.sum() * 0.1
        + dist.mean()
        + d1.mean() * 0.1
        + cs.mean()
        + lcse.mean()
        + cp.mean()
        + w.mean()
        + safe.mean()
        + e.mean() * 0.01
        + tr.sum() * 0.01
        + outer.sum() * 0.01
    )
    q.grad = k.grad = v.grad = bias.grad = None
    loss.backward()
    with torch.no_grad():
        for t in (q, k, v, bias):
            t.sub_(0.1 * t.grad)
            t.clamp_(-2.0, 2.0)
    report(
        step,
        loss=loss,
        gq=q.grad.norm(),
        gk=k.grad.norm(),
        gv=v.grad.norm(),
        gb=bias.grad.norm(),
        safe=safe.sum(),
    )
# Edge values: normalize of a zero row, cdist of identical points, cummax/cummin.
z = torch.zeros(2, 3, requires_grad=True)
n = F.normalize(z, dim=1)
(gz,) = torch.autograd.grad(n.sum(), z)
same = torch.ones(3, 2, requires_grad=True)
d = torch.cdist(same, same)
(gd,) = torch.autograd.grad(d.sum(), same)
vals, idxs = torch.cummax(torch.tensor([1.0, 3.0, 2.0, 3.0, 5.0]), dim=0)
mvals, midxs = torch.cummin(torch.tensor([4.0, 3.0, 3.0, 5.0, 1.0]), dim=0)
x = torch.tensor([float("nan"), float("inf"), -float("inf"), 1.5])
report(
    "edge",
    n=n.abs().sum(),
    gz=gz.abs().sum(),
    d=d.sum(),
    gd=gd.abs().sum(),
    cummax=(idxs * 10 + vals).sum(),
    cummin=(midxs * 10 + mvals).sum(),
    n2n=torch.nan_to_num(x).sum() / 1e38,
)
