"""The float32 hot paths of rand/uniform_/randn/normal_ as compiled XLA loops, bit-identical
to the numpy emulation (``sampling._fill16_f32``, ``_fpmath``), which stays the specification.

PyTorch's AVX2 Box-Muller fuses some multiply-adds (GCC contracts a*b + c) and not others. A
kernel is built one of two ways: with float32 a*b + c that LLVM contracts into one FMA, as XLA
compiles with contraction on (fast), or with each fused multiply-add computed in float64, where
the product of two floats is exact, and rounded once (needs nothing from the compiler). For
log and sincos, whose inputs are the 2**24 possible float uniforms, the float64 sum never
lands on a float32 tie; tests/test_random_compiled.py checks both builds exhaustively against
the emulation. The final ``fma(x, std, mean)`` / ``fma(u, to - from, from)``, whose operands
are arbitrary, repairs ties in the float64 build.

Other XLA habits are kept out of the arithmetic: its algebraic simplifier folds constant
factors together ((u * 2pi) * 4/pi became u * 8) and LLVM may fuse a product that must round
on its own, so such values pass through ``_opaque``; subnormals are flushed to zero, so only a
std/mean (from/to) for which no result can be subnormal takes this path. Before first use each
kernel is run on a probe chunk against the emulation, the fused build first; where neither
build matches (another XLA, another CPU) the caller emulates in numpy.
"""

from __future__ import annotations

import functools
import math
import threading
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from torchlike._random import _fpmath as fp
from torchlike._random import _memory

_f32, _f64 = jnp.float32, jnp.float64

# Raw draws per compiled call: every size is served by one compiled program per kernel (the last
# chunk is padded). Its buffers are reused: a fresh buffer of 128 KiB or more is a fresh mmap,
# and page faults cost more here than the arithmetic. A multiple of mt19937.PIECE.
CHUNK = 1 << 18
# Halved for the two Box-Muller inputs: lanes per call.
_LANES = CHUNK // 2
# Draws in the probe before first use.
PROBE = 1 << 16

# Wider vectors halve the instructions on AVX-512 machines; the hint is ignored elsewhere.
_OPTIONS = {"xla_cpu_prefer_vector_width": 512}


# ---- float32 arithmetic with PyTorch's roundings --------------------------------------------
#
# Each fused multiply-add comes in two implementations, and each kernel is built with either:
# ``fused`` writes a * b + c in float32 and relies on LLVM fusing it (XLA compiles with FP
# contraction on, and the CPU has FMA); ``wide`` computes it in float64, which needs nothing
# from the compiler but is about twice as slow. The fused build is used where its probe passes.


def _up(x):
    return jnp.asarray(x, _f32).astype(_f64)


def _fma_fused(a, b, c):
    """float32 ``a * b + c``, one instruction where LLVM contracts it (checked, not assumed)."""
    return jnp.asarray(a, _f32) * jnp.asarray(b, _f32) + jnp.asarray(c, _f32)


def _fma_wide(a, b, c):
    """float32 ``a * b + c`` rounded once (ignoring float64 ties: see the module docstring)."""
    return (_up(a) * _up(b) + _up(c)).astype(_f32)


def _fma_exact(a, b, c):
    """float32 ``a * b + c`` rounded once, for a float32 ``a`` and float32 values ``b``, ``c``
    given as float64: a float64 sum on a float32 tie is first rounded to odd."""
    p = _up(a) * b
    s = p + c
    bb = s - p
    err = (p - (s - bb)) + (c - bb)  # s + err == a * b + c exactly (Knuth's two-sum)
    bits = jax.lax.bitcast_convert_type(s, jnp.int64)
    tie = ((bits & 0x1FFFFFFF) == 0x10000000) & (err != 0)
    bits = jnp.where(tie, bits + jnp.where((err > 0) == (s > 0), 1, -1), bits)
    return jax.lax.bitcast_convert_type(bits, _f64).astype(_f32)


def _affine(fma, x, b, c):
    """fma(x, b, c) for arbitrary float32 values ``b`` and ``c`` (given as float64)."""
    if fma is _fma_fused:
        return _fma_fused(x, b.astype(_f32), c.astype(_f32))
    return _fma_exact(x, b, c)


def _opaque(x, zero):
    """``x``, through an integer xor with a zero known only at run time: neither XLA nor LLVM
    can combine the float operation that made ``x`` with the one that uses it."""
    bits = jax.lax.bitcast_convert_type(x, jnp.int32) ^ zero
    return jax.lax.bitcast_convert_type(bits, _f32)


def _log_ps(x, zero, fma):
    """avx_mathfun's log256_ps for positive normal inputs (``_fpmath.cephes_log_ps``)."""
    bits = jax.lax.bitcast_convert_type(x, jnp.int32)
    e = ((bits >> 23) - 0x7F).astype(_f32) + _f32(1)
    m = jax.lax.bitcast_convert_type((bits & ~0x7F800000) | 0x3F000000, _f32)
    small = m < fp._SQRTHF
    e = e - jnp.where(small, _f32(1), _f32(0))
    m = (m - _f32(1)) + jnp.where(small, m, _f32(0))
    z = m * m
    y = jnp.full_like(m, fp._LOG_P[0])
    for c in fp._LOG_P[1:]:
        y = fma(y, m, np.float32(c))
    # GCC fuses (y * m) * z with the addition; e * q1 rounds on its own.
    y = fma(y * m, z, _opaque(e * fp._LOG_Q1, zero))
    y = y - z * _f32(0.5)
    return fma(e, fp._LOG_Q2, m + y)


def _sincos_ps(x, zero, fma):
    """avx_mathfun's sincos256_ps for non-negative inputs (``_fpmath.cephes_sincos_ps``)."""
    j = (x * fp._FOPI).astype(jnp.int32)
    j = (j + 1) & ~1
    y = j.astype(_f32)
    sin_neg = (j & 4) != 0
    poly_sin = (j & 2) == 0
    cos_neg = (~(j - 2) & 4) != 0
    x = fma(y, fp._DP1, x)
    x = fma(y, fp._DP2, x)
    x = fma(y, fp._DP3, x)
    z = x * x
    yc = fma(fp._COSCOF[0], z, fp._COSCOF[1])
    yc = fma(yc, z, fp._COSCOF[2])
    # (yc * z) * z fuses with the subtraction; z * 0.5 (exact) must not take its place.
    yc = fma(yc * z, z, -_opaque(z * _f32(0.5), zero)) + _f32(1)
    ys = fma(fp._SINCOF[0], z, fp._SINCOF[1])
    ys = fma(ys, z, fp._SINCOF[2])
    ys = fma(ys * z, x, x)
    s = jnp.where(poly_sin, ys, yc)
    c = jnp.where(poly_sin, yc, ys)
    return jnp.where(sin_neg, -s, s), jnp.where(cos_neg, -c, c)


def _uniform(words):
    """``uniform_real_distribution<float>(0, 1)`` of raw draws: their low 24 bits."""
    return (words & 0xFFFFFF).astype(_f32) * _f32(2.0**-24)


# ---- kernels ---------------------------------------------------------------------------------

_TWO_PI = np.float32(2.0 * math.pi)


def _normal(fma, halves, zero, std, mean, out):
    """NormalFill16 over de-interleaved blocks: ``halves[0]`` holds the first 8 draws of each
    block (the radii), ``halves[1]`` the last 8 (the angles). The results of a lane, radius * cos
    then radius * sin, are packed in 64 bits so that one loop computes each log and sincos once.
    ``out`` is the donated buffer the result is written to.
    """
    u = _uniform(halves)
    radius = jnp.sqrt(_f32(-2) * _log_ps(_f32(1) - u[0], zero, fma))
    s, c = _sincos_ps(_opaque(_TWO_PI * u[1], zero), zero, fma)
    lo = jax.lax.bitcast_convert_type(_affine(fma, radius * c, std, mean), jnp.uint32)
    hi = jax.lax.bitcast_convert_type(_affine(fma, radius * s, std, mean), jnp.uint32)
    return lo.astype(jnp.uint64) | (hi.astype(jnp.uint64) << 32)


def _uniform_affine(fma, words, zero, span, low, to_s, from_s, out):
    """``uniform_real_distribution<float>(from, to)``: fma(u, to - from, from), where a result
    that rounds up to ``to`` becomes ``from`` (``span`` etc. are float32 values as float64)."""
    v = _affine(fma, _uniform(words), span, low)
    return jnp.where(v == to_s, from_s.astype(_f32), v)


def _safe(*values) -> bool:
    """Whether affine parameters keep every result out of the subnormal range XLA flushes.

    A nonzero normal is at least 2**-39 in magnitude (radius >= 2**-12, |sin|, |cos| >= 2**-27)
    and a nonzero uniform at least 2**-24. With parameters zero or of magnitude at least
    2**-60, a product is zero or at least 2**-99, and a sum can only cancel between terms of at
    least 2**-61, which leaves zero or a multiple of 2**-107: never a subnormal.
    """
    return all(math.isfinite(v) and (v == 0 or abs(v) >= 2.0**-60) for v in values)


class _Kernel:
    """A compiled kernel, run a chunk at a time through two sets of reused buffers: a host
    input that XLA adopts without copying and a donated output that XLA writes in place.

    Built with the fused multiply-add if that build passes the probe, else with the wide one,
    else not used (``usable`` is False)."""

    def __init__(self, name, fn, in_shape, out_shape, out_dtype, probe_args):
        self.name = name
        self.fn = fn
        self.in_shape = in_shape
        self.out_shape = out_shape
        self.out_dtype = out_dtype
        self.probe_args = probe_args
        self.lock = threading.Lock()
        self.fma = None  # the build in use, once chosen
        self.ok = None  # whether one passed the probe
        self._compiled = {}
        self._sets = None

    def _executable(self, fma):
        ex = self._compiled.get(fma)
        if ex is None:
            # keep_unused: the output buffer is passed only to be donated (written in place).
            nargs = len(self.probe_args)
            jitted = jax.jit(
                functools.partial(self.fn, fma), donate_argnums=nargs + 2, keep_unused=True
            )
            # On the CPU whatever the default device: these are the CPU generator's numbers.
            on_cpu = jax.sharding.SingleDeviceSharding(_cpu())
            lowered = jitted.lower(
                jax.ShapeDtypeStruct(self.in_shape, jnp.uint32, sharding=on_cpu),
                jax.ShapeDtypeStruct((), jnp.int32, sharding=on_cpu),
                *(jax.ShapeDtypeStruct((), jnp.float64, sharding=on_cpu) for _ in range(nargs)),
                jax.ShapeDtypeStruct(self.out_shape, self.out_dtype, sharding=on_cpu),
            )
            try:
                ex = lowered.compile(compiler_options=_OPTIONS)
            except RuntimeError:  # an XLA without that option
                ex = lowered.compile()
            self._compiled[fma] = ex
        if self._sets is None:
            self._sets = [self._buffers() for _ in range(2)]
        return ex

    def _buffers(self):
        """[host input, its XLA alias (or None), donated output]."""
        host = _memory.empty(CHUNK, np.uint32)
        alias = jax.device_put(host.reshape(self.in_shape), _cpu())
        # The CPU client adopts the aligned host buffer: writing it changes what XLA reads next,
        # which the run loop does only once the chunk that read it is done.
        if alias.unsafe_buffer_pointer() != host.ctypes.data:
            alias = None
        return [host, alias, jax.device_put(np.zeros(self.out_shape, self.out_dtype), _cpu())]

    def run(self, fill, args, emit, fma=None) -> None:
        """Run over the chunks that ``fill(buffer)`` writes (it returns how many words are
        real, 0 when done), calling ``emit(i, count, result)`` in order with each output as a
        numpy view, valid during the call. The caller holds ``self.lock``."""
        ex = self._executable(fma or self.fma)
        cpu = _cpu()
        zero = jax.device_put(np.int32(0), cpu)
        extra = tuple(jax.device_put(np.float64(a), cpu) for a in args)
        sets = self._sets
        pending = None
        i = 0
        while True:
            slot = sets[i % 2]
            count = fill(slot[0])
            if not count:
                break
            words = slot[1]
            if words is None:
                words = jax.device_put(slot[0].reshape(self.in_shape), cpu)
            slot[2] = ex(words, zero, *extra, slot[2])
            # XLA computes this chunk while the previous one is emitted.
            if pending is not None:
                self._emit(*pending, emit)
            pending = (i, count)
            i += 1
        if pending is not None:
            self._emit(*pending, emit)

    def _emit(self, i, count, emit):
        view = np.asarray(self._sets[i % 2][2])
        emit(i, count, view)
        del view  # the buffer is donated again two chunks on

    def usable(self) -> bool:
        """Whether a build reproduces the numpy emulation on the probe chunk (chosen once;
        with a warning when neither does). The caller holds ``self.lock``."""
        if self.ok is None:
            self.ok = False
            for fma in (_fma_fused, _fma_wide):
                if self.probe(fma):
                    self.fma, self.ok = fma, True
                    break
            else:
                warnings.warn(
                    f"torchlike: the compiled float32 {self.name} sampler does not reproduce "
                    "PyTorch's rounding on this platform; using the slower numpy emulation",
                    RuntimeWarning,
                    stacklevel=4,
                )
        return self.ok

    def probe(self, fma) -> bool:
        """Whether the ``fma`` build gives the emulation's bits on ``probe_words()``."""
        words = probe_words()
        normal = self is _NORMAL
        got = []
        feed = iter([words])

        def fill(buf):
            w = next(feed, None)
            if w is None:
                return 0
            buf[:] = 0
            (_deinterleave if normal else _copy_in)(w, buf, 0)
            return w.size

        def emit(i, count, view):
            got.append(_interleave(view[: count // 2]) if normal else view[:count].copy())

        self.run(fill, self.probe_args, emit, fma)
        want = (_emulate_normal if normal else _emulate_uniform)(words, self.probe_args)
        return bool(np.array_equal(got[0].view(np.int32), want.view(np.int32)))


@functools.cache
def _cpu():
    return jax.devices("cpu")[0]


def _f32_values(*values):
    return tuple(float(np.float32(v)) for v in values)


# Probed with a std, mean and range whose products and sums round.
_NORMAL = _Kernel("normal", _normal, (2, _LANES), (_LANES,), np.uint64, _f32_values(2.3, -0.75))
_UNIFORM = _Kernel(
    "uniform",
    _uniform_affine,
    (CHUNK,),
    (CHUNK,),
    np.float32,
    _f32_values(np.float32(7.1) - np.float32(-2.3), -2.3, 7.1, -2.3),
)


# ---- the probe before first use -------------------------------------------------------------


def probe_words() -> np.ndarray:
    """The draws for the check before first use: random ones and edge cases."""
    words = np.random.Generator(np.random.MT19937(20240531)).integers(
        0, 1 << 32, PROBE, dtype=np.uint32
    )
    # Radii at both ends of the range (u = 0 gives a zero radius, -0 for negative cosines),
    # angles on and next to the octant boundaries, where the sincos reduction switches, and
    # the radius 1 (u = 6601320 / 2**24) that shows sines and cosines unrounded.
    edges = np.array([0, 1, 2, 0xFFFFFF, 0xFFFFFE, 1 << 23, UNIT_RADIUS], dtype=np.uint32)
    octants = (np.arange(8) << 21)[:, None] + np.array([0, 1, -1])
    angles = np.concatenate([edges, (octants.reshape(-1) & 0xFFFFFF).astype(np.uint32)])
    blocks = words.reshape(-1, 2, 8)
    k = angles.size
    blocks[:k, 1, 0] = angles
    blocks[:k, 0, 0] = edges[np.arange(k) % edges.size]
    blocks[k : 2 * k, 0, :] = 0  # zero radius against every angle above
    blocks[k : 2 * k, 1, 0] = angles
    return words


# The uniform draw (as 24 bits) whose Box-Muller radius is exactly 1.
UNIT_RADIUS = 6601320


def u24(words: np.ndarray) -> np.ndarray:
    """``uniform_real_distribution<float>(0, 1)`` of raw draws, in numpy."""
    return (words & np.uint32(0xFFFFFF)).astype(np.float32) * np.float32(2.0**-24)


def _emulate_normal(words, args):
    from torchlike._random.sampling import _fill16_f32

    std, mean = (np.float32(a) for a in args)
    return _fill16_f32(u24(words), mean, std)


def _emulate_uniform(words, args):
    span, low, to_s, from_s = (np.float32(a) for a in args)
    v = fp.fma32(u24(words), span, low)
    return np.where(v == to_s, from_s, v)


# ---- layout ---------------------------------------------------------------------------------


# Half a block of draws (8 words) as one numpy item: the copies below move 32-byte items.
_HALF = np.dtype("V32")


def _deinterleave(words: np.ndarray, buf: np.ndarray, at: int) -> None:
    """Whole 16-draw blocks into a chunk at word ``at``: first halves (the radii's draws) in the
    first half of ``buf``, second halves (the angles') in the second."""
    b = at // 16
    buf.view(_HALF).reshape(2, -1)[:, b : b + words.size // 16] = words.view(_HALF).reshape(-1, 2).T


def _copy_in(words: np.ndarray, buf: np.ndarray, at: int) -> None:
    buf[at : at + words.size] = words


def _interleave(packed: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Packed (cos, sin) lanes -> PyTorch's order: 8 radius * cos, then 8 radius * sin."""
    pairs = packed.view(np.float32).reshape(-1, 8, 2).transpose(0, 2, 1)
    if out is None:
        return pairs.reshape(-1)
    out.reshape(-1, 2, 8)[...] = pairs
    return out


# ---- entry points ---------------------------------------------------------------------------


def _fill_from(pieces, put, limit):
    """A ``fill`` for ``_Kernel.run``: up to ``limit`` words from ``pieces`` (arrays whose
    sizes divide CHUNK, the last one excepted) per chunk, placed by ``put``; the rest of a last
    partial chunk is zeroed. Words past ``limit`` are kept in ``fill.rest``."""
    state = {"done": 0}

    def fill(buf):
        at = 0
        while at < CHUNK and state["done"] < limit:
            piece = next(pieces)
            use = min(piece.size, limit - state["done"])
            put(piece[:use], buf, at)
            if use < piece.size:
                fill.rest = piece[use:]
            at += use
            state["done"] += use
        if 0 < at < CHUNK:
            if put is _deinterleave:
                buf.reshape(2, -1)[:, at // 2 :] = 0
            else:
                buf[at:] = 0
        return at

    fill.rest = np.empty(0, np.uint32)
    return fill


def normal(draw, n: int, mean, std) -> np.ndarray | None:
    """float32 ``normal_fill`` of ``n`` draws: normals for the whole 16-draw blocks, uniforms
    after them (PyTorch's buffer before its tail fill). ``draw(n)`` gives the draws as arrays
    (a generator's ``_random_chunks``). None, drawing nothing, where this path cannot give
    PyTorch's bits."""
    mean, std = np.float32(mean), np.float32(std)
    if not _safe(float(mean), float(std)):
        return None
    args = (float(std), float(mean))
    with _NORMAL.lock:
        if not _NORMAL.usable():
            return None
        out = _memory.empty(n, np.float32)
        full = n // 16 * 16
        pieces = iter(draw(n))
        fill = _fill_from(pieces, _deinterleave, full)

        def emit(i, count, view):
            start = i * CHUNK
            _interleave(view[: count // 2], out[start : start + count])

        _NORMAL.run(fill, args, emit)
        rest = np.concatenate([fill.rest, *pieces]) if n > full else fill.rest
        out[full:] = u24(rest)
    return out


def uniform(draw, n: int, from_, to) -> np.ndarray | None:
    """float32 ``uniform_(from, to)`` of ``n`` draws, or None (drawing nothing) where this path
    cannot give PyTorch's bits."""
    low, high = np.float32(from_), np.float32(to)
    span = high - low
    if not _safe(float(span), float(low)) or not math.isfinite(high):
        return None
    args = (float(span), float(low), float(high), float(low))
    with _UNIFORM.lock:
        if not _UNIFORM.usable():
            return None
        out = _memory.empty(n, np.float32)
        fill = _fill_from(iter(draw(n)), _copy_in, n)

        def emit(i, count, view):
            out[i * CHUNK : i * CHUNK + count] = view[:count]

        _UNIFORM.run(fill, args, emit)
    return out
