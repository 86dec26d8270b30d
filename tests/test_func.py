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


def _vmap_program(lib):
    """vmap outputs are on the autograd tape: gradients reach its tensor arguments, pytrees of
    outputs included, and the ensemble pattern trains stacked parameters."""
    x = lib.tensor(X, requires_grad=True)
    w = lib.tensor(X.T.copy(), requires_grad=True)
    out = lib.func.vmap(lambda a, b: (a @ b).sin(), in_dims=(0, None))(x, w)
    tree = lib.vmap(lambda a: {"s": a.sum(), "t": (a * 2, a.exp())})(x)
    (out.sum() + tree["s"].sum() + tree["t"][1].pow(2).sum()).backward()
    models = [lib.nn.Linear(3, 2) for _ in range(2)]
    with lib.no_grad():
        for i, m in enumerate(models):
            m.weight.copy_(lib.tensor(X * (i + 1)))
            m.bias.fill_(0.5 * i)
    params, buffers = lib.func.stack_module_state(models)
    assert all(p.requires_grad and p.is_leaf for p in params.values())

    def call(p, b, inp):
        return lib.func.functional_call(models[0], (p, b), (inp,))

    y = lib.vmap(call, in_dims=(0, 0, None))(params, buffers, lib.tensor(X))
    y.pow(2).mean().backward()
    return [out, tree["t"][0], x.grad, w.grad, y, params["weight"].grad, params["bias"].grad]


def test_vmap_gradients_reach_tensor_arguments():
    for a, b in zip(_vmap_program(tl), _vmap_program(torch)):
        close(a, b)


def _maml_program(lib):
    """torch.func.grad/grad_and_value/jacrev/jacfwd/hessian outputs are differentiable in their
    tensor arguments (second-order MAML: the inner gradient's own gradient reaches w)."""
    w = lib.tensor(X.T.copy(), requires_grad=True)
    x = lib.tensor(np.concatenate([X, -X]))
    y = lib.tensor(np.concatenate([X[:, :2], X[:, 1:]]))

    def loss(w, x, y):
        return ((x @ w).tanh() - y).pow(2).mean()

    g = lib.func.grad(loss)(w, x, y)
    loss(w - 0.5 * g, x, y).backward()
    out = [g, w.grad.clone()]
    w.grad = None
    g2, (v, aux) = lib.func.grad_and_value(lambda w: (loss(w, x, y), w.sum()), has_aux=True)(w)
    J = lib.func.jacrev(lambda w: (x @ w).sin())(w)
    H = lib.func.hessian(lambda w: (x @ w).sin().sum())(w)
    Jf = lib.func.jacfwd(lambda w: (x @ w).exp())(w)
    (g2.pow(2).sum() + v + aux + J.sum() + H.pow(2).sum() + Jf.mean()).backward()
    return out + [g2, v, J, H, Jf, w.grad]


def test_func_transforms_are_differentiable_in_their_arguments():
    for a, b in zip(_maml_program(tl), _maml_program(torch)):
        close(a, b)


def _closure_program(lib):
    """Tensors a transformed function closes over (a module's parameters, a global tensor) get
    their gradient through it; a closed-over module whose parameters are not read keeps None."""
    lin = lib.nn.Linear(3, 2)
    unused = lib.nn.Linear(3, 2)
    scale = lib.tensor([1.5, -0.5], requires_grad=True)
    with lib.no_grad():
        lin.weight.copy_(lib.tensor(X[:, :3]))
        lin.bias.fill_(0.25)
    x = lib.tensor(np.concatenate([X, X * 2]))

    def per_row(row):
        n = unused.weight.shape[0]  # reaches `unused` without reading its values
        return (lin(row) * scale).tanh().sum() * (n / 2)

    z = lib.vmap(per_row)(x)
    g = lib.func.grad(lambda r: (lin(r) ** 2).sum())(x[0])
    (z.pow(2).sum() + g.sum() + lin.weight.pow(2).sum()).backward()
    assert unused.weight.grad is None
    return [z, g, lin.weight.grad, lin.bias.grad, scale.grad]


def test_func_transforms_differentiate_closed_over_tensors():
    for a, b in zip(_closure_program(tl), _closure_program(torch)):
        close(a, b)


def test_linearize_matches_pytorch():
    res = []
    for lib in (torch, tl):
        x = lib.tensor(X)
        out, jvp_fn = lib.func.linearize(lambda x: (x.sin() * x).exp(), x)
        t1, t2 = lib.ones_like(x), lib.tensor(X[::-1].copy())
        res.append((out, jvp_fn(t1), jvp_fn(t2)))
    for got, want in zip(res[1], res[0]):
        close(got, want)
