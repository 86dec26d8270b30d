"""Gradients of reductions at special values against the oracle: NaN and infinities in
amax/amin/max/min/prod/cumprod/logsumexp/logcumsumexp, zeros in prod/cumprod and in p-norms,
std/var past the sample size, all-NaN slices of nanmean, ties in the selecting reductions.

Each case runs on both libraries: the values (dtype, shape, NaN positions exactly) and the input
gradient under a weighted sum of the first output, with weights drawn from a fixed numpy seed
and used on both sides. Every expectation comes from PyTorch."""

import warnings

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()

nan, inf = np.nan, np.inf


def _f32(rows):
    return np.array(rows, np.float32)


_NAN = _f32([[1., nan, 3., nan], [5., 2., 5., 1.], [nan, -inf, inf, 7.]])
_TIE = _f32([[1., 3., 3., 2.], [5., -5., 5., 0.], [0., -1., 7., 7.]])
_P = {  # prod / cumprod inputs
    "nan": _f32([[1., nan, 3.], [2., .5, -1.]]),
    "inf": _f32([[1., inf, 3.], [2., -inf, -1.]]),
    "zero1": _f32([[1., 0., 3.], [2., 4., -1.]]),
    "zero2": _f32([[0., 0., 3.], [2., 0., 0.]]),
    "zero_nan": _f32([[0., nan, 3.], [0., inf, 2.]]),
    "zero_inf2": _f32([[0., 0., inf], [0., inf, 2.]]),
}
_V = _f32([[0., 1., -2., 0.], [0., 0., 0., 0.], [3., -3., 1., 3.]])  # norms at zeros, ties
_VAR = _f32([[1., 2., 4.], [3., 3., 3.]])
_LSE = _f32([[-inf, -inf, -inf], [0., inf, 1.], [-inf, 0., 1.], [inf, inf, 1.]])
_NANROWS = _f32([[1., nan, 3.], [nan, nan, nan], [inf, 2., nan]])
_SEL = _f32([[2., 1., 4., 1., 3.], [5., 5., 5., 5., 5.], [1., nan, 0., nan, 1.]])


def _cases():
    c = []

    def add(name, fn, a, dtype="float32"):
        c.append(pytest.param(fn, a, dtype, id=name))

    # amax / amin: split among the elements equal to the result, NaN over a NaN slice
    add("amax-1-nan", lambda L, x: L.amax(x, 1), _NAN)
    add("amin-0-nan", lambda L, x: L.amin(x, 0), _NAN)
    add("amax-all-nan", lambda L, x: L.amax(x), _NAN)
    add("amin-dims-nan", lambda L, x: L.amin(x, (0, 1), keepdim=True), _NAN)
    add("max-dim-nan", lambda L, x: L.max(x, 1), _NAN)
    add("min-all-nan", lambda L, x: L.min(x), _NAN)
    add("aminmax-nan", lambda L, x: L.aminmax(x, dim=1).max, _NAN)
    add("amax-1-tie", lambda L, x: L.amax(x, 1), _TIE)
    add("max-dim-tie", lambda L, x: L.max(x, 1), _TIE)
    add("amax-half-nan", lambda L, x: L.amax(x, 1), _NAN, "float16")
    add("amax-double-nan", lambda L, x: L.amax(x, 0), _NAN, "float64")
    # prod / cumprod with NaN, infinities and zeros (PyTorch checks the whole tensor for zeros)
    for nm, a in _P.items():
        add(f"prod-1-{nm}", lambda L, x: L.prod(x, 1), a)
        add(f"cumprod-1-{nm}", lambda L, x: L.cumprod(x, 1), a)
    for nm in ("nan", "inf", "zero1", "zero_nan"):
        add(f"prod-all-{nm}", lambda L, x: L.prod(x), _P[nm])
    add("prod-0-keep-inf", lambda L, x: L.prod(x, 0, keepdim=True), _P["inf"])
    for nm in ("nan", "zero_inf2"):
        add(f"cumprod-0-{nm}", lambda L, x: L.cumprod(x, 0), _P[nm])
    add("prod-double-zero1", lambda L, x: L.prod(x, 1), _P["zero1"], "float64")
    add("cumprod-long-zeros", lambda L, x: L.cumprod(x, 0),
        _f32([2., 0., 3., nan, 0., 5., 1.]))
    add("cumprod-one", lambda L, x: L.cumprod(x, 1), _f32([[inf], [0.]]))
    add("prod-0d-zero", lambda L, x: L.prod(x), np.float32(0.))
    # p-norms at zeros and ties
    for p in (0.5, -1, -0.5, 0, 1, 2, 3, inf, -inf):
        add(f"vector_norm-{p}-dim1", lambda L, x, p=p: L.linalg.vector_norm(x, p, 1), _V)
    for p in (0.5, -1, 0):
        add(f"vector_norm-{p}-all", lambda L, x, p=p: L.linalg.vector_norm(x, p), _V)
    add("norm-0.5-dim0", lambda L, x: L.norm(x, 0.5, 0), _V)
    add("norm-0-dim0", lambda L, x: L.norm(x, 0, 0), _V)
    add("vector_norm-2-zero", lambda L, x: L.linalg.vector_norm(x), np.zeros(3, np.float32))
    add("vector_norm-inf-nan", lambda L, x: L.linalg.vector_norm(x, inf, 1),
        _f32([[nan, 1.], [inf, 1.]]))
    for o in ("fro", "nuc", 2):
        add(f"matrix_norm-{o}", lambda L, x, o=o: L.linalg.matrix_norm(x, o),
            _f32([[3., 1.], [1., 2.], [0., 1.]]))
    add("matrix_norm-2-zero", lambda L, x: L.linalg.matrix_norm(x, 2), np.zeros((2, 2), np.float32))
    # std / var past the sample size, infinities, empty dim list
    for c_ in (3, 4):
        add(f"var-c{c_}-dim1", lambda L, x, c_=c_: L.var(x, 1, correction=c_), _VAR)
        add(f"std-c{c_}-dim1", lambda L, x, c_=c_: L.std(x, 1, correction=c_), _VAR)
        add(f"var-c{2 * c_}-all", lambda L, x, c_=c_: L.var(x, correction=2 * c_), _VAR)
    add("std-c8-all", lambda L, x: L.std(x, correction=8), _VAR)
    add("var-dims-c6", lambda L, x: L.var(x, (0, 1), correction=6), _VAR)
    add("var-empty-dims", lambda L, x: L.var(x, dim=[]), _VAR)
    add("std-empty-dims", lambda L, x: L.std(x, dim=[]), _VAR)
    add("var-0d", lambda L, x: L.var(x), np.float32(2.))
    add("std-0d-c0", lambda L, x: L.std(x, correction=0), np.float32(2.))
    add("var-inf", lambda L, x: L.var(x, 1), _f32([[1., nan, 3.], [inf, 1., 2.]]))
    add("std-inf", lambda L, x: L.std(x, 1), _f32([[1., nan, 3.], [inf, 1., 2.]]))
    add("std_mean-c3", lambda L, x: L.std_mean(x, 1, correction=3)[0], _VAR)
    # logsumexp / softmax / logcumsumexp with infinite rows
    add("logsumexp-inf", lambda L, x: L.logsumexp(x, 1), _LSE)
    add("logsumexp-0-keep", lambda L, x: L.logsumexp(x, 0, keepdim=True), _LSE)
    add("softmax-inf", lambda L, x: L.softmax(x, 1), _LSE)
    add("logcumsumexp-1-inf", lambda L, x: L.logcumsumexp(x, 1), _LSE)
    add("logcumsumexp-0-inf", lambda L, x: L.logcumsumexp(x, 0), _LSE)
    add("logcumsumexp-nan", lambda L, x: L.logcumsumexp(x, 1), _NANROWS)
    add("logcumsumexp-long", lambda L, x: L.logcumsumexp(x, 0),
        _f32([-inf, -inf, -30., 2., 80., -inf, 79., 1., inf, 3., -2.]))
    # NaN-ignoring and empty reductions
    add("nansum", lambda L, x: L.nansum(x, 1), _NANROWS)
    add("nansum-all", lambda L, x: L.nansum(x), _NANROWS)
    add("nanmean", lambda L, x: L.nanmean(x, 1), _NANROWS)
    add("nanmean-all", lambda L, x: L.nanmean(x), _NANROWS)
    add("mean-empty", lambda L, x: L.mean(x), np.zeros((0,), np.float32))
    add("mean-empty-dim", lambda L, x: L.mean(x, 1), np.zeros((2, 0), np.float32))
    # selecting reductions: the gradient goes to the returned index
    add("median-all", lambda L, x: L.median(x), _SEL[:2])
    add("median-all-nan", lambda L, x: L.median(x), _SEL)
    add("median-dim-nan", lambda L, x: L.median(x, 1), _SEL)
    add("nanmedian-all", lambda L, x: L.nanmedian(x), _SEL)
    add("nanmedian-dim", lambda L, x: L.nanmedian(x, 1), _SEL)
    add("mode-ties", lambda L, x: L.mode(x, 1), _SEL)
    add("sort-ties", lambda L, x: L.sort(x, 1), _SEL)
    add("kthvalue-3-dim0", lambda L, x: L.kthvalue(x, 3, 0), _SEL)
    add("topk-nan", lambda L, x: L.topk(x, 2, 1), _NANROWS[[0, 2]])
    add("cummax-ties", lambda L, x: L.cummax(x, 1), _SEL)
    add("cummin-ties", lambda L, x: L.cummin(x, 1), _SEL)
    return c


def _run(lib, fn, a, dtype):
    x = lib.tensor(np.asarray(a)).to(getattr(lib, dtype)).requires_grad_()
    y = fn(lib, x)
    outs = tuple(y) if isinstance(y, tuple) else (y,)
    w = np.random.default_rng(0).standard_normal(tuple(outs[0].shape)).astype(np.float32)
    (outs[0] * lib.tensor(w).to(outs[0].dtype)).sum().backward()
    host = [(str(o.dtype).split(".")[-1], tuple(o.shape), o.detach().float().numpy()
             if o.dtype.is_floating_point else o.numpy()) for o in outs]
    g = x.grad
    return host, None if g is None else (str(g.dtype).split(".")[-1], g.float().numpy())


def _same(want, got, tol):
    assert (want is None) == (got is None), (want, got)
    if want is None:
        return
    assert got[:-1] == want[:-1], (want, got)
    np.testing.assert_array_equal(np.isnan(got[-1]), np.isnan(want[-1]))
    np.testing.assert_allclose(got[-1], want[-1], rtol=tol, atol=tol, equal_nan=True)


@pytest.mark.parametrize("fn, a, dtype", _cases())
def test_reduction_values_and_gradient(fn, a, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = _run(torch, fn, a, dtype)
        got = _run(tl, fn, a, dtype)
    tol = 2e-3 if dtype == "float16" else 1e-5
    assert len(got[0]) == len(want[0])
    for w, g in zip(want[0], got[0]):
        _same(w, g, tol)
    _same(want[1], got[1], tol)


@pytest.mark.parametrize("name", ["prod", "cumprod", "std", "logcumsumexp"])
def test_second_order_gradient(name):
    # the custom derivatives stay differentiable (create_graph) where the input is regular
    fn = {"prod": lambda L, x: L.prod(x, 1), "cumprod": lambda L, x: L.cumprod(x, 1),
          "var": lambda L, x: L.var(x, 1), "std": lambda L, x: L.std(x, 1),
          "amax": lambda L, x: L.amax(x, 1) ** 2,
          "logcumsumexp": lambda L, x: L.logcumsumexp(x, 1),
          "nanmean": lambda L, x: L.nanmean(x, 1) ** 2,
          "norm-0.5": lambda L, x: L.linalg.vector_norm(x, 0.5, 1)}[name]
    a = _f32([[1., 2., 3.], [.5, -1., 2.]])
    res = []
    for L in (torch, tl):
        x = L.tensor(a, requires_grad=True)
        y = fn(L, x)
        w = L.arange(1., y.numel() + 1).reshape(tuple(y.shape))
        g, = L.autograd.grad((y * w).sum(), x, create_graph=True)
        (g * g).sum().backward()
        res.append(x.grad.detach().numpy())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-4, atol=1e-4)


_A = [[1., 0., -2.], [0., 0., 0.], [0.5, 3., 0.]]
_B = [[1., 1., -2.], [0., 0., 0.], [0.5, 0., 1.]]


def _dist_or_renorm(lib, kind, p, arg):
    a = lib.tensor(_A, requires_grad=True)
    w = lib.tensor(np.arange(9, dtype=np.float32).reshape(3, 3))
    if kind == "dist":
        b = lib.tensor(_B, requires_grad=True)
        r = lib.dist(a, b, p) if arg == 0 else a.dist(b, p)
        loss = r * 2
    else:
        r = lib.renorm(a, p, arg, 0.5)
        loss = (r * w).sum()
    try:
        loss.backward()
        g = a.grad.numpy()
    except RuntimeError as e:
        g = str(e)
    return r.detach().numpy(), g


_PS = [2, 1, 3, 0.5, -1, -0.5, 0, float("inf"), float("-inf")]


@pytest.mark.parametrize("kind,arg,p", [("dist", a, p) for a in (0, 1) for p in _PS] +
                         [("renorm", d, p) for d in (0, 1) for p in _PS if p > 0])
def test_dist_and_renorm_values_and_gradients(kind, arg, p):
    # (renorm takes p > 0)
    (rw, gw), (rg, gg) = _dist_or_renorm(torch, kind, p, arg), _dist_or_renorm(tl, kind, p, arg)
    np.testing.assert_allclose(rg, rw, rtol=1e-5, equal_nan=True)
    if isinstance(gw, str):
        assert gg == gw
    else:
        np.testing.assert_allclose(gg, gw, rtol=1e-4, atol=1e-6, equal_nan=True)
