"""torch.accelerator: the current accelerator (a CUDA device when JAX sees a GPU)."""

from .._core.device import device as _device, gpus as _gpus

_current = {"index": 0}


def is_available():
    return bool(_gpus())


def current_accelerator(check_available=False):
    if _gpus():
        return _device("cuda")
    return None


def device_count():
    return len(_gpus())


def current_device_index():
    return _current["index"]


current_device_idx = current_device_index


def set_device_index(device):
    idx = device if isinstance(device, int) else (_device(device).index or 0)
    _current["index"] = idx


set_device_idx = set_device_index


def synchronize(device=None):
    import jax
    jax.effects_barrier()
