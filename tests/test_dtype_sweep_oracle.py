"""The Tensor-core ops over every dtype (bool, uint8, int8, int16, int32, int64, float16,
bfloat16, float32, float64, complex64, complex128), against PyTorch: the same result dtype,
shape and values, or the same exception type.

Found by a differential sweep of pointwise, reduction, shape and indexing ops over all the
dtypes; FIXED holds one case per rule that had differed, SWEEP keeps a compact op x dtype
table running (one shape, since JAX compiles once per op, shape and dtype)."""


import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch, same_result_or_error

torch = import_torch()

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
          "float64", "complex64", "complex128"]
HALF = ["float16", "bfloat16"]

# values valid for every dtype of a kind (uint8: no negatives; ints: no zero divisor in Y)
_VALUES = {
    "bool": ([[True, False, True], [False, True, True]], [[True, True, False], [False, True, False]]),
    "uint8": ([[0, 1, 2], [3, 4, 5]], [[2, 1, 3], [1, 2, 4]]),
    "int": ([[1, -2, 3], [4, 0, -6]], [[2, 1, -1], [3, 2, 1]]),
    "float": ([[0.5, -1.5, 2.0], [3.0, -0.0, 0.25]], [[2.0, 0.75, -1.0], [3.0, 2.0, 1.5]]),
    "complex": ([[0.5 + 0.25j, -1.5, 2.0 - 1j], [3.0j, -0.0, 0.25 + 2j]],
                [[2.0, 0.75 - 1j, -1.0], [3.0 + 1j, 2.0j, 1.5]]),
}


def _kind(dt):
    if dt in ("bool", "uint8"):
        return dt
    return "int" if dt.startswith("int") else "complex" if dt.startswith("complex") else "float"


def X(m, dt):
    return m.tensor(_VALUES[_kind(dt)][0], dtype=getattr(m, dt))


def Y(m, dt):
    return m.tensor(_VALUES[_kind(dt)][1], dtype=getattr(m, dt))


_TOL = {"float16": (2e-3, 1e-3), "bfloat16": (1.6e-2, 1e-2), "float32": (2e-5, 1e-6),
        "float64": (1e-10, 1e-12), "complex64": (2e-5, 1e-6), "complex128": (1e-10, 1e-12)}


def _host(x, lib):
    if isinstance(x, lib.Tensor):
        name = str(x.dtype).split(".")[-1]
        x = x.detach()
        if x.dtype == lib.bfloat16:
            x = x.float()
        if lib is torch:
            x = x.resolve_conj().resolve_neg()
        return ("T", name, tuple(x.shape), np.asarray(x.numpy()))
    if isinstance(x, (tuple, list)):
        return [_host(y, lib) for y in x]
    if isinstance(x, lib.dtype):
        return ("dtype", str(x))
    return x


def _same(want, got):
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), (want, got)
        for w, g in zip(want, got):
            _same(w, g)
    elif isinstance(want, tuple) and want[0] == "T":
        assert isinstance(got, tuple) and got[:3] == want[:3], (want[:3], got[:3])
        rtol, atol = _TOL.get(want[1], (0, 0))
        w, g = want[3], got[3]
        parts = [(w.real, g.real), (w.imag, g.imag)] if w.dtype.kind == "c" else [(w, g)]
        for w, g in parts:  # (complex infinities compare part by part)
            np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, equal_nan=True)
    else:
        assert type(got) is type(want) and got == want, (want, got)


def _check(call):
    """call(lib) gives the same result in both libraries, or raises the same exception type."""
    same_result_or_error(call, torch, tl, _host, _same)


def _b(m):
    return X(m, "bool")


def _idx(m):
    return m.tensor([[0, 1, 0], [0, 0, 1]])


# ------------------------------------------------------------------ the disagreements fixed
FIXED = {
    # in-place variants PyTorch does not have, and square_'s Long result into a bool tensor
    "square-inplace-bool": lambda m: _b(m).square_(),
    "no-positive-inplace": lambda m: X(m, "float32").positive_(),
    "no-angle-inplace": lambda m: X(m, "float32").angle_(),
    "no-logaddexp-inplace": lambda m: X(m, "float32").logaddexp_(Y(m, "float32")),
    "no-logaddexp2-inplace": lambda m: X(m, "float32").logaddexp2_(Y(m, "float32")),
    # kernels without a Bool version
    "div-trunc-bool": lambda m: m.div(_b(m), _b(m), rounding_mode="trunc"),
    "div-floor-bool-inplace": lambda m: _b(m).div_(True, rounding_mode="floor"),
    "div-floor-bool-int-scalar": lambda m: m.div(_b(m), 2, rounding_mode="floor"),
    "addcmul-bool": lambda m: m.addcmul(_b(m), _b(m), _b(m)),
    "addcmul-bool-inplace": lambda m: _b(m).addcmul_(_b(m), _b(m), value=True),
    "addcmul-int-bool": lambda m: m.addcmul(X(m, "int32"), _b(m), _b(m)),
    "clamp-bool-tensors": lambda m: m.clamp(_b(m), _b(m), _b(m)),
    "clamp-bool-min-scalar": lambda m: _b(m).clamp(True),
    "clamp-bool-max-scalar": lambda m: _b(m).clamp(max=False),
    "clamp-bool-scalars": lambda m: m.clamp(_b(m), False, True),
    "clamp-bool-inplace": lambda m: _b(m).clamp_(True),
    "clamp-min-bool": lambda m: m.clamp_min(_b(m), True),
    "clamp-bool-min-tensor": lambda m: m.clamp(_b(m), min=_b(m)),
    "clamp-max-bool-tensor": lambda m: m.clamp_max(_b(m), _b(m)),
    "clamp-bool-int-bounds": lambda m: _b(m).clamp(0, 3),
    "clamp-bool-float-bound": lambda m: _b(m).clamp(0.5),
    # clamp's bounds are both Tensors or both numbers
    "clamp-mixed-bounds": lambda m: X(m, "float32").clamp(Y(m, "float32"), 1.0),
    "clamp-mixed-bounds-keywords": lambda m: m.clamp(X(m, "float32"), min=Y(m, "float32"), max=1.0),
    "clamp-mixed-bounds-inplace": lambda m: X(m, "float32").clamp_(Y(m, "float32"), 1.0),
    "clip-mixed-bounds": lambda m: m.clip(X(m, "float32"), 0.5, Y(m, "float32")),
    # `input` must be a Tensor
    **{f"{op}-number-input": (lambda m, op=op: getattr(m, op)(2, Y(m, "float32")))
       for op in ("eq", "ne", "lt", "le", "gt", "ge", "greater", "less", "greater_equal",
                  "less_equal", "not_equal", "fmod", "copysign", "gcd", "lcm", "add", "remainder",
                  "xlogy", "bitwise_and")},
    "eq-keyword-input": lambda m: m.eq(input=X(m, "float32"), other=1.0),
    # gcd and lcm: integral tensors only
    **{f"{op}-{dt}": (lambda m, op=op, dt=dt: getattr(m, op)(X(m, dt), Y(m, dt)))
       for op in ("gcd", "lcm") for dt in ("bool", "float16", "float32", "complex64", "uint8")},
    "gcd-number-other": lambda m: m.gcd(X(m, "int64"), 2),
    "gcd-inplace-number": lambda m: X(m, "int64").gcd_(2),
    "lcm-inplace": lambda m: X(m, "int32").lcm_(Y(m, "int32")),
    "mvlgamma-bool": lambda m: m.mvlgamma(_b(m), 1),
    "mvlgamma-complex": lambda m: m.mvlgamma(X(m, "complex64"), 1),
    "multigammaln-bool": lambda m: m.special.multigammaln(_b(m), 1),
    # torch.special: dtypes PyTorch's CPU kernels have
    **{f"special-{f}-{dt}": (lambda m, f=f, dt=dt: getattr(m.special, f)(X(m, dt)))
       for f in ("erfcx", "ndtr", "ndtri", "log_ndtr", "bessel_j0", "bessel_j1",
                 "spherical_bessel_j0", "i0e", "i1", "i1e", "entr")
       for dt in ("float16", "bfloat16", "complex64")},
    **{f"special-zeta-{dt}": (lambda m, dt=dt: m.special.zeta(X(m, dt), Y(m, dt)))
       for dt in ("bool", "float16", "bfloat16", "complex64", "float32")},
    "special-zeta-below-one": lambda m: m.special.zeta(m.tensor([0.0, 0.0, 0.5, 1.0, -1.0, 2.0, 2.0, 2.0]),
                                                       m.tensor([0.0, 1.0, 0.0, 0.0, 2.0, 0.0, -1.0, -1.5])),
    "special-zeta-poles": lambda m: m.special.zeta(m.tensor([1.0, 1.0, 0.5, 3.0, 3.0, 3.0, 2.5, 2.5, 2.0]),
                                                   m.tensor([0.0, -1.0, 0.0, -1.0, 0.0, -1.5, -1.0, -1.5, 2.0])),
    **{f"special-round-{dt}": (lambda m, dt=dt: m.special.round(X(m, dt)))
       for dt in ("bool", "uint8", "int64", "float16", "float32", "complex64")},
    "special-round-int-decimals": lambda m: m.special.round(X(m, "int64"), decimals=1),
    "special-round-decimals": lambda m: m.special.round(X(m, "float64"), decimals=1),
    "special-xlog1py-complex": lambda m: m.special.xlog1py(X(m, "complex64"), Y(m, "complex64")),
    "special-gammainc-int": lambda m: m.special.gammainc(X(m, "int64"), Y(m, "int64")),
    "special-gammaincc-bool": lambda m: m.special.gammaincc(_b(m), _b(m)),
    "special-polygamma-complex": lambda m: m.special.polygamma(1, X(m, "complex64")),
    # float16 with a complex number promotes to complex32 (PyTorch's ComplexHalf), which has
    # no CPU division or pow; comparisons still work
    "result-type-half-complex": lambda m: m.result_type(X(m, "float16"), 1j),
    "result-type-half-complex-tensor": lambda m: m.result_type(X(m, "float16"), m.tensor(1j)),
    "result-type-bfloat16-complex": lambda m: m.result_type(X(m, "bfloat16"), 1j),
    "div-half-complex": lambda m: m.div(X(m, "float16"), 1j),
    "pow-half-complex": lambda m: m.pow(X(m, "float16"), m.tensor(1j)),
    "eq-half-complex": lambda m: X(m, "float16").eq(1j),
    "ne-half-complex": lambda m: X(m, "float16") != 0.5,
    "add-half-complex-inplace": lambda m: X(m, "float16").add_(1j),
    "add-half-complex64": lambda m: X(m, "float16") + Y(m, "complex64"),
    "add-bfloat16-complex": lambda m: X(m, "bfloat16") + 1j,
    # a complex number written into a real tensor must have no imaginary part
    **{f"fill-complex-{dt}": (lambda m, dt=dt: X(m, dt).fill_(1j))
       for dt in ("bool", "uint8", "int64", "float16", "bfloat16", "float32", "complex64")},
    "fill-complex-real-part": lambda m: X(m, "int64").fill_(2 + 0j),
    "masked-fill-complex": lambda m: X(m, "float32").masked_fill(_b(m), 1j),
    "full-complex-int": lambda m: m.full((2,), 1j, dtype=m.int32),
    "full-complex-real-part": lambda m: [m.full((2,), 2 + 0j, dtype=m.int32), m.full((2,), 1j, dtype=m.bool)],
    "full-like-complex-int": lambda m: m.full_like(X(m, "int32"), 1j),
    # full's value must fit the dtype (was wrapped: 300 -> 44 in int8)
    "full-int8-overflow": lambda m: m.full((2,), 300, dtype=m.int8),
    "full-like-half-overflow": lambda m: m.full_like(X(m, "float32"), 1e300, dtype=m.float16),
    "full-uint8-negative-wraps": lambda m: m.full((2,), -1, dtype=m.uint8),
    "full-like-tensor-value": lambda m: m.full_like(X(m, "float32"), m.tensor(3.0)),
    # bfloat16 scalar writes (numpy's kind of bfloat16 is not 'f')
    "fill-bfloat16": lambda m: [X(m, "bfloat16").fill_(v) for v in (2, 1.5, -1, float("inf"))],
    "fill-bfloat16-overflow": lambda m: X(m, "bfloat16").fill_(1e300),
    "zero-bfloat16": lambda m: X(m, "bfloat16").zero_(),
    "masked-fill-bfloat16": lambda m: X(m, "bfloat16").masked_fill(_b(m), 1.5),
    "masked-fill-inplace-bfloat16": lambda m: X(m, "bfloat16").masked_fill_(_b(m), 2),
    "index-fill-bfloat16": lambda m: X(m, "bfloat16").index_fill(0, m.tensor([0]), 2),
    "fill-function-bfloat16": lambda m: m.fill(X(m, "bfloat16"), 2),
    "setitem-bfloat16": lambda m: X(m, "bfloat16").__setitem__(0, 3.0),
    # reductions
    **{f"nansum-dtype-complex-{dt}": (lambda m, dt=dt: m.nansum(X(m, dt), dtype=m.complex64))
       for dt in ("float32", "float16", "bool", "int64")},
    "nansum-dim-dtype-complex": lambda m: m.nansum(X(m, "float64"), 1, dtype=m.complex128),
    "nanmean-dtype-complex": lambda m: m.nanmean(X(m, "float32"), dtype=m.complex64),
    **{f"norm-dtype-{a}-{b}": (lambda m, a=a, b=b: m.norm(X(m, a), dtype=getattr(m, b)))
       for a, b in (("float32", "int64"), ("float32", "complex64"), ("float32", "float16"),
                    ("bfloat16", "float16"), ("float16", "bfloat16"), ("complex64", "float32"),
                    ("complex64", "complex128"), ("float16", "float64"), ("float32", "float32"))},
    "vector-norm-dtype-narrowing": lambda m: m.linalg.vector_norm(X(m, "float64"), 1, dtype=m.float32),
    "norm-p1-dtype-narrowing": lambda m: X(m, "float32").norm(p=1, dtype=m.float16),
    "argsort-stable-positional-dim": lambda m: X(m, "float32").argsort(0, descending=True, stable=True),
    "argsort-function-stable-positional": lambda m: m.argsort(X(m, "int64"), 0, stable=True),
    "argsort-positional": lambda m: m.argsort(X(m, "int64"), 0, True),
    "argsort-stable-keywords": lambda m: m.argsort(X(m, "int64"), stable=True, dim=0, descending=True),
    **{f"bincount-weights-{dt}": (lambda m, dt=dt: m.bincount(m.tensor([0, 1, 1]), weights=X(m, dt)[0]))
       for dt in ("bool", "uint8", "int64", "float16", "bfloat16", "float32", "float64")},
    "topk-bool": lambda m: m.topk(_b(m), 2),
    "topk-bool-0d": lambda m: m.topk(m.tensor(True), 1),
    "kthvalue-bool": lambda m: m.kthvalue(_b(m), 1),
    "kthvalue-bool-0d": lambda m: m.kthvalue(m.tensor(True), 1),
    "cumsum-inplace-bool": lambda m: _b(m).cumsum_(1),
    "searchsorted-bool": lambda m: m.searchsorted(m.tensor([False, True]), _b(m)),
    "searchsorted-bool-number": lambda m: m.searchsorted(m.tensor([False, True]), True),
    "searchsorted-float-bool": lambda m: m.searchsorted(m.tensor([0.0, 1.0]), _b(m)),
    "bucketize-bool": lambda m: m.bucketize(_b(m), m.tensor([False, True])),
    # scatter-adds into bool tensors are logical ors (XLA's scatter-add takes no bools)
    "scatter-add-bool": lambda m: m.scatter_add(_b(m), 0, _idx(m), Y(m, "bool")),
    "scatter-add-inplace-bool": lambda m: _b(m).scatter_add_(0, _idx(m), Y(m, "bool")),
    "scatter-multiply-bool": lambda m: _b(m).scatter(0, _idx(m), Y(m, "bool"), reduce="multiply"),
    **{f"scatter-reduce-bool-{r}-{s}": (lambda m, r=r, s=s: m.scatter_reduce(_b(m), 0, _idx(m), Y(m, "bool"), r, include_self=s))
       for r in ("sum", "prod", "amax", "amin", "mean") for s in (True, False)},
    "index-add-bool": lambda m: m.index_add(_b(m), 0, m.tensor([1, 0]), Y(m, "bool")),
    "index-add-bool-alpha": lambda m: m.zeros(3, dtype=m.bool).index_add(0, m.tensor([0, 0, 2]), m.tensor([True, False, True]), alpha=True),
    "index-put-accumulate-bool": lambda m: _b(m).index_put((m.tensor([0, 0]),), m.tensor([False, True, False]), accumulate=True),
    "setitem-accumulate-bool-2d": lambda m: _b(m).index_put_((m.tensor([0, 1, 1]), m.tensor([2, 0, 0])), m.tensor([True, False, True]), accumulate=True),
    "kron-bool": lambda m: m.kron(_b(m), Y(m, "bool")),
    # complex: casts to bool and all/any test both parts (3j is True)
    "complex-to-bool": lambda m: [X(m, "complex64").to(m.bool), X(m, "complex128").bool()],
    "complex-all-any": lambda m: [X(m, "complex64").all(0), X(m, "complex64").any(1), X(m, "complex128").all(),
                                  m.tensor([[3j, 0], [1j, 2]]).all(1, keepdim=True)],
    "abs-inplace-complex": lambda m: X(m, "complex64").abs_(),
    "absolute-inplace-complex": lambda m: X(m, "complex128").absolute_(),
    **{f"div-{r}-complex-{o}": (lambda m, r=r, o=o: m.div(X(m, "complex64"), Y(m, "complex64") if o == "t" else 2, rounding_mode=r))
       for r in ("trunc", "floor") for o in ("t", "2")},
    "div-inplace-floor-complex": lambda m: X(m, "complex128").div_(2.0, rounding_mode="floor"),
    "cummax-complex": lambda m: m.cummax(X(m, "complex64"), 1),
    "cummin-complex": lambda m: X(m, "complex128").cummin(0),
    "cummax-complex-0d-empty": lambda m: [m.tensor(1j).cummax(0), X(m, "complex64")[:0].cummin(0)],
    "mode-complex": lambda m: m.mode(X(m, "complex64"), 1),
    "mode-complex-0d": lambda m: m.tensor(1j).mode(),
    "kthvalue-complex": lambda m: m.kthvalue(X(m, "complex64"), 1, 1),
    "kthvalue-complex-0d": lambda m: m.tensor(1j).kthvalue(1),
    "unique-consecutive-complex": lambda m: m.unique_consecutive(X(m, "complex64")),
    **{f"scatter-reduce-complex-{r}": (lambda m, r=r: m.scatter_reduce(X(m, "complex64"), 0, _idx(m), Y(m, "complex64"), r))
       for r in ("sum", "prod", "mean", "amax", "amin")},
    # more ops' dtype rules
    **{f"frexp-{dt}": (lambda m, dt=dt: m.frexp(X(m, dt))) for dt in ("bool", "int64", "float16", "complex64")},
    **{f"isin-{a}-{b}": (lambda m, a=a, b=b: m.isin(X(m, a), Y(m, b)))
       for a, b in (("bool", "bool"), ("float32", "bool"), ("bool", "float32"), ("complex64", "complex64"), ("int64", "float32"))},
    "isin-complex-number": lambda m: m.isin(X(m, "float32"), 1j),
    **{f"cdist-{a}-{b}": (lambda m, a=a, b=b: m.cdist(X(m, a), Y(m, b)))
       for a, b in (("uint8", "uint8"), ("float32", "int64"), ("float16", "float16"), ("bfloat16", "bfloat16"),
                    ("complex64", "complex64"), ("bool", "bool"), ("float64", "float64"))},
    **{f"dist-{a}-{b}": (lambda m, a=a, b=b: m.dist(X(m, a), Y(m, b)))
       for a, b in (("uint8", "uint8"), ("int64", "float32"), ("bool", "bool"), ("int8", "int8"), ("float32", "float32"))},
    **{f"renorm-{dt}": (lambda m, dt=dt: m.renorm(X(m, dt), 2, 0, 1.0)) for dt in ("uint8", "int64", "bool", "float32")},
    **{f"histogram-{dt}": (lambda m, dt=dt: m.histogram(X(m, dt), bins=3)) for dt in ("uint8", "bool", "float16", "bfloat16", "complex64", "float64")},
    "histc-uint8-negative-min": lambda m: m.histc(X(m, "uint8"), 4, min=-1, max=3),
    "histc-uint8-max-overflow": lambda m: m.histc(X(m, "uint8"), 4, min=0, max=300),
    "histc-uint8": lambda m: m.histc(X(m, "uint8"), 4, min=1, max=3),
    "cov-bool": lambda m: m.cov(_b(m)),
    "corrcoef-bool": lambda m: m.corrcoef(_b(m)),
    "corrcoef-complex": lambda m: m.corrcoef(X(m, "complex64")),
    "trapezoid-bool": lambda m: m.trapezoid(_b(m)),
    "trapezoid-bool-x": lambda m: m.trapezoid(X(m, "float32"), _b(m)),
    "cumulative-trapezoid-bool": lambda m: m.cumulative_trapezoid(_b(m)),
    # 0-d and empty inputs (PyTorch runs no kernel on most empty inputs)
    **{f"{op}-0d-dim-1": (lambda m, op=op: getattr(m, op)(m.tensor(2.0), 1)) for op in ("argmax", "argmin")},
    "argmax-0d-dim-0": lambda m: [m.argmax(m.tensor(2.0), 0), m.argmin(m.tensor(3), -1, True)],
    "nansum-empty-dtype-complex": lambda m: [m.nansum(X(m, "float32")[:, :0], dtype=m.complex64),
                                             m.nanmean(X(m, "float32")[:, :0], 1, dtype=m.complex64)],
    "nansum-0d-bad-dim-dtype-complex": lambda m: m.nansum(m.tensor(1.0), 1, dtype=m.complex64),
    "cumsum-inplace-empty-bool": lambda m: _b(m)[:, :0].cumsum_(1),
    "cumsum-inplace-0d-bad-dim-bool": lambda m: m.tensor(True).cumsum_(1),
    "searchsorted-empty": lambda m: [m.searchsorted(m.tensor([0.0, 1.0]), X(m, "float32")[:, :0]),
                                     m.searchsorted(m.tensor([False, True]), _b(m)[:, :0], out_int32=True),
                                     m.searchsorted(m.tensor([[0, 1], [1, 2]]), X(m, "int64")[:, :0])],
    "searchsorted-0d-boundaries": lambda m: m.searchsorted(m.tensor(1.0), m.tensor(1.0)),
    "searchsorted-0d-boundaries-number": lambda m: m.searchsorted(m.tensor(1.0), 1.0),
    "searchsorted-0d-boundaries-1d-input": lambda m: m.searchsorted(m.tensor(1.0), m.tensor([1.0, 2.0])),
    "bucketize-empty-bool": lambda m: m.bucketize(_b(m)[:, :0], m.tensor([False, True])),
    "bincount-weights-length": lambda m: m.bincount(m.tensor([0, 1, 1]), weights=m.ones(2)),
    "bincount-weights-2d": lambda m: m.bincount(m.tensor([0, 1]), weights=m.ones(2, 1)),
    **{f"bincount-empty-{dt}": (lambda m, dt=dt: m.bincount(X(m, dt)[0, :0])) for dt in ("bool", "float32", "int64")},
    **{f"trapezoid-empty-{dt}": (lambda m, dt=dt: m.trapezoid(X(m, dt)[:, :0])) for dt in ("bool", "int64", "float16", "float32")},
}


@pytest.mark.parametrize("name", list(FIXED))
def test_dtype_rule_matches_pytorch(name):
    _check(FIXED[name])


def test_no_inplace_variants_pytorch_lacks():
    for name in ("positive_", "angle_", "logaddexp_", "logaddexp2_"):
        assert not hasattr(torch.Tensor, name)
        assert not hasattr(tl.Tensor, name), name


# ------------------------------------------------------------------ the op x dtype sweep
def _t(m, dt):
    return X(m, dt), Y(m, dt)


SWEEP = {  # (a representative subset per dtype: JAX compiles each op once per dtype)
    "unary": [
        lambda m, x, y: m.abs(x), lambda m, x, y: -x, lambda m, x, y: m.sign(x),
        lambda m, x, y: x.sgn(), lambda m, x, y: m.exp(x), lambda m, x, y: x.rsqrt(),
        lambda m, x, y: m.sin(x), lambda m, x, y: x.sigmoid(), lambda m, x, y: m.erf(x),
        lambda m, x, y: m.lgamma(x), lambda m, x, y: m.digamma(x),
        # (complex division by a signed zero is implementation-defined: PyTorch's 1 / z and
        # reciprocal(z) differ themselves there)
        lambda m, x, y: (x if not x.is_complex() else y).reciprocal(),
        lambda m, x, y: m.square(x), lambda m, x, y: x.floor(), lambda m, x, y: m.round(x),
        lambda m, x, y: m.frac(x), lambda m, x, y: ~x, lambda m, x, y: m.logical_not(x),
        lambda m, x, y: m.isnan(x), lambda m, x, y: m.nan_to_num(x), lambda m, x, y: m.signbit(x),
        lambda m, x, y: m.positive(x), lambda m, x, y: m.angle(x), lambda m, x, y: x.imag,
        lambda m, x, y: m.logit(x), lambda m, x, y: x.abs_(), lambda m, x, y: m.special.ndtr(x),
        lambda m, x, y: m.special.erfcx(x),
    ],
    "binary": [
        lambda m, x, y: x + y, lambda m, x, y: m.sub(x, y), lambda m, x, y: x * y,
        lambda m, x, y: x / y, lambda m, x, y: m.div(x, y, rounding_mode="trunc"),
        lambda m, x, y: x // y, lambda m, x, y: m.fmod(x, y), lambda m, x, y: x ** y,
        lambda m, x, y: m.atan2(x, y), lambda m, x, y: m.maximum(x, y), lambda m, x, y: x & y,
        lambda m, x, y: x << y, lambda m, x, y: x < y, lambda m, x, y: m.copysign(x, y),
        lambda m, x, y: m.heaviside(x, y), lambda m, x, y: m.gcd(x, y),
        lambda m, x, y: m.lerp(x, y, 0.5), lambda m, x, y: m.addcmul(x, y, y, value=2),
        lambda m, x, y: m.clamp(x, y, y + y), lambda m, x, y: x.mul_(y),
    ],
    "scalar": [
        lambda m, x, y: x + 2, lambda m, x, y: 1.5 - y,
        # (float16 * 1j is complex32 in PyTorch, which torchlike refuses: NotImplementedError)
        lambda m, x, y: x * (1j if x.dtype != m.float16 else 1), lambda m, x, y: x / 2,
        lambda m, x, y: m.div(x, 2, rounding_mode="floor"), lambda m, x, y: x % 2,
        lambda m, x, y: x ** 2, lambda m, x, y: x > 1.5, lambda m, x, y: x >> 1,
        lambda m, x, y: m.clamp(x, 0.5, 2.5), lambda m, x, y: x.add_(2),
        lambda m, x, y: m.where(x == y, x, 1.5),
    ],
    "reduction": [
        lambda m, x, y: x.sum(), lambda m, x, y: m.sum(x, 1, dtype=m.float64), lambda m, x, y: m.prod(x, 0),
        lambda m, x, y: x.mean(), lambda m, x, y: m.nansum(x, 1), lambda m, x, y: m.std(x, 1),
        lambda m, x, y: m.max(x, 1), lambda m, x, y: m.aminmax(x), lambda m, x, y: x.argmax(),
        lambda m, x, y: m.all(x, 1), lambda m, x, y: m.norm(x), lambda m, x, y: m.logsumexp(x, 1),
        lambda m, x, y: m.cumsum(x, 1), lambda m, x, y: m.cummax(x, 1), lambda m, x, y: m.median(x, 1),
        lambda m, x, y: m.mode(x, 1), lambda m, x, y: m.kthvalue(x, 2, 1), lambda m, x, y: m.topk(x, 2),
        lambda m, x, y: m.sort(x, stable=True), lambda m, x, y: m.unique(x, return_counts=True),
        lambda m, x, y: m.count_nonzero(x, 0), lambda m, x, y: m.bincount(x.flatten()),
        lambda m, x, y: m.histc(x, 4), lambda m, x, y: m.diff(x),
    ],
    "shape": [
        lambda m, x, y: m.cat([x, m.ones(2, 3)]), lambda m, x, y: m.stack([x, y], 1),
        lambda m, x, y: x.masked_fill(x == y, 2), lambda m, x, y: m.index_select(x, 1, m.tensor([2, 0])),
        lambda m, x, y: m.gather(x, 1, _idx(m)), lambda m, x, y: m.scatter_add(x, 0, _idx(m), y),
        lambda m, x, y: m.scatter_reduce(x, 0, _idx(m), y, "amax", include_self=False),
        lambda m, x, y: m.index_add(x, 0, m.tensor([1, 0]), y), lambda m, x, y: m.flip(x, [0, 1]),
        lambda m, x, y: m.roll(x, 1, 1), lambda m, x, y: m.tril(x), lambda m, x, y: m.diag(x),
        lambda m, x, y: m.repeat_interleave(x, 2, 0), lambda m, x, y: m.nonzero(x),
        lambda m, x, y: x.fill_(1.5), lambda m, x, y: m.kron(x, y),
    ],
}


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("group", list(SWEEP))
def test_op_sweep_matches_pytorch(group, dt):
    failures = []
    for i, f in enumerate(SWEEP[group]):
        try:
            _check(lambda m: f(m, *_t(m, dt)))
        except (AssertionError, pytest.fail.Exception) as e:  # (pytest.raises fails so)
            failures.append(f"{group}[{i}]: {str(e)[:300]}")
    assert not failures, "\n".join(failures)
