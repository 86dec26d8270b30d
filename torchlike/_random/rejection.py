"""PyTorch's rejection samplers (Distributions.cpp): poisson, _standard_gamma, binomial.

That file is compiled without FMA contraction, so plain double arithmetic matches it; where
its scalar_t is float, the float steps are rounded to float32 as PyTorch's are.
"""

from __future__ import annotations

import math

import numpy as np

from torchlike._random import _fpmath as fp
from torchlike._random.sampling import (
    _cast,
    _dtype_name,
    _f32,
    _f64,
    _is_float,
    normal_scalar,
    uniform_floats,
)

# ---- poisson --------------------------------------------------------------------------------


def poisson(gen, rates: np.ndarray) -> np.ndarray:
    """``torch.poisson``: PyTorch's (NumPy-derived) sampler, element by element in order."""
    rates = np.asarray(rates)
    dt = rates.dtype
    if not _is_float(dt):
        raise NotImplementedError(f"\"poisson_cpu\" not implemented for '{_dtype_name(dt)}'")
    out = np.empty(rates.size, dtype=_f64)
    for i, lam in enumerate(rates.reshape(-1).astype(_f64).tolist()):
        out[i] = _sample_poisson(gen, lam)
    return _cast(out, dt).reshape(rates.shape)


def _uniform1(gen) -> float:
    return float(uniform_floats(gen, 1, _f64)[0])


def _sample_poisson(gen, lam: float) -> int:
    # Distributions.cpp is compiled without FMA, so plain double arithmetic matches it.
    if not lam >= 0:
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    if lam >= 10:
        slam = math.sqrt(lam)
        loglam = float(fp.log(np.array([lam]))[0])
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            U = _uniform1(gen) - 0.5
            V = _uniform1(gen)
            us = 0.5 - abs(U)
            k = math.floor((2 * a / us + b) * U + lam + 0.43)
            if us >= 0.07 and V <= vr:
                return k
            if k < 0 or (us < 0.013 and V > us):
                continue
            lhs = (_clog(V) + _clog(invalpha)) - _clog(a / (us * us) + b)
            if lhs <= -lam + k * loglam - fp.lgamma(k + 1.0):
                return k
    if lam == 0:
        return 0
    enlam = float(fp.exp(np.array([-lam]))[0])
    x = 0
    prod = 1.0
    while True:
        prod *= _uniform1(gen)
        if prod > enlam:
            x += 1
        else:
            return x


def _clog(v: float) -> float:
    return float(fp.log(np.array([v]))[0]) if v > 0 else (-math.inf if v == 0 else math.nan)


# ---- gamma and binomial (Distributions.cpp, compiled without FMA) -------------------------------


def _scalar_type(dt: np.dtype):
    """The kernel's scalar_t arithmetic: float32 for float inputs, Python float for double."""
    return np.float32 if dt != _f64 else float


def standard_gamma(gen, alpha: np.ndarray) -> np.ndarray:
    """``torch._standard_gamma``: Marsaglia-Tsang per element, normals from the cached sampler."""
    alpha = np.asarray(alpha)
    dt = alpha.dtype
    if dt not in (_f32, _f64):
        raise NotImplementedError(f"\"gamma_cpu\" not implemented for '{_dtype_name(dt)}'")
    st = _scalar_type(dt)
    out = np.empty(alpha.size, dtype=dt)
    tiny = np.finfo(dt).tiny
    for i, a in enumerate(alpha.reshape(-1).tolist()):
        out[i] = max(tiny, st(_sample_gamma(gen, st(a), st)))
    return out.reshape(alpha.shape)


def _sample_gamma(gen, alpha, st) -> float:
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        scale *= math.pow(1.0 - _uniform1(gen), float(st(1.0) / alpha))
        alpha = st(alpha + st(1.0))
    # 1.0f / 3.0f is a float constant, whatever scalar_t is.
    d = float(st(alpha - st(np.float32(1.0) / np.float32(3.0))))
    c = 1.0 / math.sqrt(9.0 * d)
    k331 = float(np.float32(0.0331))
    while True:
        while True:
            x = float(normal_scalar(gen, 1)[0])
            y = 1.0 + c * x
            if not y <= 0:
                break
        v = y * y * y
        u = 1.0 - _uniform1(gen)
        xx = x * x
        if u < 1.0 - k331 * xx * xx:
            return scale * d * v
        if _clog(u) < 0.5 * xx + d * ((1.0 - v) + _clog(v)):
            return scale * d * v


_STIRLING_TAIL = [
    0.0810614667953272,
    0.0413406959554092,
    0.0276779256849983,
    0.02079067210376509,
    0.0166446911898211,
    0.0138761288230707,
    0.0118967099458917,
    0.0104112652619720,
    0.00925546218271273,
    0.00833056343336287,
]


def _stirling_tail(k: float) -> float:
    if k < len(_STIRLING_TAIL):
        return _STIRLING_TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def binomial(gen, count: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """``torch.binomial``: BTRS or inversion per element, as PyTorch (after TensorFlow)."""
    count, prob = np.asarray(count), np.asarray(prob)
    dt = count.dtype
    if dt not in (_f32, _f64):
        raise NotImplementedError(f"\"binomial_cpu\" not implemented for '{_dtype_name(dt)}'")
    st = _scalar_type(dt)
    shape = np.broadcast_shapes(count.shape, prob.shape)
    cs = np.broadcast_to(count, shape).reshape(-1).tolist()
    ps = np.broadcast_to(prob.astype(dt), shape).reshape(-1).tolist()
    out = np.empty(len(cs), dtype=dt)
    for i, (n, p) in enumerate(zip(cs, ps)):
        out[i] = _sample_binomial(gen, st(n), st(p), st)
    return out.reshape(shape)


def _sample_binomial(gen, count, prob, st):
    if count <= 0.0 or prob <= 0.0:
        return 0
    if prob >= 1.0:
        return count
    if prob <= 0.5:
        if count * prob >= 10.0:
            return _btrs(gen, count, prob, st)
        return _binomial_inversion(gen, count, prob, st)
    qprob = st(1.0 - float(prob))
    if count * qprob >= 10.0:
        return st(count - _btrs(gen, count, qprob, st))
    return st(count - _binomial_inversion(gen, count, qprob, st))


def _log1p_scalar(x, st) -> float:
    if st is float:
        return math.log1p(x)
    # std::log1p(float) is the C library's log1pf.
    return float(fp.log1pf(np.float32(x)))


def _binomial_inversion(gen, count, prob, st):
    geom_sum = 0.0
    num_geom = st(0)
    logprob = _log1p_scalar(-prob, st)
    while True:
        geom = math.ceil(_clog(_uniform1(gen)) / logprob)
        geom_sum += geom
        if geom_sum > count:
            break
        num_geom = st(num_geom + 1)
    return num_geom


def _btrs(gen, count, prob, st):
    stddev = float(np.sqrt(st(st(count * prob) * st(1 - prob))))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * float(prob)
    c = float(st(count * prob)) + 0.5
    v_r = 0.92 - 4.2 / b
    r = float(st(prob / st(1 - prob)))
    alpha = (2.83 + 5.1 / b) * stddev
    m = float(math.floor(st(st(count + 1) * prob)))
    cnt = float(count)
    while True:
        U = _uniform1(gen) - 0.5
        V = _uniform1(gen)
        us = 0.5 - abs(U)
        k = st(math.floor((2 * a / us + b) * U + c))
        if k < 0 or k > count:
            continue
        if us >= 0.07 and V <= v_r:
            return k
        V = _clog(V * alpha / (a / (us * us) + b))
        kf = float(k)
        cmk = float(st(count - k))
        upperbound = (
            (m + 0.5) * _clog((m + 1) / (r * (cnt - m + 1)))
            + float(st(count + 1)) * _clog((cnt - m + 1) / float(st(cmk + 1)))
            + (kf + 0.5) * _clog(r * float(st(cmk + 1)) / float(st(k + 1)))
            + _stirling_tail(m)
            + _stirling_tail(cnt - m)
            - _stirling_tail(kf)
            - _stirling_tail(cmk)
        )
        if V <= upperbound:
            return k
