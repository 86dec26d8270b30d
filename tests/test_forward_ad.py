"""torch.autograd.forward_ad (dual tensors) against PyTorch: tangents through pointwise ops,
matmuls, reductions, views, joins, modules; the API's errors."""

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], np.float32)
V = np.array([[1.0, 0.5, -0.5], [0.2, -0.3, 0.1]], np.float32)
W = np.random.RandomState(0).randn(3, 4).astype(np.float32)

FUNCS = {
    "pointwise": lambda m, x: (x.sin() * x.exp() + x ** 2 / (1 + x.abs())).sigmoid(),
    "matmul_softmax": lambda m, x: (x @ m.tensor(W)).softmax(-1),
    "reductions": lambda m, x: m.stack([x.sum(), x.mean(0).prod(), x.norm(), x.logsumexp(1)[1],
                                        x.max(), x.var()]),
    "views": lambda m, x: x[:, 1:].t().reshape(-1) * x.T[0].repeat(2) + x.unsqueeze(0)[0, 1, :1],
    "joins": lambda m, x: m.cat([x, x.flip(1) * 2], 0).cumsum(0).where(m.tensor(True), x.sum()),
    "nn": lambda m, x: m.nn.functional.layer_norm(
        m.nn.functional.gelu(m.nn.functional.linear(x, m.tensor(W.T.copy()))), (4,)),
    "conv": lambda m, x: m.nn.functional.conv1d(x.unsqueeze(0), m.ones(2, 2, 2) * 0.5,
                                                padding=1).tanh(),
    "scalar_mix": lambda m, x: (3.0 - x) * 0.5 + m.tensor(X) * x,
}


@pytest.mark.parametrize("name", list(FUNCS))
def test_tangents_match_pytorch(name):
    res = []
    for m in (torch, tl):
        fw = m.autograd.forward_ad
        with fw.dual_level():
            y = FUNCS[name](m, fw.make_dual(m.tensor(X), m.tensor(V)))
            p, t = fw.unpack_dual(y)
        res.append((p.detach().numpy(), t.detach().numpy()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-4, atol=1e-5)


def test_module_forward_and_tangents_outside_a_level():
    res = []
    for m in (torch, tl):
        m.manual_seed(0)
        net = m.nn.Sequential(m.nn.Linear(3, 4), m.nn.GELU(), m.nn.LayerNorm(4), m.nn.Linear(4, 2))
        with m.no_grad():
            for i, prm in enumerate(net.parameters()):
                prm.copy_(m.tensor(np.random.RandomState(i).randn(*prm.shape).astype(np.float32)))
        fw = m.autograd.forward_ad
        with fw.dual_level():
            y = net(fw.make_dual(m.tensor(X), m.tensor(V)))
            t = fw.unpack_dual(y).tangent
        assert fw.unpack_dual(y).tangent is None  # the level's tangents end with it
        res.append(t.detach().numpy())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("call", [
    lambda m: m.autograd.forward_ad.make_dual(m.ones(2), m.ones(2)),
    lambda m: _in_level(m, lambda fw: fw.make_dual(m.ones(2), m.ones(3))),
    lambda m: _in_level(m, lambda fw: fw.enter_dual_level()),
])
def test_errors_match_pytorch(call):
    types = []
    for m in (torch, tl):
        with pytest.raises(Exception) as info:
            call(m)
        types.append(info.type)
    assert types[1] is types[0]


def _in_level(m, fn):
    fw = m.autograd.forward_ad
    with fw.dual_level():
        return fn(fw)


def test_in_place_on_a_dual_tensor_is_refused_not_wrong():
    fw = tl.autograd.forward_ad
    with fw.dual_level():
        d = fw.make_dual(tl.tensor(X), tl.tensor(V))
        with pytest.raises(NotImplementedError, match="forward-mode AD"):
            d.mul_(2)
        plain = tl.ones(2, 3)
        with pytest.raises(NotImplementedError, match="forward-mode AD"):
            plain.add_(d)
    assert type(d) is tl.Tensor  # a plain tensor again after the level


def test_host_computed_ops_mode_and_unique_match_pytorch_in_both_modes():
    # mode's values are computed on the host: they were detached (no gradient, no tangent)
    M = np.array([[1.0, 2.0, 2.0, 3.0], [4.0, 4.0, 0.0, 0.0]], np.float32)
    res = []
    for m in (torch, tl):
        x = m.tensor(M, requires_grad=True)
        m.mode(x, 1).values.sum().backward()
        fw = m.autograd.forward_ad
        with fw.dual_level():
            d = fw.make_dual(m.tensor(M), m.tensor(M * 2 + 1))
            tangent = fw.unpack_dual(m.mode(d, 0).values).tangent
            with pytest.raises(NotImplementedError, match="forward AD"):
                m.unique(d)
        u = m.unique(m.tensor(M, requires_grad=True))
        assert u.requires_grad
        with pytest.raises(NotImplementedError, match="derivative for '_unique2'"):
            u.sum().backward()
        res.append((x.grad.numpy(), tangent.numpy()))
    for g, w in zip(res[1], res[0]):
        np.testing.assert_array_equal(g, w)
