"""torch.device and the mapping of torch device names to JAX devices."""

import functools
import os
import re

import jax

# PyTorch's device types, in the order its messages list them
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
          "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
_DEVICE_STRING = re.compile(r"([a-zA-Z_]+)(?::([1-9]\d*|0))?")
_NO_ACCELERATOR = "Cannot access accelerator device when none is available."
_NO_CUDA = "Torch not compiled with CUDA enabled"
_NO_CUDA_LIBRARY = (
    "Cannot initialize CUDA without ATen_cuda library. PyTorch splits its backend into two "
    "shared libraries: a CPU library and a CUDA library; this error has occurred because you are "
    "trying to use some CUDA functionality, but the CUDA library has not been loaded by the "
    "dynamic linker for some reason.  The CUDA library MUST be loaded, EVEN IF you don't directly "
    "use any symbols from the CUDA library! One common culprit is a lack of -Wl,--no-as-needed in "
    "your link arguments; many dynamic linkers will delete dynamic library dependencies if you "
    "don't depend on any of their symbols.  You can check if this has occurred by using ldd on "
    "your binary to see if there is a dependency on *_cuda.so library.")


def typename(v) -> str:
    """The name PyTorch's argument parser gives a value's type in its messages."""
    from .dtypes import dtype
    from .tensor import Tensor

    if isinstance(v, Tensor):
        return type(v).__name__
    if isinstance(v, dtype):
        return "torch.dtype"
    if isinstance(v, device):
        return "torch.device"
    t = type(v)
    mod = t.__module__ or ""
    if mod.startswith("torchlike"):
        return "torch." + t.__name__
    return t.__qualname__ if mod == "builtins" else f"{mod}.{t.__qualname__}"


def _describe(v) -> str:
    """typename with the contents of a list or tuple, as in 'list of [int]'."""
    if isinstance(v, (list, tuple)):
        inner = ", ".join(typename(x) for x in v)
        return f"list of [{inner}]" if isinstance(v, list) else f"tuple of ({inner})"
    return typename(v)


def invalid_arguments(name, args, kwargs, signatures) -> TypeError:
    """PyTorch's 'received an invalid combination of arguments' TypeError.

    signatures: (text, param names, check) for each overload; check(values by name) says
    which positional values have the wrong type. As in PyTorch, an overload gets a "didn't
    match" note only when it takes exactly as many arguments as were given.
    """
    got = [typename(a) for a in args] + [f"{k}={typename(v)}" for k, v in reversed(kwargs.items())]
    got = ", ".join(got) + (", " if kwargs and not args else "")
    msg = (f"{name}() received an invalid combination of arguments - got ({got}), but expected "
           "one of:\n")
    for text, params, check in signatures:
        msg += f" * ({text})\n"
        if len(args) + len(kwargs) != len(params):
            continue
        bad_kw = [k for k in kwargs if k not in params]
        if bad_kw:
            msg += ("      didn't match because some of the keywords were incorrect: "
                    + ", ".join(bad_kw) + "\n")
            continue
        bad = check(args)
        if any(bad):
            marked = [f"!{_describe(a)}!" if b else _describe(a) for a, b in zip(args, bad)]
            msg += ("      didn't match because some of the arguments have invalid types: ("
                    + ", ".join(marked) + ")\n")
    return TypeError(msg)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


_DEVICE_SIGNATURES = (
    ("torch.device device", ("device",), lambda a: [not isinstance(x, device) for x in a]),
    ("str type, int index = -1", ("type", "index"), lambda a: [False] * len(a)),
)


class device:
    """torch.device: a type ('cpu', 'cuda') and an optional index."""

    __slots__ = ("type", "index")

    def __init__(self, *args, **kwargs):
        n = len(args) + len(kwargs)
        if n == 1 and isinstance(args[0] if args else kwargs.get("device"), device):
            src = args[0] if args else kwargs["device"]
            self._set(src.type, src.index)
            return
        if n == 1 and isinstance(kwargs.get("device"), str):
            self._set(*_parse(kwargs["device"]))
            return
        if n == 1 and args and _is_int(args[0]):
            # an index alone names a device of the current accelerator
            if args[0] < 0:
                raise RuntimeError("Device index must not be negative")
            if not gpus():
                raise RuntimeError(_NO_ACCELERATOR)
            self._set("cuda", args[0])
            return
        if "device" in kwargs:
            raise TypeError("device() got an unexpected keyword argument 'device'")
        params = ("type", "index")
        if (len(args) > 2 or any(k not in params for k in kwargs) or n == 0
                or any(k in kwargs for k in params[:len(args)])):
            raise invalid_arguments("device", args, kwargs, _DEVICE_SIGNATURES)
        given = dict(zip(params, args), **kwargs)
        type_, index = given.get("type"), given.get("index")
        if n == 1 and not isinstance(type_, str):
            # (both overloads take one argument, so PyTorch lists them)
            raise invalid_arguments("device", args, kwargs, _DEVICE_SIGNATURES)
        checks = (("type", type_, isinstance(type_, str)),
                  ("index", index, index is None or _is_int(index)))
        for pos, (name, value, ok) in enumerate(checks):
            if not ok:
                where = f" (position {pos + 1})" if name not in kwargs else ""
                raise TypeError(f"device(): argument '{name}'{where} must be "
                                f"{'str' if name == 'type' else 'int'}, not {typename(value)}")
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        parsed_type, parsed_index = _parse(type_)
        if parsed_index is not None and index is not None:
            raise RuntimeError("type (string) must not include an index because index was "
                               f"passed explicitly: {type_}")
        self._set(parsed_type, parsed_index if index is None else index)

    def _set(self, type_, index):
        object.__setattr__(self, "type", type_)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name, value):
        raise AttributeError(f"attribute '{name}' of 'torch.device' objects is not writable")

    def __eq__(self, other):
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __ne__(self, other):
        if not isinstance(other, device):
            return NotImplemented
        return not self == other

    def _no_order(self, other):
        raise TypeError("comparison not implemented")

    __lt__ = __le__ = __gt__ = __ge__ = _no_order

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


def _parse(s: str):
    """A device string as (type, index or None), with PyTorch's errors."""
    if not s:
        raise RuntimeError("Device string must not be empty")
    m = _DEVICE_STRING.fullmatch(s)
    if m is None:
        raise RuntimeError(f"Invalid device string: '{s}'")
    type_, idx = m.groups()
    if type_ not in _TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device "
                           f"string: {type_}")
    if idx is None:
        return type_, None
    if int(idx) > 2 ** 31 - 1:
        raise RuntimeError(f"Could not parse device index '{idx}' in device string '{s}'")
    return type_, int(idx)


CPU = device("cpu")
current_cuda = {"index": 0}  # torch.cuda.current_device(): where 'cuda' without an index is
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


# What PyTorch's CPU build raises for a device it has no backend for: making a tensor there
# (the first error) or moving one there (the second).
_BACKEND_NAMES = {"mps": "MPS", "xla": "XLA", "ipu": "IPU", "lazy": "Lazy", "vulkan": "Vulkan",
                  "hip": "HIP", "maia": "MAIA", "ve": "VE", "fpga": "FPGA"}


def _no_backend(dev, moving=False) -> Exception:
    t = dev.type
    if t == "xpu":
        return AssertionError("Torch not compiled with XPU enabled")
    if t == "mtia":
        return AssertionError("Torch not compiled with MTIA enabled. Ensure you have `import "
                              "mtia.host_runtime.torch_mtia.dynamic_library` in your python src "
                              "file and include `//mtia/host_runtime/torch_mtia:torch_mtia` as "
                              "your target dependency!")
    if t in ("hpu", "privateuseone"):
        return ModuleNotFoundError(f"No module named 'torch.{t}'")
    if moving and t != "lazy":
        return RuntimeError(f"PyTorch is not linked with support for {t} devices")
    if t in _BACKEND_NAMES:
        return NotImplementedError(
            f"Could not run 'aten::empty.memory_format' with arguments from the "
            f"'{_BACKEND_NAMES[t]}' backend. This could be because the operator doesn't exist "
            "for this backend, or was omitted during the selective/custom build process (if "
            "using custom build). (torchlike runs on 'cpu' and 'cuda' only.)")
    return RuntimeError(f"torchlike has no '{t}' backend; use 'cpu' or 'cuda'")


def canonical(dev, moving=False) -> device:
    """Parse a user device argument into a torch device, checking that it exists.

    moving: the device is the target of Tensor.to (PyTorch raises differently there)."""
    if dev is None:
        dev = _default_device
        if dev is CPU:
            return CPU
    elif dev.__class__ is str and dev == "cpu":
        return CPU
    if not isinstance(dev, device):
        dev = device(dev)
    if dev.type == "cuda":
        g = gpus()
        if not g:
            raise AssertionError(_NO_CUDA)
        idx = current_cuda["index"] if dev.index is None else dev.index
        if idx >= len(g):
            raise RuntimeError("CUDA error: invalid device ordinal")
        return device("cuda", idx)
    if dev.type == "meta":
        return META
    if dev.type != "cpu":
        raise _no_backend(dev, moving)
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
    """torch.set_default_device; None restores the CPU. As in PyTorch, a device that does not
    exist here is refused when a tensor is made there, not now."""
    global _default_device
    d = CPU if dev is None else dev if isinstance(dev, device) else device(dev)
    _default_device = CPU if d == CPU else d  # (the factories' fast path checks `is CPU`)


def get_default_device() -> device:
    d = _default_device
    return d if d.index is not None else canonical(d)
