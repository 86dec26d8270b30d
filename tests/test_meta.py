"""The meta device: shapes and dtypes without data, checked against PyTorch."""

import numpy as np
import pytest

import torchlike as tl
from _oracle import assert_same_error, import_torch

torch = import_torch()


def _both(fn):
    """fn(module) for torch and torchlike: (torch's result, torchlike's)."""
    return fn(torch), fn(tl)


OPS = [
    lambda m: m.empty(3, 4, device="meta"),
    lambda m: m.zeros(2, dtype=m.int64, device="meta"),
    lambda m: m.randn(2, 3, device="meta"),
    lambda m: m.ones(3).to("meta"),
    lambda m: m.empty(3, 4, device="meta") + 1,
    lambda m: m.empty(3, 4, device="meta") @ m.empty(4, 2, device="meta"),
    lambda m: m.empty(2, 3, device="meta").sum(0),
    lambda m: m.empty(2, 3, device="meta").max(1).values,
    lambda m: m.cat([m.empty(2, 3, device="meta")] * 2),
    lambda m: m.empty(2, 3, device="meta").t()[1:],
    lambda m: m.empty(2, 3, device="meta").view(6).to(m.float64),
    lambda m: m.nn.functional.softmax(m.empty(2, 3, device="meta"), -1),
    lambda m: m.zeros_like(m.empty(2, 3, device="meta")),
    lambda m: m.empty(2, device="meta").new_zeros(3),
    lambda m: m.empty(2, 3, device="meta").add_(m.empty(3, device="meta")),
    lambda m: _no_grad(m, lambda: m.nn.TransformerEncoderLayer(8, 2, 16, device="meta")(
        m.empty(2, 3, 8, device="meta"))),
]


def _no_grad(m, fn):
    # (the repr would name the layer norm's grad_fn, which torchlike names differently)
    with m.no_grad():
        return fn()


@pytest.mark.parametrize("op", OPS)
def test_meta_results_as_torch(op):
    a, b = _both(op)
    assert b.is_meta and b.device == tl.device("meta")
    assert tuple(b.shape) == tuple(a.shape) and str(b.dtype) == str(a.dtype)
    assert repr(b) == repr(a)


ERRORS = [
    lambda m: m.empty(3, device="meta").to("cpu"),
    lambda m: m.empty(3, device="meta").tolist(),
    lambda m: m.empty(3, device="meta").numpy(),
    lambda m: m.empty((), device="meta").item(),
    lambda m: bool(m.empty((), device="meta")),
    lambda m: m.empty(3, device="meta") + m.ones(3),
    lambda m: m.nn.Linear(2, 3, device="meta").to("cpu"),
]


@pytest.mark.parametrize("call", ERRORS)
def test_meta_errors_as_torch(call):
    assert_same_error(call, torch, tl)


def test_autograd_on_meta_as_torch():
    """Gradients of meta tensors are meta tensors of the inputs' shapes."""
    def grads(m):
        w = m.empty(4, 3, device="meta", requires_grad=True)
        x = m.empty(2, 3, device="meta", requires_grad=True)
        y = (x @ w.t()).relu().pow(2).mean()
        assert y.requires_grad and y.grad_fn is not None
        y.backward()
        net = m.nn.Sequential(m.nn.Linear(3, 5, device="meta"), m.nn.GELU())
        net(x).sum().backward()
        return [w.grad, x.grad, net[0].weight.grad, net[0].bias.grad]

    for a, b in zip(*_both(grads)):
        assert b.is_meta and tuple(b.shape) == tuple(a.shape) and str(b.dtype) == str(a.dtype)


def test_inplace_shape_mismatch_raises():
    with pytest.raises(RuntimeError):
        tl.empty(2, 3, device="meta").add_(tl.empty(4, device="meta"))


def test_model_on_meta_then_materialised():
    """The big-model recipe: build without memory under `with torch.device('meta')` (the
    initialisers draw nothing), then to_empty + load_state_dict, or load_state_dict(assign)."""
    def build(m):
        return m.nn.Sequential(m.nn.Linear(3, 4), m.nn.BatchNorm1d(4), m.nn.ReLU(),
                               m.nn.Linear(4, 2))

    ref = build(tl)
    sd = ref.state_dict()
    tl.manual_seed(0)
    state = tl.get_rng_state().numpy().copy()
    with tl.device("meta"):
        net = build(tl)
    np.testing.assert_array_equal(tl.get_rng_state().numpy(), state)  # nothing drawn
    assert all(p.is_meta for p in net.parameters()) and net[1].running_mean.is_meta
    assert isinstance(net[0].weight, tl.nn.Parameter) and net[0].weight.requires_grad
    x = tl.randn(5, 3)
    net.to_empty(device="cpu")
    net.load_state_dict(sd)
    ref.eval(), net.eval()
    np.testing.assert_allclose(net(x).detach().numpy(), ref(x).detach().numpy())
    with tl.device("meta"):
        net2 = build(tl)
    assert str(net2.load_state_dict(sd, assign=True)) == "<All keys matched successfully>"
    net2.eval()
    np.testing.assert_allclose(net2(x).detach().numpy(), ref(x).detach().numpy())
    assert tl.get_default_device() == tl.device("cpu")  # the with block restored it
