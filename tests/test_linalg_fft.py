"""torch.linalg, torch.fft and torch.special against real PyTorch: values, dtypes, gradients,
and the exception types of bad input (same harness as the op table)."""

import numpy as np
import pytest

import torchlike as tl
import torchlike.fft
import torchlike.linalg
import torchlike.special  # until torchlike/__init__.py imports them
from tests._oracle import import_torch
from tests.test_ops_table import F32, F64, I64, P, R, run_case

torch = import_torch()

_RNG = np.random.default_rng(99)


def SPD(n, dtype=F64, batch=()):
    """A well-conditioned symmetric positive-definite matrix."""
    a = _RNG.standard_normal(batch + (n, n))
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(dtype)


def M(*shape, dtype=F64):
    """A random, well-conditioned (diagonally dominant) square or rectangular matrix."""
    a = _RNG.standard_normal(shape)
    k = min(shape[-2:])
    a[..., range(k), range(k)] += 3 * np.sign(a[..., range(k), range(k)])
    return a.astype(dtype)


def C(*shape, dtype=np.complex128):
    return (_RNG.standard_normal(shape) + 1j * _RNG.standard_normal(shape)).astype(dtype)


CASES = []


def case(name, fn, *inputs, grad=True, rtol=None, atol=None):
    CASES.append(pytest.param(fn, inputs, grad, rtol, atol, id=name))


def _sym(m, a):
    # built in the graph so gradients are the same whatever triangle a routine reads
    return a + a.mT


# ------------------------------------------------------------------ torch.linalg
for _o in (None, 0, 1, 2, 3, float("inf"), float("-inf"), 0.5):
    case(f"vector_norm-{_o}", lambda m, x, o=_o: (m.linalg.vector_norm(x, 2 if o is None else o),
                                                    m.linalg.vector_norm(x, 2 if o is None else o, dim=1)),
         R(3, 4), grad=_o != 0)
case("vector_norm-dims-keepdim", lambda m, x: m.linalg.vector_norm(x, 2, (0, 2), keepdim=True), R(2, 3, 2))
case("vector_norm-dtype", lambda m, x: m.linalg.vector_norm(x, dtype=m.float64), R(3))
case("vector_norm-complex", lambda m, x: m.linalg.vector_norm(x), C(3))
for _o in ("fro", "nuc", 1, -1, 2, -2, float("inf"), float("-inf")):
    case(f"matrix_norm-{_o}", lambda m, x, o=_o: m.linalg.matrix_norm(x, o), M(2, 3, 4))
case("matrix_norm-dims-keepdim", lambda m, x: m.linalg.matrix_norm(x, "fro", (0, 2), keepdim=True),
     R(2, 3, 4))
case("matrix_norm-nuc-keepdim", lambda m, x: m.linalg.matrix_norm(x, "nuc", (2, 0), keepdim=True),
     M(3, 2, 3))
case("norm-default", lambda m, x: (m.linalg.norm(x), m.linalg.norm(x, dim=1), m.linalg.norm(x, 1)),
     R(3, 3))
case("norm-matrix-ord", lambda m, x: (m.linalg.norm(x, "fro"), m.linalg.norm(x, float("inf")),
                                      m.linalg.norm(x, 2, dim=(0, 1))), M(3, 3))
case("norm-vector-ord", lambda m, x: m.linalg.norm(x, 3), R(4))
case("norm-f32", lambda m, x: m.linalg.norm(x, "nuc"), M(3, 3, dtype=F32), rtol=1e-4, atol=1e-5)
case("inv", lambda m, a: (m.linalg.inv(a), a.inverse()), M(3, 3))
case("inv-batched-f32", lambda m, a: m.linalg.inv(a), M(2, 3, 3, dtype=F32), rtol=1e-4, atol=1e-5)
case("inv_ex", lambda m, a: m.linalg.inv_ex(a), M(3, 3), grad=False)
case("det", lambda m, a: (m.linalg.det(a), a.det()), M(2, 3, 3))
case("det-f32", lambda m, a: m.linalg.det(a), M(3, 3, dtype=F32), rtol=1e-4, atol=1e-5)
case("slogdet", lambda m, a: (m.linalg.slogdet(a), a.slogdet(), a.logdet()), M(3, 3) * -1)
case("slogdet-batched", lambda m, a: m.linalg.slogdet(a), M(2, 3, 3))
case("solve-matrix", lambda m, a, b: m.linalg.solve(a, b), M(3, 3), R(3, 2, dtype=F64))
case("solve-vector", lambda m, a, b: m.linalg.solve(a, b), M(3, 3), R(3, dtype=F64))
case("solve-batched-vector", lambda m, a, b: m.linalg.solve(a, b), M(2, 3, 3), R(2, 3, dtype=F64))
case("solve-broadcast", lambda m, a, b: m.linalg.solve(a, b), M(3, 3), R(2, 3, 2, dtype=F64))
case("solve-left-false", lambda m, a, b: m.linalg.solve(a, b, left=False), M(3, 3), R(2, 3, dtype=F64))
case("solve_ex", lambda m, a, b: m.linalg.solve_ex(a, b), M(3, 3), R(3, 2, dtype=F64), grad=False)
case("cholesky", lambda m, a: (m.linalg.cholesky(a), m.linalg.cholesky(a, upper=True)), SPD(3))
case("cholesky-batched", lambda m, a: m.linalg.cholesky(a), SPD(3, batch=(2,)))
case("cholesky-sym-grad", lambda m, a: m.linalg.cholesky(a @ a.mT + 3 * m.eye(3, dtype=m.float64)),
     R(3, 3, dtype=F64))
case("cholesky_ex", lambda m, a: m.linalg.cholesky_ex(a), SPD(3), grad=False)
case("cholesky-method", lambda m, a: a.cholesky(), SPD(3))
for _up in (True, False):
    case(f"solve_triangular-upper={_up}", lambda m, a, b, u=_up: (
        m.linalg.solve_triangular(a, b, upper=u),
        m.linalg.solve_triangular(a, b, upper=u, unitriangular=True),
        m.linalg.solve_triangular(a, b.mT, upper=u, left=False)), M(3, 3), M(2, 3, 2))
    # the factor is built in the graph: the gradient reaches the triangle that is read
    case(f"cholesky_solve-upper={_up}", lambda m, l, b, u=_up: (
        m.cholesky_solve(b, l.triu() if u else l.tril(), upper=u),
        m.cholesky_inverse(l.triu() if u else l.tril(), upper=u)), M(3, 3), M(2, 3, 2))
case("solve_triangular-mixed-dtype", lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True),
     M(3, 3), M(3, 2, dtype=F32))
case("qr-reduced", lambda m, a: m.linalg.qr(a), M(4, 3))
case("qr-wide", lambda m, a: m.linalg.qr(a), M(2, 4), grad=False)
case("qr-complete", lambda m, a: m.linalg.qr(a, "complete"), M(4, 3), grad=False)
case("qr-r", lambda m, a: m.linalg.qr(a, "r")[1], M(4, 3), grad=False)
case("qr-legacy", lambda m, a: a.qr(), M(3, 3))
case("svdvals", lambda m, a: m.linalg.svdvals(a), M(2, 4, 3))
def _svd_parts(u, s, vh):
    # sign-invariant functions of the singular vectors
    return s, (u * s[..., None, :]) @ vh, u * u, vh * vh


case("svd-reconstruct", lambda m, a: _svd_parts(*m.linalg.svd(a, full_matrices=False)), M(4, 3))
case("svd-full", lambda m, a: [t.abs() for t in m.linalg.svd(a)], M(4, 3), grad=False)
case("svd-legacy", lambda m, a: [t * t for t in a.svd()], M(3, 4))
def _eig_parts(w, v):
    return w, v * v.conj()


case("eigh", lambda m, a: _eig_parts(*m.linalg.eigh(_sym(m, a))), R(4, 4, dtype=F64))
case("eigh-upper", lambda m, a: _eig_parts(*m.linalg.eigh(a, "U")), R(3, 3, dtype=F64))
case("eigvalsh", lambda m, a: (m.linalg.eigvalsh(_sym(m, a)), m.linalg.eigvalsh(a, UPLO="U")),
     R(2, 3, 3, dtype=F64))
case("eigvals", lambda m, a: m.linalg.eigvals(a), M(3, 3), grad=False)
case("eig", lambda m, a: _eig_parts(*m.linalg.eig(a)), M(3, 3), grad=False)
case("eig-symmetric-f32", lambda m, a: m.linalg.eig(a + a.mT)[0], M(3, 3, dtype=F32), grad=False,
     rtol=1e-4, atol=1e-5)
case("pinv", lambda m, a: (m.linalg.pinv(a), a.pinverse()), M(4, 3))
case("pinv-rank-deficient", lambda m, a: m.linalg.pinv(a[:, :1] * a[:1, :]), M(3, 3), grad=False)
case("pinv-hermitian", lambda m, a: m.linalg.pinv(_sym(m, a), hermitian=True), R(3, 3, dtype=F64))
case("pinv-atol", lambda m, a: (m.linalg.pinv(a, atol=2.5), m.linalg.pinv(a, rtol=0.5)), M(3, 3),
     grad=False)
case("lstsq", lambda m, a, b: m.linalg.lstsq(a, b), M(4, 3), R(4, 2, dtype=F64))
case("lstsq-batched", lambda m, a, b: m.linalg.lstsq(a, b).solution, M(2, 4, 3), R(2, 4, 2, dtype=F64))
case("matrix_rank", lambda m, a: (m.linalg.matrix_rank(a), m.linalg.matrix_rank(a[:, :1] * a[:1, :]),
                                  m.linalg.matrix_rank(a, atol=3.0), m.linalg.matrix_rank(_sym(m, a), hermitian=True)),
     M(3, 3))
for _k in (0, 1, 3, -2):
    case(f"matrix_power-{_k}", lambda m, a, k=_k: (m.linalg.matrix_power(a, k), a.matrix_power(k)), M(2, 3, 3))
case("matrix_power-int", lambda m, a: m.linalg.matrix_power(a, 3), np.array([[1, 2], [3, 4]], I64))
case("matrix_exp", lambda m, a: (m.linalg.matrix_exp(a), a.matrix_exp()), R(2, 3, 3, dtype=F64) / 2)
case("cross", lambda m, a, b: (m.linalg.cross(a, b), m.linalg.cross(a, b, dim=0)), R(3, 3), R(3, 3))
case("cross-broadcast", lambda m, a, b: m.linalg.cross(a, b), R(2, 3), R(1, 3))
case("vecdot", lambda m, a, b: (m.linalg.vecdot(a, b), m.linalg.vecdot(a, b, dim=0)), R(3, 4), R(4))
case("vecdot-complex", lambda m, a, b: m.linalg.vecdot(a, b), C(2, 3), C(3), grad=False)
case("multi_dot", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), R(3), R(3, 4), R(4, 2))
case("multi_dot-1d-both", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), R(3), R(3, 4), R(4))
case("linalg-matmul-diagonal", lambda m, a, b: (m.linalg.matmul(a, b), m.linalg.diagonal(a)), R(3, 3), R(3, 2))

# ------------------------------------------------------------------ torch.fft
for _f in ("fft", "ifft"):
    case(f"{_f}-real", lambda m, x, f=_f: getattr(m.fft, f)(x), R(2, 5))
    case(f"{_f}-complex", lambda m, x, f=_f: getattr(m.fft, f)(x, dim=0), C(4, 3), grad=False)
    case(f"{_f}-n-pad-trim", lambda m, x, f=_f: (getattr(m.fft, f)(x, n=8), getattr(m.fft, f)(x, n=3)),
         R(5, dtype=F64))
    for _nm in ("ortho", "forward", "backward"):
        case(f"{_f}-norm-{_nm}", lambda m, x, f=_f, nm=_nm: getattr(m.fft, f)(x, norm=nm), R(6))
case("fft-int", lambda m, x: m.fft.fft(x), np.array([1, 2, 3, 4], I64))
case("fft-view", lambda m, x: m.fft.fft(x.t()), R(3, 4))
case("rfft", lambda m, x: (m.fft.rfft(x), m.fft.rfft(x, n=6, dim=0, norm="ortho")), R(5, 4))
case("irfft", lambda m, x: (m.fft.irfft(m.fft.rfft(x)), m.fft.irfft(m.fft.rfft(x), n=7, norm="forward")),
     R(3, 6))
case("hfft-ihfft", lambda m, x: (m.fft.ihfft(x), m.fft.hfft(m.fft.ihfft(x)), m.fft.hfft(m.fft.ihfft(x), n=5)),
     R(2, 6, dtype=F64))
for _f in ("fft2", "ifft2", "fftn", "ifftn"):
    case(f"{_f}", lambda m, x, f=_f: getattr(m.fft, f)(x), R(2, 3, 4))
    case(f"{_f}-s-dim", lambda m, x, f=_f: getattr(m.fft, f)(x, s=(4, 2), dim=(0, 2), norm="ortho"),
         R(2, 3, 4, dtype=F64))
case("fftn-s-only", lambda m, x: m.fft.fftn(x, s=(2, 5)), R(2, 3, 4))
case("fftn-dim-only", lambda m, x: m.fft.fftn(x, dim=1), R(2, 3, 4))
case("rfft2-irfft2", lambda m, x: (m.fft.rfft2(x), m.fft.irfft2(m.fft.rfft2(x), s=(3, 4))), R(2, 3, 4))
case("rfftn-irfftn", lambda m, x: (m.fft.rfftn(x, norm="forward"),
                                   m.fft.irfftn(m.fft.rfftn(x), s=(2, 3, 6))), R(2, 3, 6))
case("fft-complex64", lambda m, x: m.fft.ifftn(x), C(2, 3, dtype=np.complex64), grad=False)
case("fftfreq", lambda m: (m.fft.fftfreq(5), m.fft.fftfreq(6, d=0.5), m.fft.rfftfreq(7, 2.0),
                           m.fft.fftfreq(4, dtype=m.float64)))
case("fftshift", lambda m, x: (m.fft.fftshift(x), m.fft.ifftshift(x), m.fft.fftshift(x, dim=1),
                               m.fft.ifftshift(x, dim=(0,))), R(3, 5))

# ------------------------------------------------------------------ torch.special
_SPECIAL = {
    "expit": R, "logit": lambda *s: R(*s, lo=0.1, hi=0.9), "erf": R, "erfc": R, "erfcx": P,
    "erfinv": lambda *s: R(*s, lo=-0.9, hi=0.9), "gammaln": P, "digamma": P, "psi": P, "i0": R,
    "i0e": R, "i1": R, "i1e": R, "ndtr": R, "ndtri": lambda *s: R(*s, lo=0.1, hi=0.9),
    "log_ndtr": R, "sinc": R, "entr": P, "exp2": R, "expm1": R, "log1p": P,
    "bessel_j0": lambda *s: R(*s, lo=-8, hi=8), "bessel_j1": lambda *s: R(*s, lo=-8, hi=8),
    "spherical_bessel_j0": lambda *s: R(*s, lo=-5, hi=5),
}
_NO_GRAD = ("bessel_j0", "bessel_j1", "spherical_bessel_j0", "i1e", "erfcx")
for _n, _s in _SPECIAL.items():
    case(f"special-{_n}", lambda m, x, n=_n: getattr(m.special, n)(x), _s(2, 3).astype(F64),
         grad=_n not in _NO_GRAD, rtol=1e-6, atol=1e-7)
    case(f"special-{_n}-f32", lambda m, x, n=_n: getattr(m.special, n)(x), _s(4), grad=False,
         rtol=1e-4, atol=1e-5)
for _n in ("expit", "erf", "i0", "ndtr", "log1p", "bessel_j0", "entr", "i1"):
    case(f"special-{_n}-int", lambda m, x, n=_n: getattr(m.special, n)(x), np.array([0, 1, 2], I64),
         rtol=1e-5, atol=1e-6)
case("special-entr-edge", lambda m, x: m.special.entr(x), np.array([0.0, -1.0, 0.5], F64), grad=False)
case("special-xlogy", lambda m, x, y: (m.special.xlogy(x, y), m.special.xlog1py(x, y)),
     np.array([0.0, 1.0, 2.0], F64), np.array([0.0, 2.0, 3.0], F64), grad=False)
case("special-xlog1py-grad", lambda m, x, y: m.special.xlog1py(x, y), R(3, dtype=F64), P(3).astype(F64))
case("special-polygamma", lambda m, x: (m.special.polygamma(1, x), m.special.polygamma(2, x)),
     P(3).astype(F64), rtol=1e-6)
case("special-multigammaln", lambda m, x: m.special.multigammaln(x, 3), R(3, lo=2, hi=4).astype(F64))
case("special-multigammaln-domain", lambda m, x: m.special.multigammaln(x, 3), np.ones(2), grad=False)
case("special-zeta", lambda m, x, q: m.special.zeta(x, q), R(3, lo=1.5, hi=4).astype(F64),
     P(3).astype(F64), grad=False, rtol=1e-6)
case("special-gammainc", lambda m, a, x: (m.special.gammainc(a, x), m.special.gammaincc(a, x)),
     P(3).astype(F64), P(3).astype(F64), grad=False, rtol=1e-6)
case("special-softmax", lambda m, x: (m.special.softmax(x, 1), m.special.log_softmax(x, 0),
                                      m.special.logsumexp(x, 1)), R(2, 3))
case("special-round", lambda m, x: m.special.round(x), R(4) * 5, grad=False)

# ------------------------------------------------------------------ torch.stft / torch.istft
_HANN = {n: (lambda m, n=n: m.hann_window(n)) for n in (8, 10, 16)}
case("stft-hann", lambda m, x: m.view_as_real(m.stft(x, 16, 4, window=_HANN[16](m),
                                                      return_complex=True)), R(2, 50))
case("stft-short-window-constant-pad-normalized", lambda m, x: m.view_as_real(
    m.stft(x, 16, 5, win_length=10, window=_HANN[10](m), pad_mode="constant", normalized=True,
           return_complex=True)), R(41))
case("stft-not-centered-twosided", lambda m, x: m.view_as_real(
    m.stft(x, 8, window=_HANN[8](m), center=False, onesided=False, return_complex=True)), R(2, 50))
case("istft-roundtrip", lambda m, x: (
    m.istft(m.stft(x, 16, 4, window=_HANN[16](m), return_complex=True) * 2, 16, 4,
            window=_HANN[16](m)),
    m.istft(m.stft(x, 10, 3, win_length=8, window=_HANN[8](m), normalized=True,
                   return_complex=True), 10, 3, win_length=8, window=_HANN[8](m),
            normalized=True, length=45)), R(2, 50))


@pytest.mark.parametrize("fn,inputs,grad,rtol,atol", CASES)
def test_linalg_fft_special(fn, inputs, grad, rtol, atol):
    run_case(fn, inputs, grad, rtol, atol, None)


# ------------------------------------------------------------------ exception types
_A = np.array([[1.0, 2.0], [2.0, 4.0]])
ERRORS = [
    ("inv-singular", lambda m: m.linalg.inv(m.tensor(_A))),
    ("inv-nonsquare", lambda m: m.linalg.inv(m.ones(2, 3))),
    ("inv-1d", lambda m: m.linalg.inv(m.ones(3))),
    ("inv-int", lambda m: m.linalg.inv(m.eye(2, dtype=m.int64))),
    ("det-nonsquare", lambda m: m.linalg.det(m.ones(2, 3))),
    ("solve-singular", lambda m: m.linalg.solve(m.tensor(_A), m.ones(2, dtype=m.float64))),
    ("solve-shape", lambda m: m.linalg.solve(m.eye(3), m.ones(2))),
    ("solve-dtype", lambda m: m.linalg.solve(m.eye(2), m.ones(2, dtype=m.float64))),
    ("cholesky-not-pd", lambda m: m.linalg.cholesky(-m.eye(2))),
    ("cholesky-not-pd-minor", lambda m: m.linalg.cholesky(m.tensor(_A))),
    ("matrix_norm-bad-ord", lambda m: m.linalg.matrix_norm(m.eye(2), 3)),
    ("matrix_norm-1d", lambda m: m.linalg.matrix_norm(m.ones(3))),
    ("vector_norm-int", lambda m: m.linalg.vector_norm(m.ones(3, dtype=m.int64))),
    ("norm-3d-ord", lambda m: m.linalg.norm(m.ones(2, 2, 2), 2)),
    ("qr-bad-mode", lambda m: m.linalg.qr(m.eye(2), "full")),
    ("eigh-bad-uplo", lambda m: m.linalg.eigh(m.eye(2), "X")),
    ("cross-not-3", lambda m: m.linalg.cross(m.ones(2), m.ones(2))),
    ("multi_dot-one", lambda m: m.linalg.multi_dot([m.eye(2)])),
    ("multi_dot-shape", lambda m: m.linalg.multi_dot([m.eye(2), m.eye(3)])),
    ("matrix_power-nonsquare", lambda m: m.linalg.matrix_power(m.ones(2, 3), 2)),
    ("lstsq-shape", lambda m: m.linalg.lstsq(m.ones(3, 2), m.ones(2, 1))),
    ("fft-bad-norm", lambda m: m.fft.fft(m.ones(4), norm="bad")),
    ("fft-bad-dim", lambda m: m.fft.fft(m.ones(4), dim=1)),
    ("rfft-complex", lambda m: m.fft.rfft(m.ones(4, dtype=m.complex64))),
    ("fft-bad-n", lambda m: m.fft.fft(m.ones(4), n=0)),
    ("fftn-dup-dims", lambda m: m.fft.fftn(m.ones(2, 2), dim=(0, 0))),
    ("polygamma-neg", lambda m: m.special.polygamma(-1, m.ones(2))),
    ("stft-no-return_complex", lambda m: m.stft(m.ones(40), 8, window=m.hann_window(8))),
    ("stft-window-size", lambda m: m.stft(m.ones(40), 8, window=m.ones(5), return_complex=True)),
    ("stft-too-short", lambda m: m.stft(m.ones(20), 64, window=m.ones(64), return_complex=True)),
    ("istft-real", lambda m: m.istft(m.ones(5, 4), 8)),
    ("istft-freq-size", lambda m: m.istft(m.ones(2, 9, 13, dtype=m.complex64), 8)),
    ("istft-nola", lambda m: m.istft(m.ones(9, 13, dtype=m.complex64), 16, 4,
                                     window=m.hann_window(16, periodic=False), center=False)),
    ("solve_triangular-1d", lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(3), upper=True)),
    ("solve_triangular-shape", lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(2, 3),
                                                                    upper=True)),
    ("solve_triangular-nonsquare", lambda m: m.linalg.solve_triangular(m.ones(3, 4), m.ones(3, 2),
                                                                        upper=True)),
    ("cholesky_solve-1d", lambda m: m.cholesky_solve(m.ones(3), m.eye(3))),
    ("cholesky_solve-shape", lambda m: m.cholesky_solve(m.ones(4, 2), m.eye(3))),
    ("cholesky_inverse-nonsquare", lambda m: m.cholesky_inverse(m.ones(3, 4))),
]


@pytest.mark.parametrize("fn", [pytest.param(f, id=n) for n, f in ERRORS])
def test_error_types(fn):
    with pytest.raises(Exception) as ei:
        fn(torch)
    base = next(k for k in type(ei.value).__mro__ if k.__module__ == "builtins")
    with pytest.raises(base):
        fn(tl)


def test_linalg_error_class():
    with pytest.raises(tl.linalg.LinAlgError):
        tl.linalg.inv(tl.tensor(_A))
    assert issubclass(tl.linalg.LinAlgError, RuntimeError)


def test_return_type_fields():
    a = M(3, 3)
    for name, fields in (("slogdet", ("sign", "logabsdet")), ("eigh", ("eigenvalues", "eigenvectors")),
                         ("qr", ("Q", "R")), ("svd", ("U", "S", "Vh")),
                         ("lstsq", ("solution", "residuals", "rank", "singular_values"))):
        args = (tl.tensor(a),) if name != "lstsq" else (tl.tensor(a), tl.tensor(a))
        targs = (torch.tensor(a),) if name != "lstsq" else (torch.tensor(a), torch.tensor(a))
        g = getattr(tl.linalg, name)(*args)
        e = getattr(torch.linalg, name)(*targs)
        assert type(g).__name__ == type(e).__name__
        for f in fields:
            assert hasattr(g, f) and hasattr(e, f)
