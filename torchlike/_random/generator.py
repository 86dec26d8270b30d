"""torch.Generator for the CPU: PyTorch's mt19937 stream, seeding and state bytes."""

from __future__ import annotations

import os

import numpy as np

from torchlike._random.mt19937 import MT19937, STATE_DTYPE, STATE_SIZE

# c10::detail::default_rng_seed_val: the seed of a freshly constructed torch.Generator().
default_rng_seed_val = 67280421310721

_INT64_MIN = -(1 << 63)
_UINT64_MAX = (1 << 64) - 1


def _check_seed(seed) -> int:
    # Generator.manual_seed takes a Python int (not bool) in [-2**63, 2**64 - 1], as torch's does.
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")  # noqa: TRY004
    seed = int(seed)
    if seed < _INT64_MIN or seed > _UINT64_MAX:
        raise ValueError("Overflow when unpacking long long")
    return seed & _UINT64_MAX


def _nondeterministic_seed() -> int:
    return int.from_bytes(os.urandom(8), "little")


class Generator:
    """A CPU random number generator whose streams are bit-identical to PyTorch's CPU generator.

    Differs from PyTorch: a generator for another device draws from this same CPU stream, and
    compiled code (``torchlike.compile``) and GPU kernels draw through :meth:`_next_jax_key`.
    """

    def __init__(self, device="cpu"):
        self._device = device
        self._engine = MT19937(default_rng_seed_val)
        # Box-Muller makes two normals; PyTorch keeps the second for the next scalar draw.
        self._next_double_normal = None
        self._next_float_normal = None

    # ---- torch.Generator API --------------------------------------------------------------

    @property
    def device(self):
        from torchlike._core.device import device as _device

        return _device(self._device) if not isinstance(self._device, _device) else self._device

    def manual_seed(self, seed) -> Generator:
        """Seed the generator (seeds are taken modulo 2**64; mt19937 uses the low 32 bits)."""
        seed = _check_seed(seed)
        self._engine.manual_seed(seed)
        self._next_double_normal = None
        self._next_float_normal = None
        return self

    def seed(self) -> int:
        """Seed from a non-deterministic source and return that seed."""
        s = _nondeterministic_seed()
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._engine.seed

    def get_state(self):
        """The state as a 5056-byte uint8 tensor, byte-compatible with ``torch.get_rng_state()``."""
        from torchlike._core.tensor import wrap

        return wrap(self._get_state_bytes())

    def set_state(self, new_state) -> Generator:
        """Restore a state from :meth:`get_state` (or from real PyTorch's ``get_rng_state()``)."""
        self._set_state_bytes(_state_to_numpy(new_state))
        return self

    def clone_state(self) -> Generator:
        new = Generator(self._device)
        new._engine = self._engine.clone()
        new._next_double_normal = self._next_double_normal
        new._next_float_normal = self._next_float_normal
        return new

    def __getstate__(self):
        return {"device": str(self._device), "state": self._get_state_bytes()}

    def __setstate__(self, d):
        self.__init__(d["device"])
        self._set_state_bytes(d["state"])

    def __repr__(self):
        return f"<torchlike.Generator object at {hex(id(self))}>"

    # ---- state bytes ---------------------------------------------------------------------

    def _get_state_bytes(self) -> np.ndarray:
        e = self._engine
        s = np.zeros((), dtype=STATE_DTYPE)
        s["the_initial_seed"] = e.seed
        s["left"] = e.left
        s["seeded"] = 1
        s["next"] = e.next
        s["state"] = e.state.astype(np.uint64)
        if self._next_double_normal is not None:
            s["normal_is_valid"] = 1
            s["normal_y"] = self._next_double_normal
        if self._next_float_normal is not None:
            s["is_next_float_normal_sample_valid"] = 1
            s["next_float_normal_sample"] = self._next_float_normal
        return np.frombuffer(s.tobytes(), dtype=np.uint8).copy()

    def _set_state_bytes(self, b: np.ndarray) -> None:
        if b.size != STATE_SIZE:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input RNG "
                f"state size to be {b.size}"
            )
        s = np.frombuffer(np.ascontiguousarray(b).tobytes(), dtype=STATE_DTYPE)[0]
        engine = MT19937.__new__(MT19937)
        engine.seed = int(s["the_initial_seed"])
        engine.left = int(s["left"])
        # PyTorch narrows the legacy 64-bit words and `next` to 32 bits.
        engine.next = int(s["next"]) & 0xFFFFFFFF
        engine.state = s["state"].astype(np.uint32)
        if not (int(s["seeded"]) != 0 and 0 < engine.left <= 624 and engine.next <= 624):
            raise RuntimeError("Invalid mt19937 state")
        self._engine = engine
        self._next_double_normal = float(s["normal_y"]) if int(s["normal_is_valid"]) else None
        self._next_float_normal = (
            np.float32(s["next_float_normal_sample"])
            if int(s["is_next_float_normal_sample_valid"])
            else None
        )

    # ---- raw draws (for the samplers) ----------------------------------------------------

    def _random(self, n: int) -> np.ndarray:
        """``n`` draws of ``CPUGeneratorImpl::random()`` (uint32)."""
        return self._engine.random(n)

    def _random_chunks(self, n: int):
        """``n`` draws of ``random()`` as successive uint32 arrays, drawn as they are consumed."""
        return self._engine.chunks(n)

    def _random64(self, n: int) -> np.ndarray:
        """``n`` draws of ``CPUGeneratorImpl::random64()`` (uint64)."""
        return self._engine.random64(n)

    def _next_jax_key(self):
        """A fresh ``jax.random`` key drawn from this generator's stream (consumes two draws).

        For compiled and GPU code, which cannot call back into the CPU stream per element:
        compiled/GPU randomness differs from PyTorch's stream, but stays reproducible under
        ``manual_seed`` and advances the generator like any other draw.
        """
        import jax

        hi, lo = (int(w) for w in self._random(2))
        return jax.random.fold_in(jax.random.key(hi), lo)


def _state_to_numpy(new_state) -> np.ndarray:
    """The bytes of a uint8 state tensor (torchlike, numpy or a real torch tensor)."""
    dt = getattr(new_state, "dtype", None)
    if dt is None:
        raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
    if hasattr(new_state, "numpy") and not isinstance(new_state, np.ndarray):
        arr = np.asarray(
            new_state.detach().numpy() if hasattr(new_state, "detach") else new_state.numpy()
        )
    else:
        arr = np.asarray(new_state)
    if arr.dtype != np.uint8:
        raise TypeError("RNG state must be a torch.ByteTensor")
    return arr.reshape(-1)


default_generator = Generator()
default_generator.manual_seed(_nondeterministic_seed())
