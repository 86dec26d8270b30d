"""torch.device and the mapping of torch device names to JAX devices."""

import functools
import os

import jax

_TYPES = ("cpu", "cuda", "mps", "meta", "xla")


class device:
    """torch.device: a type ('cpu', 'cuda') and an optional index."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type!r})")
        if ":" in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in _TYPES:
            raise RuntimeError(f"Expected one of cpu, cuda, mps, meta, xla device type at start "
                               f"of device string: {type}")
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative")
        self.type, self.index = type, index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self):
        # `with torch.device(d):` makes d the default device of the factory functions
        global _default_device
        _PREVIOUS.append(_default_device)
        _default_device = self
        return self

    def __exit__(self, *exc):
        global _default_device
        _default_device = _PREVIOUS.pop()


CPU = device("cpu")
_default_device = CPU
_PREVIOUS = []  # the default devices that enclosing `with torch.device(...)` blocks replaced
META = device("meta")


@functools.lru_cache(None)
def gpus():
    """JAX's GPU devices (empty on a CPU-only machine).

    With TORCHLIKE_EMULATE_CUDA=1 and XLA_FLAGS=--xla_force_host_platform_device_count=N,
    the CPU platform's devices 1..N-1 stand in for cuda:0..N-2, so that tests without a
    GPU exercise the device bookkeeping (placement, transfers, mixing errors).
    """
    if os.environ.get("TORCHLIKE_EMULATE_CUDA", "0") not in ("", "0"):
        return tuple(jax.devices("cpu")[1:])
    try:
        return tuple(jax.devices("gpu"))
    except RuntimeError:
        return ()


def multi_device() -> bool:
    """Whether tensors can live on more than one device here (else device checks are skipped)."""
    return bool(gpus())


def canonical(dev) -> device:
    """Parse a user device argument into a torch device, checking that it exists."""
    if dev is None:
        dev = _default_device
        if dev is CPU:
            return CPU
    if not isinstance(dev, device):
        dev = device(dev)
    if dev.type == "cuda":
        g = gpus()
        if not g:
            raise RuntimeError("Found no NVIDIA driver on your system: torch.cuda is not "
                               "available because JAX sees no GPU (install jax[cuda12]).")
        idx = 0 if dev.index is None else dev.index
        if idx >= len(g):
            raise RuntimeError("CUDA error: invalid device ordinal")
        return device("cuda", idx)
    if dev.type == "meta":
        return META
    if dev.type != "cpu":
        raise RuntimeError(f"torchlike has no '{dev.type}' backend; use 'cpu' or 'cuda'")
    return CPU


def jax_device(dev: device):
    """The JAX device for a canonical torch device."""
    if dev.type == "cuda":
        return gpus()[dev.index or 0]
    return jax.devices("cpu")[0]


@functools.lru_cache(None)
def _by_jax():
    return {jd: device("cuda", i) for i, jd in enumerate(gpus())}


def device_of(arr) -> device:
    """The torch device an array lives on: for arrays made outside an op (the autograd engine's
    gradients), whose tensors would otherwise be labelled 'cpu'. CPU on a CPU-only machine, for
    numpy values, and for values not computed yet (a compiled step's lazy arrays, tracers)."""
    if not gpus() or not isinstance(arr, jax.Array):
        return CPU
    try:
        devs = arr.devices()
    except Exception:  # a tracer
        return CPU
    return _by_jax().get(next(iter(devs)), CPU) if len(devs) == 1 else CPU


def set_default_device(dev) -> None:
    global _default_device
    _default_device = canonical(dev)


def get_default_device() -> device:
    return _default_device
