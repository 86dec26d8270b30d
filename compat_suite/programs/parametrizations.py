"""weight_norm / orthogonal / spectral_norm parametrizations, custom parametrizations and
nn.init calls on the fly, trained with SGD."""

import torch
import torch.nn as nn
import torch.nn.utils.parametrize as P
from _common import det_init, randn, report
from torch.nn.utils import parametrizations


class Symmetric(nn.Module):
    def forward(self, w):
        return w.triu() + w.triu(1).transpose(0, 1)


torch.manual_seed(0)
wn = det_init(nn.Linear(5, 6), seed=800)
parametrizations.weight_norm(wn, name="weight", dim=0)
orth = det_init(nn.Linear(6, 6, bias=False), seed=801)
parametrizations.orthogonal(orth)
sn = det_init(nn.Linear(6, 4), seed=802)
parametrizations.spectral_norm(sn, n_power_iterations=3)
sym = det_init(nn.Linear(4, 4), seed=803)
P.register_parametrization(sym, "weight", Symmetric())
params = [p for m in (wn, orth, sn, sym) for p in m.parameters()]
opt = torch.optim.SGD(params, lr=0.05)
x, y = randn(804, 8, 5), randn(805, 8, 4)
for step in range(6):
    out = sym(sn(orth(torch.tanh(wn(x)))))
    loss = (out - y).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    with torch.no_grad():
        eye = orth.weight @ orth.weight.T
        sigma = torch.linalg.matrix_norm(sn.weight, ord=2)
    report(
        step,
        loss=loss,
        g=wn.parametrizations.weight.original0.grad.norm(),
        v=wn.parametrizations.weight.original1.grad.norm(),
        orth=(eye - torch.eye(6)).abs().max(),
        sigma=sigma,
        sym=(sym.weight - sym.weight.T).abs().sum(),
        u=sn.parametrizations.weight[0]._u.sum(),
    )
# eval(): spectral norm stops its power iteration; cached parametrizations
sn.eval()
with torch.no_grad():
    a = sn.weight.clone()
    b = sn.weight.clone()
with P.cached():
    c = sym.weight
    d = sym.weight
report("eval", same=(a - b).abs().sum(), cached=float(c is d), n=len(list(sym.parameters())))
P.remove_parametrizations(sym, "weight", leave_parametrized=True)
report(
    "removed",
    is_param=float(isinstance(sym.weight, nn.Parameter)),
    s=sym.weight.sum(),
    has=float(P.is_parametrized(sym)),
)
# torch.nn.init on the fly, with the global generator
torch.manual_seed(3)
lin = nn.Linear(7, 5)
nn.init.kaiming_uniform_(lin.weight, a=0.1, mode="fan_out", nonlinearity="leaky_relu")
nn.init.xavier_normal_(lin.weight, gain=nn.init.calculate_gain("tanh"))
nn.init.trunc_normal_(lin.bias, std=0.5, a=-0.4, b=0.4)
w2 = torch.empty(3, 4, 2)
nn.init.orthogonal_(w2)
nn.init.sparse_(w3 := torch.empty(6, 3), sparsity=0.5)
nn.init.constant_(lin.bias[:2], 0.25)
report(
    "init",
    w=lin.weight.sum(),
    w2=w2.abs().sum(),
    b=lin.bias.sum(),
    sparse=(w3 == 0).sum(),
    w3=w3.abs().sum(),
    g=nn.init.calculate_gain("leaky_relu", 0.2),
)
