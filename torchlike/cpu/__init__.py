"""torch.cpu."""

from . import amp  # noqa: F401


def is_available():
    return True


def device_count():
    return 1


def current_device():
    return "cpu"


def synchronize(device=None):
    """Wait for pending CPU work (JAX dispatches asynchronously)."""
    import jax
    jax.effects_barrier()
