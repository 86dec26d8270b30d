"""PyTorch's CPU sampling kernels in numpy: same draws from the stream, same roundings.

Each function takes a :class:`~torchlike._random.generator.Generator` and numpy dtypes and
returns a numpy array whose bits equal what PyTorch's CPU kernel writes, and leaves the
generator in the state PyTorch's would be in. From ``_COMPILED_MIN`` float32 numbers on,
uniform_ and normal_ run the same arithmetic compiled by XLA (torchlike._random.compiled).

The target is PyTorch 2.13 on x86-64 with AVX2 or AVX512 (PyTorch runs its normal kernel's
AVX2 build there; both fuse a*b + c into one FMA, which is emulated exactly). Checked against
torch 2.13 on an AMD EPYC and torch 2.11 on an Intel Xeon, where all agree except that 2.11
drew half/bfloat16 rand/randn differently (2.13 draws them in float). Known differences:

- Other CPUs (e.g. ARM, or x86 without AVX2) run PyTorch's scalar Box-Muller for float32
  normals of 16+ elements; torchlike always gives the AVX2 kernel's numbers.
- PyTorch builds with MKL on Intel CPUs may draw ``bernoulli_(float p)`` from MKL's stream
  (not so in torch 2.11 or 2.13 as checked); torchlike uses the mt19937 path.
- ``multinomial`` without replacement breaks ties between equal keys (only possible among
  zero-probability categories) by index, where PyTorch's topk order is libstdc++'s.
"""

from __future__ import annotations

import math
import warnings

import ml_dtypes
import numpy as np

from torchlike._random import _fpmath as fp
from torchlike._random import _memory, compiled

_f32 = np.dtype(np.float32)
_f64 = np.dtype(np.float64)
_f16 = np.dtype(np.float16)
_bf16 = np.dtype(ml_dtypes.bfloat16)
_REDUCED = (_f16, _bf16)
_FLOATS = (_f16, _bf16, _f32, _f64)
_DIGITS = {_f16: 11, _bf16: 8, _f32: 24, _f64: 53}
_TWO_PI = 2.0 * math.pi  # c10::pi<double> doubled, exact
_TWO_PI_F = np.float32(2.0 * math.pi)


def _fmt(x) -> str:
    # C++ ostream's default formatting of a double, as in PyTorch's messages.
    return f"{float(x):g}"


def _dtype_name(dt: np.dtype) -> str:
    return {
        "float16": "Half",
        "bfloat16": "BFloat16",
        "float32": "Float",
        "float64": "Double",
        "int8": "Char",
        "uint8": "Byte",
        "int16": "Short",
        "int32": "Int",
        "int64": "Long",
        "bool": "Bool",
        "uint16": "UInt16",
        "uint32": "UInt32",
        "uint64": "UInt64",
        "complex64": "ComplexFloat",
        "complex128": "ComplexDouble",
    }[np.dtype(dt).name]


def _cpp_name(dt: np.dtype) -> str:
    # The C++ type names PyTorch's bound checks print.
    return {
        "bool": "bool",
        "uint8": "unsigned char",
        "int8": "signed char",
        "int16": "short int",
        "int32": "int",
        "int64": "long int",
        "uint16": "short unsigned int",
        "uint32": "unsigned int",
        "uint64": "long unsigned int",
        "float16": "c10::Half",
        "bfloat16": "c10::BFloat16",
        "float32": "float",
        "float64": "double",
        "complex64": "c10::complex<float>",
        "complex128": "c10::complex<double>",
    }[np.dtype(dt).name]


_ALL_TYPES = {
    np.dtype(t) for t in (np.uint8, np.int8, np.int16, np.int32, np.int64, np.float32, np.float64)
}


def _require(dt: np.dtype, kernel: str, extra=()) -> None:
    """PyTorch's AT_DISPATCH_ALL_TYPES_AND(extra...) for a kernel: other dtypes raise."""
    if dt not in _ALL_TYPES and dt not in {np.dtype(e) for e in extra}:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype_name(dt)}'")


def _numel(shape) -> int:
    return int(np.prod(shape, dtype=np.int64)) if len(shape) else 1


def _is_float(dt: np.dtype) -> bool:
    return dt in _FLOATS


def _cast(x: np.ndarray, dt: np.dtype) -> np.ndarray:
    """static_cast<scalar_t>(value) from the kernel's float or double."""
    dt = np.dtype(dt)
    if dt in _REDUCED and x.dtype == _f64:
        # c10::Half and c10::BFloat16 are built from float: a double rounds twice.
        x = x.astype(_f32)
    if dt == np.bool_:
        return x != 0
    if dt.kind in "iu" and x.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            return x.astype(dt)
    return x.astype(dt, copy=False)


def uniform_floats(gen, n: int, dt: np.dtype) -> np.ndarray:
    """``uniform_real_distribution<T>(0, 1)`` draws: 24 random bits for float, 53 for double."""
    if dt == _f64:
        return (gen._random64(n) & np.uint64((1 << 53) - 1)).astype(_f64) * 2.0**-53
    out = _memory.empty(n, _f32)
    pos = 0
    for w in gen._random_chunks(n):
        # In place in each (cache-sized) piece, then one write into the result. The 24-bit
        # integers convert to float exactly, and scaling by 2**-24 is exact.
        np.bitwise_and(w, np.uint32((1 << 24) - 1), out=w)
        np.multiply(
            w.view(np.int32),
            np.float32(2.0**-24),
            out=out[pos : pos + w.size],
            dtype=_f32,
            casting="unsafe",
        )
        pos += w.size
    return out


# Long chains of numpy operations run several times faster on cache-sized pieces.
_CHUNK = 1 << 16

# From this many float32 samples on, the compiled kernels (torchlike._random.compiled) replace
# the numpy emulation: below it, compiling one (once, about 0.3 s) would cost more than it saves.
_COMPILED_MIN = 1 << 16


def _chunked(fn, x: np.ndarray, *args) -> np.ndarray:
    """``fn(x, *args)`` applied elementwise-independently, piece by piece (x is 1-D)."""
    if x.size <= _CHUNK:
        return fn(x, *args)
    out = np.empty(x.shape, dtype=x.dtype)
    for i in range(0, x.size, _CHUNK):
        out[i : i + _CHUNK] = fn(x[i : i + _CHUNK], *args)
    return out


def _real(dt: np.dtype) -> tuple[np.dtype, int]:
    """Complex tensors are filled through view_as_real: the float dtype and the element factor."""
    if dt.kind == "c":
        return (_f32 if dt == np.complex64 else _f64), 2
    return dt, 1


def _as_complex(x: np.ndarray, dt: np.dtype, shape) -> np.ndarray:
    return x.reshape(-1).view(dt).reshape(shape) if dt.kind == "c" else x.reshape(shape)


# ---- uniform_ -------------------------------------------------------------------------------


def _finfo(dt: np.dtype):
    return ml_dtypes.finfo(dt) if dt == _bf16 else np.finfo(dt)


def uniform(gen, shape, dtype, from_: float = 0.0, to: float = 1.0) -> np.ndarray:
    """``Tensor.uniform_(from, to)`` (``torch.rand`` is ``uniform_(0, 1)``)."""
    odt = np.dtype(dtype)
    dt, k = _real(odt)
    if not _is_float(dt):
        raise NotImplementedError(
            f"\"check_uniform_bounds\" not implemented for '{_dtype_name(dt)}'"
        )
    from_, to = float(from_), float(to)
    fi = _finfo(dt)
    lo, hi = float(fi.min), float(fi.max)
    name = _cpp_name(dt)
    if not lo <= from_ <= hi:
        raise RuntimeError(f"from is out of bounds for {name}")
    if not lo <= to <= hi:
        raise RuntimeError(f"to is out of bounds for {name}")
    if not from_ <= to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={_fmt(from_)} > to={_fmt(to)}"
        )
    if not (to - from_) <= hi:
        raise RuntimeError(
            f"uniform_ expects to-from <= std::numeric_limits<{_dtype_name(dt)}>::max(), but found "
            f"to={_fmt(to)} and from={_fmt(from_)} which result in to-from to exceed the limit"
        )
    n = _numel(shape) * k
    if dt == _f64:
        x = uniform_floats(gen, n, _f64)
        v = _chunked(fp.fma64, x, to - from_, from_)
        v = np.where(v == to, from_, v)
    else:
        f, t = np.float32(from_), np.float32(to)
        if dt == _f32 and not (f == 0 and t == 1) and n >= _COMPILED_MIN:
            v = compiled.uniform(gen._random_chunks, n, from_, to)
            if v is not None:
                return _as_complex(v, odt, shape)
        x = uniform_floats(gen, n, _f32)
        if f == 0 and t == 1:
            v = _cast(x, dt)  # x * 1 + 0 == x: torch.rand
        else:
            v = _cast(_chunked(fp.fma32, x, t - f, f), dt)
        # The float result may round up to `to` in a narrower dtype; PyTorch maps it to `from`.
        to_s, from_s = _cast(np.array([to]), dt), _cast(np.array([from_]), dt)
        if dt in _REDUCED or not (f == 0 and t == 1):
            v = np.where(v == to_s, from_s, v)
    return _as_complex(v, odt, shape)


# ---- normal_ --------------------------------------------------------------------------------


def _fill16_f32(u: np.ndarray, mean: np.float32, std: np.float32) -> np.ndarray:
    # NormalFill16<float> for AVX2 (avx_mathfun's log and sincos): first 8 of each 16 are
    # the radii's uniforms, last 8 the angles'.
    d = u.reshape(-1, 16)
    radius = np.sqrt(np.float32(-2) * fp.cephes_log_ps(np.float32(1) - d[:, :8]))
    s, c = fp.cephes_sincos_ps(_TWO_PI_F * d[:, 8:])
    out = np.empty_like(d)
    out[:, :8] = fp.fma32(radius * c, std, mean)
    out[:, 8:] = fp.fma32(radius * s, std, mean)
    return out.reshape(-1)


def _fill16_f64(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    d = u.reshape(-1, 16)
    radius = np.sqrt(-2.0 * fp.log(1.0 - d[:, :8]))
    theta = _TWO_PI * d[:, 8:]
    out = np.empty_like(d)
    out[:, :8] = fp.fma64(radius * fp.cos(theta), std, mean)
    out[:, 8:] = fp.fma64(radius * fp.sin(theta), std, mean)
    return out.reshape(-1)


def normal_scalar(gen, n: int, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """``n`` draws of ``normal_distribution<double>``: Box-Muller pairs, the spare one cached."""
    out = np.empty(n, dtype=_f64)
    if n == 0:
        return out
    i = 0
    if gen._next_double_normal is not None:
        out[0] = gen._next_double_normal
        gen._next_double_normal = None
        i = 1
    m = n - i
    pairs = (m + 1) // 2
    if pairs:
        x = uniform_floats(gen, 2 * pairs, _f64)
        u1, u2 = x[0::2], x[1::2]
        r = np.sqrt(-2.0 * fp.log1p(-u2))
        theta = _TWO_PI * u1
        z = np.empty(2 * pairs, dtype=_f64)
        z[0::2] = r * fp.cos(theta)
        z[1::2] = r * fp.sin(theta)
        out[i:] = z[:m]
        if m % 2:
            gen._next_double_normal = float(z[-1])
    return fp.fma64(out, std, mean)


def normal(
    gen, shape, dtype, mean: float = 0.0, std: float = 1.0, contiguous: bool = True
) -> np.ndarray:
    """``Tensor.normal_(mean, std)`` (``torch.randn`` is ``normal_(0, 1)``).

    Contiguous tensors of 16 or more elements use the vectorised Box-Muller fill; smaller or
    strided ones draw element by element through ``normal_distribution<double>``.
    """
    odt = np.dtype(dtype)
    mean, std = float(mean), float(std)
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    dt, k = _real(odt)
    if k == 2:
        std = std / math.sqrt(2)
    if not _is_float(dt):
        raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for '{_dtype_name(dt)}'")
    n = _numel(shape) * k
    if n == 0:
        return np.empty(shape, dtype=odt)
    if n >= 16 and contiguous:
        kdt = _f64 if dt == _f64 else _f32
        fill = _fill16_f64 if kdt == _f64 else _fill16_f32
        mu, sd = (mean, std) if kdt == _f64 else (np.float32(mean), np.float32(std))
        full = n // 16 * 16
        # float and double draw every element first; half and bfloat16 only whole blocks.
        count = n if dt == kdt else full
        data = None
        if kdt == _f32 and full >= _COMPILED_MIN:
            data = compiled.normal(gen._random_chunks, count, mu, sd)
        if data is None:
            data = uniform_floats(gen, count, kdt)
            data[:full] = _chunked(fill, data[:full], mu, sd)
        if dt != kdt:
            data = np.concatenate([data, np.zeros(n - full, kdt)])
        if n % 16:
            data[n - 16 :] = fill(uniform_floats(gen, 16, kdt), mu, sd)
        v = _cast(data, dt)
    else:
        v = _cast(normal_scalar(gen, n, mean, std), dt)
    return _as_complex(v, odt, shape)


def log_normal(gen, shape, dtype, mean: float = 1.0, std: float = 2.0) -> np.ndarray:
    """``Tensor.log_normal_(mean, std)``: exp of ``normal_distribution<double>`` draws."""
    dt = np.dtype(dtype)
    if not float(std) > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    if not _is_float(dt):
        raise NotImplementedError(f"\"log_normal_cpu\" not implemented for '{_dtype_name(dt)}'")
    n = _numel(shape)
    return _cast(fp.exp(normal_scalar(gen, n, float(mean), float(std))), dt).reshape(shape)


# ---- exponential_, geometric_, cauchy_ --------------------------------------------------------


def exponential(gen, shape, dtype, lambd: float = 1.0) -> np.ndarray:
    """``Tensor.exponential_(lambd)``: -1/lambd * log1p(-u) in double."""
    dt = np.dtype(dtype)
    lambd = float(lambd)
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    if not _is_float(dt):
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {_dtype_name(dt)}"
        )
    u = uniform_floats(gen, _numel(shape), _f64)
    return _cast((-1.0 / lambd) * fp.log1p(-u), dt).reshape(shape)


def geometric(gen, shape, dtype, p: float) -> np.ndarray:
    """``Tensor.geometric_(p)``: ceil(log(u) / log1p(-p)) in double."""
    dt = np.dtype(dtype)
    p = float(p)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    _require(dt, "geometric_cpu", (_f16, _bf16))
    u = uniform_floats(gen, _numel(shape), _f64)
    with np.errstate(divide="ignore"):
        v = np.ceil(fp.log(u) / fp.log1p(np.array([-p]))[0])
    return _cast(v, dt).reshape(shape)


def cauchy(gen, shape, dtype, median: float = 0.0, sigma: float = 1.0) -> np.ndarray:
    """``Tensor.cauchy_(median, sigma)``: median + sigma * tan(pi * (u - 1/2)) in double."""
    dt = np.dtype(dtype)
    if not float(sigma) > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}")
    if not _is_float(dt):
        raise RuntimeError(
            "Cauchy distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {_cpp_name(dt)}"
        )
    u = uniform_floats(gen, _numel(shape), _f64)
    v = fp.fma64(float(sigma), fp.tan(math.pi * (u - 0.5)), float(median))
    return _cast(v, dt).reshape(shape)


# ---- random_ / randint ----------------------------------------------------------------------

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1


def _int_limits(dt: np.dtype) -> tuple[int, int]:
    if dt == np.bool_:
        return 0, 1
    ii = np.iinfo(dt)
    return int(ii.min), int(ii.max)


def _through_dtype(v: int, dt: np.dtype) -> int:
    """static_cast<int64_t>(static_cast<scalar_t>(v)) for an int64 v, as x86 computes it."""
    v = ((v + (1 << 63)) % (1 << 64)) - (1 << 63)  # int64 arithmetic wraps
    a = np.array([v], dtype=np.int64)
    x = a.astype(_f64) if dt == _f64 else a.astype(_f32)
    if dt in _REDUCED:
        with np.errstate(over="ignore"):
            x = x.astype(dt).astype(_f32)
    x = float(x[0])
    # cvttsd2si gives INT64_MIN for NaN, infinities and out-of-range values.
    return int(x) if math.isfinite(x) and -(2.0**63) <= x < 2.0**63 else _INT64_MIN


def _update_from(frm: int, dt: np.dtype) -> int:
    from_plus_1 = _through_dtype(frm + 1, dt)
    if from_plus_1 < frm:
        nbits = abs(frm + 1).bit_length() - 1
        frm = from_plus_1 + (1 << (nbits - _DIGITS[dt] + 1))
    return frm


def _update_to(to: int, dt: np.dtype) -> int:
    to_minus_1 = _through_dtype(to - 1, dt)
    if to_minus_1 >= to:
        nbits = abs(to - 1).bit_length() - 1
        to = to_minus_1 - (1 << (nbits - _DIGITS[dt] + 1))
    return to


def _check_in_range(frm: int, to_inc: int, dt: np.dtype) -> None:
    tname = _cpp_name(dt)
    if _is_float(dt):
        fi = _finfo(dt)
        lo, hi = float(fi.min), float(fi.max)
    else:
        lo, hi = _int_limits(dt)
        if dt == np.uint64:
            lo, hi = 0, _INT64_MAX
    if not lo <= frm <= hi:
        raise RuntimeError(f"from is out of bounds for {tname}")
    if not lo <= to_inc <= hi:
        raise RuntimeError(f"to - 1 is out of bounds for {tname}")
    if _is_float(dt):
        d = _DIGITS[dt]
        for var, vname in ((frm, "from"), (to_inc, "to - 1")):
            if var < -(1 << d) or var > (1 << d):
                warnings.warn(
                    f"{vname} is out of bounds [-(2^{d}), 2^{d}]. Due to precision limitations "
                    f"{tname} can support discrete uniform distribution only within this range. "
                    "This warning will become an error in version 1.7 release, please fix the "
                    "code in advance",
                    UserWarning,
                    stacklevel=4,
                )


def _from_to_values(gen, n: int, rng: int, base: int) -> np.ndarray:
    """uniform_int_from_to_distribution as int64: (draw % range) + base, 64-bit draws from 2**28 on."""
    if rng >= 1 << 28:
        v = gen._random64(n) % np.uint64(rng)
    else:
        v = (gen._random(n) % np.uint32(rng)).astype(np.uint64)
    return (v + np.uint64(base & 0xFFFFFFFFFFFFFFFF)).view(np.int64)


def _int64_to(v: np.ndarray, dt: np.dtype) -> np.ndarray:
    if dt == np.bool_:
        return v != 0
    if dt in _REDUCED:
        return v.astype(_f32).astype(dt)
    return v.astype(dt)


def random_(gen, shape, dtype, from_=None, to=None) -> np.ndarray:
    """``Tensor.random_()``, ``random_(to)`` and ``random_(from, to)`` (``torch.randint``).

    Call with neither bound for ``random_()``; ``random_(to)`` is ``from_=0``.
    """
    dt = np.dtype(dtype)
    n = _numel(shape)
    if from_ is None and to is None:
        _require(dt, "random_kernel_cpu", (np.bool_, _f16, _bf16))
        return _random_default(gen, n, dt).reshape(shape)
    if dt.kind == "c":
        raise RuntimeError(
            "check_random_bounds handles only integral, floating-point and boolean types"
        )
    frm = int(from_)
    if to is not None:
        to = int(to)
        if not frm < to:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={frm} >= to={to}"
            )
        if _is_float(dt):
            frm, to = _update_from(frm, dt), _update_to(to, dt)
            if not frm < to:
                raise RuntimeError(
                    f"random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from={frm} >= to={to}"
                )
        _check_in_range(frm, to - 1, dt)
        if n == 0:
            return np.empty(shape, dtype=dt)
        rng = (to - frm) & 0xFFFFFFFFFFFFFFFF
        return _int64_to(_from_to_values(gen, n, rng, frm), dt).reshape(shape)
    if frm != _INT64_MIN:
        if _is_float(dt):
            to_inc = min(1 << _DIGITS[dt], _INT64_MAX)
            frm = _update_from(frm, dt)
            if not frm < to_inc:
                raise RuntimeError(
                    f"random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from={frm} > to_inc={to_inc}"
                )
        else:
            to_inc = _int_limits(dt)[1]
        _check_in_range(frm, to_inc, dt)
        if n == 0:
            return np.empty(shape, dtype=dt)
        rng = (to_inc - frm + 1) & 0xFFFFFFFFFFFFFFFF
        return _int64_to(_from_to_values(gen, n, rng, frm), dt).reshape(shape)
    # [int64 min, int64 max]: the whole 64-bit range.
    if dt in (
        np.dtype(np.bool_),
        np.dtype(np.uint16),
        np.dtype(np.uint32),
        np.dtype(np.uint64),
        _f16,
    ):
        raise NotImplementedError(
            f"\"random_full_64_bits_range_kernel_cpu\" not implemented for '{_dtype_name(dt)}'"
        )
    if dt not in (np.dtype(np.int64), _f64, _f32, _bf16):
        raise RuntimeError(
            "random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16"
        )
    if n == 0:
        return np.empty(shape, dtype=dt)
    return _int64_to(gen._random64(n).view(np.int64), dt).reshape(shape)


def _random_default(gen, n: int, dt: np.dtype) -> np.ndarray:
    # uniform_int_distribution<T>: [0, max] for integers, [0, 2**digits] for floats.
    if dt in (np.dtype(np.uint16), np.dtype(np.uint32), np.dtype(np.uint64)):
        raise NotImplementedError(f"\"random_kernel_cpu\" not implemented for '{_dtype_name(dt)}'")
    if dt in (_f64, np.dtype(np.int64)):
        v = gen._random64(n)
    else:
        v = gen._random(n).astype(np.uint64)
    if dt == np.bool_:
        return (v & np.uint64(1)) != 0
    if _is_float(dt):
        v = v % np.uint64((1 << _DIGITS[dt]) + 1)
        return _int64_to(v.view(np.int64), dt)
    hi = _int_limits(dt)[1]
    return (v % np.uint64(hi + 1)).astype(dt)


# ---- randperm -------------------------------------------------------------------------------


def randperm(gen, n: int, dtype=np.int64) -> np.ndarray:
    """``torch.randperm(n)``: PyTorch's Fisher-Yates over ``random() % (n - i)`` swaps."""
    n = int(n)
    dt = np.dtype(dtype)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    _require(dt, "randperm", (_f16, _bf16))
    if n < 0xFFFFFFFF // 20:
        # for i < n - 1: swap(r[i], r[i + random() % (n - i)])
        j = np.arange(n - 1, dtype=np.int64)
        if n > 1:
            j += gen._random(n - 1).astype(np.int64) % np.arange(n, 1, -1, dtype=np.int64)
        r = _apply_forward_swaps(j, n) if n > 512 else _apply_swaps_loop(j, n)
    else:
        # The inside-out variant with 64-bit draws that PyTorch uses for huge n.
        z = (gen._random64(n) % np.arange(1, n + 1, dtype=np.uint64)).astype(np.int64).tolist()
        r = np.empty(n, dtype=np.int64)
        for i, zi in enumerate(z):
            r[i] = r[zi]
            r[zi] = i
    return _int64_to(r, dt)


def _apply_swaps_loop(j: np.ndarray, n: int) -> np.ndarray:
    perm = list(range(n))
    for i, ji in enumerate(j.tolist()):
        perm[i], perm[ji] = perm[ji], perm[i]
    return np.array(perm, dtype=np.int64)


def _apply_forward_swaps(j: np.ndarray, n: int) -> np.ndarray:
    """The permutation left by swap(r[i], r[j[i]]) for i = 0, 1, ... (j[i] >= i), vectorised.

    Position i is final after step i and holds what position j[i] held just before it; that is
    what the last earlier step aimed at j[i] put there, and so on back along a chain of steps,
    which pointer jumping follows for all positions at once.
    """
    m = n - 1
    idx = np.arange(m, dtype=np.int64)
    order = np.argsort(j, kind="stable")
    sj = j[order]
    same = sj[1:] == sj[:-1]
    # prev[i]: the last step before i aimed at the same position as step i
    prev = np.full(m, -1, dtype=np.int64)
    prev[order[1:][same]] = order[:-1][same]
    ends = np.ones(m, dtype=bool)
    ends[:-1] = ~same
    # aimed[p]: the last step before step p (p's own step excluded) aimed at position p
    aimed = np.full(n, -1, dtype=np.int64)
    aimed[sj[ends]] = order[ends]
    own = np.nonzero(aimed[:m] == idx)[0]
    aimed[own] = prev[own]
    # held[p]: what position p holds when step p starts, by pointer jumping along `aimed`
    held = np.where(aimed >= 0, aimed, np.arange(n, dtype=np.int64))
    while True:
        nxt = held[held]
        if np.array_equal(nxt, held):
            break
        held = nxt
    out = np.empty(n, dtype=np.int64)
    out[:m] = np.where(prev >= 0, held[np.maximum(prev, 0)], j)
    out[m] = held[m]
    return out


# ---- bernoulli ------------------------------------------------------------------------------


def bernoulli_scalar(gen, shape, dtype, p: float = 0.5) -> np.ndarray:
    """``Tensor.bernoulli_(p)`` with a Python float p: a double uniform below p.

    Differs from PyTorch on Intel CPUs, where PyTorch's MKL builds draw this from MKL's stream.
    """
    dt = np.dtype(dtype)
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
    _require(dt, "bernoulli_scalar_cpu_", (np.bool_, _f16, _bf16))
    u = uniform_floats(gen, _numel(shape), _f64)
    return _cast((u < p).astype(_f64), dt).reshape(shape)


def _expand(p: np.ndarray, shape) -> np.ndarray:
    try:
        return np.broadcast_to(p, shape)
    except ValueError:
        raise RuntimeError(
            f"The expanded size of the tensor must match the existing size. Target sizes: "
            f"{list(shape)}.  Tensor sizes: {list(p.shape)}"
        ) from None


def bernoulli_tensor(gen, shape, dtype, p: np.ndarray) -> np.ndarray:
    """``Tensor.bernoulli_(p_tensor)`` / ``torch.bernoulli(p)``: one draw per element in order.

    A double p compares a 53-bit uniform in double; any other p a 24-bit uniform in float.
    """
    dt = np.dtype(dtype)
    p = np.asarray(p)
    _require(dt, "bernoulli_tensor_cpu_self_", (np.bool_, _f16, _bf16))
    if not _is_float(p.dtype):
        raise NotImplementedError(
            f"\"bernoulli_tensor_cpu_p_\" not implemented for '{_dtype_name(p.dtype)}'"
        )
    pb = _expand(p, shape)
    n = _numel(shape)
    if p.dtype == _f64:
        u = uniform_floats(gen, n, _f64)
        hit = u < pb.reshape(-1)
    else:
        u = uniform_floats(gen, n, _f32)
        hit = u < pb.reshape(-1).astype(_f32)
    return _cast(hit.astype(_f64), dt).reshape(shape)


# ---- multinomial ----------------------------------------------------------------------------


def multinomial(gen, probs: np.ndarray, num_samples: int, replacement: bool = False) -> np.ndarray:
    """``torch.multinomial``: inverse-CDF search with replacement, exponential race without."""
    probs = np.asarray(probs)
    dt = probs.dtype
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not _is_float(dt):
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: {_dtype_name(dt)}"
        )
    num_samples = int(num_samples)
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_cat = probs.shape[-1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    if n_cat > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    rows = probs.reshape(-1, n_cat)
    out_shape = (num_samples,) if probs.ndim == 1 else (rows.shape[0], num_samples)
    if rows.shape[0] * num_samples == 0:
        return np.empty(out_shape, dtype=np.int64)
    if not replacement or num_samples == 1:
        with np.errstate(invalid="ignore"):
            ok = bool(np.all(rows.astype(_f64) < np.inf) and np.all(rows.astype(_f64) >= 0))
        if not ok:
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if np.any(rows.astype(_f64).sum(axis=1) == 0):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        # argmax(p / q) with q ~ Exp(1): the Gumbel-max trick PyTorch uses.
        q = exponential(gen, rows.shape, dt, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = (rows / q).astype(dt)
        if num_samples == 1:
            idx = np.argmax(r.astype(_f64), axis=1)[:, None]
        else:
            idx = np.argsort(-r.astype(_f64), axis=1, kind="stable")[:, :num_samples]
        return idx.reshape(out_shape).astype(np.int64)
    acc = _f32 if dt in _REDUCED else dt
    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, row in enumerate(rows):
        row = row.astype(acc)
        if np.any(row < 0):
            raise RuntimeError(
                "invalid multinomial distribution (encountering probability entry < 0)"
            )
        if not np.all(np.isfinite(row)):
            raise RuntimeError(
                "invalid multinomial distribution (encountering probability entry = infinity or NaN)"
            )
        cum = np.add.accumulate(row, dtype=acc)
        total = cum[-1]
        if not total > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cum = (cum / total).astype(acc)
        cum[-1] = 1
        u = uniform_floats(gen, num_samples, _f64)
        out[i] = np.searchsorted(cum.astype(_f64), u, side="left")
    return out.reshape(out_shape)


# The rejection samplers (Distributions.cpp) live beside this module.
from torchlike._random.rejection import binomial, poisson, standard_gamma  # noqa: F401
