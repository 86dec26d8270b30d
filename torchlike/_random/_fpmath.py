"""Floating-point building blocks that round exactly as PyTorch's compiled CPU kernels do.

PyTorch's kernels are built with GCC's default floating-point contraction (a*b + c becomes one
fused multiply-add), call the C library's libm, and on x86 use the Cephes-based
``avx_mathfun.h`` for the vectorised float32 Box-Muller. Reproducing their numbers bit for bit
needs each of those roundings, in numpy.
"""

from __future__ import annotations

import math

import numpy as np

_f32 = np.float32
_f64 = np.float64
_INF = np.inf


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """s + e == a + b exactly, s = fl(a + b) (Knuth)."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = a * 134217729.0  # 2**27 + 1 (Veltkamp)
    hi = t - (t - a)
    return hi, a - hi


def _two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """p + e == a * b exactly, p = fl(a * b) (Dekker)."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def _round_to_odd(s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """The double next to the exact s + e whose last bit is odd, or s itself when e == 0.

    Rounding to odd first and to nearest afterwards rounds once, exactly (Boldo & Melquiond).
    """
    even = (s.view(np.int64) & 1) == 0
    fix = (e != 0) & even
    if not fix.any():
        return s
    return np.where(fix, np.nextafter(s, np.where(e > 0, _INF, -_INF)), s)


def fma64(a, b, c) -> np.ndarray:
    """Correctly rounded float64 a * b + c."""
    a, b, c = (np.asarray(v, dtype=_f64) for v in (a, b, c))
    if b.ndim == 0 and c.ndim == 0 and b == 1.0 and c == 0.0:
        return a + 0.0  # a * 1 + 0, as the FMA rounds it
    ph, pl = _two_prod(a, b)
    th, tl = _two_sum(c, ph)
    v, ve = _two_sum(tl, pl)
    r = th + _round_to_odd(v, ve)
    # Non-finite operands: the plain expression already has the IEEE result.
    bad = ~np.isfinite(r) | ~np.isfinite(ph)
    if bad.any():
        r = np.where(bad, a * b + c, r)
    return r


def fma32(a, b, c, tiny=True) -> np.ndarray:
    """Correctly rounded float32 a * b + c (the product is exact in float64).

    ``tiny=False`` promises no result below float32's normal range (other than zero).
    """
    if np.ndim(b) == 0 and np.ndim(c) == 0 and b == 1 and c == 0:
        return np.asarray(a, dtype=_f32) + _f32(0)  # a * 1 + 0, as the FMA rounds it
    a64 = np.asarray(a, dtype=_f32).astype(_f64)
    b64 = np.asarray(b, dtype=_f32).astype(_f64)
    c64 = np.asarray(c, dtype=_f32).astype(_f64)
    s = a64 * b64
    s += c64
    with np.errstate(over="ignore", invalid="ignore"):
        r = s.astype(_f32)
    # Rounding the double sum to float32 is exact unless the sum landed exactly on a float32
    # tie (or below float32's normal range); redo only those with an exact rounding.
    bits = s.view(np.int64)
    slow = (bits & 0x1FFFFFFF) == 0x10000000
    if tiny:
        slow |= np.abs(s) < 2.0**-125
    if slow.any():
        idx = np.nonzero(slow)
        aa, bb, cc = (np.broadcast_to(v, s.shape)[idx] for v in (a64, b64, c64))
        ss, e = _two_sum(aa * bb, cc)
        with np.errstate(over="ignore", invalid="ignore"):
            r[idx] = _round_to_odd(ss, np.where(np.isfinite(ss), e, 0.0)).astype(_f32)
    return r


# ---- the C library's double-precision functions ------------------------------------------------
#
# CPython's math module calls the platform libm, as PyTorch's kernels do; numpy has its own SIMD
# versions of some functions that differ in the last bit. Each function uses numpy where numpy
# agrees with libm on a probe set, and libm element by element otherwise.

_PROBE = None
_CHOICE: dict[str, bool] = {}


def _probe(kind: str) -> np.ndarray:
    global _PROBE
    if _PROBE is None:
        bits = np.random.Generator(np.random.MT19937(20240531)).integers(0, 1 << 53, 4096)
        _PROBE = bits.astype(_f64) * 2.0**-53
    u = _PROBE
    return {
        "log": 1.0 - u,
        "log1p": -u,
        "sin": 2 * np.pi * u,
        "cos": 2 * np.pi * u,
        "tan": np.pi * (u - 0.5),
        "exp": (u - 0.5) * 16,
    }[kind]


def _libm(name: str, x: np.ndarray) -> np.ndarray:
    mfn = getattr(math, name)
    use_np = _CHOICE.get(name)
    if use_np is None:
        p = _probe(name)
        use_np = bool(
            np.array_equal(getattr(np, name)(p), np.fromiter(map(mfn, p.tolist()), _f64, p.size))
        )
        _CHOICE[name] = use_np
    x = np.asarray(x, dtype=_f64)
    if use_np:
        with np.errstate(all="ignore"):
            return getattr(np, name)(x)
    return _map(mfn, x)


def _map(mfn, x: np.ndarray) -> np.ndarray:
    flat = x.reshape(-1)
    try:
        out = np.fromiter(map(mfn, flat.tolist()), _f64, flat.size)
    except (ValueError, OverflowError):
        out = np.array([_safe(mfn, v) for v in flat.tolist()], dtype=_f64)
    return out.reshape(x.shape)


def _safe(mfn, v: float) -> float:
    # math raises where C returns inf/nan; give C's answer.
    try:
        return mfn(v)
    except OverflowError:
        return math.inf
    except ValueError:
        if mfn is math.log or mfn is math.log1p:
            return -math.inf if v == (0.0 if mfn is math.log else -1.0) else math.nan
        return math.nan


def log(x):
    return _libm("log", x)


def log1p(x):
    return _libm("log1p", x)


def exp(x):
    return _libm("exp", x)


def sin(x):
    return _libm("sin", x)


def cos(x):
    return _libm("cos", x)


def tan(x):
    return _libm("tan", x)


def lgamma(x: float) -> float:
    """The C library's lgamma (CPython's math.lgamma is its own approximation), one value."""
    lib = _libm_ctypes()
    if lib is None:
        return math.lgamma(x)
    return lib.lgamma(x)


# ---- avx_mathfun.h (Cephes) float32 log and sincos, as PyTorch's AVX2 kernels compute them ----
#
# Constants are Cephes' single-precision coefficients. GCC fuses each "y = y * x; y = y + c"
# pair into one FMA, so the Horner steps below are fused; a multiplication whose result is
# multiplied again stays a separate rounding.

_LOG_P = [
    7.0376836292e-2,
    -1.1514610310e-1,
    1.1676998740e-1,
    -1.2420140846e-1,
    1.4249322787e-1,
    -1.6668057665e-1,
    2.0000714765e-1,
    -2.4999993993e-1,
    3.3333331174e-1,
]
_LOG_Q1 = _f32(-2.12194440e-4)
_LOG_Q2 = _f32(0.693359375)
_SQRTHF = _f32(0.707106781186547524)

_DP1 = _f32(-0.78515625)
_DP2 = _f32(-2.4187564849853515625e-4)
_DP3 = _f32(-3.77489497744594108e-8)
_SINCOF = [_f32(-1.9515295891e-4), _f32(8.3321608736e-3), _f32(-1.6666654611e-1)]
_COSCOF = [
    _f32(2.443315711809948e-005),
    _f32(-1.388731625493765e-003),
    _f32(4.166664568298827e-002),
]
_FOPI = _f32(1.27323954473516)


def cephes_log_ps(x: np.ndarray) -> np.ndarray:
    """log256_ps for positive normal float32 inputs."""
    x = np.asarray(x, dtype=_f32)
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(_f32) + _f32(1)
    # mantissa in [0.5, 1)
    m = ((bits & ~0x7F800000) | np.int32(0x3F000000)).view(_f32)
    small = m < _SQRTHF
    e = e - np.where(small, _f32(1), _f32(0))
    m = (m - _f32(1)) + np.where(small, m, _f32(0))
    z = m * m
    y = np.full_like(m, _f32(_LOG_P[0]))
    for c in _LOG_P[1:]:
        y = fma32(y, m, _f32(c), tiny=False)
    # "y = y * z; y = y + e * q1": GCC fuses the first product into the addition.
    y = fma32(y * m, z, e * _LOG_Q1, tiny=False)
    y = y - z * _f32(0.5)
    return fma32(e, _LOG_Q2, m + y, tiny=False)


def cephes_sincos_ps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sincos256_ps for non-negative float32 inputs (the Box-Muller angles)."""
    x = np.asarray(x, dtype=_f32)
    j = (x * _FOPI).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_f32)
    sin_neg = (j & 4) != 0
    poly_sin = (j & 2) == 0  # the sine comes from the sine polynomial
    cos_neg = ((~(j - 2)) & 4) != 0
    x = fma32(y, _DP1, x, tiny=False)
    x = fma32(y, _DP2, x, tiny=False)
    x = fma32(y, _DP3, x, tiny=False)
    z = x * x
    yc = fma32(_COSCOF[0], z, _COSCOF[1], tiny=False)
    yc = fma32(yc, z, _COSCOF[2], tiny=False)
    yc = fma32(yc * z, z, -(z * _f32(0.5)))
    yc = yc + _f32(1)
    ys = fma32(_SINCOF[0], z, _SINCOF[1], tiny=False)
    ys = fma32(ys, z, _SINCOF[2], tiny=False)
    ys = fma32(ys * z, x, x, tiny=False)
    s = np.where(poly_sin, ys, yc)
    c = np.where(poly_sin, yc, ys)
    s = np.where(sin_neg, -s, s)
    c = np.where(cos_neg, -c, c)
    return s, c


_LIBM = None


def _libm_ctypes():
    """The C math library through ctypes, or None where it cannot be found."""
    global _LIBM
    if _LIBM is None:
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("m")
        try:
            lib = ctypes.CDLL(name) if name else None
        except OSError:
            lib = None
        if lib is not None:
            lib.log1pf.restype = ctypes.c_float
            lib.log1pf.argtypes = [ctypes.c_float]
            lib.lgamma.restype = ctypes.c_double
            lib.lgamma.argtypes = [ctypes.c_double]
        _LIBM = lib or False
    return _LIBM or None


def log1pf(x: np.float32) -> np.float32:
    """The C library's float log1p (``std::log1p(float)``), one value."""
    lib = _libm_ctypes()
    if lib is None:
        return np.float32(math.log1p(float(x)))  # correctly rounded in practice
    return np.float32(lib.log1pf(float(x)))
