"""torch.nn.utils against real PyTorch: clipping, vectors, weight/spectral norm, parametrize."""

import importlib
import warnings

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()
import torchlike as tl  # noqa: E402
import torchlike.nn as nn  # noqa: E402

# The package itself (torchlike.nn.utils), whatever attribute nn.utils is bound to.
U = importlib.import_module("torchlike.nn.utils")
parametrize = importlib.import_module("torchlike.nn.utils.parametrize")
parametrizations = importlib.import_module("torchlike.nn.utils.parametrizations")
TU = torch.nn.utils
rng = np.random.default_rng(0)


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def close(a, b, tol=1e-5):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def grads_pair(shapes, scale=1.0):
    tp, lp = [], []
    for s in shapes:
        g = r(*s) * scale
        a = torch.zeros(s, requires_grad=True)
        a.grad = torch.tensor(g)
        b = tl.zeros(s, requires_grad=True)
        b.grad = tl.tensor(g)
        tp.append(a)
        lp.append(b)
    return tp, lp


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
def test_clip_grad_norm(norm_type):
    tp, lp = grads_pair([(3, 4), (5,), (2, 2)])
    nt = TU.clip_grad_norm_(tp, 0.5, norm_type=norm_type)
    nl = U.clip_grad_norm_(lp, 0.5, norm_type=norm_type)
    close(nl, nt)
    for a, b in zip(lp, tp):
        close(a.grad, b.grad)
    # A max_norm above the norm leaves the gradients (almost) unchanged, as in torch.
    tp, lp = grads_pair([(3,)], 0.01)
    close(U.clip_grad_norm_(lp[0], 10.0), TU.clip_grad_norm_(tp[0], 10.0))
    close(lp[0].grad, tp[0].grad)


def test_clip_grad_value_total_norm_and_errors():
    tp, lp = grads_pair([(3, 4), (5,)], 2.0)
    TU.clip_grad_value_(tp, 0.7)
    U.clip_grad_value_(lp, 0.7)
    for a, b in zip(lp, tp):
        close(a.grad, b.grad)
    tp, lp = grads_pair([(3, 4), (5,)])
    nt = TU.get_total_norm([p.grad for p in tp], 2.0)
    nl = U.get_total_norm([p.grad for p in lp], 2.0)
    close(nl, nt)
    TU.clip_grads_with_norm_(tp, 1.0, nt)
    U.clip_grads_with_norm_(lp, 1.0, nl)
    for a, b in zip(lp, tp):
        close(a.grad, b.grad)
    close(U.get_total_norm([]), TU.get_total_norm([]))
    p = tl.zeros(2, requires_grad=True)
    p.grad = tl.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError):
        U.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    U.clip_grad_norm_([tl.zeros(2, requires_grad=True)], 1.0)  # no grads: nothing to do
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        U.clip_grad_norm_((q for q in []), 1.0)
    assert any("empty generator" in str(x.message) for x in w)


def test_parameters_vector_roundtrip():
    mt, ml = torch.nn.Linear(3, 2), nn.Linear(3, 2)
    ml.load_state_dict({k: tl.tensor(v.numpy()) for k, v in mt.state_dict().items()})
    vt, vl = TU.parameters_to_vector(mt.parameters()), U.parameters_to_vector(ml.parameters())
    close(vl, vt)
    vl.sum().backward()
    assert ml.weight.grad is not None and np.all(ml.weight.grad.numpy() == 1)
    new = r(8)
    TU.vector_to_parameters(torch.tensor(new), mt.parameters())
    U.vector_to_parameters(tl.tensor(new), ml.parameters())
    close(ml.weight, mt.weight)
    close(ml.bias, mt.bias)
    with pytest.raises(TypeError):
        U.vector_to_parameters([1.0], ml.parameters())
    # A vector too short for the last parameter fails in view_as, a RuntimeError.
    with pytest.raises(RuntimeError) as et:
        TU.vector_to_parameters(torch.tensor(new[:7]), mt.parameters())
    with pytest.raises(RuntimeError) as el:
        U.vector_to_parameters(tl.tensor(new[:7]), ml.parameters())
    assert str(el.value) == str(et.value)


def _linear_pair(i=4, o=3):
    mt, ml = torch.nn.Linear(i, o), nn.Linear(i, o)
    ml.load_state_dict({k: tl.tensor(v.numpy()) for k, v in mt.state_dict().items()})
    return mt, ml


def _compare_forward_backward(mt, ml, x):
    xt, xl = torch.tensor(x, requires_grad=True), tl.tensor(x, requires_grad=True)
    ot, ol = mt(xt), ml(xl)
    close(ol, ot)
    ot.sum().backward()
    ol.sum().backward()
    close(xl.grad, xt.grad)
    for (n, pt), (m, pl) in zip(mt.named_parameters(), ml.named_parameters()):
        assert n == m
        close(pl.grad, pt.grad, 1e-4)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_hook(dim):
    mt, ml = _linear_pair()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        TU.weight_norm(mt, dim=dim)
        U.weight_norm(ml, dim=dim)
    assert list(ml.state_dict()) == list(mt.state_dict())
    close(ml.weight_g, mt.weight_g)
    _compare_forward_backward(mt, ml, r(2, 4))
    TU.remove_weight_norm(mt)
    U.remove_weight_norm(ml)
    assert list(ml.state_dict()) == list(mt.state_dict())
    close(ml.weight, mt.weight)
    with pytest.raises(ValueError):
        U.remove_weight_norm(ml)


def test_weight_norm_parametrization():
    mt, ml = _linear_pair()
    TU.parametrizations.weight_norm(mt)
    parametrizations.weight_norm(ml)
    assert list(ml.state_dict()) == list(mt.state_dict())
    for k, v in mt.state_dict().items():
        close(ml.state_dict()[k], v)
    _compare_forward_backward(mt, ml, r(2, 4))
    assert type(ml).__name__ == "ParametrizedLinear"
    assert parametrize.type_before_parametrizations(ml) is nn.Linear
    TU.parametrize.remove_parametrizations(mt, "weight")
    parametrize.remove_parametrizations(ml, "weight")
    assert type(ml) is nn.Linear
    close(ml.weight, mt.weight)
    # An old-style (hook) weight_norm state_dict loads into the parametrization.
    old = torch.nn.Linear(4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        TU.weight_norm(old)
    new = parametrizations.weight_norm(nn.Linear(4, 3))
    new.load_state_dict({k: tl.tensor(v.detach().numpy()) for k, v in old.state_dict().items()})
    close(new.weight, old.weight)


def test_spectral_norm_hook_and_parametrization():
    mt, ml = _linear_pair(5, 3)
    TU.spectral_norm(mt)
    U.spectral_norm(ml)
    ml.load_state_dict({k: tl.tensor(v.numpy()) for k, v in mt.state_dict().items()})
    assert list(ml.state_dict()) == list(mt.state_dict())
    _compare_forward_backward(mt, ml, r(2, 5))
    close(ml.weight_u, mt.weight_u)  # the power iteration updated the buffers alike
    mt.eval()
    ml.eval()
    _compare_forward_backward(mt, ml, r(2, 5))
    TU.remove_spectral_norm(mt)
    U.remove_spectral_norm(ml)
    close(ml.weight, mt.weight)

    mt, ml = _linear_pair(5, 3)
    TU.parametrizations.spectral_norm(mt)
    parametrizations.spectral_norm(ml)
    assert list(ml.state_dict()) == list(mt.state_dict())
    ml.load_state_dict({k: tl.tensor(v.numpy()) for k, v in mt.state_dict().items()})
    _compare_forward_backward(mt, ml, r(2, 5))
    close(ml.parametrizations.weight[0]._u, mt.parametrizations.weight[0]._u)


class _Symmetric(torch.nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)


class _SymmetricL(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)


def test_register_parametrization_cached_and_errors():
    mt, ml = _linear_pair(3, 3)
    TU.parametrize.register_parametrization(mt, "weight", _Symmetric())
    parametrize.register_parametrization(ml, "weight", _SymmetricL())
    assert list(ml.state_dict()) == list(mt.state_dict())
    assert parametrize.is_parametrized(ml) and parametrize.is_parametrized(ml, "weight")
    assert not parametrize.is_parametrized(ml, "bias")
    close(ml.weight, mt.weight)
    _compare_forward_backward(mt, ml, r(2, 3))
    with parametrize.cached():
        assert ml.weight is ml.weight
    assert ml.weight is not ml.weight
    with pytest.raises(ValueError):
        parametrize.register_parametrization(ml, "nope", _SymmetricL())

    class Bad(nn.Module):
        def forward(self, X):
            return X[0]

    with pytest.raises(ValueError):
        parametrize.register_parametrization(nn.Linear(3, 3), "weight", Bad())
    parametrize.remove_parametrizations(ml, "weight", leave_parametrized=False)
    TU.parametrize.remove_parametrizations(mt, "weight", leave_parametrized=False)
    close(ml.weight, mt.weight)


@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley", "householder"])
def test_orthogonal(orthogonal_map):
    ml = nn.Linear(3, 5)
    parametrizations.orthogonal(ml, orthogonal_map=orthogonal_map)
    w = ml.weight.detach().numpy()
    np.testing.assert_allclose(w.T @ w, np.eye(3), atol=1e-5)
    mt = torch.nn.Linear(3, 5)
    TU.parametrizations.orthogonal(mt, orthogonal_map=orthogonal_map)
    assert list(ml.state_dict()) == list(mt.state_dict())
    # The same originals give the same orthogonal matrix (and the same gradients).
    ml.load_state_dict({k: tl.tensor(v.numpy()) for k, v in mt.state_dict().items()})
    _compare_forward_backward(mt, ml, r(2, 3))


def test_fuse_conv_bn_and_linear_bn():
    ct, bt = torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3)
    cl, bl = nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3)
    bt.running_mean.copy_(torch.tensor(r(3)))
    bt.running_var.copy_(torch.tensor(np.abs(r(3)) + 0.5))
    with torch.no_grad():
        bt.weight.copy_(torch.tensor(r(3)))
    for src, dst in ((ct, cl), (bt, bl)):
        dst.load_state_dict({k: tl.tensor(v.numpy()) for k, v in src.state_dict().items()})
    for m in (ct, bt, cl, bl):
        m.eval()
    ft, fl = TU.fuse_conv_bn_eval(ct, bt), U.fuse_conv_bn_eval(cl, bl)
    close(fl.weight, ft.weight)
    close(fl.bias, ft.bias)
    x = r(1, 2, 5, 5)
    close(fl(tl.tensor(x)), bl(cl(tl.tensor(x))), 1e-4)
    with pytest.raises(AssertionError):
        U.fuse_conv_bn_eval(cl.train(), bl)
    lt, b1t = torch.nn.Linear(4, 3).eval(), torch.nn.BatchNorm1d(3).eval()
    ll, b1l = nn.Linear(4, 3).eval(), nn.BatchNorm1d(3).eval()
    ll.load_state_dict({k: tl.tensor(v.numpy()) for k, v in lt.state_dict().items()})
    ft, fl = TU.fuse_linear_bn_eval(lt, b1t), U.fuse_linear_bn_eval(ll, b1l)
    close(fl.weight, ft.weight)
    close(fl.bias, ft.bias)


def test_functional_call():
    mt, ml = _linear_pair(3, 2)
    w, b = r(2, 3), r(2)
    x = r(4, 3)
    wt, wl = torch.tensor(w, requires_grad=True), tl.tensor(w, requires_grad=True)
    ot = torch.func.functional_call(mt, {"weight": wt, "bias": torch.tensor(b)}, (torch.tensor(x),))
    ol = U.stateless.functional_call(ml, {"weight": wl, "bias": tl.tensor(b)}, (tl.tensor(x),))
    close(ol, ot)
    ot.sum().backward()
    ol.sum().backward()
    close(wl.grad, wt.grad)
    assert ml.weight.grad is None  # the module's own parameter was not used
    close(ml(tl.tensor(x)), mt(torch.tensor(x)))  # and it is back in place
    ol = U.stateless.functional_call(ml, ({"weight": wl}, {"bias": tl.tensor(b)}), tl.tensor(x))
    close(ol, ot)
    with pytest.raises(RuntimeError):
        U.stateless.functional_call(ml, {"weight": wl}, (tl.tensor(x),), strict=True)
    with pytest.raises(ValueError):
        U.stateless.functional_call(ml, ({"weight": wl}, {"weight": wl}), (tl.tensor(x),))


def _same_pruned(mt, ml):
    st, sl = mt.state_dict(), ml.state_dict()
    assert list(sl) == list(st)
    for k in st:
        close(sl[k], st[k])
    x = r(2, mt.in_features)
    close(ml(tl.tensor(x)), mt(torch.tensor(x)))


def test_prune_methods_match_torch():
    import torch.nn.utils.prune as TP

    P = U.prune
    mt, ml = _linear_pair(6, 4)
    TP.l1_unstructured(mt, "weight", 0.3)
    P.l1_unstructured(ml, "weight", 0.3)
    _same_pruned(mt, ml)
    TP.ln_structured(mt, "weight", 0.5, n=2, dim=0)  # a PruningContainer now
    P.ln_structured(ml, "weight", 0.5, n=2, dim=0)
    _same_pruned(mt, ml)
    x = r(2, 6)
    mt(torch.tensor(x)).sum().backward()
    ml(tl.tensor(x)).sum().backward()
    close(ml.weight_orig.grad, mt.weight_orig.grad)
    assert P.is_pruned(ml)
    TP.remove(mt, "weight")
    P.remove(ml, "weight")
    _same_pruned(mt, ml)
    mt, ml = _linear_pair(6, 4)
    torch.manual_seed(3)
    tl.manual_seed(3)
    TP.random_unstructured(mt, "weight", amount=5)
    P.random_unstructured(ml, "weight", amount=5)
    _same_pruned(mt, ml)
    a, b = _linear_pair(6, 4)
    c, d = _linear_pair(3, 5)
    TP.global_unstructured([(a, "weight"), (c, "weight")], TP.L1Unstructured, amount=0.4)
    P.global_unstructured([(b, "weight"), (d, "weight")], P.L1Unstructured, amount=0.4)
    _same_pruned(a, b)
    _same_pruned(c, d)
    TP.custom_from_mask(a, "bias", torch.tensor([1.0, 0, 1, 0]))
    P.custom_from_mask(b, "bias", tl.tensor([1.0, 0, 1, 0]))
    _same_pruned(a, b)
    with pytest.raises(ValueError):
        P.l1_unstructured(nn.Linear(2, 2), "weight", 1.5)


def test_memory_format_conversion_is_identity():
    m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Linear(2, 2))
    sd = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    assert U.convert_conv2d_weight_memory_format(m, None) is m
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), sd[k])
