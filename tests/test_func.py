"""torch.func against PyTorch's torch.func."""

import numpy as np

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=np.float32)


def f(lib):
    return lambda x: (x.sin() * x).sum()


def close(a, b):
    np.testing.assert_allclose(np.asarray(a.detach().numpy()), b.detach().numpy(), rtol=1e-5,
                               atol=1e-6)


def test_grad_jac_hessian_vmap():
    tx, lx = torch.tensor(X), tl.tensor(X)
    close(tl.func.grad(f(tl))(lx), torch.func.grad(f(torch))(tx))
    close(tl.func.jacrev(lambda x: x.exp() * 2)(lx[0]), torch.func.jacrev(lambda x: x.exp() * 2)(tx[0]))
    close(tl.func.jacfwd(lambda x: x.exp() * 2)(lx[0]), torch.func.jacfwd(lambda x: x.exp() * 2)(tx[0]))
    close(tl.func.hessian(f(tl))(lx[0]), torch.func.hessian(f(torch))(tx[0]))
    close(tl.func.vmap(lambda r: r @ r)(lx), torch.func.vmap(lambda r: r @ r)(tx))
    g, v = tl.func.grad_and_value(f(tl))(lx)
    g2, v2 = torch.func.grad_and_value(f(torch))(tx)
    close(g, g2)
    close(v, v2)
    out, fn = tl.func.vjp(lambda x: x * x, lx)
    out2, fn2 = torch.func.vjp(lambda x: x * x, tx)
    close(fn(tl.ones_like(lx))[0], fn2(torch.ones_like(tx))[0])
    _, t = tl.func.jvp(lambda x: x * x, (lx,), (tl.ones_like(lx),))
    _, t2 = torch.func.jvp(lambda x: x * x, (tx,), (torch.ones_like(tx),))
    close(t, t2)


def test_functional_call_and_to_jax():
    torch.manual_seed(0)
    tm = torch.nn.Linear(3, 2)
    lm = tl.nn.Linear(3, 2)
    lm.load_state_dict({k: tl.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    tp = {k: v.detach() for k, v in tm.named_parameters()}
    lp = {k: v.detach() for k, v in lm.named_parameters()}

    def tloss(p, x):
        return torch.func.functional_call(tm, p, (x,)).pow(2).sum()

    def lloss(p, x):
        return tl.func.functional_call(lm, p, (x,)).pow(2).sum()

    gt = torch.func.grad(tloss)(tp, torch.tensor(X))
    gl = tl.func.grad(lloss)(lp, tl.tensor(X))
    for k in gt:
        close(gl[k], gt[k])
    fn, params = tl.func.to_jax(lm)
    np.testing.assert_allclose(np.asarray(fn(params, tl.tensor(X)._data)),
                               tm(torch.tensor(X)).detach().numpy(), rtol=1e-5)
