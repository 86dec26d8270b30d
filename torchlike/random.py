"""torch.random: the default CPU generator's seed and state."""

from __future__ import annotations

import contextlib

from torchlike._random.generator import Generator, default_generator

__all__ = [
    "default_generator",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]


def manual_seed(seed) -> Generator:
    """Seed the default generator; values in [-2**63, 2**64 - 1] (negatives wrap modulo 2**64).

    Differs from PyTorch: there is one stream for all devices, so this also seeds "CUDA".
    """
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    """Seed the default generator non-deterministically and return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's initial seed."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a uint8 tensor, byte-compatible with PyTorch's."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the default generator's state from :func:`get_rng_state` (or PyTorch's)."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(
    devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type=None
):
    """Restore the random state when the block exits."""
    if not enabled:
        yield
        return
    state = default_generator._get_state_bytes()
    try:
        yield
    finally:
        default_generator._set_state_bytes(state)
