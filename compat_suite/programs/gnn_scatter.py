"""Message passing on a small random graph with index_add_, scatter_add_, scatter_reduce, gather."""

import torch
import torch.nn as nn
from _common import det_init, randint, randn, report

num_nodes, num_edges, feat = 7, 18, 5
src = randint(300, num_nodes, num_edges)
dst = randint(301, num_nodes, num_edges)
x = randn(302, num_nodes, feat)
y = randn(303, num_nodes, 2)


class GNNLayer(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.msg = nn.Linear(cin, cout)
        self.self_loop = nn.Linear(cin, cout, bias=False)

    def forward(self, h):
        deg = torch.bincount(dst, minlength=num_nodes).float().clamp(min=1)
        norm = deg.rsqrt()
        m = self.msg(h.index_select(0, src)) * norm[src].unsqueeze(1)
        agg = torch.zeros(num_nodes, m.shape[1]).index_add_(0, dst, m)
        idx = dst.unsqueeze(1).expand(-1, m.shape[1])
        agg2 = torch.zeros(num_nodes, m.shape[1]).scatter_add_(0, idx, m)
        mean = torch.zeros(num_nodes, m.shape[1]).scatter_reduce(
            0, idx, m, reduce="mean", include_self=False
        )
        amax = torch.full((num_nodes, m.shape[1]), -5.0).scatter_reduce(0, idx, m, reduce="amax")
        return torch.tanh(agg + 0.5 * agg2 + mean + 0.1 * amax + self.self_loop(h))


layers = nn.ModuleList([GNNLayer(feat, 6), GNNLayer(6, 2)])
det_init(layers, seed=304)
opt = torch.optim.SGD(layers.parameters(), lr=0.1, momentum=0.5)
for step in range(8):
    h = x
    for layer in layers:
        h = layer(h)
    picked = torch.gather(h, 1, randint(305, 2, num_nodes, 1))
    loss = (h - y).pow(2).mean() + 0.1 * picked.sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(
        step,
        loss=loss,
        g0=layers[0].msg.weight.grad.norm(),
        g1=layers[1].self_loop.weight.grad.abs().sum(),
    )
# Scatter variants on their own, with gradients.
v = randn(306, 4, 3).requires_grad_()
idx = randint(307, 3, 4, 3)
out = {}
for reduce in ["sum", "prod", "mean", "amax", "amin"]:
    for include_self in [True, False]:
        base = torch.ones(3, 3) * 0.5
        r = base.scatter_reduce(0, idx, v, reduce=reduce, include_self=include_self)
        (g,) = torch.autograd.grad((r * torch.arange(1.0, 10.0).view(3, 3)).sum(), v)
        report(
            f"{reduce}_{int(include_self)}",
            out=r.sum(),
            grad=g.sum(),
            gw=(g * torch.arange(12.0).view(4, 3)).sum(),
        )
s = torch.zeros(3, 4).scatter(1, torch.tensor([[0, 1], [2, 3], [1, 0]]), 2.0, reduce="add")
report("scatter_value", s=(s * torch.arange(12.0).view(3, 4)).sum())
counts = torch.bincount(torch.tensor([0, 2, 2, 5]), weights=torch.tensor([0.5, 1.0, 2.0, 3.0]))
report(
    "bincount",
    n=counts.numel(),
    w=(counts * torch.arange(6.0)).sum(),
    dtype64=float(counts.dtype == torch.float64),
)
