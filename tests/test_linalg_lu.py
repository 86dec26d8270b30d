"""LU factorisations and solves, linalg.cond, vander, tensorinv, tensorsolve, svd_lowrank and
pca_lowrank against PyTorch."""

import warnings

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()
warnings.filterwarnings("ignore", message=".*(lu|triangular_solve).*")  # PyTorch's deprecations

RS = np.random.RandomState(0)
A = RS.randn(2, 3, 3).astype(np.float32)
B = RS.randn(2, 3, 2).astype(np.float32)
RECT = {"tall": RS.randn(4, 3).astype(np.float32), "wide": RS.randn(3, 4).astype(np.float32)}


def close(got, want, rtol=1e-4, atol=1e-5):
    assert str(got.dtype) == str(want.dtype), (got.dtype, want.dtype)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=rtol, atol=atol)


def both(fn):
    return fn(torch), fn(tl)


def test_lu_factor_and_lu():
    want, got = both(lambda m: m.linalg.lu_factor(m.tensor(A)))
    assert type(got).__name__ == type(want).__name__ == "linalg_lu_factor"
    close(got.LU, want.LU)
    close(got.pivots, want.pivots)
    for a in [A, *RECT.values()]:
        want, got = both(lambda m: m.linalg.lu(m.tensor(a)))
        for g, w in zip(got, want):
            close(g, w)
        want, got = both(lambda m: m.lu_unpack(*m.linalg.lu_factor(m.tensor(a))))
        for g, w in zip(got, want):
            close(g, w)
    for kw in ({"unpack_data": False}, {"unpack_pivots": False}):
        want, got = both(lambda m: m.lu_unpack(*m.linalg.lu_factor(m.tensor(A)), **kw))
        for g, w in zip(got, want):
            close(g, w)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
def test_lu_solve(left, adjoint):
    b = B if left else np.swapaxes(B, -1, -2).copy()
    want, got = both(lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(m.tensor(A)), m.tensor(b),
                                                  left=left, adjoint=adjoint))
    close(got, want)
    # one factorisation, a batch of right-hand sides broadcast against it
    want, got = both(lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(m.tensor(A[0])),
                                                  m.tensor(b), left=left, adjoint=adjoint))
    close(got, want)


def test_gradients_through_lu_factor_and_solve():
    grads = []
    for m in (torch, tl):
        a, b = m.tensor(A, requires_grad=True), m.tensor(B, requires_grad=True)
        x = m.linalg.lu_solve(*m.linalg.lu_factor(a), b)
        (x * x).sum().backward()
        grads.append((a.grad, b.grad))
    close(grads[1][0], grads[0][0], rtol=1e-3, atol=1e-4)
    close(grads[1][1], grads[0][1], rtol=1e-3, atol=1e-4)


def test_legacy_lu_functions_and_methods():
    want, got = both(lambda m: m.lu(m.tensor(A), get_infos=True))
    for g, w in zip(got, want):
        close(g, w)
    want, got = both(lambda m: m.lu_solve(m.tensor(B), *m.lu(m.tensor(A))))
    close(got, want)
    want, got = both(lambda m: m.tensor(A).lu())
    for g, w in zip(got, want):
        close(g, w)
    for kw in ({}, {"upper": False}, {"transpose": True}, {"unitriangular": True}):
        want, got = both(lambda m: m.triangular_solve(m.tensor(B), m.tensor(A) + 3, **kw))
        assert type(got).__name__ == type(want).__name__
        for g, w in zip(got, want):
            close(g, w)
        want, got = both(lambda m: m.tensor(B).triangular_solve(m.tensor(A) + 3, **kw))
        close(got.solution, want.solution)


def test_singular_and_bad_inputs():
    S = np.zeros((3, 3), np.float32)
    want, got = both(lambda m: m.linalg.lu_factor_ex(m.tensor(S)))
    for g, w in zip(got, want):
        close(g, w)
    for fn in [lambda m: m.linalg.lu_factor(m.tensor(S)),
               lambda m: m.linalg.lu_factor(m.tensor(A), pivot=False),
               lambda m: m.linalg.lu_factor(m.ones(3)),
               lambda m: m.linalg.lu_factor(m.ones(3, 3, dtype=m.int64)),
               lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(m.tensor(A[0])), m.ones(2, 1))]:
        errors = []
        for m in (torch, tl):
            with pytest.raises(Exception) as info:
                fn(m)
            errors.append((info.type, str(info.value)))
        assert errors[1][0] is errors[0][0], errors
        assert errors[1][1].split(":")[-1][:40] == errors[0][1].split(":")[-1][:40], errors


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", 1, -1, float("inf"), -float("inf")])
def test_cond(p):
    want, got = both(lambda m: m.linalg.cond(m.tensor(A), p))
    close(got, want, rtol=1e-3)
    if p not in (None, 2, -2):  # singular: inf
        want, got = both(lambda m: m.linalg.cond(m.zeros(3, 3), p))
        close(got, want)


def test_vander_tensorinv_tensorsolve():
    for x, n in ((np.array([1, 2, 3]), None), (np.array([[1.0, 2.0], [0.5, -1.0]], np.float32), 4)):
        want, got = both(lambda m: m.linalg.vander(m.tensor(x), N=n))
        close(got, want)
    T = RS.randn(4, 2, 2, 4).astype(np.float32)
    want, got = both(lambda m: m.linalg.tensorinv(m.tensor(T), 2))
    close(got, want, rtol=1e-3, atol=1e-4)
    want, got = both(lambda m: m.linalg.tensorsolve(m.tensor(T), m.tensor(B[0].reshape(2, 3)[:, :2].repeat(2, 0))))
    close(got, want, rtol=1e-3, atol=1e-4)
    T6 = RS.randn(2, 3, 6).astype(np.float32)
    want, got = both(lambda m: m.linalg.tensorsolve(m.tensor(T6), m.tensor(B[0].reshape(6)), dims=(0, 1)))
    close(got, want, rtol=1e-3, atol=1e-4)


def _same_up_to_column_signs(got, want):
    g, w = got.numpy(), want.numpy()
    signs = np.sign(np.sum(g * w, axis=-2, keepdims=True))  # SVD columns are unique up to sign
    np.testing.assert_allclose(g * signs, w, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("fn,shape,kw", [
    ("svd_lowrank", (7, 5), {"q": 3}), ("svd_lowrank", (5, 7), {"q": 4, "niter": 0}),
    ("pca_lowrank", (9, 5), {}), ("pca_lowrank", (5, 9), {"q": 3, "center": False}),
])
def test_svd_and_pca_lowrank_draw_pytorchs_numbers(fn, shape, kw):
    # seeded: the same random projection, so the same factors (signs of singular vectors are
    # LAPACK's choice for wide inputs, as linalg.svd's)
    A = np.random.RandomState(4).randn(*shape).astype(np.float32)
    res = []
    for m in (torch, tl):
        m.manual_seed(3)
        res.append(getattr(m, fn)(m.tensor(A), **kw))
    (U, S, V), (u, s, v) = res
    close(s, S)
    _same_up_to_column_signs(u, U)
    _same_up_to_column_signs(v, V)
    with pytest.raises(ValueError, match="must be non-negative integer"):
        tl.pca_lowrank(tl.tensor(A), q=10)
