"""torch.special compared with real PyTorch: values at special points (0, +-1, nan, inf, the
branch boundaries of the Cephes approximations, large |x|), result dtypes over every input
dtype, 0-d and empty inputs, out=, the polynomial functions' (x, n) argument combinations, the
exception type and message for unsupported dtypes, and autograd (which of these PyTorch
differentiates, and the gradients where it does)."""

import warnings

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()

import torchlike as tl  # noqa: E402

NAN, INF = float("nan"), float("inf")

# the new-style (Cephes) functions: not differentiable, no half-precision kernels
CEPHES = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
          "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
          "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0"]
OLDER = ["digamma", "psi", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1",
         "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "logit", "ndtr", "ndtri",
         "round", "sinc"]
UNARY = CEPHES + OLDER
POLYNOMIALS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
               "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
               "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
               "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
               "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p"]

FLOATS = [NAN, INF, -INF, 0.0, -0.0, 1e-8, -1e-8, 0.3, -0.7, 1.0, -1.0, 2.0, -2.09, 2.09, 4.999,
          5.0, -5.0, 8.0, 8.01, -12.5, 30.0, 100.0, -100.0, 110.0, 1e30, -1e30]
VALUES = {"bool": [True, False], "uint8": [0, 1, 2, 5, 100, 255], "int32": [0, 1, -1, 2, -3, 50],
          "int64": [0, 1, -1, 2, -3, 50]}
TOL = {"float64": (1e-9, 1e-12), "float32": (2e-5, 1e-6), "float16": (2e-3, 1e-4),
       "bfloat16": (1.6e-2, 1e-3), "complex64": (2e-6, 1e-6), "complex128": (1e-12, 1e-14)}


def _host(r):
    r = r.detach()
    if r.dtype.is_complex:
        return np.asarray(r.tolist(), complex)
    return np.asarray(r.double().tolist() if r.dtype.is_floating_point else r.tolist(), float)


def _same(call, tol=None, same_message=True):
    """call(torch) and call(torchlike) agree: dtype, shape, requires_grad and values (to the
    result dtype's tolerance), or the same exception type (and message)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = call(torch)
        except Exception as e:  # noqa: BLE001 (the oracle's exception is the expectation)
            with pytest.raises(type(e)) as got:
                call(tl)
            if same_message:
                assert str(got.value) == str(e)
            return None
        got = call(tl)
    assert str(got.dtype) == str(want.dtype)
    assert tuple(got.shape) == tuple(want.shape)
    assert got.requires_grad == want.requires_grad
    rtol, atol = tol or TOL.get(str(want.dtype).removeprefix("torch."), (0, 0))
    np.testing.assert_allclose(_host(got), _host(want), rtol=rtol, atol=atol, equal_nan=True)
    return want, got


def _data(dtype):
    return VALUES.get(dtype, FLOATS)


# --- unary functions ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16", "int64", "bool",
                                   "complex64"])
@pytest.mark.parametrize("name", UNARY)
def test_unary_values(name, dtype):
    data = _data(dtype) if dtype != "complex64" else [1 + 1j, 0.5]
    _same(lambda T: getattr(T.special, name)(T.tensor(data, dtype=getattr(T, dtype))))


# (the functions defined in torchlike.special itself; the others are torch.* ops)
@pytest.mark.parametrize("name", CEPHES + ["digamma", "exp2", "i0", "logit", "round", "sinc"])
def test_unary_0d_empty_out(name):
    _same(lambda T: getattr(T.special, name)(T.tensor(0.75)))
    _same(lambda T: getattr(T.special, name)(T.ones(2, 0)))
    # (the float32 kernel of test_unary_values, its result written into a float64 out=)
    _same(lambda T: getattr(T.special, name)(T.tensor(FLOATS), out=T.empty(len(FLOATS),
                                                                           dtype=T.float64)),
          TOL["float32"])
    _same(lambda T: getattr(T.special, name)(T.tensor(FLOATS), out=T.empty(len(FLOATS),
                                                                           dtype=T.int64)))


@pytest.mark.parametrize("name", UNARY)
def test_unary_autograd(name):
    """PyTorch differentiates the older functions (compare the gradients) and marks the Cephes
    ones' results as not requiring grad (backward then fails)."""
    data = [0.3, 0.7, 1.7, 3.5]

    def call(T):
        x = T.tensor(data, dtype=T.float64, requires_grad=True)
        y = getattr(T.special, name)(x)
        y.sum().backward()
        return x.grad

    _same(call)


# --- orthogonal polynomials ---------------------------------------------------------------------

_PX = [INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 0.25, 0.75, 0.999, -0.3, 1.5, -1.5, 2.0, 1e-3,
       10.0]
_PN = [NAN, INF, -INF, -3, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 2.5, -0.5, 25, 60, 1e30,
       127, 129]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomial_values(name, dtype):
    # (x = NaN is left out: PyTorch's kernels return an uninitialized value there for all
    # but T, H and He)
    px = _PX + ([NAN] if name in ("chebyshev_polynomial_t", "hermite_polynomial_h",
                                  "hermite_polynomial_he") else [])
    xs = np.array(px)[None, :]
    # (degrees past 500 in float64 only: in float32, cos((n + 1) acos x) at arguments near 1500
    # differs by the last bits of acos between libm and XLA)
    ns = np.array(_PN + ([511, 513] if dtype == "float64" else []))[:, None]
    tol = (1e-9, 1e-12) if dtype == "float64" else (1e-4, 2e-4)  # (float32 cos(n acos x))
    _same(lambda T: getattr(T.special, name)(T.tensor(xs, dtype=getattr(T, dtype)),
                                             T.tensor(ns, dtype=getattr(T, dtype))), tol)


_ARGS = {
    "tensor_int": lambda T: (T.tensor([0.5, -2.0, 1.0]), 3),
    "tensor_float_n": lambda T: (T.tensor([0.5, -2.0, 1.0]), 2.7),
    "int_tensors": lambda T: (T.tensor([1, 2, 0]), T.tensor([2, 3, 4], dtype=T.int32)),
    "scalar_x": lambda T: (0.25, T.tensor([0, 1, 5])),
    "bool_x": lambda T: (T.tensor([True, False]), 4),
    "f64_n": lambda T: (T.tensor([0.5, 2.0]), T.tensor([2.0, 3.0], dtype=T.float64)),
    "f64_0d_n": lambda T: (T.tensor([0.5, 2.0]), T.tensor(3.0, dtype=T.float64)),
    "0d_both": lambda T: (T.tensor(0.3), T.tensor(4)),
    "broadcast": lambda T: (T.tensor([[0.1], [0.9]]), T.tensor([1, 2, 3])),
    "empty": lambda T: (T.ones(0, 3), T.tensor([1, 2, 3])),
    "bad_shapes": lambda T: (T.ones(2), T.ones(3)),
    "half": lambda T: (T.tensor([0.5], dtype=T.float16), 2),
    "bfloat16_n": lambda T: (T.tensor([0.5], dtype=T.bfloat16), T.tensor([2])),
    "complex": lambda T: (T.tensor([0.5j]), 2),
    "both_numbers": lambda T: (2, 3.5),
    "keywords": lambda T: {"x": T.tensor([0.5]), "n": 3},
    "input_keyword": lambda T: {"input": T.tensor([0.5]), "n": 3},
    "requires_grad": lambda T: (T.tensor([0.5, 0.1], requires_grad=True), 3),
}


# every case for three of the polynomials (they share the argument handling), the rest with a
# few
_CASES = [(name, case) for name in POLYNOMIALS for case in _ARGS
          if name in ("chebyshev_polynomial_t", "hermite_polynomial_h",
                      "shifted_chebyshev_polynomial_w")
          or case in ("half", "both_numbers", "tensor_int")]


@pytest.mark.parametrize("name, case", _CASES)
def test_polynomial_arguments(name, case):
    def call(T):
        a = _ARGS[case](T)
        f = getattr(T.special, name)
        return f(**a) if isinstance(a, dict) else f(*a)

    # (PyTorch lists the keywords of a bad call in no order we can reproduce)
    _same(call, same_message=case != "input_keyword")


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomial_out(name):
    _same(lambda T: getattr(T.special, name)(T.tensor([0.5, 3.0]), 4,
                                             out=T.empty(2, dtype=T.float64)), TOL["float32"])
    _same(lambda T: getattr(T.special, name)(T.tensor([0.5, 3.0]), 4,
                                             out=T.empty(2, dtype=T.int64)))


def test_polynomial_backward_fails():
    def call(T):
        x = T.tensor([0.5, 0.1], requires_grad=True)
        T.special.legendre_polynomial_p(x, 3).sum().backward()

    _same(call)


# --- the binary functions -----------------------------------------------------------------------

BINARY = ["xlogy", "xlog1py", "zeta", "gammainc", "gammaincc"]
_BX = [NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, 3.5, -2.5, -12.5, 10.0]


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16", "int64", "bool",
                                   "complex64"])
@pytest.mark.parametrize("name", BINARY)
def test_binary_values(name, dtype):
    xs = [[v] for v in _BX] if dtype not in ("int64", "bool") else [[0], [1], [2], [-1], [5]]
    ys = _BX if dtype not in ("int64", "bool") else [0, 1, 3, -2]
    if dtype == "bool":
        xs, ys = [[True], [False]], [True, False]
    if dtype == "complex64":
        xs, ys = [[1 + 1j]], [0.5]
    _same(lambda T: getattr(T.special, name)(T.tensor(xs, dtype=getattr(T, dtype)),
                                             T.tensor(ys, dtype=getattr(T, dtype))))


_BARGS = {
    "tensor_number": lambda T: (T.tensor([0.5, 2.0]), 3),
    "tensor_float": lambda T: (T.tensor([0.5, 2.0]), 1.5),
    "number_tensor": lambda T: (2.0, T.tensor([0.5, 3.0])),
    "int_number_tensor": lambda T: (2, T.tensor([1, 3])),
    "mixed": lambda T: (T.tensor([1, 2]), T.tensor(0.5, dtype=T.float64)),
    "f32_f64": lambda T: (T.tensor([1.5, 2.5]), T.tensor([0.5, 4.0], dtype=T.float64)),
    "both_numbers": lambda T: (2.0, 3.0),
    "empty": lambda T: (T.ones(0, 2), T.ones(2)),
    "0d": lambda T: (T.tensor(2.5), T.tensor(1.5)),
    "bad_shapes": lambda T: (T.ones(2), T.ones(3)),
    "out": lambda T: (T.tensor([1.5, 2.5]), T.tensor([0.5, 4.0]), T.empty(2, dtype=T.float64)),
}


@pytest.mark.parametrize("case", _BARGS)
@pytest.mark.parametrize("name", BINARY)
def test_binary_arguments(name, case):
    def call(T):
        a = _BARGS[case](T)
        f = getattr(T.special, name)
        return f(*a[:2], out=a[2]) if len(a) == 3 else f(*a)

    _same(call, TOL["float32"] if case == "out" else None)


@pytest.mark.parametrize("name", BINARY)
def test_binary_autograd(name):
    def call(T):
        x = T.tensor([0.5, 1.5, 3.0], dtype=T.float64, requires_grad=True)
        y = T.tensor([2.0, 0.5, 4.0], dtype=T.float64, requires_grad=True)
        getattr(T.special, name)(x, y).sum().backward()
        return T.stack([x.grad, y.grad])

    _same(call, (1e-7, 1e-10))


# --- the rest -----------------------------------------------------------------------------------

_OTHER = {
    "polygamma_0": lambda T: T.special.polygamma(0, T.tensor(FLOATS)),
    "polygamma_1": lambda T: T.special.polygamma(1, T.tensor(FLOATS, dtype=T.float64)),
    "polygamma_2": lambda T: T.special.polygamma(2, T.tensor(FLOATS)),
    "polygamma_3": lambda T: T.special.polygamma(3, T.tensor([0.5, 2.0, -1.5, 0.0, -100.5])),
    "polygamma_int": lambda T: T.special.polygamma(2, T.tensor([1, 2, 3])),
    "polygamma_half": lambda T: T.special.polygamma(1, T.tensor([0.5, 2.0], dtype=T.float16)),
    "polygamma_neg": lambda T: T.special.polygamma(-1, T.tensor([0.5])),
    "polygamma_complex": lambda T: T.special.polygamma(2, T.tensor([0.5j])),
    "polygamma_out": lambda T: T.special.polygamma(1, T.tensor([0.5, 2.0]),
                                                   out=T.empty(2, dtype=T.float64)),
    "multigammaln": lambda T: T.special.multigammaln(T.tensor([1.5, 2.0, 7.5]), 3),
    "multigammaln_p1": lambda T: T.special.multigammaln(T.tensor([0.5, 2.0]), 1),
    "multigammaln_domain": lambda T: T.special.multigammaln(T.tensor([0.5, 2.0]), 2),
    "multigammaln_p0": lambda T: T.special.multigammaln(T.tensor([2.0]), 0),
    "multigammaln_int": lambda T: T.special.multigammaln(T.tensor([3, 4]), 2),
    "logsumexp": lambda T: T.special.logsumexp(T.tensor([[1.0, -INF], [2.0, 3.0]]), 1),
    "logsumexp_keepdim": lambda T: T.special.logsumexp(T.tensor([[1.0, 5.0], [2.0, 3.0]]),
                                                       (0, 1), keepdim=True),
    "logsumexp_int": lambda T: T.special.logsumexp(T.tensor([[1, 5], [2, 3]]), 0),
    "logsumexp_inf": lambda T: T.special.logsumexp(T.tensor([INF, INF, 1.0]), 0),
    "logsumexp_empty": lambda T: T.special.logsumexp(T.ones(0, 2), 0),
    "softmax": lambda T: T.special.softmax(T.tensor([[1.0, 2.0], [3.0, -INF]]), 1),
    "softmax_dtype": lambda T: T.special.softmax(T.tensor([1.0, 2.0]), 0, dtype=T.float64),
    "softmax_int": lambda T: T.special.softmax(T.tensor([1, 2]), 0),
    "log_softmax": lambda T: T.special.log_softmax(T.tensor([[1.0, 2.0], [3.0, 4.0]]), -1),
    "log_softmax_dtype": lambda T: T.special.log_softmax(T.tensor([1, 2]), 0, dtype=T.float32),
    "round_decimals": lambda T: T.special.round(T.tensor([1.2345, -2.5, 0.5, 1.5]), decimals=2),
    "round_neg_decimals": lambda T: T.special.round(T.tensor([1234.5, -2567.0]), decimals=-2),
    "round_int": lambda T: T.special.round(T.tensor([1, 2])),
    "round_int_decimals": lambda T: T.special.round(T.tensor([1, 2]), decimals=1),
    "round_complex_decimals": lambda T: T.special.round(T.tensor([1j]), decimals=1),
    "logit_eps": lambda T: T.special.logit(T.tensor([0.0, 0.3, 1.0, 1.5]), eps=0.1),
    "logit_neg_eps": lambda T: T.special.logit(T.tensor([0.0, 0.3, 1.0, 1.5]), eps=-0.1),
    "logit_half": lambda T: T.special.logit(T.tensor([0.25, 1.0], dtype=T.float16)),
    "logit_int": lambda T: T.special.logit(T.tensor([0, 1])),
    "expit_int": lambda T: T.special.expit(T.tensor([0, 1, -3])),
    "xlogy_scalar_first": lambda T: T.special.xlogy(0, T.tensor([0.0, NAN, 2.0])),
}


@pytest.mark.parametrize("case", _OTHER)
def test_other(case):
    _same(_OTHER[case])


def _logit_grad(T, eps):
    x = T.tensor([-0.5, 0.0, 0.05, 0.1, 0.3, 0.9, 0.95, 1.0, 1.5], dtype=T.float64,
                 requires_grad=True)
    T.special.logit(x, eps=eps).sum().backward()
    return x.grad


def test_logit_gradient_outside_domain():
    _same(lambda T: _logit_grad(T, None))
    _same(lambda T: _logit_grad(T, 0.1))
    _same(lambda T: _logit_grad(T, -0.5))


@pytest.mark.parametrize("name", ["zeta", "gammainc", "gammaincc"])
def test_binary_autograd_other_only(name):
    """The derivative in `other` exists where the one in `input` does not."""
    def call(T):
        x = T.tensor([2.5, 3.0, 4.0], dtype=T.float64)
        y = T.tensor([0.5, -12.5, 4.0] if name == "zeta" else [0.5, 1.5, 4.0], dtype=T.float64,
                     requires_grad=True)
        getattr(T.special, name)(x, y).sum().backward()
        return y.grad

    _same(call, (1e-7, 1e-10))


@pytest.mark.parametrize("n", [0, 1, 2])
def test_polygamma_gradient(n):
    def call(T):
        x = T.tensor([0.5, 3.0, -1.5, -12.5, 20.0], dtype=T.float64, requires_grad=True)
        T.special.polygamma(n, x).sum().backward()
        return x.grad

    _same(call, (1e-7, 1e-10))


@pytest.mark.parametrize("n", [0, 1, 2, 3])
@pytest.mark.parametrize("form", ["function", "method"])
def test_torch_polygamma_and_digamma_grad_use_the_special_kernels(n, form):
    # torch.polygamma / Tensor.polygamma and digamma's gradient at negative x, 0 and inf
    vals = [-12.5, -2.5, -1.0, -0.0, 0.0, 0.3, 2.5, 10.0, float("inf"), float("nan")]

    def run(lib):
        x = lib.tensor(vals, dtype=lib.float64, requires_grad=True)
        y = lib.polygamma(n, x) if form == "function" else x.polygamma(n)
        if n == 0:
            y = lib.digamma(x) + y
        y.sum().backward()
        return y.detach().numpy(), x.grad.numpy()
    (yw, gw), (yg, gg) = run(torch), run(tl)
    np.testing.assert_allclose(yg, yw, rtol=1e-9, equal_nan=True)
    np.testing.assert_allclose(gg, gw, rtol=1e-9, equal_nan=True)


@pytest.mark.parametrize("name", ["exp2", "sinc", "i0"])
@pytest.mark.parametrize("dt", ["bfloat16", "float16"])
def test_torch_half_precision_unary_computed_in_float32(name, dt):
    # torch.exp2 / sinc / i0 (not only torch.special's) round a float32 result once
    vals = [0.0, 0.5, 2.0, 3.3, -1.7, 7.0]

    def run(lib):
        return getattr(lib, name)(lib.tensor(vals, dtype=getattr(lib, dt))).float().tolist()
    assert run(tl) == run(torch)


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_torch_igamma_boundary_values(name):
    # torch.igamma / igammac (not only torch.special.gammainc) at a = 0, x = 0, inf and nan
    inf, nan = float("inf"), float("nan")
    a = [0.0, 0.0, 1.0, inf, inf, 2.0, -1.0, 1.0, nan, 2.5]
    x = [0.0, 1.0, 0.0, 1.0, inf, inf, 1.0, -1.0, 1.0, 0.7]

    def run(lib):
        return getattr(lib, name)(lib.tensor(a, dtype=lib.float64),
                                  lib.tensor(x, dtype=lib.float64)).numpy()
    np.testing.assert_allclose(run(tl), run(torch), rtol=1e-12, equal_nan=True)
