"""More autograd behaviour against PyTorch: functional API, Function features, grad options."""

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=np.float64)


def _np(t):
    return t.detach().numpy()


def test_functional_jacobian_hessian_vjp_hvp():
    def f(lib):
        return lambda x: (x ** 3).sum(1) + x.sin().prod(1)
    for name in ("jacobian", "hessian"):
        a = getattr(torch.autograd.functional, name)(lambda x: f(torch)(x).sum() if name == "hessian" else f(torch)(x), torch.tensor(X))
        b = getattr(tl.autograd.functional, name)(lambda x: f(tl)(x).sum() if name == "hessian" else f(tl)(x), tl.tensor(X))
        np.testing.assert_allclose(_np(b), _np(a), rtol=1e-10)
    v = np.ones(2)
    _, a = torch.autograd.functional.vjp(f(torch), torch.tensor(X), torch.tensor(v))
    _, b = tl.autograd.functional.vjp(f(tl), tl.tensor(X), tl.tensor(v))
    np.testing.assert_allclose(_np(b), _np(a), rtol=1e-10)
    g = lambda lib: (lambda x: (x ** 3).sum() + x.sin().prod())  # noqa: E731
    _, a = torch.autograd.functional.hvp(g(torch), torch.tensor(X), torch.tensor(X))
    _, b = tl.autograd.functional.hvp(g(tl), tl.tensor(X), tl.tensor(X))
    np.testing.assert_allclose(_np(b), _np(a), rtol=1e-10)


def test_gradcheck_and_gradgradcheck():
    x = tl.tensor(X, requires_grad=True)
    assert tl.autograd.gradcheck(lambda t: (t.exp() * t).sum(0), (x,))
    assert tl.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (x,))
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        class Wrong(tl.autograd.Function):
            @staticmethod
            def forward(ctx, t):
                return t * 2

            @staticmethod
            def backward(ctx, g):
                return g * 3
        tl.autograd.gradcheck(Wrong.apply, (x,))


@pytest.mark.parametrize("lib", [torch, tl], ids=["torch", "torchlike"])
def test_grad_options(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    z = lib.tensor([3.0], requires_grad=True)
    y = (x * x).sum()
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        lib.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = lib.autograd.grad(y, [x, z], retain_graph=True, allow_unused=True)
    assert gz is None and gx.tolist() == [2.0, 4.0]
    gx, gz = lib.autograd.grad(y, [x, z], retain_graph=True, materialize_grads=True)
    assert gz.tolist() == [0.0]
    y.backward(inputs=[x])
    assert x.grad.tolist() == [2.0, 4.0] and z.grad is None
    w = x * 3
    (w * w).sum().backward(retain_graph=False)
    with pytest.raises(RuntimeError):
        lib.autograd.grad(lib.tensor(1.0), x)


@pytest.mark.parametrize("lib", [torch, tl], ids=["torch", "torchlike"])
def test_function_features(lib):
    class Clamp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, lo):
            ctx.lo = lo
            ctx.save_for_backward(x)
            idx = (x > lo).nonzero()
            ctx.mark_non_differentiable(idx)
            return x.clamp(min=lo), idx

        @staticmethod
        def backward(ctx, g, _):
            (x,) = ctx.saved_tensors
            assert ctx.needs_input_grad == (True, False)
            return g * (x > ctx.lo).to(g.dtype), None

    x = lib.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    y, idx = Clamp.apply(x, 0.0)
    assert not idx.requires_grad and y.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0]

    class Square(lib.autograd.Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x2 = lib.tensor([3.0], requires_grad=True)
    (g,) = lib.autograd.grad(Square.apply(x2).sum(), x2, create_graph=True)
    (gg,) = lib.autograd.grad(g.sum(), x2)
    assert g.tolist() == [6.0] and gg.tolist() == [2.0]


def test_anomaly_names_the_node():
    x = tl.tensor([0.0], requires_grad=True)
    with tl.autograd.detect_anomaly():
        y = (x.sqrt() * 0).sum()
        with pytest.raises(RuntimeError, match="returned nan"):
            y.backward()


def test_hooks_and_grad_fn_walk():
    for lib in (torch, tl):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 2).exp().sum()
        names = []
        fn = y.grad_fn
        while fn is not None:
            names.append(type(fn).__name__ if lib is torch else fn.name())
            nxt = [f for f, _ in fn.next_functions if f is not None]
            fn = nxt[0] if nxt else None
        assert names[0].startswith("Sum") and "AccumulateGrad" in names[-1]
        calls = []
        h = x.register_post_accumulate_grad_hook(lambda p: calls.append(p.grad.clone()))
        y.backward()
        h.remove()
        assert len(calls) == 1


def test_memory_released_after_backward():
    x = tl.ones(4, requires_grad=True)
    y = (x * 2).sum()
    node = y.grad_fn
    y.backward()
    assert node.primals is None  # saved arrays freed without retain_graph
    z = (x * 2).sum()
    z.backward(retain_graph=True)
    assert z.grad_fn.primals is not None


@pytest.mark.parametrize("lib", [torch, tl], ids=["torch", "torchlike"])
def test_checkpoint_same_values_and_gradients(lib):
    from importlib import import_module
    cp = import_module(lib.__name__ + ".utils.checkpoint")
    w = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    x = lib.tensor([1.0, 2.0, 3.0])
    y = cp.checkpoint(lambda a: (a * w).tanh().sum(), x, use_reentrant=False)
    y.backward()
    np.testing.assert_allclose(w.grad.numpy(), (x * (1 - (x * w).tanh() ** 2)).detach().numpy(),
                               rtol=1e-5, atol=1e-7)
