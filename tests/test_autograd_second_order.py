"""Second-order gradients (create_graph=True) against PyTorch for a broad subset of ops."""

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()

X = np.array([[0.3, -1.2, 0.8], [1.5, 0.4, -0.7]], dtype=np.float64)
W = np.array([[0.5, -0.3], [0.2, 0.9], [-1.1, 0.4]], dtype=np.float64)

OPS = {
    "exp": lambda m, x: x.exp(),
    "sin": lambda m, x: x.sin(),
    "tanh": lambda m, x: x.tanh(),
    "sigmoid": lambda m, x: x.sigmoid(),
    "log-abs": lambda m, x: (x.abs() + 0.5).log(),
    "sqrt": lambda m, x: (x * x + 1).sqrt(),
    "pow3": lambda m, x: x ** 3,
    "div": lambda m, x: x / (x * x + 2),
    "matmul": lambda m, x: (x * x) @ m.tensor(W) @ m.tensor(W).t(),
    "softmax": lambda m, x: x.softmax(-1),
    "log_softmax": lambda m, x: x.log_softmax(1),
    "logsumexp": lambda m, x: x.logsumexp(1),
    "mean-var": lambda m, x: x.var(1) + x.mean(0).sum(),
    "norm": lambda m, x: x.norm(dim=1),
    "gelu": lambda m, x: m.nn.functional.gelu(x),
    "silu": lambda m, x: m.nn.functional.silu(x),
    "softplus": lambda m, x: m.nn.functional.softplus(x),
    "layer_norm": lambda m, x: m.nn.functional.layer_norm(x, (3,)),
    "mse": lambda m, x: m.nn.functional.mse_loss(x, x.flip(0) * 0.5),
    "cross_entropy": lambda m, x: m.nn.functional.cross_entropy(x, m.tensor([2, 0])),
    "index-where": lambda m, x: m.where(x > 0, x * x, -x)[:, 1:],
    "cumsum-prod": lambda m, x: x.cumsum(1) * x.prod(0),
}


@pytest.mark.parametrize("name", list(OPS))
def test_double_backward(name):
    f = OPS[name]
    res = []
    for m in (torch, tl):
        x = m.tensor(X, requires_grad=True)
        y = f(m, x)
        (g,) = m.autograd.grad(y.sum() if y.dim() else y, x, create_graph=True)
        (gg,) = m.autograd.grad((g * m.tensor(X[::-1].copy())).sum(), x)
        res.append((g.detach().numpy(), gg.numpy()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-8, atol=1e-11)
