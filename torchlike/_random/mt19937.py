"""PyTorch's CPU random engine: mt19937 with PyTorch's seeding and state layout, in numpy."""

from __future__ import annotations

import numpy as np

from torchlike._random import _memory

N = 624
M = 397
_MATRIX_A = np.uint32(0x9908B0DF)
_UMASK = np.uint32(0x80000000)
_LMASK = np.uint32(0x7FFFFFFF)

# torch.get_rng_state() is a memcpy of CPUGeneratorImplState (aten/src/ATen/CPUGeneratorImpl.cpp):
# legacy part {u64 the_initial_seed; i32 left; i32 seeded; u64 next; u64 state[624];
# f64 normal_x, normal_y, normal_rho; i32 normal_is_valid}, then {f32 next_float_normal_sample;
# bool is_next_float_normal_sample_valid}, padded to 8-byte alignment.
STATE_DTYPE = np.dtype(
    {
        "names": [
            "the_initial_seed",
            "left",
            "seeded",
            "next",
            "state",
            "normal_x",
            "normal_y",
            "normal_rho",
            "normal_is_valid",
            "next_float_normal_sample",
            "is_next_float_normal_sample_valid",
        ],
        "formats": [
            "<u8",
            "<i4",
            "<i4",
            "<u8",
            ("<u8", N),
            "<f8",
            "<f8",
            "<f8",
            "<i4",
            "<f4",
            "u1",
        ],
        "offsets": [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5044, 5048],
        "itemsize": 5056,
    }
)
STATE_SIZE = STATE_DTYPE.itemsize

# From this many words on, twisting is handed to numpy's C implementation of the same recurrence.
_BULK = 8 * N
# Words per array of a bulk draw (256 KiB). Freed and allocated again at one size, such arrays
# come back from malloc's heap (glibc's mmap threshold adapts) rather than as fresh pages.
PIECE = 1 << 16


def _init_genrand(seed: int) -> np.ndarray:
    """Knuth's initialisation of the 624-word state from the low 32 bits of ``seed``."""
    state = [0] * N
    x = seed & 0xFFFFFFFF
    state[0] = x
    for j in range(1, N):
        x = (1812433253 * (x ^ (x >> 30)) + j) & 0xFFFFFFFF
        state[j] = x
    return np.array(state, dtype=np.uint32)


def _twist(s: np.ndarray, out: np.ndarray) -> None:
    """Write the next 624-word state after ``s`` into ``out``, vectorised in four dependent blocks."""
    y = (s[:-1] & _UMASK) | (s[1:] & _LMASK)
    mag = (y >> np.uint32(1)) ^ ((y & np.uint32(1)) * _MATRIX_A)
    # out[i] = out_or_s[i + M] ^ mag[i]; words past the end wrap to the already-updated head.
    k = N - M  # 227
    np.bitwise_xor(s[M:], mag[:k], out=out[:k])
    np.bitwise_xor(out[:k], mag[k : 2 * k], out=out[k : 2 * k])
    np.bitwise_xor(out[k : N - 1 - k], mag[2 * k :], out=out[2 * k : N - 1])
    last = (s[N - 1] & _UMASK) | (out[0] & _LMASK)
    out[N - 1] = out[M - 1] ^ (last >> np.uint32(1)) ^ (_MATRIX_A if last & 1 else np.uint32(0))


def _temper(y: np.ndarray) -> np.ndarray:
    y = y ^ (y >> np.uint32(11))
    y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
    y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
    y ^= y >> np.uint32(18)
    return y


class MT19937:
    """at::mt19937: the 32-bit Mersenne Twister as PyTorch's CPU generator seeds and steps it."""

    __slots__ = ("left", "next", "seed", "state")

    def __init__(self, seed: int = 5489):
        self.manual_seed(seed)

    def manual_seed(self, seed: int) -> None:
        self.seed = int(seed) & 0xFFFFFFFFFFFFFFFF
        self.state = _init_genrand(self.seed)
        # PyTorch keeps `left` and `next` as in mt19937ar-cok.c: the next draw twists when left hits 0.
        self.left = 1
        self.next = 0

    def clone(self) -> MT19937:
        new = MT19937.__new__(MT19937)
        new.seed, new.left, new.next, new.state = self.seed, self.left, self.next, self.state.copy()
        return new

    def random(self, n: int) -> np.ndarray:
        """The next ``n`` 32-bit outputs (what ``CPUGeneratorImpl::random()`` returns n times)."""
        n = int(n)
        if n >= _BULK:
            out = _memory.empty(n, np.uint32)
            pos = 0
            for piece in self.chunks(n):
                out[pos : pos + piece.size] = piece
                pos += piece.size
            return out
        out = np.empty(n, dtype=np.uint32)
        # Words still unread in the current state block.
        take = min(self.left - 1, n)
        out[:take] = _temper(self.state[self.next : self.next + take])
        self.next += take
        self.left -= take
        rest = n - take
        if rest == 0:
            return out
        blocks = -(-rest // N)
        states = np.empty((blocks, N), dtype=np.uint32)
        prev = self.state
        for b in range(blocks):
            _twist(prev, states[b])
            prev = states[b]
        out[take:] = _temper(states.reshape(-1)[:rest])
        self.state = states[-1].copy()
        used = rest - (blocks - 1) * N
        self.next = used
        self.left = N + 1 - used
        return out

    def chunks(self, n: int, size: int = PIECE):
        """The next ``n`` outputs as successive arrays of ``size`` (the last one shorter).

        Drawn as they are consumed, by numpy's C implementation of the same recurrence, which
        is handed the state and gives it back with the last piece. Reused pieces stay in the
        cache and in malloc's heap, where one array for all would be fresh (faulting) pages.
        """
        n = int(n)
        if n < _BULK:
            if n:
                yield self.random(n)
            return
        bitgen = np.random.MT19937()
        # The next draw reads word N + 1 - left, after a twist when that is N (left == 1).
        pos = N + 1 - self.left
        bitgen.state = {"bit_generator": "MT19937", "state": {"key": self.state, "pos": pos}}
        gen = np.random.Generator(bitgen)
        for i in range(0, n, size):
            # Full-range uint32 integers are the raw outputs (random_raw would give uint64).
            piece = gen.integers(0, 1 << 32, min(size, n - i), dtype=np.uint32)
            if i + size >= n:  # the last piece: take the state back before handing it out
                st = bitgen.state["state"]
                self.state = np.asarray(st["key"], dtype=np.uint32).copy()
                self.next = int(st["pos"])
                self.left = N + 1 - self.next
            yield piece

    def random64(self, n: int) -> np.ndarray:
        """The next ``n`` 64-bit outputs: two 32-bit draws each, the first one the high word."""
        r = self.random(2 * int(n)).astype(np.uint64)
        return (r[0::2] << np.uint64(32)) | r[1::2]

    def is_valid(self) -> bool:
        return 0 < self.left <= N and 0 <= self.next <= N
