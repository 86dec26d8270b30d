"""Autograd against real PyTorch: views, in-place, hooks, higher order, errors."""

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()


def both(fn):
    """Run fn(lib) under both libraries; return the numpy results."""
    a = fn(torch)
    b = fn(tl)
    return a, b


def _np(x):
    if isinstance(x, (list, tuple)):
        return [_np(y) for y in x]
    return np.asarray(x.detach().numpy() if hasattr(x, "detach") else x)


def check(fn, rtol=1e-5, atol=1e-6):
    a, b = both(fn)
    for x, y in zip(_np(a) if isinstance(a, (list, tuple)) else [_np(a)],
                    _np(b) if isinstance(b, (list, tuple)) else [_np(b)]):
        np.testing.assert_allclose(y, x, rtol=rtol, atol=atol)


def test_inplace_on_view_gradient():
    def f(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x = w * 2
        x[0] = 0
        x.sum().backward()
        return w.grad
    check(f)


def test_view_alias_write_through():
    def f(lib):
        x = lib.arange(12.0).reshape(3, 4)
        y = x[1]
        y.add_(1)
        x[:, 2] = -1
        z = x.t()[1:3]
        z.mul_(2)
        return [x, y, lib.tensor(float(x._version))]
    check(f)


def test_higher_order():
    def f(lib):
        p = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (g,) = lib.autograd.grad((p ** 3).sum(), p, create_graph=True)
        (g2,) = lib.autograd.grad((g * g).sum(), p)
        return [g, g2]
    check(f)


def test_accumulates_and_hooks():
    def f(lib):
        w = lib.tensor([1.0, -2.0], requires_grad=True)
        seen = []
        h = w.register_hook(lambda g: g * 10)
        for _ in range(2):
            (w * w).sum().backward()
        h.remove()
        (w * 3).sum().backward()
        y = w * 2
        y.retain_grad()
        y.sum().backward()
        return [w.grad, y.grad]
    check(f)


def test_errors_match():
    for lib in (torch, tl):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="scalar outputs"):
            (x * 2).backward()
        y = (x * x).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="second time"):
            y.backward()
        with pytest.raises(RuntimeError, match="leaf Variable"):
            x.add_(1)
        with pytest.raises(RuntimeError, match="does not require grad"):
            lib.tensor([1.0]).sum().backward()
        a = x * 1
        b = a * a
        a.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            b.sum().backward()


def test_no_grad_and_detach():
    x = tl.tensor([1.0], requires_grad=True)
    with tl.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    d = x.detach()
    d.add_(5)
    assert float(x.item()) == 6.0  # detach shares storage
    assert x.is_leaf and not d.requires_grad


def test_custom_function():
    class Sq(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = tl.tensor([1.0, 3.0], requires_grad=True)
    Sq.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 6.0])


def test_where_nan_branch_and_relu_at_zero():
    def f(lib):
        x = lib.tensor([0.0, -1.0, 4.0], requires_grad=True)
        y = lib.where(x > 0, lib.sqrt(x), lib.zeros_like(x)).sum() + x.relu().sum() + x.abs().sum()
        y.backward()
        return x.grad
    check(f)


def test_integer_positions_share_one_program():
    from torchlike._core import views
    x = tl.arange(40.0).reshape(8, 5)
    before = len(views._READ_T)
    rows = [x[i] for i in range(8)] + [x[i:i + 2] for i in range(6)] + [x.select(1, j) for j in range(5)]
    assert [float(r.sum()) for r in rows[:2]] == [10.0, 35.0]
    # one read program per view structure, not one per index
    assert len(views._READ_T) - before <= 3
    w = tl.ones(6, requires_grad=True)
    y = w * 1
    for i in range(6):
        y[i] = y[i] * i
    y.sum().backward()
    assert w.grad.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_data_assignment_from_itself():
    p = tl.nn.Parameter(tl.ones(3))
    p.data = p.to("cpu")  # Module.to does this when nothing moves
    assert p.tolist() == [1.0, 1.0, 1.0]
    p.data = tl.zeros(2, dtype=tl.float64)
    assert p.dtype is tl.float64 and p.shape == (2,)


def test_abs_gradient_at_zero_and_nan():
    def f(lib):
        x = lib.tensor([0.0, -0.0, -2.0, 3.0, float("nan")], requires_grad=True)
        x.abs().sum().backward()
        return x.grad
    check(f)


# An in-place op whose derivative reads its result (exp_, sigmoid_, relu_, elu_, ...) saves the
# result, so a later in-place write to it fails the backward; the others save a copy of self
# (silu_, hardtanh_, clamp_, sin_, pow_(2), ...), and a later write is fine.
_INPLACE_THEN_WRITE = {
    "exp_": lambda F, y: y.exp_(), "sigmoid_": lambda F, y: y.sigmoid_(),
    "sqrt_": lambda F, y: y.sqrt_(), "tanh_": lambda F, y: y.tanh_(),
    "relu": lambda F, y: F.relu(y, inplace=True), "elu": lambda F, y: F.elu(y, inplace=True),
    "leaky_relu": lambda F, y: F.leaky_relu(y, 0.1, inplace=True),
    "pow_-tensor": lambda F, y: y.pow_(y.detach() * 0 + 2),
    "silu": lambda F, y: F.silu(y, inplace=True),
    "hardtanh": lambda F, y: F.hardtanh(y, inplace=True),
    "hardswish": lambda F, y: F.hardswish(y, inplace=True),
    "threshold": lambda F, y: F.threshold(y, 0.2, -1.0, inplace=True),
    "clamp_": lambda F, y: y.clamp_(-0.3, 0.3), "sin_": lambda F, y: y.sin_(),
    "log_": lambda F, y: y.log_(), "pow_-scalar": lambda F, y: y.pow_(2),
    "view-exp_": lambda F, y: y[1:].exp_(), "view-silu": lambda F, y: F.silu(y[1:], inplace=True),
}


def _grad_after_write(op, loss, rtol, atol=0.0):
    """y = x * 1; out = op(F, y); y.mul_(1.5); loss(lib, y, out).backward(): x.grad, or the
    version-counter error, is torch's in both libraries."""
    results = []
    for lib in (torch, tl):
        x = lib.linspace(0.05, 0.9, 8, requires_grad=True)
        y = x * 1
        out = op(lib.nn.functional, y)
        y.mul_(1.5)
        try:
            loss(lib, y, out).backward()
            results.append(_np(x.grad))
        except RuntimeError as e:
            assert "modified by an inplace operation" in str(e)
            results.append("error")
    if isinstance(results[0], str) or isinstance(results[1], str):
        assert results[1] == results[0]
    else:
        np.testing.assert_allclose(results[1], results[0], rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", list(_INPLACE_THEN_WRITE))
def test_inplace_then_write_errors_like_torch(name):
    _grad_after_write(_INPLACE_THEN_WRITE[name], lambda lib, y, out: y.sum(), rtol=1e-6)


# The out-of-place forms of ops whose derivative reads the result save the result, not self:
# writing to the input afterwards is fine in torch (and the gradient uses the old input).
_WRITE_INPUT_AFTER = {
    "exp": lambda F, y: y.exp(), "sigmoid": lambda F, y: y.sigmoid(),
    "tanh": lambda F, y: F.tanh(y), "relu": lambda F, y: F.relu(y),
    "torch.relu": lambda F, y: y.relu(), "sqrt": lambda F, y: y.sqrt(),
    "rsqrt": lambda F, y: y.rsqrt(), "reciprocal": lambda F, y: y.reciprocal(),
    "softmax": lambda F, y: F.softmax(y, 0), "log_softmax": lambda F, y: y.log_softmax(0),
    "expm1": lambda F, y: y.expm1(), "sin": lambda F, y: y.sin(),
    "silu": lambda F, y: F.silu(y),
}


@pytest.mark.parametrize("name", list(_WRITE_INPUT_AFTER))
def test_write_input_after_op_like_torch(name):
    _grad_after_write(_WRITE_INPUT_AFTER[name],
                      lambda lib, y, out: (out * lib.arange(8.0)).sum(), rtol=1e-5, atol=1e-6)
