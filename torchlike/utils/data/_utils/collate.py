"""default_collate and default_convert, with PyTorch's rules.

Arrays are stacked in numpy and become one Tensor at the end (one host-to-device copy per
field). Inside a worker process the same functions return numpy arrays marked to become
Tensors in the main process (see ``_bridge``), so a worker never touches JAX.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import numbers
import re
from collections.abc import Callable

import numpy as np

from torchlike.utils.data._utils import _bridge

np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def default_convert(data):
    """Convert each NumPy array element into a Tensor, recursing into containers."""
    elem_type = type(data)
    if _bridge.is_tensor(data):
        return data
    elif (
        elem_type.__module__ == "numpy"
        and elem_type.__name__ != "str_"
        and elem_type.__name__ != "string_"
    ):
        # array of string classes and object
        if (
            elem_type.__name__ == "ndarray"
            and np_str_obj_array_pattern.search(data.dtype.str) is not None
        ):
            return data
        return _bridge.as_tensor(data)
    elif isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                # the mapping type may carry extra state, so clone it rather than rebuild it
                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            else:
                return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:
            return {key: default_convert(data[key]) for key in data}
    elif isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    elif isinstance(data, tuple):
        return [default_convert(d) for d in data]  # PyTorch's backwards compatibility
    elif isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            else:
                return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    else:
        return data


def collate(
    batch,
    *,
    collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None,
):
    """Collate a batch, dispatching on the first element's type through ``collate_fn_map``."""
    elem = batch[0]
    elem_type = type(elem)

    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)

        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(
                    {
                        key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                        for key in elem
                    }
                )
                return clone
            else:
                return elem_type(
                    {
                        key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                        for key in elem
                    }
                )
        except TypeError:
            return {
                key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem
            }
    elif isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(
            *(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch))
        )
    elif isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(elem) == elem_size for elem in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))  # read twice below

        if isinstance(elem, tuple):
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
        else:
            try:
                if isinstance(elem, collections.abc.MutableSequence):
                    clone = copy.copy(elem)
                    for i, samples in enumerate(transposed):
                        clone[i] = collate(samples, collate_fn_map=collate_fn_map)
                    return clone
                else:
                    return elem_type(
                        [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
                    )
            except TypeError:
                return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]

    raise TypeError(default_collate_err_msg_format.format(elem_type))


# torch's promotion categories; numpy's own result_type differs across them (int64 + float32).
def _category(dt: np.dtype) -> int:
    if dt == np.bool_:
        return 0
    if np.issubdtype(dt, np.integer):
        return 1
    if np.issubdtype(dt, np.complexfloating):
        return 3
    return 2


def _promote(dtypes) -> np.dtype:
    """torch.promote_types over numpy dtypes."""
    dtypes = [np.dtype(d) for d in dtypes]
    result = dtypes[0]
    for dt in dtypes[1:]:
        if dt == result:
            continue
        a, b = _category(result), _category(dt)
        if a == b:
            result = np.promote_types(result, dt)
        elif a == 3 or b == 3:
            cplx, other = (result, dt) if a == 3 else (dt, result)
            if other == np.float64 and cplx == np.complex64:
                result = np.dtype(np.complex128)
            else:
                result = cplx
        else:
            result = result if a > b else dt
    return result


def _check_equal_shapes(shapes) -> None:
    first = tuple(shapes[0])
    for i, shape in enumerate(shapes):
        if tuple(shape) != first:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
                f"and {list(shape)} at entry {i}"
            )


def _stack_arrays(arrays) -> np.ndarray:
    _check_equal_shapes([a.shape for a in arrays])
    dtypes = {a.dtype for a in arrays}
    dtype = _promote([a.dtype for a in arrays]) if len(dtypes) > 1 else None
    return np.stack(arrays, 0, dtype=dtype)


def _default_float_dtype() -> np.dtype:
    # get_default_dtype is plain Python state, safe in a worker.
    try:
        import torchlike

        return np.dtype(torchlike.get_default_dtype()._np)
    except (ImportError, AttributeError):
        return np.dtype(np.float32)


def _numbers_to_array(batch, dtype=None) -> np.ndarray:
    """torch.tensor(batch[, dtype]) for a flat list of Python (or numpy) numbers."""
    has_float = has_complex = False
    all_bool = True
    for x in batch:
        if isinstance(x, str):
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
        if not isinstance(x, numbers.Number):
            raise TypeError(f"must be real number, not {type(x).__name__}")
        if not isinstance(x, (bool, np.bool_)):
            all_bool = False
            if isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real):
                has_complex = True
            elif not isinstance(x, numbers.Integral):
                has_float = True
    if dtype is None:
        if all_bool:
            dtype = np.dtype(np.bool_)
        elif has_complex:
            dtype = np.dtype(
                np.complex128 if _default_float_dtype() == np.float64 else np.complex64
            )
        elif has_float:
            dtype = _default_float_dtype()
        else:
            dtype = np.dtype(np.int64)
            if any(not -(2**63) <= int(x) < 2**63 for x in batch):
                raise RuntimeError("Overflow when unpacking long")
    return np.array(batch, dtype=dtype)


def collate_tensor_fn(
    batch,
    *,
    collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None,
):
    _check_equal_shapes([tuple(t.shape) for t in batch])
    if _bridge.in_worker():
        return _bridge.from_numpy(_stack_arrays([_bridge.to_numpy(t) for t in batch]))
    import torchlike

    return torchlike.stack(list(batch), 0)


def collate_numpy_array_fn(
    batch,
    *,
    collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None,
):
    elem = batch[0]
    # array of string classes and object
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return _bridge.from_numpy(_stack_arrays([np.asarray(b) for b in batch]))


def collate_numpy_scalar_fn(
    batch,
    *,
    collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None,
):
    return _bridge.from_numpy(np.array(batch, dtype=_promote([np.asarray(b).dtype for b in batch])))


def collate_float_fn(
    batch,
    *,
    collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None,
):
    return _bridge.from_numpy(_numbers_to_array(batch, np.dtype(np.float64)))


def collate_int_fn(
    batch,
    *,
    collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None,
):
    return _bridge.from_numpy(_numbers_to_array(batch))


def collate_str_fn(
    batch,
    *,
    collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None,
):
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {}
if _bridge.tensor_type() is not None:
    default_collate_fn_map[_bridge.tensor_type()] = collate_tensor_fn
with contextlib.suppress(ImportError):
    # For both ndarray and memmap (subclass of ndarray)
    default_collate_fn_map[np.ndarray] = collate_numpy_array_fn
    # numpy scalars, string scalars excepted
    default_collate_fn_map[(np.bool_, np.number, np.object_)] = collate_numpy_scalar_fn
default_collate_fn_map[float] = collate_float_fn
default_collate_fn_map[int] = collate_int_fn
default_collate_fn_map[str] = collate_str_fn
default_collate_fn_map[bytes] = collate_str_fn


def default_collate(batch):
    """Stack a list of samples into a batch: Tensors/arrays/numbers become Tensors, recursing into containers."""
    fast = getattr(
        batch, "_default_collate", None
    )  # a TensorDataset's batch: one gather per tensor
    if fast is not None:
        return fast()
    return collate(batch, collate_fn_map=default_collate_fn_map)
