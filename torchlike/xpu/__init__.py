"""torch.xpu: Intel GPUs, which torchlike does not drive; as PyTorch built without XPU."""

__all__ = ["current_device", "device_count", "empty_cache", "get_device_name", "get_rng_state",
           "is_available", "is_bf16_supported", "is_initialized", "manual_seed",
           "manual_seed_all", "max_memory_allocated", "memory_allocated", "seed", "seed_all",
           "set_device", "synchronize"]


def _lazy_check():
    raise AssertionError("Torch not compiled with XPU enabled")


def is_available() -> bool:
    return False


def is_initialized() -> bool:
    return False


def device_count() -> int:
    return 0


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def manual_seed(seed) -> None:
    """Does nothing without an XPU, as in PyTorch."""


manual_seed_all = manual_seed


def seed() -> None:
    pass


seed_all = seed


def empty_cache() -> None:
    pass


def memory_allocated(device=None) -> int:
    return 0


def max_memory_allocated(device=None) -> int:
    return 0


def synchronize(device=None) -> None:
    _lazy_check()


def current_device() -> int:
    _lazy_check()


def get_device_name(device=None) -> str:
    _lazy_check()


def set_device(device) -> None:
    _lazy_check()


def get_rng_state(device="xpu"):
    _lazy_check()
