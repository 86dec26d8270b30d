"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/full/empty, arange, linspace, ..."""

import builtins
import math

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core import device as _dev
from .._core.tensor import Tensor, host_array, wrap


def _size_args(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)) or (
            len(size) == 1 and hasattr(size[0], "__len__") and not isinstance(size[0], Tensor)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s.item())
        if not isinstance(s, (builtins.int, np.integer)):
            raise TypeError(f"empty(): argument 'size' must be tuple of ints, but found element of "
                            f"type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(int(s))
    return tuple(out)


def _place(arr, device):
    dev = _dev.canonical(device)
    if dev.type != "cpu":
        arr = jax.device_put(arr, _dev.jax_device(dev))
    return arr, dev


def from_host(arr, device):
    """A result computed on the host (data-dependent shapes: nonzero, unique, ...) as a
    tensor on `device`."""
    if not isinstance(arr, jax.Array):
        arr = host_array(arr)
    return _finish(arr, device, False)


def _finish(arr, device, requires_grad):
    arr, dev = _place(arr, device)
    t = wrap(arr, device=dev)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _infer_dtype(data):
    """The dtype torch.tensor infers for nested data: the promotion of its elements' types,
    a Python number counting as its default dtype (bool, int64, the default float or
    complex) and a numpy scalar or array, or a tensor, as its own dtype."""
    dt = None
    found = False
    defaults = (_dt.bool, _dt.int64, _dt.get_default_dtype(), _dt.default_complex())

    def visit(x, first=False):
        # first: x is the first element of the first element ... of the data (PyTorch infers
        # the dimensions from there, and a str there reads as one dimension too many)
        nonlocal dt, found
        if isinstance(x, (list, tuple)):
            for i, y in enumerate(x):
                visit(y, first and i == 0)
            return
        found = True
        if isinstance(x, Tensor):
            d = x.dtype
        elif isinstance(x, (np.generic, np.ndarray)):
            d = _dt.from_np(x.dtype)
        elif isinstance(x, builtins.bool):
            d = defaults[0]
        elif isinstance(x, builtins.int):
            d = defaults[1]
        elif isinstance(x, builtins.float):
            d = defaults[2]
        elif isinstance(x, builtins.complex):
            d = defaults[3]
        elif isinstance(x, str):
            if first and x is not data:
                raise ValueError("too many dimensions 'str'")
            raise TypeError("new(): invalid data type 'str'")
        else:
            raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")
        dt = d if dt is None else _dt.promote_types(dt, d)

    visit(data, True)
    if not found:
        return _dt.get_default_dtype()
    return dt


def _check_range(a, dtype):
    """PyTorch's overflow errors for Python numbers that do not fit the tensor's dtype (numpy
    would wrap them silently): beyond int64 as read, beyond the dtype when converted."""
    if a.dtype == np.uint64 and dtype is not _dt.uint64 or a.dtype == object:
        raise ValueError("Overflow when unpacking long long")
    if a.size and dtype._cat == _dt._INT and a.dtype.kind in "iuf":
        from .registry import check_scalar_fits
        lo, hi = a.min(), a.max()
        check_scalar_fits(int(lo) if a.dtype.kind != "f" else float(lo), dtype)
        check_scalar_fits(int(hi) if a.dtype.kind != "f" else float(hi), dtype)


def _to_numpy(data):
    if isinstance(data, Tensor):
        return np.asarray(data._data)
    if isinstance(data, (list, tuple)):
        if any(isinstance(x, Tensor) for x in data):
            return np.stack([_to_numpy(x) for x in data]) if data else np.zeros(0)
        return np.array([_to_numpy(x) if isinstance(x, (list, tuple, Tensor)) else x for x in data]) \
            if any(isinstance(x, (list, tuple, Tensor)) for x in data) else np.array(data)
    return np.asarray(data)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """torch.tensor: always copies data."""
    if isinstance(data, Tensor):
        arr = data.detach()._data
        if dtype is not None:
            arr = arr.astype(dtype._np)
        return _finish(arr, device if device is not None else data.device, requires_grad)
    if isinstance(data, np.ndarray):
        a = data
        if dtype is None:
            dtype = _dt.from_np(a.dtype)
    elif isinstance(data, (jax.Array,)):
        a = data
        dtype = dtype or _dt.from_np(a.dtype)
    else:
        if dtype is None:
            if isinstance(data, (np.generic,)):
                dtype = _dt.from_np(data.dtype)
            else:
                dtype = _infer_dtype(data)
        try:
            a = _to_numpy(data)
        except ValueError as e:
            raise ValueError(f"expected sequence of length {e}") from None
        except OverflowError:  # a Python int beyond 64 bits
            raise ValueError("Overflow when unpacking long long") from None
        if a.dtype == object:
            if any(isinstance(v, builtins.int) for v in a.ravel()):
                raise ValueError("Overflow when unpacking long long")
            raise ValueError("too many dimensions or ragged nested sequence")
        _check_range(a, dtype)
    if isinstance(a, np.ndarray) and a.dtype.kind in "fc" and dtype._cat <= _dt._INT and \
            not isinstance(data, np.ndarray):
        a = np.trunc(a) if dtype is not _dt.bool else a
    if isinstance(a, np.ndarray) and dtype._np not in _REDUCED:
        # (float16 and bfloat16 keep jnp's conversion from wider floats)
        with np.errstate(over="ignore"):  # 1e40 into float32 is inf, as in PyTorch
            arr = host_array(np.array(a, dtype=dtype._np), copy=False)
    else:
        arr = jnp.asarray(a, dtype=dtype._np)
    return _finish(arr, device, requires_grad)


_REDUCED = (np.dtype(jnp.float16), np.dtype(jnp.bfloat16))


def as_tensor(data, dtype=None, device=None):
    """torch.as_tensor: reuses a tensor when dtype and device already match."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (dtype or device) else data
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """torch.from_numpy. Differs from PyTorch: the tensor holds a copy, not shared memory."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return wrap(host_array(ndarray), device=_dev.CPU)


def from_jax(array):
    """A tensor around a jax array (no copy)."""
    return wrap(array)


# zeros/ones/full/empty: jnp.full outside jit runs op by op (~50 µs a call, PyTorch's ~1 µs).
# The value is converted once by jnp (its conversion rules and errors, as before) into a 0-d
# array; a jitted broadcast per shape makes each new tensor's own buffer (~5 µs).
_FILL_VALUES = {}  # (value key, numpy dtype, device) -> the value as a 0-d array there
_FILLERS = {}  # (shape, numpy dtype) -> jitted broadcast of a 0-d array to shape


def _fill_value(value, npdt, dev):
    t = type(value)
    key = None
    if value == value and t in (builtins.bool, builtins.int, builtins.float, builtins.complex):
        # (0.0 and -0.0 are equal keys: told apart by the sign)
        key = (t, value, math.copysign(1.0, value) if t is builtins.float else 0, npdt, dev)
        v = _FILL_VALUES.get(key)
        if v is not None:
            return v
    v = jnp.full((), value, dtype=npdt)
    if dev.type != "cpu":
        v = jax.device_put(v, _dev.jax_device(dev))
    if key is not None and len(_FILL_VALUES) < 4096:
        _FILL_VALUES[key] = v
    return v


def _filler(shape, npdt):
    f = _FILLERS.get((shape, npdt))
    if f is None:
        # (a 0-d result is reshaped from (1,), so jit returns a new buffer, not the cached value)
        f = jax.jit(lambda v: jnp.broadcast_to(v, shape or (1,)).reshape(shape))
        if len(_FILLERS) < 4096:
            _FILLERS[(shape, npdt)] = f
    return f


def _fill(size, value, dtype, device, requires_grad):
    shape = _size_args(size)
    dev = _dev.canonical(device)
    npdt = dtype._np
    if dev.type == "meta":  # no data: nothing to allocate
        from .._core.meta import MetaArray

        t = wrap(MetaArray(shape, npdt), device=dev)
        if requires_grad:
            t.requires_grad_(True)
        return t
    arr = _filler(shape, npdt)(_fill_value(value, npdt, dev))
    t = wrap(arr, device=dev)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype_or_default(dtype):
    return dtype if dtype is not None else _dt.get_default_dtype()


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, **kw):
    r = _fill(size, 0, _dtype_or_default(dtype), device, requires_grad)
    return _out(out, r)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, **kw):
    return _out(out, _fill(size, 1, _dtype_or_default(dtype), device, requires_grad))


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, **kw):
    """torch.empty. Differs from PyTorch: the memory is zero-filled."""
    return _out(out, _fill(size, 0, _dtype_or_default(dtype), device, requires_grad))


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, **kw):
    if dtype is None:
        dtype = _dt.scalar_dtype(fill_value) if not isinstance(fill_value, Tensor) else fill_value.dtype
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    fill_value = _checked_fill(fill_value, dtype)
    return _out(out, _fill((size,) if not isinstance(size, (tuple, list)) else size, fill_value,
                           dtype, device, requires_grad))


def _checked_fill(value, dtype):
    """PyTorch's checked conversion of full's fill value: an error where it does not fit the
    dtype (numpy would wrap 300 into int8), and a complex number's real part for a real dtype."""
    from .registry import check_scalar_fits
    check_scalar_fits(value, dtype)
    if type(value) is complex and not dtype.is_complex:
        value = value.real if dtype is not _dt.bool else value != 0
    return value


def _out(out, r):
    if out is None:
        return r
    from .registry import write_out
    return write_out(out, r)


def _like(input, dtype, device):
    return (dtype or input.dtype), (device if device is not None else input.device)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    d, dev = _like(input, dtype, device)
    return _fill(tuple(input.shape), 0, d, dev, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    d, dev = _like(input, dtype, device)
    return _fill(tuple(input.shape), 1, d, dev, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    d, dev = _like(input, dtype, device)
    return _fill(tuple(input.shape), 0, d, dev, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    d, dev = _like(input, dtype, device)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _fill(tuple(input.shape), _checked_fill(fill_value, d), d, dev, requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False, **kw):
    return empty(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0 and end != start:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        dtype = _dt.get_default_dtype() if any(
            isinstance(v, (builtins.float, np.floating)) for v in (start, end, step)) else _dt.int64
    n = builtins.max(0, math.ceil((end - start) / step))
    if dtype._cat <= _dt._INT:
        # PyTorch sizes the range in double, then steps in the integer type
        start, step = builtins.int(start), builtins.int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
        a = start + np.arange(n, dtype=np.int64) * step
    else:
        a = start + np.arange(n, dtype=np.float64) * step
    arr = host_array(a.astype(dtype._np), copy=False)
    return _out(out, _finish(arr, device, requires_grad))


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """torch.range (deprecated in PyTorch): includes `end`."""
    start, end, step = _num(start), _num(end), _num(step)
    n = int(math.floor((end - start) / step)) + 1
    dtype = dtype or _dt.get_default_dtype()
    a = start + np.arange(n, dtype=np.float64) * step
    return _finish(host_array(a.astype(dtype._np), copy=False), device, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    start, end = _num(start), _num(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = dtype or _dt.get_default_dtype()
    if steps == 0:
        a = np.zeros(0)
    elif steps == 1:
        a = np.array([start], dtype=np.float64)
    else:
        # PyTorch fills the two halves from each end
        step = (end - start) / (steps - 1)
        i = np.arange(steps, dtype=np.float64)
        half = steps // 2
        a = np.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if dtype._cat <= _dt._INT:
        a = np.trunc(a)
    arr = host_array(a.astype(dtype._np), copy=False)
    return _out(out, _finish(arr, device, requires_grad))


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    dtype = dtype or _dt.get_default_dtype()
    lin = linspace(start, end, steps, dtype=_dt.float64)
    a = np.power(base, np.asarray(lin._data))
    arr = host_array(a.astype(dtype._np), copy=False)
    return _out(out, _finish(arr, device, requires_grad))


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    dtype = dtype or _dt.get_default_dtype()
    key = (n, m, dtype._np)
    f = _EYES.get(key)
    if f is None:  # (jnp.eye outside jit dispatches op by op: ~100 µs)
        f = jax.jit(lambda: jnp.eye(n, m, dtype=dtype._np))
        if len(_EYES) < 1024:
            _EYES[key] = f
    return _out(out, _finish(f(), device, requires_grad))


_EYES = {}


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    r, c = np.tril_indices(row, offset, col)
    arr = host_array(np.stack([r, c]).astype((dtype or _dt.int64)._np), copy=False)
    return _finish(arr, device, False)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    r, c = np.triu_indices(row, offset, col)
    arr = host_array(np.stack([r, c]).astype((dtype or _dt.int64)._np), copy=False)
    return _finish(arr, device, False)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False, **kw):
    return full((), s, dtype=dtype or _dt.get_default_dtype(), device=device,
                requires_grad=requires_grad)


def _window(name, n, periodic, dtype, device, requires_grad, f):
    dtype = dtype or _dt.get_default_dtype()
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    if n < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={n}")
    if n == 0:
        a = np.zeros(0)
    elif n == 1:
        a = np.ones(1)
    else:
        m = n + 1 if periodic else n
        a = f(np.arange(m, dtype=np.float64), m)[:n]
    return _finish(host_array(a.astype(dtype._np), copy=False), device, requires_grad)


def _cosine_sum(coeffs):
    def f(k, m):
        return builtins.sum((-1) ** i * c * np.cos(2 * math.pi * i * k / (m - 1))
                            for i, c in enumerate(coeffs))
    return f


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                requires_grad=False):
    """torch.hann_window."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum((0.5, 0.5)))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, requires_grad=False):
    """torch.hamming_window."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum((alpha, beta)))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """torch.blackman_window."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum((0.42, 0.5, 0.08)))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """torch.bartlett_window."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, m: 1 - np.abs(2 * k / (m - 1) - 1))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, requires_grad=False):
    """torch.kaiser_window."""
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, m: np.i0(beta * np.sqrt(1 - ((k - (m - 1) / 2) / ((m - 1) / 2)) ** 2))
                   / np.i0(beta))
