"""Sparse gradients (nn.Embedding / EmbeddingBag with sparse=True) and the optimizers that
take them (SparseAdam; SGD and Adagrad), against PyTorch."""

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()

W = np.random.RandomState(0).randn(7, 3).astype(np.float32)
IDX = [[1, 4, 1], [0, 4, 6]]


def _pair(lib, **kw):
    w = lib.tensor(W.copy(), requires_grad=True)
    return w, kw


def _same_sparse(got, exp):
    assert got.is_sparse and exp.is_sparse
    assert got.is_coalesced() == exp.is_coalesced()
    assert got._nnz() == exp._nnz()
    assert tuple(got.shape) == tuple(exp.shape)
    np.testing.assert_allclose(got.to_dense().numpy(), exp.to_dense().numpy(), rtol=1e-6)
    c, e = got.coalesce(), exp.coalesce()
    np.testing.assert_array_equal(c.indices().numpy(), e.indices().numpy())
    np.testing.assert_allclose(c.values().numpy(), e.values().numpy(), rtol=1e-6)


@pytest.mark.parametrize("kw", [{}, {"padding_idx": 6}, {"padding_idx": 4}])
def test_embedding_sparse_grad_matches_torch(kw):
    grads = []
    for lib in (tl, torch):
        w = lib.tensor(W.copy(), requires_grad=True)
        out = lib.nn.functional.embedding(lib.tensor(IDX), w, sparse=True, **kw)
        (out * lib.arange(3.0)).sum().backward()
        grads.append(w.grad)
    _same_sparse(*grads)


def test_embedding_sparse_grad_with_scale_grad_by_freq_raises_at_backward_as_torch():
    for lib in (tl, torch):
        w = lib.tensor(W.copy(), requires_grad=True)
        out = lib.nn.functional.embedding(lib.tensor(IDX), w, sparse=True,
                                          scale_grad_by_freq=True)
        with pytest.raises(RuntimeError, match="scale_grad_by_freq not supported with sparse"):
            out.sum().backward()


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_sparse_grad_matches_torch(mode):
    grads = []
    for lib in (tl, torch):
        w = lib.tensor(W.copy(), requires_grad=True)
        bag = lib.nn.functional.embedding_bag(
            lib.tensor([1, 2, 4, 1, 6]), w, lib.tensor([0, 2]), mode=mode, sparse=True,
            padding_idx=6, per_sample_weights=None)
        (bag * lib.arange(3.0)).sum().backward()
        grads.append(w.grad)
    _same_sparse(*grads)
    for lib in (tl, torch):
        w = lib.tensor(W.copy(), requires_grad=True)
        with pytest.raises(ValueError, match="max mode does not support sparse"):
            lib.nn.functional.embedding_bag(lib.tensor([1, 2]), w, lib.tensor([0]), mode="max",
                                            sparse=True)


def test_sparse_grads_accumulate_and_mix_with_dense_as_torch():
    res = {}
    for lib in (tl, torch):
        F = lib.nn.functional
        w = lib.tensor(W.copy(), requires_grad=True)
        F.embedding(lib.tensor(IDX), w, sparse=True).sum().backward()
        F.embedding(lib.tensor([2, 2]), w, sparse=True).mul(2).sum().backward()
        a = w.grad  # sparse + sparse: sparse, the entries concatenated
        w2 = lib.tensor(W.copy(), requires_grad=True)
        (w2 * 3).sum().backward()
        F.embedding(lib.tensor(IDX), w2, sparse=True).sum().backward()
        w3 = lib.tensor(W.copy(), requires_grad=True)
        F.embedding(lib.tensor(IDX), w3, sparse=True).sum().backward()
        (w3 * 3).sum().backward()
        w4 = lib.tensor(W.copy(), requires_grad=True)  # a weight computed by other ops
        F.embedding(lib.tensor(IDX), w4 * 2, sparse=True).sum().backward()
        res[lib] = (a, w2.grad, w3.grad, w4.grad)
    a, b = res[tl], res[torch]
    _same_sparse(a[0], b[0])
    for g, e in zip(a[1:3], b[1:3]):
        assert not g.is_sparse and not e.is_sparse
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-6)
    # PyTorch carries the sparse gradient through mul's backward; torchlike densifies it
    # before other backward formulas, so the leaf's gradient has the same values, dense
    np.testing.assert_allclose(a[3].to_dense().numpy(), b[3].to_dense().numpy(), rtol=1e-6)


def test_autograd_grad_and_hooks_see_sparse_gradients():
    seen = {}
    got = {}
    for lib in (tl, torch):
        w = lib.tensor(W.copy(), requires_grad=True)
        out = lib.nn.functional.embedding(lib.tensor(IDX), w, sparse=True)
        got[lib] = lib.autograd.grad(out.sum(), w)[0]
        w.register_hook(lambda g, lib=lib: seen.update({lib: g.is_sparse}))
        lib.nn.functional.embedding(lib.tensor(IDX), w, sparse=True).sum().backward()
    _same_sparse(got[tl], got[torch])
    assert seen[tl] is True and seen[torch] is True


def test_zero_grad_set_to_none_false_empties_a_sparse_grad():
    for lib in (tl, torch):
        emb = lib.nn.Embedding(7, 3, sparse=True)
        opt = lib.optim.SGD(emb.parameters(), lr=0.1)
        emb(lib.tensor(IDX)).sum().backward()
        opt.zero_grad(set_to_none=False)
        assert emb.weight.grad.is_sparse and emb.weight.grad._nnz() == 0


def _train(lib, make_opt, steps=4):
    emb = lib.nn.Embedding(7, 3, sparse=True)
    with lib.no_grad():
        emb.weight.copy_(lib.tensor(W))
    opt = make_opt(lib, emb.parameters())
    rs = np.random.RandomState(3)
    for _ in range(steps):
        idx = lib.tensor(rs.randint(0, 7, (2, 4)))
        tgt = lib.tensor(rs.randn(2, 4, 3).astype(np.float32))
        opt.zero_grad()
        ((emb(idx) - tgt) ** 2).sum().backward()
        opt.step()
    return emb.weight.detach().numpy(), opt


@pytest.mark.parametrize("name,kw", [
    ("SparseAdam", {"lr": 0.1}), ("SparseAdam", {"lr": 0.05, "betas": (0.8, 0.9),
                                                 "maximize": True}),
    ("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
])
def test_optimizers_on_sparse_gradients_match_torch(name, kw):
    got, gopt = _train(tl, lambda lib, ps: getattr(lib.optim, name)(ps, **kw))
    exp, eopt = _train(torch, lambda lib, ps: getattr(lib.optim, name)(ps, **kw))
    np.testing.assert_allclose(got, exp, rtol=1e-5, atol=1e-6)
    if name == "SparseAdam":
        gs, es = gopt.state_dict()["state"][0], eopt.state_dict()["state"][0]
        assert gs["step"] == es["step"] and type(gs["step"]) is type(es["step"])
        for k in ("exp_avg", "exp_avg_sq"):
            np.testing.assert_allclose(gs[k].numpy(), es[k].numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name,kw", [("Adam", {}), ("AdamW", {}), ("RMSprop", {}),
                                     ("SGD", {"weight_decay": 0.1}),
                                     ("Adagrad", {"weight_decay": 0.1})])
def test_optimizers_refusing_sparse_gradients_raise_as_torch(name, kw):
    msgs = []
    for lib in (tl, torch):
        emb = lib.nn.Embedding(7, 3, sparse=True)
        opt = getattr(lib.optim, name)(emb.parameters(), lr=0.1, **kw)
        emb(lib.tensor(IDX)).sum().backward()
        with pytest.raises(RuntimeError) as e:
            opt.step()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_sparse_adam_refuses_dense_gradients_and_bad_arguments():
    for lib in (tl, torch):
        p = lib.nn.Parameter(lib.ones(3))
        opt = lib.optim.SparseAdam([p])
        (p * 2).sum().backward()
        with pytest.raises(RuntimeError, match="does not support dense gradients"):
            opt.step()
        with pytest.raises(ValueError, match="Invalid learning rate"):
            lib.optim.SparseAdam([p], lr=0.0)
        with pytest.raises(ValueError, match="Complex params"):
            lib.optim.SparseAdam([lib.nn.Parameter(lib.ones(2, dtype=lib.complex64))])
