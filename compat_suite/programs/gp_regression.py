"""Gaussian-process regression: an RBF kernel with learned log-hyperparameters, the marginal
likelihood through cholesky / solve_triangular / cholesky_solve, trained with Adam; float64."""

import math

import torch
from _common import randn, report

torch.set_default_dtype(torch.float64)
x = randn(1300, 12, 2).double()
y = torch.sin(2 * x[:, 0]) + 0.5 * x[:, 1] ** 2 + 0.1 * randn(1301, 12).double()
xt = randn(1302, 5, 2).double()
log_ls = torch.zeros(2, requires_grad=True)
log_sf = torch.tensor(0.0, requires_grad=True)
log_sn = torch.tensor(-1.0, requires_grad=True)
opt = torch.optim.Adam([log_ls, log_sf, log_sn], lr=0.05)


def kernel(a, b):
    d = torch.cdist(a / log_ls.exp(), b / log_ls.exp()).pow(2)
    return (2 * log_sf).exp() * torch.exp(-0.5 * d)


for step in range(10):
    K = kernel(x, x) + (2 * log_sn).exp() * torch.eye(len(x))
    L = torch.linalg.cholesky(K)
    alpha = torch.cholesky_solve(y[:, None], L)
    z = torch.linalg.solve_triangular(L, y[:, None], upper=False)
    nll = (
        0.5 * (z * z).sum()
        + torch.log(torch.diagonal(L)).sum()
        + 0.5 * len(x) * math.log(2 * math.pi)
    )
    opt.zero_grad()
    nll.backward()
    opt.step()
    report(
        step,
        nll=nll,
        ls=log_ls.exp().sum(),
        sf=log_sf.exp(),
        sn=log_sn.exp(),
        fit=(alpha * y[:, None]).sum(),
    )
with torch.no_grad():
    K = kernel(x, x) + (2 * log_sn).exp() * torch.eye(len(x))
    L = torch.linalg.cholesky(K)
    Ks = kernel(xt, x)
    mean = Ks @ torch.cholesky_solve(y[:, None], L)
    v = torch.linalg.solve_triangular(L, Ks.T, upper=False)
    var = kernel(xt, xt).diagonal() - (v * v).sum(0)
    Kinv = torch.cholesky_inverse(L)
    right = torch.linalg.solve_triangular(L.T, Ks, upper=True, left=False)
report(
    "predict",
    mean=mean.sum(),
    var=var.sum(),
    kinv=(Kinv @ K - torch.eye(len(x))).abs().max() < 1e-8,
    right=right.sum(),
    dtype=float(mean.dtype == torch.float64),
)
