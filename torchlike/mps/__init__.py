"""torch.mps: Apple's Metal backend, which JAX does not drive; as PyTorch without MPS."""

__all__ = ["current_allocated_memory", "device_count", "driver_allocated_memory", "empty_cache",
           "get_rng_state", "is_available", "manual_seed", "recommended_max_memory", "seed",
           "set_per_process_memory_fraction", "set_rng_state", "synchronize"]


def _missing(what):
    raise RuntimeError(f"Cannot execute {what}() without MPS backend.")


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed) -> None:
    """Does nothing without MPS, as in PyTorch."""


def seed() -> None:
    _missing("getDefaultGenerator")


def get_rng_state(device="mps"):
    _missing("getDefaultGenerator")


def set_rng_state(new_state, device="mps") -> None:
    _missing("getDefaultGenerator")


def synchronize() -> None:
    _missing("deviceSynchronize")


def empty_cache() -> None:
    _missing("emptyCache")


def current_allocated_memory() -> int:
    _missing("getCurrentAllocatedMemory")


def driver_allocated_memory() -> int:
    _missing("getDriverAllocatedMemory")


def recommended_max_memory() -> int:
    _missing("getRecommendedMaxMemory")


def set_per_process_memory_fraction(fraction) -> None:
    _missing("setMemoryFraction")
