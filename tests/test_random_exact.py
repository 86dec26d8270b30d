"""Bit-exact agreement of torchlike's CPU random streams with real PyTorch's (numpy level)."""

import ctypes
import ctypes.util
import os

import ml_dtypes
import numpy as np
import pytest

from tests._oracle import import_torch
from torchlike._random import _fpmath as fp
from torchlike._random import sampling as S
from torchlike._random.generator import Generator
from torchlike._random.mt19937 import MT19937

torch = import_torch()

BF16 = np.dtype(ml_dtypes.bfloat16)
TORCH_DTYPES = {
    np.dtype(np.float32): torch.float32,
    np.dtype(np.float64): torch.float64,
    np.dtype(np.float16): torch.float16,
    BF16: torch.bfloat16,
    np.dtype(np.int64): torch.int64,
    np.dtype(np.int32): torch.int32,
    np.dtype(np.int16): torch.int16,
    np.dtype(np.int8): torch.int8,
    np.dtype(np.uint8): torch.uint8,
    np.dtype(np.bool_): torch.bool,
    np.dtype(np.complex64): torch.complex64,
}
FLOATS = [np.float32, np.float64, np.float16, BF16]
SEEDS = [0, 1, 12345, 2**32 + 7, 2**64 - 1]


def _np(t):
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(BF16)
    return t.numpy()


def _t(a):
    """A torch tensor from a numpy array (bfloat16 included)."""
    if a.dtype == BF16:
        return torch.from_numpy(a.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(a)


def _bits(a):
    a = np.ascontiguousarray(a)
    return a.view(np.uint8) if a.dtype.itemsize else a


def assert_same(torch_fn, our_fn, seed, pre=None):
    """Run both from the same seed; values, dtype and the generator state afterwards must agree."""
    torch.manual_seed(seed)
    g = Generator().manual_seed(seed)
    if pre is not None:
        pre(g)
    expected = _np(torch_fn())
    got = our_fn(g)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    assert np.array_equal(_bits(got), _bits(expected)), (expected.ravel()[:8], got.ravel()[:8])
    assert np.array_equal(g._get_state_bytes(), torch.get_rng_state().numpy())


# ---- the engine and its state ---------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_raw_stream(seed):
    m = MT19937(seed)
    torch.manual_seed(seed)
    # Sizes cross twist boundaries and the hand-off to numpy's bulk MT19937.
    for n in [0, 1, 5, 618, 3, 2000, 624, 1248, 624 * 8 + 1, 12345]:
        assert np.array_equal(m.random(n) % 2**27, torch.randint(0, 2**27, (n,)).numpy())


def test_vectorised_twist_matches_stepwise():
    a, b = MT19937(7), MT19937(7)
    big = a.random(624 * 10 + 3)
    small = np.concatenate([b.random(k) for k in [1, 623, 624, 1000, 3000, 995]])
    assert np.array_equal(big, small)
    assert (a.left, a.next) == (b.left, b.next)


def test_ten_million_draws_are_fast():
    import time

    m = MT19937(0)
    t = time.perf_counter()
    m.random(10_000_000)
    assert time.perf_counter() - t < 5.0  # generous: this machine is shared


@pytest.mark.parametrize("seed", [0, 2**40 + 3, 2**64 - 1])
def test_state_bytes_match_torch(seed):
    torch.manual_seed(seed)
    g = Generator().manual_seed(seed)
    assert np.array_equal(g._get_state_bytes(), torch.get_rng_state().numpy())
    assert g.initial_seed() == torch.initial_seed()
    # An odd number of scalar normals leaves a cached double normal in the state.
    torch.randn(3)
    S.normal(g, (3,), np.float32)
    assert np.array_equal(g._get_state_bytes(), torch.get_rng_state().numpy())


def test_state_round_trips_with_torch():
    torch.manual_seed(3)
    torch.randn(5)
    torch.rand(1000)
    state = torch.get_rng_state()
    g = Generator()
    g._set_state_bytes(state.numpy())
    assert np.array_equal(_np(torch.randn(7)), S.normal(g, (7,), np.float32))
    # ...and the other way round.
    torch.set_rng_state(torch.from_numpy(g._get_state_bytes()))
    assert np.array_equal(_np(torch.rand(9)), S.uniform(g, (9,), np.float32))


def test_default_seed():
    assert Generator().initial_seed() == torch.Generator().initial_seed()
    assert np.array_equal(Generator()._get_state_bytes(), torch.Generator().get_state().numpy())


def test_seed_validation():
    g = Generator()
    for bad, exc in [
        (2**64, ValueError),
        (-(2**63) - 1, ValueError),
        (1.5, RuntimeError),
        (True, RuntimeError),
    ]:
        with pytest.raises(exc):
            torch.Generator().manual_seed(bad)
        with pytest.raises(exc):
            g.manual_seed(bad)
    assert g.manual_seed(-1).initial_seed() == torch.Generator().manual_seed(-1).initial_seed()


def test_invalid_state():
    g = Generator()
    with pytest.raises(RuntimeError, match="size 5056"):
        g._set_state_bytes(np.zeros(10, np.uint8))
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        g._set_state_bytes(np.zeros(5056, np.uint8))


# ---- floating-point building blocks ---------------------------------------------------------


def _libm():
    name = ctypes.util.find_library("m")
    if name is None:
        pytest.skip("no C math library to compare fma against")
    lib = ctypes.CDLL(name)
    lib.fma.restype = ctypes.c_double
    lib.fma.argtypes = [ctypes.c_double] * 3
    lib.fmaf.restype = ctypes.c_float
    lib.fmaf.argtypes = [ctypes.c_float] * 3
    return lib


def test_fma_emulation():
    lib = _libm()
    rng = np.random.default_rng(0)
    a, b, c = (rng.normal(size=3000) * 10.0 ** rng.integers(-8, 8, 3000) for _ in range(3))
    # Near-cancellation cases, where fusing matters most.
    c[:1000] = -(a[:1000] * b[:1000])
    want = np.array([lib.fma(x, y, z) for x, y, z in zip(a, b, c)])
    assert np.array_equal(fp.fma64(a, b, c), want)
    a32, b32, c32 = (v.astype(np.float32) for v in (a, b, c))
    want32 = np.array(
        [lib.fmaf(x, y, z) for x, y, z in zip(a32.tolist(), b32.tolist(), c32.tolist())], np.float32
    )
    assert np.array_equal(fp.fma32(a32, b32, c32), want32)


@pytest.mark.skipif(
    os.environ.get("TORCHLIKE_SLOW_TESTS") != "1", reason="exhaustive; set TORCHLIKE_SLOW_TESTS=1"
)
def test_box_muller_float32_exhaustive():
    """Every float32 uniform through PyTorch's vectorised Box-Muller, fed by crafting states."""

    def untemper(y):
        y = y.copy()
        y ^= y >> np.uint32(18)
        y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
        t = y.copy()
        for _ in range(5):
            t = y ^ ((t << np.uint32(7)) & np.uint32(0x9D2C5680))
        y = t.copy()
        for _ in range(3):
            t = y ^ (t >> np.uint32(11))
        return t

    torch.manual_seed(0)
    state = torch.get_rng_state().numpy().copy()
    blocks = 38
    per = blocks * 8
    ks = np.arange(2**24, dtype=np.uint32)
    other = np.random.default_rng(1).permutation(2**24).astype(np.uint32)
    g = Generator()
    for i in range(0, 2**24, per):
        a, b = np.resize(ks[i : i + per], per), np.resize(other[i : i + per], per)
        words = np.concatenate([a.reshape(blocks, 8), b.reshape(blocks, 8)], axis=1).reshape(-1)
        st = np.zeros(624, np.uint64)
        st[: words.size] = untemper(words)
        # left = 624, next = 0: the next 623 draws are these words, without a twist.
        state[8:12] = np.array([624], np.int32).view(np.uint8)
        state[16:24] = 0
        state[24 : 24 + 624 * 8] = st.view(np.uint8)
        torch.set_rng_state(torch.from_numpy(state))
        g._set_state_bytes(state)
        assert np.array_equal(
            _np(torch.randn(blocks * 16)), S.normal(g, (blocks * 16,), np.float32)
        )


# ---- samplers -------------------------------------------------------------------------------

SIZES = [1, 7, 16, 17, 100]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_rand_uniform(dtype, n):
    dt = np.dtype(dtype)
    td = TORCH_DTYPES[dt]
    for seed in SEEDS[:3]:
        assert_same(lambda: torch.rand(n, dtype=td), lambda g: S.uniform(g, (n,), dt), seed)
        assert_same(
            lambda: torch.empty(n, dtype=td).uniform_(-2.3, 7.1),
            lambda g: S.uniform(g, (n,), dt, -2.3, 7.1),
            seed,
        )


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", [1, 3, 15, 16, 17, 31, 33, 100, 1000])
def test_randn_normal(dtype, n):
    dt = np.dtype(dtype)
    td = TORCH_DTYPES[dt]
    for seed in SEEDS[:3]:
        assert_same(lambda: torch.randn(n, dtype=td), lambda g: S.normal(g, (n,), dt), seed)
        assert_same(
            lambda: torch.empty(n, dtype=td).normal_(0.3, 2.7),
            lambda g: S.normal(g, (n,), dt, 0.3, 2.7),
            seed,
        )


@pytest.mark.parametrize("td,dt", [(torch.bfloat16, BF16), (torch.float16, np.float16)])
def test_rand_reduced_precision_rounding_up_to_high(td, dt):
    # Float draws that round up to `to` in bfloat16/half are mapped to `from`, as in PyTorch.
    assert_same(lambda: torch.rand(5000, dtype=td), lambda g: S.uniform(g, (5000,), dt), 0)
    assert_same(
        lambda: torch.empty(5000, dtype=td).uniform_(3, 5),
        lambda g: S.uniform(g, (5000,), dt, 3, 5),
        0,
    )


def test_randn_large_and_strided_path():
    for seed in SEEDS:
        assert_same(lambda: torch.randn(40000), lambda g: S.normal(g, (40000,), np.float32), seed)
    # A non-contiguous tensor takes the scalar (cached Box-Muller) path even when large.
    assert_same(
        lambda: torch.empty(40, 2)[:, 0].normal_(),
        lambda g: S.normal(g, (40,), np.float32, contiguous=False),
        5,
    )


def test_normal_cache_interplay():
    def pre(g):
        torch.randn(3)
        S.normal(g, (3,), np.float32)

    assert_same(lambda: torch.randn(1), lambda g: S.normal(g, (1,), np.float32), 0, pre)
    assert_same(
        lambda: torch.randn(4, dtype=torch.float64), lambda g: S.normal(g, (4,), np.float64), 0, pre
    )
    assert_same(
        lambda: torch.empty(2).log_normal_(), lambda g: S.log_normal(g, (2,), np.float32), 0, pre
    )
    # The vectorised path neither reads nor clears the cache.
    assert_same(lambda: torch.randn(20), lambda g: S.normal(g, (20,), np.float32), 0, pre)


@pytest.mark.parametrize("n", [3, 10])
def test_complex(n):
    assert_same(
        lambda: torch.randn(n, dtype=torch.complex64),
        lambda g: S.normal(g, (n,), np.complex64),
        0,
    )
    assert_same(
        lambda: torch.rand(n, dtype=torch.complex64), lambda g: S.uniform(g, (n,), np.complex64), 0
    )


CONTINUOUS = [
    ("exponential_", (2.3,), S.exponential),
    ("geometric_", (0.3,), S.geometric),
    ("log_normal_", (0.5, 0.7), S.log_normal),
    ("cauchy_", (0.5, 1.7), S.cauchy),
    ("bernoulli_", (0.3,), S.bernoulli_scalar),
]


@pytest.mark.parametrize("method,args,ours", CONTINUOUS)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", [5, 40])
@pytest.mark.parametrize("seed", SEEDS[:2])
def test_continuous_distributions(method, args, ours, dtype, n, seed):
    dt = np.dtype(dtype)
    td = TORCH_DTYPES[dt]
    assert_same(
        lambda: getattr(torch.empty(n, dtype=td), method)(*args),
        lambda g: ours(g, (n,), dt, *args),
        seed,
    )


INT_DTYPES = [np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_]
INT_DTYPES += [np.float32, np.float64, np.float16, BF16]


@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("n", [1, 50])
def test_random_(dtype, n):
    dt = np.dtype(dtype)
    td = TORCH_DTYPES[dt]
    low = 5 if dt.kind in "ub" else -5
    bounds = [(), (0, 2)] if dt == np.bool_ else [(), (3, 17), (100,), (low, None)]
    for args in bounds:
        ours = (0, *args) if len(args) == 1 else args
        assert_same(
            lambda args=args: torch.empty(n, dtype=td).random_(*args),
            lambda g, ours=ours: S.random_(g, (n,), dt, *ours),
            0,
        )


@pytest.mark.parametrize(
    "low,high",
    [
        (0, 2**28 - 1),
        (0, 2**28),
        (-(2**40), 2**40),
        (0, 2**32),
        (0, 2**32 + 1),
        (-(2**63), 2**63 - 1),
        (5, 6),
    ],
)
def test_randint_ranges(low, high):
    # Ranges from 2**28 on switch to 64-bit draws.
    for seed in SEEDS[:2]:
        assert_same(
            lambda: torch.randint(low, high, (200,)),
            lambda g: S.random_(g, (200,), np.int64, low, high),
            seed,
        )


@pytest.mark.parametrize("dtype", [np.int64, np.float64, np.float32, BF16])
def test_random_full_64_bit_range(dtype):
    dt = np.dtype(dtype)
    td = TORCH_DTYPES[dt]
    assert_same(
        lambda: torch.empty(50, dtype=td).random_(-(2**63), None),
        lambda g: S.random_(g, (50,), dt, -(2**63), None),
        0,
    )


def test_randint_float_bounds_adjusted():
    with pytest.warns(UserWarning):
        assert_same(
            lambda: torch.randint(0, 65504, (50,), dtype=torch.float16),
            lambda g: S.random_(g, (50,), np.float16, 0, 65504),
            0,
        )


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 1000])
def test_randperm(n):
    for seed in SEEDS[:2]:
        assert_same(lambda: torch.randperm(n), lambda g: S.randperm(g, n), seed)
    assert_same(
        lambda: torch.randperm(n, dtype=torch.float32), lambda g: S.randperm(g, n, np.float32), 0
    )


def test_randperm_vectorised_swaps():
    rng = np.random.default_rng(0)
    for n in [2, 3, 5, 10, 100, 2000]:
        for _ in range(10):
            j = (rng.integers(0, 2**32, n - 1) % np.arange(n, 1, -1)) + np.arange(n - 1)
            assert np.array_equal(S._apply_forward_swaps(j, n), S._apply_swaps_loop(j, n))
    assert_same(lambda: torch.randperm(100_000), lambda g: S.randperm(g, 100_000), 3)


def test_bernoulli_tensor_p():
    p32 = np.random.default_rng(0).random((4, 5)).astype(np.float32)
    p64 = p32.astype(np.float64)
    assert_same(
        lambda: torch.bernoulli(torch.from_numpy(p32)),
        lambda g: S.bernoulli_tensor(g, (4, 5), np.float32, p32),
        0,
    )
    assert_same(
        lambda: torch.bernoulli(torch.from_numpy(p64)),
        lambda g: S.bernoulli_tensor(g, (4, 5), np.float64, p64),
        0,
    )
    assert_same(
        lambda: torch.empty(3, 4, 5, dtype=torch.int64).bernoulli_(torch.from_numpy(p32)),
        lambda g: S.bernoulli_tensor(g, (3, 4, 5), np.int64, p32),
        0,
    )


@pytest.mark.parametrize("replacement", [True, False])
@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, BF16])
def test_multinomial(replacement, k, dtype):
    w = np.array([0.1, 0.0, 2.5, 0.7, 1.3], dtype)
    W = np.random.default_rng(1).random((3, 6)).astype(dtype)
    for seed in SEEDS[:2]:
        assert_same(
            lambda: torch.multinomial(_t(w), k, replacement),
            lambda g: S.multinomial(g, w, k, replacement),
            seed,
        )
        assert_same(
            lambda: torch.multinomial(_t(W), k, replacement),
            lambda g: S.multinomial(g, W, k, replacement),
            seed,
        )
    if replacement:
        assert_same(
            lambda: torch.multinomial(_t(W), 500, True),
            lambda g: S.multinomial(g, W, 500, True),
            0,
        )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_poisson(dtype):
    rates = (np.array([0.0, 0.5, 3.0, 9.9, 10.0, 25.0, 100.0, 1e4]) * 1.37).astype(dtype)
    for seed in range(5):
        assert_same(
            lambda: torch.poisson(torch.from_numpy(rates)), lambda g: S.poisson(g, rates), seed
        )


def test_sampler_errors_match_torch():
    g = Generator()
    cases = [
        (lambda: torch.empty(3).normal_(0, -1), lambda: S.normal(g, (3,), np.float32, 0, -1)),
        (lambda: torch.empty(3).uniform_(2, 1), lambda: S.uniform(g, (3,), np.float32, 2, 1)),
        (lambda: torch.empty(3).exponential_(-1), lambda: S.exponential(g, (3,), np.float32, -1)),
        (lambda: torch.empty(3).geometric_(1.5), lambda: S.geometric(g, (3,), np.float32, 1.5)),
        (
            lambda: torch.empty(3).bernoulli_(1.5),
            lambda: S.bernoulli_scalar(g, (3,), np.float32, 1.5),
        ),
        (
            lambda: torch.empty(3, dtype=torch.int64).random_(5, 2),
            lambda: S.random_(g, (3,), np.int64, 5, 2),
        ),
        (
            lambda: torch.empty(3, dtype=torch.int8).random_(0, 300),
            lambda: S.random_(g, (3,), np.int8, 0, 300),
        ),
        (
            lambda: torch.multinomial(torch.ones(3), 5, False),
            lambda: S.multinomial(g, np.ones(3, np.float32), 5, False),
        ),
        (
            lambda: torch.multinomial(torch.zeros(3), 2, True),
            lambda: S.multinomial(g, np.zeros(3, np.float32), 2, True),
        ),
    ]
    for tfn, ofn in cases:
        with pytest.raises(RuntimeError) as want:
            tfn()
        with pytest.raises(RuntimeError) as got:
            ofn()
        assert str(got.value) == str(want.value).split("\n")[0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gamma_and_binomial(dtype):
    alpha = np.array([0.0, 0.05, 0.3, 0.99, 1.0, 1.5, 3.0, 10.0, 123.4], dtype)
    count = np.array([0, 1, 5, 10, 20, 50, 100, 1000, 37], dtype)
    prob = np.array([0.5, 0.3, 0.05, 0.9, 0.6, 0.2, 0.99, 0.3, 0.7], dtype)

    def cached_normal(g):
        # the gamma sampler reads and refills the cached Box-Muller normal
        torch.randn(1)
        S.normal(g, (1,), np.float32)

    for seed in range(4):
        pre = cached_normal if seed % 2 else None
        assert_same(
            lambda: torch._standard_gamma(_t(alpha)),
            lambda g: S.standard_gamma(g, alpha),
            seed,
            pre,
        )
        assert_same(
            lambda: torch.binomial(_t(count), _t(prob)),
            lambda g: S.binomial(g, count, prob),
            seed,
        )
