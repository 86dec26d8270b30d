"""Optimizers, their state and torch.func on (emulated) cuda: values as on the CPU, every
state tensor labelled with and living on the parameters' device."""

import numpy as np
import pytest
from test_devices import close, on_cuda, run_both

import torchlike as tl
from torchlike import nn

_OPTIMIZERS = [
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}),
    ("Adagrad", {"lr": 0.1}),
    ("Adadelta", {"lr": 1.0}),
    ("Adamax", {"lr": 0.01}),
    ("ASGD", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01}),
    ("RAdam", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("Rprop", {"lr": 0.01}),
]


@pytest.mark.parametrize("name,kw", _OPTIMIZERS, ids=[o[0] for o in _OPTIMIZERS])
def test_optimizer_state_on_cuda(name, kw):
    """On cuda a group updates as one vector (the GPU layout); its results equal the CPU's."""

    def run(dev):
        m = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)).to(dev)
        opt = getattr(tl.optim, name)(m.parameters(), **kw)
        x = tl.linspace(-1, 1, 20).reshape(5, 4).to(dev)
        for _ in range(3):
            opt.zero_grad()
            m(x).square().sum().backward()
            opt.step()
        return m, opt

    (mc, oc), (mg, og) = run_both(run)
    for pc, pg in zip(mc.parameters(), mg.parameters()):
        on_cuda(pg)
        close(pg, pc)
        for k, v in og.state[pg].items():
            on_cuda(v)
            close(v, oc.state[pc][k])


def test_lbfgs_on_cuda():
    def run(dev):
        m = nn.Linear(4, 1).to(dev)
        x = tl.linspace(-1, 1, 32).reshape(8, 4).to(dev)
        y = x.sum(1, keepdim=True).sin()
        opt = tl.optim.LBFGS(m.parameters(), line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = ((m(x) - y) ** 2).mean()
            loss.backward()
            return loss

        losses = [opt.step(closure) for _ in range(2)]
        return m, losses

    (_, lc), (mg, lg) = run_both(run)
    on_cuda(*lg, *mg.parameters())
    for a, b in zip(lg, lc):
        close(a, b)


def test_func_transforms_on_cuda():
    x = tl.linspace(-1, 1, 6).reshape(3, 2)
    xg = x.cuda()
    for fn in (tl.func.vmap(lambda v: v * 2), tl.func.jacrev(lambda v: (v ** 2).sum()),
               tl.func.grad(lambda v: (v ** 2).sum())):
        out = fn(xg)
        on_cuda(out)
        close(out, fn(x))
    np.testing.assert_allclose(tl.func.grad(lambda v: (v ** 2).sum())(xg).cpu().numpy(),
                               2 * x.numpy(), rtol=1e-6)
