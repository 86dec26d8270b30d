"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/full/empty, arange, linspace, ..."""

import builtins
import collections.abc as _abc
import math
import operator
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core import device as _dev
from .._core.size import Size
from .._core.tensor import Tensor, host_array, wrap


def _size_args(size, fn="empty"):
    """The shape from a factory's size arguments (ints, or one tuple/list/torch.Size of ints),
    checked with PyTorch's errors."""
    single = len(size) == 1
    if single and isinstance(size[0], (tuple, list)):
        size, form = size[0], "seq"
    else:
        form = "one" if single else "varargs"
        if not size:
            raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    if all(type(s) is builtins.int and s >= 0 for s in size):  # the common case
        return tuple(size)
    if form == "varargs" and isinstance(size[0], (tuple, list)):
        raise TypeError(f"{fn}() takes 1 positional argument but {len(size)} were given")
    out = []
    for i, s in enumerate(size):
        if not _is_int_size(s):
            kind = "Tensor" if isinstance(s, Tensor) else type(s).__name__
            if form == "one":
                raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, "
                                f"not {kind}")
            if form == "varargs":
                raise TypeError(f"{fn}(): argument 'size' failed to unpack the object at pos "
                                f"{i + 1} with error \"type must be tuple of ints,but got {kind}\"")
            raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, but "
                            f"found element of type {kind} at pos {i}")
        out.append(operator.index(s))
    for s in out:
        if s < 0:
            if fn == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {out}")
    return tuple(out)


def _is_int_size(s):
    # an int (not a bool), a numpy integer or a one-element integer tensor
    if isinstance(s, Tensor):
        return s.numel() == 1 and not (s.dtype.is_floating_point or s.dtype.is_complex)
    return isinstance(s, (builtins.int, np.integer)) and not isinstance(s, (builtins.bool,
                                                                           np.bool_))


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


_PY_NUMBERS = frozenset((builtins.bool, builtins.int, builtins.float, builtins.complex))


def _is_sequence(x):
    """Python's PySequence_Check as torch.tensor applies it: lists, tuples, ranges, strings
    and numpy arrays are sequences; a tensor, a number, a dict or a set is not."""
    if isinstance(x, (list, tuple, builtins.range, np.ndarray, str, bytes)):
        return True
    return not isinstance(x, (Tensor, dict)) and isinstance(x, _abc.Sequence)


def _compute_sizes(data):
    """The shape torch.tensor reads from nested data: the lengths along the first elements."""
    sizes = []
    x = data
    while _is_sequence(x):
        n = len(x)  # (a 0-d numpy array raises TypeError here, as in PyTorch)
        sizes.append(n)
        if len(sizes) > 64:
            raise ValueError(f"too many dimensions '{type(x).__name__}'")
        if n == 0:
            break
        x = x[0]
    return sizes


def _infer_dtype(obj):
    """The dtype torch.tensor infers for data: the promotion of its elements' types, a Python
    number counting as its default dtype (bool, int64, the default float or complex) and a
    numpy scalar or array, or a tensor, as its own dtype."""
    t = type(obj)
    if t is builtins.bool:
        return _dt.bool
    if t is builtins.int:
        return _dt.int64
    if t is builtins.float:
        return _dt.get_default_dtype()
    if t is builtins.complex:
        return _dt.default_complex()
    if isinstance(obj, Tensor):
        return obj.dtype
    if isinstance(obj, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{t.__name__}'")
    if isinstance(obj, (np.ndarray, np.generic)):
        return _dt.from_np(obj.dtype)
    if isinstance(obj, builtins.bool):
        return _dt.bool
    if isinstance(obj, builtins.int):
        return _dt.int64
    if isinstance(obj, builtins.float):
        return _dt.get_default_dtype()
    if isinstance(obj, builtins.complex):
        return _dt.default_complex()
    if _is_sequence(obj):
        if not len(obj):
            return _dt.get_default_dtype()
        if t is list or t is tuple:
            kinds = set(map(type, obj))
            if kinds <= _PY_NUMBERS:  # the common case: a list of Python numbers
                return _py_dtypes()[builtins.max(_PY_RANK[k] for k in kinds)]
        dt = None
        for x in obj:
            if x is obj:
                raise TypeError("new(): self-referential lists are incompatible")
            d = _infer_dtype(x)
            dt = d if dt is None else _dt.promote_types(dt, d)
            if dt is _dt.complex128:  # (nothing promotes further)
                return dt
        return dt
    raise RuntimeError(f"Could not infer dtype of {t.__name__}")


# Python numbers in promotion order: each kind's dtype promotes to the later ones'
_PY_RANK = {builtins.bool: 0, builtins.int: 1, builtins.float: 2, builtins.complex: 3}


def _py_dtypes():
    return (_dt.bool, _dt.int64, _dt.get_default_dtype(), _dt.default_complex())


_warned_ndarray_list = False


def _store(obj, sizes, dim, out):
    """Collect the elements of nested data into `out`, checking its shape is `sizes` (PyTorch's
    recursive_store: the same checks and messages)."""
    global _warned_ndarray_list
    if dim == len(sizes):
        out.append(obj)
        return
    n = sizes[dim]
    if type(obj) is not list and type(obj) is not tuple:
        if isinstance(obj, np.ndarray) and not _warned_ndarray_list:
            _warned_ndarray_list = True
            warnings.warn("Creating a tensor from a list of numpy.ndarrays is extremely slow. "
                          "Please consider converting the list to a single numpy.ndarray with "
                          "numpy.array() before converting to a tensor.", UserWarning,
                          stacklevel=4)
        try:
            obj = list(obj)
        except TypeError:
            raise TypeError("not a sequence") from None
    if len(obj) != n:
        raise ValueError(f"expected sequence of length {n} at dim {dim} (got {len(obj)})")
    if dim == len(sizes) - 1:
        out.extend(obj)
    else:
        for x in obj:
            _store(x, sizes, dim + 1, out)


def _int_fits(lo, hi, dtype):
    """PyTorch's checked conversion of Python ints into an integer dtype: beyond int64 as read,
    beyond the dtype when converted (an unsigned dtype takes negatives down to -max)."""
    if lo < -2 ** 63 or hi >= 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    info = np.iinfo(dtype._np)
    low = -int(info.max) if info.min == 0 else int(info.min)
    if lo < low or hi > info.max:
        raise RuntimeError(f"value cannot be converted to type {dtype._name} without overflow")


def _float_fits(a, dtype):
    """PyTorch's checked conversion of Python floats into an integer dtype: nan, inf and values
    outside the dtype's range are errors (numpy would wrap them)."""
    info = np.iinfo(dtype._np)
    if a.size and not (np.isfinite(a).all() and a.min() >= float(info.min)
                       and a.max() <= float(info.max)):
        raise RuntimeError(f"value cannot be converted to type {dtype._name} without overflow")


def _leaf_int(x, dtype):
    if isinstance(x, builtins.float):
        a = np.array([x])
        _float_fits(a, dtype)
        return builtins.int(x)
    v = operator.index(x)  # (TypeError "'complex' object cannot be interpreted as an integer")
    _int_fits(v, v, dtype)
    return v


def _leaf_float(x):
    if isinstance(x, (builtins.float, builtins.int)):
        return builtins.float(x)  # (an int beyond a double: OverflowError, as in PyTorch)
    if isinstance(x, builtins.complex) or not hasattr(type(x), "__float__") and \
            not hasattr(type(x), "__index__"):
        raise TypeError(f"must be real number, not {type(x).__name__}")
    return builtins.float(x)


def _leaf_complex(x):
    if isinstance(x, (str, bytes)) or not any(hasattr(type(x), m) for m in (
            "__complex__", "__float__", "__index__")):
        raise TypeError(f"complex() argument must be a string or a number, not "
                        f"'{type(x).__name__}'")
    return builtins.complex(x)


def _leaf_bool(x):
    if isinstance(x, (str, bytes)):
        raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")
    return builtins.bool(x)


def _convert(leaves, dtype):
    """The elements of nested data as a numpy array of `dtype`, converted one by one with
    PyTorch's rules (checked integer conversion, no complex into a real dtype, ...)."""
    kinds = set(map(type, leaves))
    cat = dtype._cat
    plain = kinds <= _PY_NUMBERS
    if cat == _dt._BOOL:
        return np.fromiter(map(builtins.bool if plain else _leaf_bool, leaves), np.bool_,
                           len(leaves))
    if cat == _dt._COMPLEX:
        a = np.array(leaves if plain else [_leaf_complex(x) for x in leaves], np.complex128)
        return a.astype(dtype._np)
    if cat == _dt._FLOAT:
        if not (plain and builtins.complex not in kinds):
            leaves = [_leaf_float(x) for x in leaves]
        a = np.array(leaves, np.float64)
        if dtype is _dt.float64:
            return a
        with np.errstate(over="ignore"):  # 1e40 into float32 is inf, as in PyTorch
            f = a.astype(np.float32)
            # (PyTorch rounds a double to half and bfloat16 through float)
            return f if dtype is _dt.float32 else f.astype(dtype._np)
    # an integer dtype
    if dtype is _dt.uint64:
        # (PyTorch reads uint64 elements as Python ints only: no floats, no __index__)
        for x in leaves:  # (element by element: the first bad one decides the error)
            if not isinstance(x, builtins.int):
                raise TypeError("an integer is required")
            if x < 0:
                raise OverflowError("can't convert negative int to unsigned")
            if x >= 2 ** 64:
                raise OverflowError("int too big to convert")
        return np.array(leaves, np.uint64)
    if plain and builtins.complex not in kinds and builtins.float not in kinds:
        if leaves:
            _int_fits(builtins.min(leaves), builtins.max(leaves), dtype)
        return np.array(leaves, np.int64).astype(dtype._np)
    if kinds == {builtins.float}:
        a = np.array(leaves, np.float64)
        _float_fits(a, dtype)
        return np.trunc(a).astype(dtype._np)
    return np.array([_leaf_int(x, dtype) for x in leaves], np.int64).astype(dtype._np)


_NEG_STRIDES = ("At least one stride in the given numpy array is negative, and tensors with "
                "negative strides are not currently supported. (You can probably work around "
                "this by making a copy of your array  with array.copy().) ")


def _from_ndarray(a, dtype):
    """A numpy array's values in `dtype` (its own dtype when None), checked as PyTorch does."""
    d = _dt.from_np(a.dtype)
    if builtins.any(s < 0 for s in a.strides):
        raise ValueError(_NEG_STRIDES)
    if dtype is None or dtype is d:
        return d, a
    if dtype._np in _REDUCED and a.dtype == np.float64:
        a = a.astype(np.float32)  # (PyTorch rounds a double to half and bfloat16 through float)
    with np.errstate(over="ignore", invalid="ignore"):
        return dtype, a.astype(dtype._np)


def _check_dtype(dtype, fn):
    if dtype is not None and not isinstance(dtype, _dt.dtype):
        if dtype in (builtins.float, builtins.int, builtins.bool, builtins.complex):
            # (PyTorch takes the Python types as their dtypes)
            return {builtins.float: _dt.float64, builtins.int: _dt.int64,
                    builtins.bool: _dt.bool, builtins.complex: _dt.complex128}[dtype]
        raise TypeError(f"{fn}(): argument 'dtype' must be torch.dtype, not "
                        f"{type(dtype).__name__}")
    return dtype


def _data_array(data, dtype):
    """(dtype, host array) for torch.tensor's data: a numpy array, a number or nested
    sequences of numbers, numpy scalars and one-element tensors."""
    if isinstance(data, np.ndarray):
        return _from_ndarray(data, dtype)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    sizes = _compute_sizes(data)
    if dtype is None:
        dtype = _infer_dtype(data)
    leaves = []
    if not sizes:
        leaves.append(data)
    elif 0 not in sizes:  # (PyTorch reads no elements of empty data)
        _store(data, sizes, 0, leaves)
    return dtype, _convert(leaves, dtype).reshape(sizes)


def _check_requires_grad(dtype, requires_grad):
    if requires_grad and not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                           "gradients")


_COPY_CONSTRUCT = ("To copy construct from a tensor, it is recommended to use "
                   "sourceTensor.detach().clone() or sourceTensor.detach().clone()"
                   ".requires_grad_(True), rather than {}.")


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False,
           _caller="torch.tensor(sourceTensor)"):
    """torch.tensor: always copies data."""
    dtype = _check_dtype(dtype, "tensor")
    if isinstance(data, Tensor):
        warnings.warn(_COPY_CONSTRUCT.format(_caller), UserWarning, stacklevel=2)
        if dtype is not None and dtype is not data.dtype:
            arr = data.detach().to(dtype)._data
        else:
            arr = data.detach().clone()._data
        _check_requires_grad(dtype or data.dtype, requires_grad)
        return _finish(arr, device if device is not None else data.device, requires_grad)
    if isinstance(data, jax.Array):
        dtype = dtype or _dt.from_np(data.dtype)
        _check_requires_grad(dtype, requires_grad)
        return _finish(jnp.asarray(data, dtype=dtype._np), device, requires_grad)
    dtype, a = _data_array(data, dtype)
    _check_requires_grad(dtype, requires_grad)
    return _finish(host_array(a, copy=a is data), device, requires_grad)


_REDUCED = (np.dtype(jnp.float16), np.dtype(jnp.bfloat16))


def as_tensor(data, dtype=None, device=None):
    """torch.as_tensor: reuses a tensor when dtype and device already match. Differs from
    PyTorch: a numpy array is copied, not shared."""
    dtype = _check_dtype(dtype, "as_tensor")
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (dtype or device) else data
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """torch.asarray. Differs from PyTorch: a numpy array is copied, not shared (so copy=False
    of one raises)."""
    dtype = _check_dtype(dtype, "asarray")
    if isinstance(obj, Tensor):
        if copy is False and dtype is not None and dtype is not obj.dtype:
            raise ValueError(f"can't alias tensor with dtype '{_dt.SCALAR_TYPE_NAMES[obj.dtype._name]}' "
                             f"into dtype '{_dt.SCALAR_TYPE_NAMES[dtype._name]}'.")
        t = obj.to(device=device, dtype=dtype) if (dtype or device) else obj
        if copy and t is obj:
            t = obj.clone()
        if requires_grad:
            t.requires_grad_(True)
        return t
    if copy is False:
        if isinstance(obj, np.ndarray):
            raise NotImplementedError("torchlike: torch.asarray(copy=False) of a numpy array: "
                                      "a tensor cannot share numpy memory here; use copy=None")
        raise ValueError("can't alias arbitrary sequence into a tensor.")
    return tensor(obj, dtype=dtype, device=device, requires_grad=requires_grad)


_warned_not_writable = False


def from_numpy(ndarray):
    """torch.from_numpy. Differs from PyTorch: the tensor holds a copy, not shared memory."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    global _warned_not_writable
    if not ndarray.flags.writeable and not _warned_not_writable:
        _warned_not_writable = True  # (PyTorch warns once)
        warnings.warn(
            "The given NumPy array is not writable, and PyTorch does not support non-writable "
            "tensors. This means writing to this tensor will result in undefined behavior. You "
            "may want to copy the array to protect its data or make it writable before "
            "converting it to a tensor. This type of warning will be suppressed for the rest "
            "of this program.", UserWarning, stacklevel=2)
    _, a = _from_ndarray(ndarray, None)
    return wrap(host_array(a), device=_dev.CPU)


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


def _fill(shape, value, dtype, device, requires_grad):
    _check_requires_grad(dtype, requires_grad)
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


def _factory_size(size, kw, fn):
    if "size" in kw:  # (size given by keyword)
        if size:
            raise TypeError(f"{fn}() got multiple values for argument 'size'")
        size = (kw.pop("size"),)
    return _size_args(size, fn)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, **kw):
    r = _fill(_factory_size(size, kw, "zeros"), 0, _dtype_or_default(dtype), device,
              requires_grad)
    return _out(out, r)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, **kw):
    return _out(out, _fill(_factory_size(size, kw, "ones"), 1, _dtype_or_default(dtype), device,
                           requires_grad))


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, **kw):
    """torch.empty. Differs from PyTorch: the memory is zero-filled."""
    return _out(out, _fill(_factory_size(size, kw, "empty"), 0, _dtype_or_default(dtype), device,
                           requires_grad))


def _fill_number(fill_value, fn):
    """full's fill value as a Python number: a number, a numpy scalar or a 0-d tensor."""
    if isinstance(fill_value, Tensor) and fill_value.dim() == 0:
        return fill_value.item()
    if isinstance(fill_value, np.generic) and fill_value.dtype.kind in "biufc":
        return fill_value.item()
    if type(fill_value) not in _PY_NUMBERS and not isinstance(fill_value, (
            builtins.int, builtins.float, builtins.complex)):
        kind = "Tensor" if isinstance(fill_value, Tensor) else type(fill_value).__name__
        raise TypeError(f"{fn}(): argument 'fill_value' (position 2) must be Number, not {kind}")
    return fill_value


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, **kw):
    if not isinstance(size, (tuple, list)):
        kind = "Tensor" if isinstance(size, Tensor) else type(size).__name__
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {kind}")
    shape = _size_args((size,), "full")
    fill_value = _fill_number(fill_value, "full")
    if dtype is None:
        dtype = _dt.scalar_dtype(fill_value)
    fill_value = _checked_fill(fill_value, dtype)
    return _out(out, _fill(shape, fill_value, dtype, device, requires_grad))


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


def _like(input, dtype, device, fn):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return (dtype or input.dtype), (device if device is not None else input.device)


def _like_layout(input, memory_format):
    """The dimension order (outermost first) of a *_like result's memory: the input's for
    preserve_format (PyTorch keeps a permuted input's strides), NHWC for channels_last."""
    from .._core import layouts as _mf
    n = input.dim()
    if memory_format is _mf.channels_last and n == 4:
        return (0, 2, 3, 1)
    if memory_format is _mf.channels_last_3d and n == 5:
        return (0, 2, 3, 4, 1)
    if memory_format not in (None, _mf.preserve_format) or input._base is None:
        return None  # (a root tensor is contiguous)
    st = input.stride()
    order = tuple(sorted(builtins.range(n), key=lambda d: -st[d]))
    if order == tuple(builtins.range(n)) or len(set(st)) != n or 1 in input.shape:
        return None  # contiguous order, or an order that ties leave ambiguous
    return order


def _fill_like(input, value, dtype, device, requires_grad, memory_format):
    """A new tensor shaped like `input`, filled with `value`, laid out like `input`."""
    order = _like_layout(input, memory_format)
    shape = tuple(input.shape)
    if order is None:
        return _fill(shape, value, dtype, device, requires_grad)
    t = _fill(tuple(shape[d] for d in order), value, dtype, device, False)
    t = t.permute(*[order.index(d) for d in builtins.range(len(order))])
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    d, dev = _like(input, dtype, device, "zeros_like")
    return _fill_like(input, 0, d, dev, requires_grad, memory_format)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    d, dev = _like(input, dtype, device, "ones_like")
    return _fill_like(input, 1, d, dev, requires_grad, memory_format)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """torch.empty_like. Differs from PyTorch: the memory is zero-filled."""
    d, dev = _like(input, dtype, device, "empty_like")
    return _fill_like(input, 0, d, dev, requires_grad, memory_format)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    d, dev = _like(input, dtype, device, "full_like")
    fill_value = _checked_fill(_fill_number(fill_value, "full_like"), d)
    return _fill_like(input, fill_value, d, dev, requires_grad, memory_format)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  **kw):
    """torch.empty_strided: a view with the given strides into a new (zero-filled) storage."""
    shape = _size_args((size,), "empty_strided")
    stride = tuple(stride)
    if len(shape) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality "
                           f"of strides ({len(stride)})")
    dtype = _dtype_or_default(dtype)
    from .._core.views import contiguous_strides
    if stride == tuple(contiguous_strides(shape)) or 0 in shape:
        return _fill(shape, 0, dtype, device, requires_grad)
    n = 1 + builtins.sum((s - 1) * st for s, st in zip(shape, stride))
    t = _fill((n,), 0, dtype, device, False).as_strided(shape, stride)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def _range_number(x, fn, name, pos):
    x = _num(x)
    if isinstance(x, np.generic):
        x = x.item()
    if not isinstance(x, (builtins.int, builtins.float)):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Number, not "
                        f"{type(x).__name__}")
    return x


def _fmt_double(x):
    # (C++ stream formatting of a double, as in PyTorch's messages)
    return f"{builtins.float(x):g}"


def _check_range_bounds(start, end, step):
    """PyTorch's arange/range checks, done in double precision."""
    dstart, dend, dstep = builtins.float(start), builtins.float(end), builtins.float(step)
    if not (dstep > 0 or dstep < 0):
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(dstart) and math.isfinite(dend)):
        raise RuntimeError(f"unsupported range: {_fmt_double(dstart)} -> {_fmt_double(dend)}")
    if not ((dstep > 0 and dend >= dstart) or (dstep < 0 and dend <= dstart)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")


def _to_int64(x):
    # c10's checked Scalar -> int64_t conversion (truncation toward zero)
    if isinstance(x, builtins.float) and not (math.isfinite(x) and -2.0 ** 63 <= x < 2.0 ** 63):
        raise RuntimeError("value cannot be converted to type int64_t without overflow")
    return builtins.int(x)


def _range_dtype_check(dtype, fn):
    if dtype._cat in (_dt._BOOL, _dt._COMPLEX) or dtype in (_dt.uint16, _dt.uint32, _dt.uint64):
        raise NotImplementedError(f'"{fn}_cpu" not implemented for '
                                  f"'{_dt.SCALAR_TYPE_NAMES[dtype._name]}'")


def arange(start=None, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    if start is None and end is None:
        raise TypeError("arange() received an invalid combination of arguments - got ()")
    if start is None:
        start = 0
    if end is None:
        start, end = 0, _range_number(start, "arange", "end", 1)
    else:
        start = _range_number(start, "arange", "start", 1)
        end = _range_number(end, "arange", "end", 2)
    step = _range_number(step, "arange", "step", 3)
    if dtype is None:
        dtype = _dt.get_default_dtype() if any(
            isinstance(v, builtins.float) for v in (start, end, step)) else _dt.int64
    _range_dtype_check(dtype, "arange")
    _check_range_bounds(start, end, step)
    if dtype is _dt.int64:
        # PyTorch sizes an int64 range from the truncated integer bounds
        xs, xe, xst = _to_int64(start), _to_int64(end), _to_int64(step)
        if xst == 0:
            raise ValueError("step must be nonzero")
        n = builtins.max(0, -((xs - xe) // xst))
        a = xs + np.arange(n, dtype=np.int64) * xst
    else:
        n = math.ceil((builtins.float(end) - builtins.float(start)) / builtins.float(step))
        if dtype._cat == _dt._INT:
            # (the values step in int64 from the truncated start and step)
            a = _to_int64(start) + np.arange(n, dtype=np.int64) * _to_int64(step)
        else:
            a = start + np.arange(n, dtype=np.float64) * step
    _check_requires_grad(dtype, requires_grad)
    arr = host_array(a.astype(dtype._np), copy=False)
    return _out(out, _finish(arr, device, requires_grad))


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    """torch.range (deprecated in PyTorch): includes `end`."""
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    warnings.warn("torch.range is deprecated and will be removed in a future release because its "
                  "behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    start = _range_number(start, "range", "start", 1)
    end = _range_number(end, "range", "end", 2)
    step = _range_number(step, "range", "step", 3)
    dtype = dtype or _dt.get_default_dtype()
    _range_dtype_check(dtype, "range")
    if dtype._cat == _dt._INT:
        start, end, step = _to_int64(start), _to_int64(end), _to_int64(step)
    _check_range_bounds(start, end, step)
    n = builtins.int((end - start) / step) + 1
    a = start + np.arange(n, dtype=np.float64 if dtype._cat != _dt._INT else np.int64) * step
    _check_requires_grad(dtype, requires_grad)
    return _out(out, _finish(host_array(a.astype(dtype._np), copy=False), device, requires_grad))


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    start, end = _num(start), _num(end)
    if not isinstance(steps, builtins.int) or isinstance(steps, builtins.bool):
        raise TypeError(f"linspace(): argument 'steps' (position 3) must be int, not "
                        f"{type(steps).__name__}")
    dtype = _space_dtype(start, end, dtype, "linspace")
    _check_requires_grad(dtype, requires_grad)
    a = _linspace_values(start, end, steps, dtype, "linspace")
    arr = host_array(a, copy=False)
    return _out(out, _finish(arr, device, requires_grad))


def _space_dtype(start, end, dtype, fn):
    """linspace/logspace's dtype: complex bounds infer the default complex dtype, which a
    given real dtype may not narrow."""
    cplx = isinstance(start, builtins.complex) or isinstance(end, builtins.complex)
    if dtype is None:
        return _dt.default_complex() if cplx else _dt.get_default_dtype()
    if cplx and not dtype.is_complex:
        raise RuntimeError(f"torch.{fn}(): inferred dtype c10::complex<float> can't be safely "
                           f"cast to passed dtype {_dt.SCALAR_TYPE_NAMES[dtype._name]}")
    if dtype._cat == _dt._INT:
        # (the bounds are converted to the integer type first, with c10's checks)
        from .registry import check_scalar_fits, _CONVERT_NAMES
        for v in (start, end):
            check_scalar_fits(v, dtype)
            info = np.iinfo(dtype._np)
            if isinstance(v, builtins.float) and not info.min <= v <= info.max:
                # (a float converts only within the type's own range: no -1.5 into uint8)
                raise RuntimeError(f"value cannot be converted to type "
                                   f"{_CONVERT_NAMES.get(dtype._name, dtype._name)} without "
                                   "overflow")
    return dtype


def _linspace_values(start, end, steps, dtype, fn):
    """PyTorch's linspace kernel: a step computed in the result's type (double for integers),
    each half filled from its own end."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps == 0:
        return np.zeros(0, dtype._np)
    if steps == 1:
        return np.asarray([start]).astype(dtype._np)
    if dtype._cat == _dt._BOOL or dtype in (_dt.uint16, _dt.uint32, _dt.uint64):
        raise NotImplementedError(f'"{fn}_cpu" not implemented for '
                                  f"'{_dt.SCALAR_TYPE_NAMES[dtype._name]}'")
    integral = dtype._cat == _dt._INT
    # (start and end are first converted to the result's type; half types step in half)
    ct = np.float64 if integral else dtype._np.type
    s = np.asarray(start).astype(dtype._np).astype(ct)
    e = np.asarray(end).astype(dtype._np).astype(ct)
    step = (e - s) / ct(steps - 1)
    i = np.arange(steps)
    half = steps // 2
    with np.errstate(all="ignore"):
        a = np.where(i < half, s + step * i.astype(ct), e - step * (steps - 1 - i).astype(ct))
    if integral:
        a = np.trunc(a)
    return a.astype(dtype._np)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    start, end = _num(start), _num(end)
    if not isinstance(steps, builtins.int) or isinstance(steps, builtins.bool):
        raise TypeError(f"logspace(): argument 'steps' (position 3) must be int, not "
                        f"{type(steps).__name__}")
    dtype = _space_dtype(start, end, dtype, "logspace")
    _check_requires_grad(dtype, requires_grad)
    if dtype._cat == _dt._INT:  # (the exponents step from the truncated bounds)
        start, end = builtins.int(start), builtins.int(end)
    if steps > 1 and (dtype._cat == _dt._BOOL or dtype in (_dt.uint16, _dt.uint32,
                                                           _dt.uint64)):
        raise NotImplementedError(f'"logspace_cpu" not implemented for '
                                  f"'{_dt.SCALAR_TYPE_NAMES[dtype._name]}'")
    lin = _linspace_values(start, end, steps, _dt.float64 if dtype._cat != _dt._COMPLEX
                           else _dt.complex128, "logspace")
    a = np.power(np.asarray(base, lin.dtype), lin)
    arr = host_array(a.astype(dtype._np), copy=False)
    return _out(out, _finish(arr, device, requires_grad))


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    for name, v in (("n", n), ("m", m)):
        if v is not None and (not isinstance(v, (builtins.int, np.integer, Tensor))
                              or isinstance(v, builtins.bool)):
            raise TypeError(f"eye(): argument '{name}' (position {1 if name == 'n' else 2}) must "
                            f"be int, not {type(v).__name__}")
    n = operator.index(n)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None:
        m = operator.index(m)
        if m < 0:
            raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    dtype = dtype or _dt.get_default_dtype()
    _check_requires_grad(dtype, requires_grad)
    key = (n, m, dtype._np)
    f = _EYES.get(key)
    if f is None:  # (jnp.eye outside jit dispatches op by op: ~100 µs)
        f = jax.jit(lambda: jnp.eye(n, m, dtype=dtype._np))
        if len(_EYES) < 1024:
            _EYES[key] = f
    return _out(out, _finish(f(), device, requires_grad))


_EYES = {}


def _tri_indices(fn, np_fn, row, col, offset, dtype, device):
    dtype = dtype or _dt.int64
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    if dtype._cat != _dt._INT or dtype in (_dt.uint16, _dt.uint32, _dt.uint64):
        raise NotImplementedError(f'"{fn}" not implemented for '
                                  f"'{_dt.SCALAR_TYPE_NAMES[dtype._name]}'")
    r, c = np_fn(row, offset, col)
    arr = host_array(np.stack([r, c]).astype(dtype._np), copy=False)
    return _finish(arr, device, False)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices("tril_indices", np.tril_indices, row, col, offset, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices("triu_indices", np.triu_indices, row, col, offset, dtype, device)


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
