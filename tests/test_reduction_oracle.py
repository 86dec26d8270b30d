"""Reductions, scans, sorting and searching against the oracle: dtype= and out= rules, std/var's
correction, ties and NaN in max/argmax/median/sort, empty and 0-d inputs, and gradients at
ties, zeros and constant rows. Every expectation comes from PyTorch."""

import warnings

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import assert_same_error, import_torch, same_result_or_error

torch = import_torch()


def _host(x, lib):
    if isinstance(x, lib.Tensor):
        a = x.detach()
        a = a.float() if a.dtype == lib.bfloat16 else a
        return ("T", str(x.dtype).split(".")[-1], tuple(x.shape), np.asarray(a.numpy()))
    if isinstance(x, tuple) and type(x) is not tuple:  # torch.return_types.*
        fields = [f for f in ("values", "indices", "min", "max") if hasattr(x, f)]
        return ("NT", type(x).__name__, fields, [_host(y, lib) for y in x])
    if isinstance(x, (tuple, list)):
        return (type(x).__name__, [_host(y, lib) for y in x])
    return x


def _same(want, got):
    if isinstance(want, tuple) and want and want[0] == "T":
        assert isinstance(got, tuple) and got[:3] == want[:3], (want, got)
        tol = 1e-2 if want[1] in ("float16", "bfloat16") else 1e-5
        np.testing.assert_allclose(got[3], want[3], rtol=tol, atol=tol, equal_nan=True)
    elif isinstance(want, tuple) and want and want[0] == "NT":
        assert isinstance(got, tuple) and got[:3] == want[:3], (want, got)
        _same(("list", want[3]), ("list", got[3]))
    elif isinstance(want, tuple) and len(want) == 2 and want[0] in ("tuple", "list"):
        assert isinstance(got, tuple) and got[0] == want[0] and len(got[1]) == len(want[1])
        for w, g in zip(want[1], got[1]):
            _same(w, g)
    else:
        assert got == want


def _check(call):
    """call(lib) gives the same result in both libraries, or raises the same exception type."""
    same_result_or_error(call, torch, tl, _host, _same)


def _raises(call):
    """The oracle raises here (so the check cannot pass vacuously), and so does torchlike."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception):
            call(torch)
    _check(call)


def _same_error(call):
    """The same exception type and message."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same_error(call, torch, tl)


_A = np.array([[1., 3., 3., 2.], [5., -5., 5., 0.], [0., -1., 7., 7.]], np.float32)
_NAN = np.array([[1., np.nan, 3., np.nan], [5., 2., 5., 1.], [np.nan, -np.inf, np.inf, 7.]],
                np.float32)


def _t(lib, a=_A, dtype=None, grad=False):
    t = lib.tensor(a)
    if dtype is not None:
        t = t.to(getattr(lib, dtype))
    return t.requires_grad_() if grad else t


def _grad(f, a=_A):
    """f's input gradient under a weighted sum of its (first) output."""
    def call(lib):
        x = _t(lib, a, grad=True)
        y = f(lib, x)
        y = y[0] if isinstance(y, tuple) else y
        w = lib.arange(1, y.numel() + 1, dtype=lib.float32).reshape(tuple(y.shape))
        (y * w).sum().backward()
        return x.grad
    return call


def _out(f, *outs):
    """f(lib, out) with fresh out tensors made by outs (lib -> tensor): the result and the outs."""
    def call(lib):
        os_ = [o(lib) for o in outs]
        r = f(lib, os_[0] if len(os_) == 1 else tuple(os_))
        return (r, *os_)
    return call


# std and var


@pytest.mark.parametrize("fn", ["std", "var"])
@pytest.mark.parametrize("case", ["n1_c0", "const", "n1", "0d"])
def test_std_var_gradient_at_zero_spread(fn, case):
    # PyTorch's std gradient is 0 where std is 0; at N == correction it is NaN
    a = {"n1_c0": _A[:1], "const": np.ones((2, 3), np.float32), "n1": _A[:1],
         "0d": np.float32(1.5)}[case]
    kw = {"correction": 0} if case == "n1_c0" else {}
    _check(_grad(lambda L, x: getattr(L, fn)(x, **kw) if case == "0d" else
                 getattr(L, fn)(x, 0, **kw), a))


@pytest.mark.parametrize("fn", ["std", "var", "std_mean", "var_mean"])
def test_std_var_refuse_unbiased_with_correction(fn):
    _raises(lambda L: getattr(L, fn)(_t(L), 0, unbiased=True, correction=1))
    _raises(lambda L: getattr(L, fn)(_t(L), True, correction=0))


@pytest.mark.parametrize("fn", ["std", "var", "std_mean", "var_mean"])
def test_std_var_integral_input_error(fn):
    _same_error(lambda L: getattr(L, fn)(_t(L, dtype="int64"), 0))


@pytest.mark.parametrize("fn", ["std", "var_mean"])
@pytest.mark.parametrize("correction", [0, 2, 3, 4, 0.5])
def test_std_var_correction(fn, correction):
    # past the sample size: PyTorch divides by max(0, N - correction), inf or nan
    _check(lambda L: getattr(L, fn)(_t(L), 0, correction=correction))
    _check(lambda L: getattr(L, fn)(_t(L, _NAN), 1, keepdim=True, correction=correction))


# prod


@pytest.mark.parametrize("call", [
    lambda L: L.prod(_t(L), None),
    lambda L: L.prod(_t(L), dim=None),
    lambda L: _t(L).prod(dim=None),
    lambda L: L.prod(_t(L), keepdim=True),
    lambda L: L.prod(_t(L), out=L.zeros(())),
    lambda L: L.prod(_t(L), (0, 1)),
    lambda L: L.prod(_t(L), [1]),
], ids=["None", "dim=None", "method dim=None", "keepdim no dim", "out no dim", "tuple", "list"])
def test_prod_takes_one_int_dim(call):
    # PyTorch's overloads: prod(input, *, dtype) and prod(input, int dim, keepdim, *, dtype, out)
    _raises(call)


def test_prod_gradient_with_zeros():
    z = _A.copy()
    z[0, 1] = z[2, 0] = z[2, 3] = 0
    for d in (None, 0, 1):
        _check(_grad(lambda L, x: L.prod(x) if d is None else L.prod(x, d), z))


# out=: which dtype the result is computed in, and which out dtypes are refused


_F = lambda dtype, shape=(4,): (lambda L: L.zeros(shape, dtype=getattr(L, dtype)))  # noqa: E731


@pytest.mark.parametrize("fn", ["sum", "prod", "cumsum", "cumprod"])
@pytest.mark.parametrize("out", ["int64", "int32", "float64"])
def test_out_dtype_is_the_accumulation_dtype(fn, out):
    shape = (3, 4) if fn.startswith("cum") else (4,)
    _check(_out(lambda L, o: getattr(L, fn)(_t(L) * 1.5, 0, out=o), _F(out, shape)))


@pytest.mark.parametrize("fn", ["sum", "prod", "mean", "cumsum", "cumprod", "nansum", "nanmean"])
@pytest.mark.parametrize("dtype,out", [("float64", "float32"), ("int64", "int32"),
                                       ("float16", "bfloat16")])
def test_out_must_have_dtype_given(fn, dtype, out):
    shape = (3, 4) if fn.startswith("cum") else (4,)
    _same_error(lambda L: getattr(L, fn)(_t(L), 0, dtype=getattr(L, dtype),
                                         out=L.zeros(shape, dtype=getattr(L, out))))


@pytest.mark.parametrize("fn", ["nansum", "nanmean"])
@pytest.mark.parametrize("inp,out", [("float32", "int32"), ("int64", "int32"),
                                     ("float32", "float64"), ("int64", "float32")])
def test_nansum_nanmean_out(fn, inp, out):
    _check(_out(lambda L, o: getattr(L, fn)(_t(L, _NAN if inp[0] == "f" else _A, inp), 0, out=o),
                _F(out)))


@pytest.mark.parametrize("fn", ["amax", "amin", "logcumsumexp"])
@pytest.mark.parametrize("out", ["float64", "int64", "float32"])
def test_out_must_match_input_dtype(fn, out):
    shape = (3, 4) if fn == "logcumsumexp" else (4,)
    _check(_out(lambda L, o: getattr(L, fn)(_t(L), 0, out=o), _F(out, shape)))
    if out != "float32":
        _same_error(lambda L: getattr(L, fn)(_t(L), 0, out=L.zeros(shape, dtype=getattr(L, out))))


@pytest.mark.parametrize("fn", ["all", "any"])
@pytest.mark.parametrize("out", ["bool", "uint8", "int64", "float32"])
def test_all_any_out(fn, out):
    _check(_out(lambda L, o: getattr(L, fn)(_t(L), 0, out=o), _F(out)))


@pytest.mark.parametrize("out", ["float64", "float16", "int64", "bool"])
def test_logsumexp_out(out):
    _check(_out(lambda L, o: L.logsumexp(_t(L), 0, out=o), _F(out)))


@pytest.mark.parametrize("fn", ["argmax", "argmin"])
@pytest.mark.parametrize("out", ["int64", "int32", "float64"])
def test_argmax_out(fn, out):
    _check(_out(lambda L, o: getattr(L, fn)(_t(L), 1, out=o), _F(out, (3,))))
    _check(_out(lambda L, o: getattr(L, fn)(_t(L, _NAN), keepdim=True, out=o), _F(out, (1, 1))))


@pytest.mark.parametrize("fn", ["cumsum", "cumprod"])
def test_scan_bool_dtype_refused(fn):
    _same_error(lambda L: getattr(L, fn)(_t(L), 0, dtype=L.bool))
    _same_error(lambda L: getattr(L, fn)(_t(L), 0, out=L.zeros(3, 4, dtype=L.bool)))


# (values, indices) ops: out= and its named tuple


def _pair(lib, vdt="float32", idt="int64"):
    return (lib.zeros(0, dtype=getattr(lib, vdt)), lib.zeros(0, dtype=getattr(lib, idt)))


_PAIR_OPS = {
    "max": lambda L, o: L.max(_t(L), 1, out=o),
    "min": lambda L, o: L.min(_t(L, _NAN), 1, True, out=o),
    "sort": lambda L, o: L.sort(_t(L, _NAN), 1, out=o),
    "topk": lambda L, o: L.topk(_t(L, _NAN), 1, out=o),
    "kthvalue": lambda L, o: L.kthvalue(_t(L, _NAN), 2, 0, out=o),
    "median": lambda L, o: L.median(_t(L, _NAN), 1, out=o),
    "nanmedian": lambda L, o: L.nanmedian(_t(L, _NAN), 1, out=o),
    "mode": lambda L, o: L.mode(_t(L), 1, out=o),
    "cummax": lambda L, o: L.cummax(_t(L), 1, out=o),
    "cummin": lambda L, o: L.cummin(_t(L, _NAN), 0, out=o),
}


@pytest.mark.parametrize("name", list(_PAIR_OPS))
def test_values_indices_out(name):
    # the out tensors, written, as torch.return_types.<name>_out
    _check(lambda L: (lambda o: (_PAIR_OPS[name](L, o), o))(_pair(L)))
    # PyTorch casts neither: each kernel's own error for a wrong dtype
    _same_error(lambda L: _PAIR_OPS[name](L, _pair(L, vdt="float64")))
    _same_error(lambda L: _PAIR_OPS[name](L, _pair(L, idt="int32")))


def test_aminmax_out():
    _check(lambda L: (lambda o: (L.aminmax(_t(L), dim=1, out=o), o))((L.zeros(0), L.zeros(0))))
    _check(lambda L: L.aminmax(_t(L), dim=1, out=(L.zeros(0), L.zeros(0, dtype=L.int64))))


@pytest.mark.parametrize("call", [
    lambda L: L.median(_t(L), out=_pair(L)),
    lambda L: L.median(_t(L), keepdim=True),
    lambda L: L.nanmedian(_t(L), None, True),
], ids=["out no dim", "keepdim no dim", "keepdim dim=None"])
def test_median_whole_takes_no_keepdim_or_out(call):
    _raises(call)


# ties and NaN


@pytest.mark.parametrize("fn", ["max", "min"])
@pytest.mark.parametrize("a", [_A, _NAN], ids=["ties", "nan"])
def test_max_all_gradient_split_among_ties_and_nans(fn, a):
    # max() sends an equal share to every element equal to it, each NaN when it is NaN
    _check(_grad(lambda L, x: getattr(L, fn)(x), a))
    _check(_grad(lambda L, x: getattr(L, fn)(x, 1), a))  # max(dim): the chosen index only
    if a is _A:  # (amax's gradient of a NaN slice is 0 here, NaN in PyTorch: not yet matched)
        _check(_grad(lambda L, x: getattr(L, "a" + fn)(x, 1), a))  # amax(dim): split evenly


@pytest.mark.parametrize("row", [
    [1., np.nan, 3., np.nan, 0.], [np.nan, np.nan, 1.], [1., 1., np.nan, np.nan, 2.],
    [np.nan, 1., 2.], [2., 1., 2., 1., 3.], [3., 3., 1., 1.], [0.], [1.] * 5 + [0.] * 5 + [2.],
], ids=lambda r: str(r).replace(" ", ""))
@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_mode_ties_and_nan(row, dtype):
    # the first of the longest runs after an insertion sort (std::sort of a short row), each
    # NaN a run of its own; the index is that run's last
    _check(lambda L: L.mode(_t(L, np.array(row, np.float32), dtype)))


def test_mode_integral_and_2d():
    a = np.array([[2, 1, 2, 1, 3], [5, 5, 4, 4, 4], [0, 0, 0, 1, 1]])
    for d in (0, 1):
        _check(lambda L: L.mode(_t(L, a), d, True))
    _check(_grad(lambda L, x: L.mode(x, 1), np.array([[1., 1., 2.], [3., 4., 4.]], np.float32)))


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float16"])
def test_nanmedian_ignores_nan(dtype):
    a = np.array([0., 2., 2.5, 5., 6., np.nan, -np.inf, np.nan], np.float32)
    _check(lambda L: L.nanmedian(_t(L, a, dtype)))
    _check(lambda L: L.nanmedian(_t(L, a.reshape(2, 4), dtype), 1))
    _check(lambda L: L.median(_t(L, a.reshape(2, 4), dtype), 1))


@pytest.mark.parametrize("fn", ["cummax", "cummin"])
@pytest.mark.parametrize("dim", [1, -2, 5])
def test_cummax_scalar_dim(fn, dim):
    _same_error(lambda L: getattr(L, fn)(_t(L, np.float32(1.)), dim))


# searching

_SEQ = np.array([1., 2., 2., 3., 5.], np.float32)
_SEQ_NAN = np.array([1., 2., np.nan, np.nan], np.float32)
_VALS = np.array([0., 2., 2.5, 5., 6., np.nan, -np.inf, np.inf], np.float32)


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_searchsorted_nan(right, dtype):
    # PyTorch's binary search compares with >= / >: NaN in the sequence or the values is no
    # largest value there (unlike numpy's)
    _check(lambda L: L.searchsorted(_t(L, _SEQ_NAN, dtype), _t(L, _VALS, dtype), right=right))
    _check(lambda L: L.searchsorted(_t(L, _SEQ, dtype), _t(L, _VALS, dtype), right=right))
    _check(lambda L: L.bucketize(_t(L, _VALS, dtype), _t(L, _SEQ_NAN, dtype), right=right))
    _check(lambda L: L.searchsorted(_t(L, _SEQ_NAN.reshape(2, 2), dtype),
                                    _t(L, _VALS[4:].reshape(2, 2), dtype), right=right))


@pytest.mark.parametrize("v", [2.5, 2.0, 2, True])
def test_searchsorted_python_scalar(v):
    # a Python float is compared as a double, not truncated to the sequence's integers
    for dt in ("int64", "float32"):
        _check(lambda L: L.searchsorted(_t(L, _SEQ, dt), v))
        _check(lambda L: L.searchsorted(_t(L, _SEQ, dt), v, right=True))


@pytest.mark.parametrize("call", [
    lambda L: L.searchsorted(_t(L, _SEQ), _t(L, _VALS), sorter=L.tensor([3, 0, 4])),
    lambda L: L.searchsorted(_t(L, _SEQ), _t(L, _VALS), sorter=L.tensor([0, 1, 2, 3, 7])),
    lambda L: L.searchsorted(_t(L, _SEQ), _t(L, _VALS), sorter=L.tensor([0., 1, 2, 3, 4])),
    lambda L: L.searchsorted(_t(L, _SEQ), _t(L, _VALS), out=L.zeros(8, dtype=L.int32)),
    lambda L: L.bucketize(_t(L, _VALS), _t(L, _SEQ), out_int32=True, out=L.zeros(8, dtype=L.long)),
], ids=["sorter size", "sorter range", "sorter dtype", "out dtype", "bucketize out dtype"])
def test_searchsorted_errors(call):
    _same_error(call)


@pytest.mark.parametrize("o32", [False, True])
def test_searchsorted_out(o32):
    dt = "int32" if o32 else "int64"
    _check(_out(lambda L, o: L.searchsorted(_t(L, _SEQ[[3, 0, 4, 1, 2]]), _t(L, _VALS),
                                            sorter=L.tensor([1, 3, 4, 0, 2]), out_int32=o32,
                                            side="right", out=o), _F(dt, (8,))))
    _check(_out(lambda L, o: L.bucketize(_t(L, _VALS), _t(L, _SEQ), out_int32=o32, out=o),
                _F(dt, (8,))))


# diff, norm


@pytest.mark.parametrize("call", [
    lambda L: L.diff(_t(L), -1),
    lambda L: L.diff(_t(L, _SEQ), prepend=_t(L, _SEQ)[0]),
    lambda L: L.diff(_t(L), prepend=_t(L, _SEQ)),
    lambda L: L.diff(_t(L), dim=0, append=_t(L)[:1, :2]),
    lambda L: L.linalg.vector_norm(_t(L, dtype="int64")),
], ids=["negative n", "0-d prepend", "prepend ndim", "append shape", "norm of int64"])
def test_diff_norm_errors(call):
    _same_error(call)


def test_diff_out_and_append():
    _check(_out(lambda L, o: L.diff(_t(L), dim=0, append=_t(L)[:1], out=o), _F("float32", (0,))))
    _check(_out(lambda L, o: L.diff(_t(L, dtype="int64"), 2, out=o), _F("int64", (0,))))
    _check(_out(lambda L, o: L.diff(_t(L), out=o), _F("int64", (0,))))


@pytest.mark.parametrize("dim", [0, 1])
def test_topk_kthvalue_results_are_new_tensors(dim):
    """Their strides are PyTorch's (contiguous), so `.view(-1)` works as in beam search code;
    values, indices and the input's gradient are PyTorch's."""
    x = np.cos(np.arange(4 * 9, dtype=np.float32)).reshape(4, 9)
    got = []
    for L in (torch, tl):
        c = L.tensor(x, requires_grad=True)
        top = c.topk(3, dim=dim)
        kth = c.kthvalue(2, dim=dim)
        (top.values.view(-1) * L.arange(top.values.numel())).sum().add(kth.values.sum()).backward()
        got.append([top.values.stride(), top.indices.stride(), kth.values.stride(),
                    kth.indices.stride(), top.values.view(-1).tolist(),
                    top.indices.view(-1).tolist(), kth.indices.tolist(), c.grad.tolist()])
    assert got[0][:4] == got[1][:4]
    np.testing.assert_allclose(got[1][4], got[0][4], rtol=1e-6)
    assert got[0][5:7] == got[1][5:7]
    np.testing.assert_allclose(got[1][7], got[0][7], rtol=1e-6)
