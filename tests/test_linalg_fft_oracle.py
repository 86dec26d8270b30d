"""torch.linalg, torch.fft and the QR helpers against real PyTorch: values, gradients, and the
exception types and messages of bad input (a differential sweep's findings)."""

import math

import numpy as np
import pytest

import torchlike
from tests._oracle import assert_same_error, import_torch

torch = import_torch()


def _np(t):
    return t.detach().resolve_conj().numpy() if hasattr(t, "resolve_conj") else t.detach().numpy()


def _close(want, got, tol=1e-5):
    assert tuple(got.shape) == tuple(want.shape)
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_allclose(_np(got), _np(want), rtol=tol, atol=tol)


def _both(call):
    return call(torch), call(torchlike)


_RNG = np.random.default_rng(0)
_A = _RNG.standard_normal((2, 3, 3))
_M = _RNG.standard_normal((4, 3))


def _t(lib, arr, dtype="float64", requires_grad=False):
    return lib.tensor(arr, dtype=getattr(lib, dtype), requires_grad=requires_grad)


# ---------------------------------------------------------------- norms
@pytest.mark.parametrize("call", [
    lambda l: l.linalg.norm(l.ones(3, 3), "fro", -1),  # a string ord is a matrix norm
    lambda l: l.linalg.norm(l.ones(3, 3), "nuc", (0,)),
    lambda l: l.linalg.norm(l.ones(3), "fro"),
    lambda l: l.linalg.norm(l.ones(2, 2, 2), dim=(0, 1, 2)),
    lambda l: l.linalg.norm(l.ones(2, 2, 2), 2),
    lambda l: l.norm(l.ones(2, 2, 2), "nuc"),  # every dim, as PyTorch
    lambda l: l.norm(l.ones(2, 2, 2), "nuc", 1),
    lambda l: l.linalg.matrix_norm(l.ones(2, 2, 2), dim=(1, -2)),
    lambda l: l.linalg.matrix_norm(l.ones(2, 2), 3),
    lambda l: l.linalg.matrix_norm(l.ones(2, 2, dtype=l.complex64), dtype=l.float64),
    lambda l: l.linalg.matrix_norm(l.ones(2, 2, dtype=l.float64), 1, dtype=l.float32),
    lambda l: l.linalg.matrix_norm(l.ones(2, 2), out=l.empty((), dtype=l.float64)),
    lambda l: l.linalg.vector_norm(l.ones(3), "fro"),
    lambda l: l.linalg.vector_norm(l.ones(3, dtype=l.int64)),
])
def test_norm_errors(call):
    assert_same_error(call, torch, torchlike)


def test_norm_dispatch_values():
    for call in (lambda l: l.linalg.norm(_t(l, _A), None, (0, 2)),
                 lambda l: l.linalg.norm(_t(l, _A), 2, (0, 2)),
                 lambda l: l.linalg.norm(_t(l, _A), "nuc", (2, 0), True),
                 lambda l: l.linalg.norm(_t(l, _A[0]), -math.inf),
                 lambda l: l.linalg.matrix_norm(_t(l, _A, "complex128"), 1,
                                                dtype=l.complex128)):
        _close(*_both(call))


@pytest.mark.parametrize("shape", [(0, 3), (3, 0)])
def test_matrix_norm_of_empty(shape):
    # the max-based orders give 0; the min-based ones raise amin's IndexError
    for ord in (2, 1, math.inf, "nuc", -1, -math.inf, -2):
        for dim in ((-2, -1), (-1, -2)):
            for keepdim in (False, True):
                def call(lib):
                    return lib.linalg.matrix_norm(lib.ones(shape), ord, dim, keepdim)
                try:
                    want = call(torch)
                except IndexError:
                    assert_same_error(call, torch, torchlike)
                    continue
                _close(want, call(torchlike))


# ---------------------------------------------------------------- dtypes PyTorch refuses
_LOW = [
    lambda l, A, b: l.linalg.det(A), lambda l, A, b: l.linalg.slogdet(A),
    lambda l, A, b: l.logdet(A), lambda l, A, b: l.linalg.inv(A),
    lambda l, A, b: l.linalg.inv_ex(A), lambda l, A, b: l.linalg.matrix_power(A, -1),
    lambda l, A, b: l.linalg.qr(A), lambda l, A, b: l.linalg.svd(A),
    lambda l, A, b: l.linalg.svdvals(A), lambda l, A, b: l.linalg.eig(A),
    lambda l, A, b: l.linalg.eigvals(A), lambda l, A, b: l.linalg.eigh(A),
    lambda l, A, b: l.linalg.eigvalsh(A), lambda l, A, b: l.linalg.cholesky(A),
    lambda l, A, b: l.linalg.cholesky_ex(A), lambda l, A, b: l.linalg.pinv(A),
    lambda l, A, b: l.linalg.matrix_rank(A), lambda l, A, b: l.linalg.solve(A, b),
    lambda l, A, b: l.linalg.solve_triangular(A, b, upper=True),
    lambda l, A, b: l.linalg.lstsq(A, b), lambda l, A, b: l.linalg.lu(A),
    lambda l, A, b: l.linalg.lu_factor(A), lambda l, A, b: l.linalg.cond(A),
    lambda l, A, b: l.linalg.cond(A, 1), lambda l, A, b: l.linalg.matrix_norm(A, "nuc"),
    lambda l, A, b: l.linalg.matrix_norm(A, -2, dtype=l.float64),
    lambda l, A, b: l.cholesky_solve(b, A), lambda l, A, b: l.cholesky_inverse(A),
    lambda l, A, b: l.triangular_solve(b, A), lambda l, A, b: l.linalg.tensorinv(A, 1),
    lambda l, A, b: l.linalg.vander(A[0]), lambda l, A, b: l.linalg.householder_product(A, A[0]),
    lambda l, A, b: l.geqrf(A),
]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_low_precision_refused(dtype):
    for f in _LOW:
        assert_same_error(lambda l: f(l, l.eye(3, dtype=getattr(l, dtype)),
                                      l.ones(3, 1, dtype=getattr(l, dtype))), torch, torchlike)


@pytest.mark.parametrize("call", [
    lambda l, A: l.linalg.eigh(A), lambda l, A: l.linalg.eigvalsh(A),
    lambda l, A: l.linalg.eigh(A, "X"),  # (UPLO is checked first)
    lambda l, A: l.linalg.eig(A), lambda l, A: l.linalg.eigvals(A),
    lambda l, A: l.linalg.pinv(A), lambda l, A: l.linalg.matrix_rank(A),
    lambda l, A: l.linalg.inv_ex(A), lambda l, A: l.linalg.svdvals(A),
    lambda l, A: l.linalg.cholesky_ex(A), lambda l, A: l.logdet(A),
    lambda l, A: l.cholesky(A), lambda l, A: l.linalg.matrix_power(A, -1),
    lambda l, A: l.linalg.vander(A[0] > 0),
])
def test_integer_input_refused(call):
    assert_same_error(lambda l: call(l, l.eye(3, dtype=l.int64)), torch, torchlike)


@pytest.mark.parametrize("call", [
    lambda l: l.cholesky(l.ones(3, 4)), lambda l: l.linalg.cholesky_ex(l.ones(3, 4)),
    lambda l: l.linalg.inv_ex(l.ones(3, 4)),
])
def test_names_in_shape_errors(call):
    assert_same_error(call, torch, torchlike)


# ---------------------------------------------------------------- failures: LinAlgError & info
def _singular(lib):
    return lib.stack([lib.eye(3), lib.diag(lib.tensor([1.0, 0.0, 1.0]))])


def _not_pd(lib):
    return lib.stack([lib.eye(3), lib.tensor([[1.0, 2, 3], [2, 4, 5], [3, 5, 1]])])


@pytest.mark.parametrize("call", [
    lambda l: l.linalg.inv(_singular(l)), lambda l: l.linalg.inv(_singular(l)[1]),
    lambda l: l.linalg.inv_ex(_singular(l), check_errors=True),
    lambda l: l.linalg.solve(_singular(l), l.ones(2, 3)),
    lambda l: l.linalg.solve_ex(_singular(l), l.ones(2, 3), check_errors=True),
    lambda l: l.linalg.lu_factor(_singular(l)),
    lambda l: l.linalg.lu_factor_ex(_singular(l), check_errors=True),
    lambda l: l.linalg.matrix_power(_singular(l)[1], -2),
    lambda l: l.linalg.cholesky(_not_pd(l)), lambda l: l.linalg.cholesky(_not_pd(l)[1]),
    lambda l: l.linalg.cholesky(_not_pd(l)[1], upper=True),
    lambda l: l.linalg.cholesky_ex(_not_pd(l), check_errors=True),
    lambda l: l.cholesky(_not_pd(l)),
])
def test_failure_messages(call):
    # PyTorch's exception is torch.linalg.LinAlgError (or RuntimeError for lu_factor), with
    # "(Batch element i): " for a batched input and LAPACK's info in the message
    with pytest.raises(RuntimeError) as want:
        call(torch)
    with pytest.raises(RuntimeError) as got:
        call(torchlike)
    assert str(got.value) == str(want.value)
    assert (type(want.value).__name__ == "_LinAlgError") == isinstance(
        got.value, torchlike.linalg.LinAlgError)


def test_info_outputs():
    for call in (lambda l: l.linalg.inv_ex(_singular(l)).info,
                 lambda l: l.linalg.solve_ex(_singular(l), l.ones(2, 3)).info,
                 lambda l: l.linalg.lu_factor_ex(_singular(l)).info,
                 lambda l: l.linalg.cholesky_ex(_not_pd(l)).info,
                 # the order of the first leading minor that is not positive-definite
                 lambda l: l.linalg.cholesky_ex(l.tensor([[4.0, 2, 0], [2, 1, 0], [0, 0, 1]])).info,
                 lambda l: l.linalg.cholesky_ex(l.tensor([[1.0, math.nan], [math.nan, 1.0]])).info):
        want, got = _both(call)
        np.testing.assert_array_equal(_np(got), _np(want))
        assert got.dtype is torchlike.int32


def test_empty_matrices():
    for call in (lambda l: l.linalg.inv(l.eye(0)), lambda l: l.inverse(l.ones(2, 0, 0)),
                 lambda l: l.linalg.inv_ex(l.eye(0)).info, lambda l: l.linalg.cholesky(l.eye(0)),
                 lambda l: l.linalg.cholesky_ex(l.ones(2, 0, 0)).info,
                 lambda l: l.cholesky_inverse(l.linalg.cholesky(l.eye(0)))):
        _close(*_both(call))


# ---------------------------------------------------------------- geqrf, householder_product, ormqr
@pytest.mark.parametrize("dtype", ["float64", "complex128"])
def test_geqrf_householder_ormqr(dtype):
    M = _M if dtype == "float64" else _M + 1j * _M[::-1]
    C = np.arange(8.0).reshape(4, 2)
    for call in (lambda l: l.geqrf(_t(l, M, dtype)).a,
                 lambda l: _t(l, M, dtype).geqrf().tau,
                 lambda l: l.linalg.householder_product(*l.geqrf(_t(l, M, dtype))),
                 lambda l: l.orgqr(l.geqrf(_t(l, M, dtype)).a, l.geqrf(_t(l, M, dtype)).tau[:1]),
                 lambda l: l.ormqr(*l.geqrf(_t(l, M, dtype)), _t(l, C, dtype)),
                 lambda l: l.ormqr(*l.geqrf(_t(l, M, dtype)), _t(l, C.T, dtype), left=False,
                                   transpose=True)):
        _close(*_both(call), tol=1e-10)


def test_householder_ormqr_gradients():
    def call(lib):
        a = _t(lib, _M, requires_grad=True)
        tau = _t(lib, [0.5, 1.2, 0.7], requires_grad=True)
        c = _t(lib, np.arange(8.0).reshape(4, 2), requires_grad=True)
        q = lib.linalg.householder_product(a, tau)
        r = lib.ormqr(a, tau, c, transpose=True)
        ((q * q.detach()).sum() + (r * r.detach()).sum()).backward()
        return q, a.grad, tau.grad, c.grad
    for want, got in zip(*_both(call)):
        _close(want, got, tol=1e-10)


@pytest.mark.parametrize("call", [
    lambda l: l.linalg.householder_product(l.ones(3), l.ones(1)),
    lambda l: l.linalg.householder_product(l.ones(2, 3), l.ones(1)),
    lambda l: l.linalg.householder_product(l.ones(3, 2), l.ones(3)),
    lambda l: l.linalg.householder_product(l.ones(3, 2), l.ones(1, 1)),
    lambda l: l.linalg.householder_product(l.ones(2, 3, 2), l.ones(3, 1)),
    lambda l: l.linalg.householder_product(l.ones(3, 2), l.ones(1, dtype=l.float64)),
    lambda l: l.linalg.householder_product(l.ones(3, 2, dtype=l.int64), l.ones(1, dtype=l.int64)),
    lambda l: l.geqrf(l.ones(3)), lambda l: l.geqrf(l.ones(3, 3, dtype=l.int64)),
    lambda l: l.ormqr(l.ones(3, 2), l.ones(2), l.ones(2, 3)),
    lambda l: l.ormqr(l.ones(3, 2), l.ones(2), l.ones(3, 2), left=False),
    lambda l: l.ormqr(l.ones(3, 2), l.ones(3), l.ones(3, 3)),
    lambda l: l.ormqr(l.ones(4, 2), l.ones(1), l.ones(4, 3)),
    lambda l: l.ormqr(l.ones(3), l.ones(2), l.ones(3, 3)),
    lambda l: l.ormqr(l.ones(3, 2), l.ones(2), l.ones(3)),
    lambda l: l.ormqr(l.ones(3, 2), l.ones(2, dtype=l.float64), l.ones(3, 3)),
    lambda l: l.ormqr(l.ones(3, 2), l.ones(2), l.ones(3, 3, dtype=l.float64)),
    lambda l: l.ormqr(l.ones(2, 3, 2), l.ones(3, 2), l.ones(2, 3, 3)),
    lambda l: l.ormqr(l.ones(2, 3, 2), l.ones(2, 2), l.ones(3, 3, 3)),
])
def test_householder_errors(call):
    assert_same_error(call, torch, torchlike)


# ---------------------------------------------------------------- fft
def test_irfftn_minus_one_is_the_default_length():
    x = _RNG.standard_normal((2, 4, 6)) + 1j
    for call in (lambda l: l.fft.irfft2(_t(l, x, "complex128"), s=(8, -1)),
                 lambda l: l.fft.irfftn(_t(l, x, "complex128"), s=(-1, 8, -1))):
        _close(*_both(call), tol=1e-10)


_X = _RNG.standard_normal((2, 4, 6))


@pytest.mark.parametrize("fname", ["hfft2", "ihfft2", "hfftn", "ihfftn"])
def test_hermitian_nd_transforms(fname):
    x = _X if fname.startswith("i") else _X + 1j * _X[:, ::-1]
    dtype = "float64" if fname.startswith("i") else "complex128"
    for kw in ({}, {"s": (3, 8), "dim": (0, 2), "norm": "ortho"}, {"norm": "forward"}):
        def call(lib):
            t = _t(lib, x, dtype, requires_grad=True)
            y = getattr(lib.fft, fname)(t, **kw)
            w = _t(lib, np.arange(y.numel()).reshape(y.shape) % 5, "float64")
            (y * w).abs().sum().backward()
            return y, t.grad
        for want, got in zip(*_both(call)):
            _close(want, got, tol=1e-8)


@pytest.mark.parametrize("call", [
    lambda l: l.fft.rfft2(l.ones(2, 4, dtype=l.complex64)),
    lambda l: l.fft.rfftn(l.ones(2, 4, dtype=l.complex64), s=(3,), dim=(0, 1)),
    lambda l: l.fft.ihfft2(l.ones(2, 4, dtype=l.complex64)),
    lambda l: l.fft.ihfftn(l.ones(2, 4, dtype=l.complex64), s=(3,), dim=(0, 1)),
    lambda l: l.fft.rfft(l.ones(4, dtype=l.complex64)),
    lambda l: l.fft.hfftn(l.ones(4, 4), dim=(0, 0)),
])
def test_fft_errors(call):
    assert_same_error(call, torch, torchlike)


# ---------------------------------------------------------------- solves
@pytest.mark.parametrize("driver", [None, "gels", "gelsd", "gelss"])
def test_lstsq_drivers(driver):
    # gels gives residuals when m > n; gelsd and gelss also the rank and singular values
    M = _RNG.standard_normal((2, 4, 3))
    B = _RNG.standard_normal((2, 4, 2))
    for b in (B, B[..., 0]):
        want, got = _both(lambda l: l.linalg.lstsq(_t(l, M), _t(l, b), driver=driver))
        for w, g in zip(want, got):
            _close(w, g, tol=1e-8)


@pytest.mark.parametrize("call", [
    lambda l: l.linalg.solve(l.eye(3), l.ones(3), left=False),
    lambda l: l.linalg.solve(l.ones(1, 1), l.ones(1), left=False),
    lambda l: l.linalg.solve(l.eye(3), l.ones(4)),
    lambda l: l.linalg.solve_triangular(l.eye(3, dtype=l.int64), l.ones(3, 1), upper=True),
    lambda l: l.linalg.cond(l.eye(3, dtype=l.int64), 1),
])
def test_solve_errors(call):
    assert_same_error(call, torch, torchlike)


def test_solve_triangular_promotes_an_integer_b():
    _close(*_both(lambda l: l.linalg.solve_triangular(
        _t(l, np.triu(_A[0]) + 3 * np.eye(3), "float32"), l.ones(3, 1, dtype=l.int64), upper=True)))


@pytest.mark.parametrize("call", [
    lambda l: l.linalg.lstsq(l.eye(3, dtype=l.int64), l.ones(3, 1, dtype=l.int64)),
    lambda l: l.linalg.lstsq(l.eye(3), l.ones(3, 1, dtype=l.float64)),
    lambda l: l.linalg.lstsq(l.ones(3), l.ones(3)),
    lambda l: l.cholesky_solve(l.ones(3, 1, dtype=l.int64), l.eye(3, dtype=l.int64)),
    lambda l: l.cholesky_solve(l.ones(3, 1, dtype=l.float64), l.eye(3)),
    lambda l: l.cholesky_inverse(l.eye(3, dtype=l.int64)),
    lambda l: l.triangular_solve(l.ones(3, 1, dtype=l.int64), l.eye(3, dtype=l.int64)),
    lambda l: l.linalg.lu_solve(l.eye(3), l.ones(3, dtype=l.int64), l.ones(3, 1)),
    lambda l: l.linalg.lu_solve(l.eye(3), l.ones(3, dtype=l.int32), l.ones(3)),
    lambda l: l.linalg.lu(l.eye(3), pivot=False),
    lambda l: l.linalg.vander(l.tensor([1.0, 2.0]), N=1),
    lambda l: l.linalg.vander(l.tensor(2.0)),
])
def test_more_input_errors(call):
    assert_same_error(call, torch, torchlike)


def test_solve_triangular_dtype_and_triangular_solve_broadcast():
    U = np.triu(_A[0]) + 3 * np.eye(3)
    for call in (lambda l: l.linalg.solve_triangular(  # (computed in A's dtype)
                     _t(l, U, "float32"), l.ones(3, 1, dtype=l.float64), upper=True),
                 lambda l: l.triangular_solve(l.ones(2, 3, 1), _t(l, U, "float32"))[1],
                 lambda l: l.triangular_solve(l.ones(2, 3, 1), _t(l, U, "float32"))[0]):
        _close(*_both(call))


_MIXED = {
    "addmm_self": lambda L, t: L.addmm(t(3, 3, L.bfloat16), t(3, 3), t(3, 3)),
    "addmm_mat1": lambda L, t: L.addmm(t(3, 3), t(3, 3, L.bfloat16), t(3, 3)),
    "addmm_mat2": lambda L, t: L.addmm(t(3, 3), t(3, 3), t(3, 3, L.bfloat16)),
    "mm": lambda L, t: L.mm(t(3, 3, L.bfloat16), t(3, 3)),
    "matmul_3d": lambda L, t: L.matmul(t(2, 3, 3), t(3, 3, L.float64)),
    "bmm": lambda L, t: L.bmm(t(1, 3, 3), t(1, 3, 3, L.float64)),
    "baddbmm": lambda L, t: L.baddbmm(t(1, 3, 3), t(1, 3, 3), t(1, 3, 3, L.float64)),
    "tensordot": lambda L, t: L.tensordot(t(3, 3), t(3, 3, L.float64), 1),
    "einsum": lambda L, t: L.einsum("ij,jk->ik", t(3, 3), t(3, 3, L.float64)),
    "linear_weight": lambda L, t: L.nn.functional.linear(t(2, 3), t(4, 3, L.float64)),
    "linear_bias": lambda L, t: L.nn.functional.linear(t(2, 3), t(4, 3), t(4, L.float64)),
    "linear_3d": lambda L, t: L.nn.functional.linear(t(2, 2, 3), t(4, 3, L.float64)),
    "Linear_double_input": lambda L, t: L.nn.Linear(3, 2)(t(2, 3, L.float64)),
}


@pytest.mark.parametrize("name", _MIXED)
def test_matrix_products_refuse_mixed_dtypes(name):
    # PyTorch's matrix-product kernels take one dtype; the message names the operands
    def call(L):
        return _MIXED[name](L, lambda *s: L.ones(*s[:-1], dtype=s[-1]) if isinstance(
            s[-1], L.dtype) else L.ones(*s))
    assert_same_error(call, torch, torchlike)
