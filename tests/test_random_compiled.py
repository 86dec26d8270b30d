"""The compiled float32 samplers (torchlike._random.compiled): bit for bit PyTorch's numbers.

The kernels are checked exhaustively over their whole input domain against the numpy
emulation (itself checked against PyTorch), and end to end against real PyTorch over sizes
around the chunk and threshold boundaries, dtypes, seeds and parameters.
"""

import ctypes
import ctypes.util
import warnings

import jax
import ml_dtypes
import numpy as np
import pytest

import torchlike as tl
import torchlike._ops.random_ops as R
from tests._oracle import import_torch
from torchlike import random as tlrandom
from torchlike._random import _fpmath as fp
from torchlike._random import compiled as K
from torchlike._random import sampling as S
from torchlike._random.generator import Generator
from torchlike._random.mt19937 import MT19937, PIECE

torch = import_torch()

BF16 = np.dtype(ml_dtypes.bfloat16)
MIN = S._COMPILED_MIN
# Around the threshold, a chunk, a numpy piece, and an odd size spanning several chunks.
SIZES = [MIN - 17, MIN, MIN + 1, MIN + 15, K.CHUNK + 16, 2 * PIECE + 3, 3 * K.CHUNK + 7]


def _bits(a):
    a = np.ascontiguousarray(a)
    return a.view(np.uint8)


def assert_same(torch_fn, our_fn, seed):
    """Same values (bits) and the same generator state afterwards."""
    torch.manual_seed(seed)
    g = Generator().manual_seed(seed)
    want = torch_fn()
    want = want.view(torch.int16).numpy() if want.dtype == torch.bfloat16 else want.numpy()
    got = our_fn(g)
    got = got.view(np.int16) if got.dtype == BF16 else got
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.array_equal(_bits(got), _bits(want)), (got.ravel()[:4], want.ravel()[:4])
    assert np.array_equal(g._get_state_bytes(), torch.get_rng_state().numpy())


# ---- the kernels over their whole domain ----------------------------------------------------


def _run_normal(words, fma):
    """A build of the normal kernel (std 1, mean 0) over whole blocks of raw draws."""
    out = np.empty(words.size, np.float32)
    pieces = iter([words[i : i + K.CHUNK] for i in range(0, words.size, K.CHUNK)])

    def fill(buf):
        w = next(pieces, None)
        if w is None:
            return 0
        K._deinterleave(w, buf, 0)
        return w.size

    def emit(i, count, view):
        K._interleave(view[: count // 2], out[i * K.CHUNK : i * K.CHUNK + count])

    with K._NORMAL.lock:
        K._NORMAL.run(fill, (1.0, 0.0), emit, fma)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("fma", [K._fma_fused, K._fma_wide], ids=["fused", "wide"])
def test_normal_kernel_exhaustive(fma):
    """Every radius and every sine and cosine each build of the kernel can compute, against the
    numpy emulation: an angle of 0 leaves the radius alone (cos 0 = 1, sin 0 = 0), and a radius
    of exactly 1 leaves the cosines and sines alone."""
    unit = np.float32(K.UNIT_RADIUS) * np.float32(2.0**-24)
    assert fp.cephes_log_ps(np.float32(1) - np.array([unit]))[0] == np.float32(-0.5)
    step = 1 << 20
    for start in range(0, 1 << 24, step):
        k = np.arange(start, start + step, dtype=np.uint32)
        u = k.astype(np.float32) * np.float32(2.0**-24)
        # radius sweep: draws k for the radii, 0 for the angles
        words = np.stack([k.reshape(-1, 8), np.zeros((step // 8, 8), np.uint32)], 1).reshape(-1)
        got = _run_normal(words, fma).reshape(-1, 2, 8)
        radius = np.sqrt(np.float32(-2) * fp.cephes_log_ps(np.float32(1) - u))
        assert np.array_equal(_bits(got[:, 0].reshape(-1)), _bits(radius + np.float32(0)))
        assert np.array_equal(_bits(got[:, 1].reshape(-1)), _bits(np.zeros(step, np.float32)))
        # angle sweep: radius 1, draws k for the angles
        words[:] = np.stack(
            [np.full((step // 8, 8), K.UNIT_RADIUS, np.uint32), k.reshape(-1, 8)], 1
        ).reshape(-1)
        got = _run_normal(words, fma).reshape(-1, 2, 8)
        s, c = fp.cephes_sincos_ps(np.float32(2.0 * np.pi) * u)
        assert np.array_equal(_bits(got[:, 0].reshape(-1)), _bits(c + np.float32(0)))
        assert np.array_equal(_bits(got[:, 1].reshape(-1)), _bits(s + np.float32(0)))


def _libm_fmaf():
    name = ctypes.util.find_library("m")
    if name is None:
        pytest.skip("no C math library to compare fma against")
    lib = ctypes.CDLL(name)
    lib.fmaf.restype = ctypes.c_float
    lib.fmaf.argtypes = [ctypes.c_float] * 3
    return lib.fmaf


def test_exact_fma_repairs_double_rounding():
    """a * b + c whose float64 sum lands on a float32 tie that the exact sum is not on."""
    fmaf = _libm_fmaf()
    e = 2.0**-18
    a = np.float32((1 + e) * 2.0**-12)
    b = np.float32((1 - e) * 2.0**-12)  # a * b = 2**-24 - 2**-60, exactly
    cs = [1 + 2.0**-23, 1.0, -(1 + 2.0**-23), 3 * 2.0**-3, 1 + 2.0**-22]
    a_s = np.array([a, a, -a, a, -a], np.float32)
    c_s = np.array(cs, np.float32)
    rng = np.random.default_rng(0)
    ra, rb, rc = (rng.normal(size=500).astype(np.float32) for _ in range(3))
    a_s, c_s = np.concatenate([a_s, ra]), np.concatenate([c_s, rc])
    b_s = np.concatenate([np.full(5, b, np.float32), rb])
    want = np.array([fmaf(*map(float, v)) for v in zip(a_s, b_s, c_s)], np.float32)
    got = np.asarray(
        jax.jit(lambda a, b, c: K._fma_exact(a, b.astype(np.float64), c.astype(np.float64)))(
            a_s, b_s, c_s
        )
    )
    assert np.array_equal(_bits(got), _bits(want))
    # The unrepaired rounding does go wrong on the first case.
    naive = np.asarray(jax.jit(K._fma_wide)(a_s[:1], b_s[:1], c_s[:1]))
    assert naive[0] != want[0]


# ---- end to end against PyTorch -------------------------------------------------------------


@pytest.mark.parametrize("n", SIZES)
def test_randn_and_normal_(n):
    for seed in [0, 12345]:
        assert_same(lambda: torch.randn(n), lambda g: S.normal(g, (n,), np.float32), seed)
    assert_same(
        lambda: torch.empty(n).normal_(0.3, 2.7),
        lambda g: S.normal(g, (n,), np.float32, 0.3, 2.7),
        2**40 + 1,
    )


@pytest.mark.parametrize("n", SIZES)
def test_rand_and_uniform_(n):
    for seed in [0, 12345]:
        assert_same(lambda: torch.rand(n), lambda g: S.uniform(g, (n,), np.float32), seed)
    assert_same(
        lambda: torch.empty(n).uniform_(-2.3, 7.1),
        lambda g: S.uniform(g, (n,), np.float32, -2.3, 7.1),
        2**40 + 1,
    )


@pytest.mark.parametrize(
    "mean,std",
    [
        (0.0, 0.02),
        (-0.0, 1.0),
        (5.0, 0.0),
        (-3.5, 1e-3),
        (1e30, 1e25),
        (0.0, 2.0**-70),
        (1e-40, 1.0),
    ],
)
def test_normal_parameters(mean, std):
    """Including a std and a mean that could give subnormals, which the numpy path serves."""
    n = MIN + 5
    assert_same(
        lambda: torch.empty(n).normal_(mean, std),
        lambda g: S.normal(g, (n,), np.float32, mean, std),
        3,
    )


@pytest.mark.parametrize(
    "low,high",
    [(0.0, 0.0), (-1.0, 1.0), (1.0, 1.0 + 2.0**-20), (-1e30, 1e30), (0, 2.0**-70), (3, 3.5)],
)
def test_uniform_parameters(low, high):
    """Ranges whose results round up to `to` (mapped to `from`), empty and tiny ranges."""
    n = MIN + 5
    assert_same(
        lambda: torch.empty(n).uniform_(low, high),
        lambda g: S.uniform(g, (n,), np.float32, low, high),
        4,
    )


@pytest.mark.parametrize(
    "td,dt", [(torch.float16, np.float16), (torch.bfloat16, BF16), (torch.complex64, np.complex64)]
)
def test_normal_other_dtypes(td, dt):
    n = MIN + 9
    assert_same(lambda: torch.randn(n, dtype=td), lambda g: S.normal(g, (n,), dt), 5)


def test_after_partial_draws():
    """The compiled path continues the stream wherever earlier draws left it."""

    def pre_torch():
        torch.rand(7)
        torch.randn(3)  # leaves a cached double normal

    for k in [1, 617, 5000]:

        def ours(g, k=k):
            S.uniform(g, (7,), np.float32)
            S.normal(g, (3,), np.float32)
            g._random(k)
            return S.normal(g, (MIN + 3,), np.float32)

        def theirs(k=k):
            pre_torch()
            torch.randint(0, 2, (k,), dtype=torch.int32)  # k raw draws
            return torch.randn(MIN + 3)

        assert_same(theirs, ours, 9)


def test_chunks_continue_the_stream():
    a, b = MT19937(11), MT19937(11)
    a.random(5)
    b.random(5)
    for n in [PIECE, 3 * PIECE, 3 * PIECE + 1, 10]:
        pieces = list(a.chunks(n))
        assert all(p.size == PIECE for p in pieces[:-1])
        assert np.array_equal(np.concatenate(pieces), b.random(n))
        assert (a.left, a.next) == (b.left, b.next)
        assert np.array_equal(a.state, b.state)


def test_both_builds_pass_the_probe():
    """On this platform the fast build is the one used (and the other one works too)."""
    for k in (K._NORMAL, K._UNIFORM):
        with k.lock:
            assert k.usable()
            assert k.fma is K._fma_fused
            assert k.probe(K._fma_wide)


@pytest.mark.slow
def test_uniform_kernel_exhaustive():
    """Both builds of the uniform kernel on every 24-bit uniform, with rounding parameters,
    against the emulation."""
    words = np.arange(1 << 24, dtype=np.uint32)
    args = K._f32_values(np.float32(3.7) - np.float32(-1.1), -1.1, 3.7, -1.1)
    outs = []
    for fma in (K._fma_fused, K._fma_wide):
        out = np.empty(words.size, np.float32)
        pieces = iter([words[i : i + K.CHUNK] for i in range(0, words.size, K.CHUNK)])

        def fill(buf, pieces=pieces):
            w = next(pieces, None)
            if w is None:
                return 0
            buf[:] = w
            return w.size

        def emit(i, count, view, out=out):
            out[i * K.CHUNK : i * K.CHUNK + count] = view[:count]

        with K._UNIFORM.lock:
            K._UNIFORM.run(fill, args, emit, fma)
        outs.append(out)
    assert np.array_equal(_bits(outs[0]), _bits(outs[1]))
    want = np.concatenate(
        [K._emulate_uniform(words[i : i + K.CHUNK], args) for i in range(0, words.size, K.CHUNK)]
    )
    assert np.array_equal(_bits(outs[0]), _bits(want))


def test_fallback_when_the_probe_fails(monkeypatch):
    """A kernel that does not reproduce the emulation on the probe is not used."""
    monkeypatch.setattr(K._NORMAL, "ok", None)
    monkeypatch.setattr(K._NORMAL, "fma", None)
    monkeypatch.setattr(K, "_emulate_normal", lambda w, a: np.zeros(w.size, np.float32))
    with pytest.warns(RuntimeWarning, match="numpy emulation"):
        assert K.normal(Generator()._random_chunks, MIN, 0.0, 1.0) is None
    assert K._NORMAL.ok is False
    n = MIN + 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same(lambda: torch.randn(n), lambda g: S.normal(g, (n,), np.float32), 6)


# ---- through the tensor API -----------------------------------------------------------------


def _same_tensor(a, b):
    assert np.array_equal(_bits(np.asarray(a.detach()._data)), _bits(b.detach().numpy()))


def test_tensor_api_large():
    tlrandom.manual_seed(1)
    torch.manual_seed(1)
    n = MIN + 33
    _same_tensor(R.randn(n), torch.randn(n))
    _same_tensor(R.rand(4, n // 4), torch.rand(4, n // 4))
    ours, theirs = tl.zeros(3, n), torch.zeros(3, n)
    _same_tensor(ours[1].normal_(1.5, 0.5), theirs[1].normal_(1.5, 0.5))
    _same_tensor(ours[2].uniform_(-1, 1), theirs[2].uniform_(-1, 1))
    _same_tensor(ours, theirs)  # the writes through views reached the base
    w, tw = tl.empty(512, 256), torch.empty(512, 256)
    tl.nn.init.kaiming_uniform_(w, a=5**0.5)
    torch.nn.init.kaiming_uniform_(tw, a=5**0.5)
    _same_tensor(w, tw)
    _same_tensor(
        tl.nn.init.normal_(tl.empty(300, 300), std=0.02),
        torch.nn.init.normal_(torch.empty(300, 300), std=0.02),
    )
    assert np.array_equal(tlrandom.get_rng_state().numpy(), torch.get_rng_state().numpy())


def test_results_are_independent_buffers():
    """Reused kernel buffers never leak into results: a sample does not change later."""
    a = R.randn(MIN * 2)
    kept = np.array(a._data)
    b = R.randn(MIN * 2)
    R.rand(MIN * 2).uniform_(2, 3)
    assert np.array_equal(np.asarray(a._data), kept)
    assert not np.array_equal(np.asarray(b._data), kept)


def test_inplace_on_leaf_requiring_grad_still_raises():
    w = tl.zeros(MIN, requires_grad=True)
    tw = torch.zeros(MIN, requires_grad=True)
    with pytest.raises(RuntimeError):
        tw.normal_()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.normal_()
