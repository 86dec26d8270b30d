"""Smaller torch.nn features against real PyTorch: Embedding(sparse=True), torch.nn.attention,
the deprecated non-full Module.register_backward_hook, and dropout masks drawn in memory order
for non-contiguous inputs (seeded runs equal PyTorch's bit for bit)."""

import warnings

import numpy as np
import pytest

import torchlike.nn as tnn
from tests.nn_helpers import randn, t2np, tl, torch

# ---- Embedding(sparse=True) ------------------------------------------------------------------


def test_embedding_sparse_forward_without_grad_matches():
    w = randn(6, 3)
    idx = np.array([[0, 2, 2], [5, 1, 0]])
    ref = torch.nn.functional.embedding(torch.tensor(idx), torch.tensor(w), sparse=True)
    got = tl.nn.functional.embedding(tl.tensor(idx), tl.tensor(w), sparse=True)
    np.testing.assert_array_equal(t2np(got), t2np(ref))
    m = tnn.Embedding(6, 3, sparse=True)
    with tl.no_grad():
        m.weight.copy_(tl.tensor(w))
        np.testing.assert_array_equal(t2np(m(tl.tensor(idx))), t2np(ref))


def test_embedding_module_sparse_grad_is_torchs_sparse_tensor():
    # (more in tests/test_sparse_grad.py)
    w = randn(6, 3)
    idx = np.array([[0, 2, 2], [5, 1, 0]])
    g = randn(2, 3, 3)
    grads = []
    for lib in (torch, tl):
        m = lib.nn.Embedding(6, 3, sparse=True)
        with lib.no_grad():
            m.weight.copy_(lib.tensor(w))
        m(lib.tensor(idx)).backward(lib.tensor(g))
        grads.append(m.weight.grad)
    ref, got = grads
    assert got.is_sparse and got._nnz() == ref._nnz() == 6
    np.testing.assert_allclose(t2np(got.to_dense()), t2np(ref.to_dense()), rtol=1e-6, atol=1e-6)


# ---- torch.nn.attention ----------------------------------------------------------------------


def _flags(lib):
    c = lib.backends.cuda
    return (c.flash_sdp_enabled(), c.mem_efficient_sdp_enabled(), c.math_sdp_enabled(),
            c.cudnn_sdp_enabled())


def test_sdp_backend_enum_matches_torch():
    ta, la = torch.nn.attention, tl.nn.attention
    assert list(la.SDPBackend.__members__) == list(ta.SDPBackend.__members__)
    for name, member in ta.SDPBackend.__members__.items():
        assert int(la.SDPBackend[name]) == int(member)
        assert repr(la.SDPBackend[name]) == repr(member)
        assert str(la.SDPBackend[name]) == str(member)
    assert la.SDPBackend(1) is la.SDPBackend.FLASH_ATTENTION
    assert la.WARN_FOR_UNFUSED_KERNELS is ta.WARN_FOR_UNFUSED_KERNELS


@pytest.mark.parametrize("choice,priority", [
    (["MATH"], False),
    (["EFFICIENT_ATTENTION", "MATH"], False),
    (["CUDNN_ATTENTION", "FLASH_ATTENTION", "MATH"], True),
])
def test_sdpa_kernel_switches_like_torch(choice, priority):
    seen = []
    for lib in (torch, tl):
        att = lib.nn.attention
        before = (_flags(lib), [int(b) for b in att._cur_sdpa_kernel_backends(True)])
        backends = [getattr(att.SDPBackend, n) for n in choice]
        arg = backends[0] if len(backends) == 1 else backends
        with att.sdpa_kernel(arg, set_priority=priority) as ctx:
            inside = (ctx, _flags(lib), [int(b) for b in att._cur_sdpa_kernel_backends()],
                      [int(b) for b in att._cur_sdpa_kernel_backends(with_priority=True)])
        after = (_flags(lib), [int(b) for b in att._cur_sdpa_kernel_backends(True)])
        assert after == before
        seen.append((before, inside))
    assert seen[1] == seen[0]


def test_sdpa_kernel_rejects_non_backend_and_leaves_values_alone():
    for lib in (torch, tl):
        with (
            pytest.raises(AssertionError, match="instance of SDPBackend"),
            lib.nn.attention.sdpa_kernel("math"),
        ):
            pass
    q, k, v = randn(2, 2, 4, 8), randn(2, 2, 5, 8), randn(2, 2, 5, 8)
    ref = torch.nn.functional.scaled_dot_product_attention(*map(torch.tensor, (q, k, v)))
    att = tl.nn.attention
    with att.sdpa_kernel([att.SDPBackend.FLASH_ATTENTION, att.SDPBackend.MATH]):
        got = tl.nn.functional.scaled_dot_product_attention(*map(tl.tensor, (q, k, v)))
    np.testing.assert_allclose(t2np(got), t2np(ref), rtol=1e-5, atol=1e-6)
    from torchlike.nn.attention import SDPBackend, sdpa_kernel  # the usual import works

    assert callable(sdpa_kernel) and SDPBackend.MATH.name == "MATH"


# ---- Module.register_backward_hook (non-full) ------------------------------------------------


def _arr(g):
    return None if g is None else t2np(g)


def _run_hooked(lib, build, make_input, ret=None):
    """(hook calls, FutureWarning texts, input grad) for one forward/backward."""
    calls = []

    def hook(mod, gi, go):
        calls.append((type(mod).__name__, [_arr(g) for g in gi], [_arr(g) for g in go]))
        return ret(lib, gi) if ret else None

    m = build(lib.nn)
    m.register_backward_hook(hook)
    x = lib.tensor(np.array([[1.0, -2.0], [0.5, 3.0]], np.float32), requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = m(make_input(x))
    texts = [str(i.message) for i in w if i.category is FutureWarning]
    outs = out if isinstance(out, tuple) else (out,)
    sum(o.sum() * (j + 2) for j, o in enumerate(outs)).backward()
    return calls, texts, t2np(x.grad)


def _same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if isinstance(x, (list, tuple)):
            _same(x, y)
        elif isinstance(x, np.ndarray):
            np.testing.assert_allclose(y, x, rtol=1e-6, atol=1e-7)
        else:
            assert x == y


class _TwoOut:
    def __new__(cls, nn):
        class TwoOut(nn.Module):
            def forward(self, x):
                return x.sin(), x.cos()

        return TwoOut()


@pytest.mark.parametrize("case", ["leaf_input", "op_input", "two_nodes", "replace_grad"])
def test_non_full_backward_hook_matches_torch(case):
    build = {"two_nodes": _TwoOut}.get(case, lambda nn: nn.Sigmoid())
    make_input = (lambda x: x * 2) if case == "op_input" else (lambda x: x)
    ret = (lambda lib, gi: (gi[0] * 3,)) if case == "replace_grad" else None
    ref = _run_hooked(torch, build, make_input, ret)
    got = _run_hooked(tl, build, make_input, ret)
    assert ref[0]  # the hook ran
    assert got[1] == ref[1]  # the same FutureWarnings (none when the input came from an op)
    _same(got[0], ref[0])
    np.testing.assert_allclose(got[2], ref[2], rtol=1e-6, atol=1e-7)


def test_non_full_and_full_backward_hooks_do_not_mix():
    for lib in (torch, tl):
        m = lib.nn.Tanh()
        m.register_backward_hook(lambda *a: None)
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks"):
            m.register_full_backward_hook(lambda *a: None)
        m = lib.nn.Tanh()
        m.register_full_backward_hook(lambda *a: None)
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks"):
            m.register_backward_hook(lambda *a: None)


def test_global_non_full_backward_hook(monkeypatch):
    logs = []
    for lib in (torch, tl):
        mm = lib.nn.modules.module
        # the kind of global hook is sticky for the process (in torch too): undo it afterwards
        monkeypatch.setattr(mm, "_global_is_full_backward_hook", None)
        log = []
        h = mm.register_module_backward_hook(
            lambda m, gi, go: log.append((type(m).__name__, [_arr(g) for g in go]))  # noqa: B023
        )
        with pytest.raises(RuntimeError, match="global Module hook"):
            mm.register_module_full_backward_hook(lambda *a: None)
        s = lib.nn.Sequential(lib.nn.Tanh(), lib.nn.Sigmoid())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            y = s(lib.tensor([[0.5, -1.0]], requires_grad=True))
        y.sum().backward()
        h.remove()
        logs.append(log)
    assert [n for n, _ in logs[1]] == [n for n, _ in logs[0]] == ["Sigmoid", "Sequential", "Tanh"]
    _same([g for _, g in logs[1]], [g for _, g in logs[0]])


# ---- dropout on non-contiguous inputs --------------------------------------------------------

VIEWS = {
    "t": lambda L: L.arange(12.0).reshape(3, 4).t(),
    "permute3d": lambda L: L.arange(24.0).reshape(2, 3, 4).permute(2, 0, 1),
    "t_strided": lambda L: L.arange(24.0).reshape(6, 4).t()[:, ::2],
    "expand": lambda L: L.arange(3.0).reshape(3, 1).expand(3, 4),
    "size1": lambda L: L.arange(15.0).reshape(5, 3, 1).permute(2, 1, 0),
    "t_sliced": lambda L: L.arange(2000.0).reshape(40, 50).t()[1:],
}


@pytest.mark.parametrize("view", list(VIEWS))
def test_dropout_mask_order_on_views_matches_torch(view):
    make = VIEWS[view]
    for fn in ("dropout", "alpha_dropout"):
        torch.manual_seed(3)
        ref = getattr(torch.nn.functional, fn)(make(torch), 0.4, True)
        tl.manual_seed(3)
        got = getattr(tl.nn.functional, fn)(make(tl), 0.4, True)
        np.testing.assert_array_equal(t2np(got), t2np(ref))


def test_dropout_module_and_inplace_on_transposed_match_torch():
    torch.manual_seed(7)
    a = torch.nn.Dropout(0.3)(torch.arange(30.0).reshape(5, 6).t())
    b = torch.arange(30.0).reshape(5, 6).t()
    torch.nn.functional.dropout(b, 0.5, True, inplace=True)
    tl.manual_seed(7)
    c = tnn.Dropout(0.3)(tl.arange(30.0).reshape(5, 6).t())
    d = tl.arange(30.0).reshape(5, 6).t()
    tl.nn.functional.dropout(d, 0.5, True, inplace=True)
    np.testing.assert_array_equal(t2np(c), t2np(a))
    np.testing.assert_array_equal(t2np(d), t2np(b))
    # the gradient goes through the same mask
    x = tl.arange(12.0).reshape(3, 4).t().detach().requires_grad_()
    tx = torch.arange(12.0).reshape(3, 4).t().detach().requires_grad_()
    tl.manual_seed(1)
    torch.manual_seed(1)
    tl.nn.functional.dropout(x, 0.5).sum().backward()
    torch.nn.functional.dropout(tx, 0.5).sum().backward()
    np.testing.assert_array_equal(t2np(x.grad), t2np(tx.grad))
