"""The legacy constructors: torch.Tensor(2, 3), torch.FloatTensor([1, 2]), ..."""

from . import dtypes as _dt

TYPE_NAMES = {
    "torch.FloatTensor": _dt.float32, "torch.DoubleTensor": _dt.float64,
    "torch.HalfTensor": _dt.float16, "torch.BFloat16Tensor": _dt.bfloat16,
    "torch.LongTensor": _dt.int64, "torch.IntTensor": _dt.int32, "torch.ShortTensor": _dt.int16,
    "torch.CharTensor": _dt.int8, "torch.ByteTensor": _dt.uint8, "torch.BoolTensor": _dt.bool,
    "torch.ComplexFloatTensor": _dt.complex64, "torch.ComplexDoubleTensor": _dt.complex128,
}


def legacy_construct(cls, dtype, *args, device=None, **kwargs):
    from .._ops import creation
    from .tensor import Tensor, _alias
    if kwargs:
        raise TypeError(f"new() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if len(args) == 1 and isinstance(args[0], Tensor):
        t = args[0]
        # (torch.Tensor(t) aliases a tensor of any dtype; a typed constructor checks it)
        if t.dtype is not dtype and cls is not Tensor:
            raise TypeError(f"expected {dtype} (got {t.dtype})")
        src = t
    elif len(args) == 1 and (isinstance(args[0], (bool, float, complex)) or args[0] is None):
        raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
    elif len(args) == 1 and not _is_int(args[0]) and not _is_size(args[0]):
        src = creation.tensor(args[0], dtype=dtype, device=device)
    else:
        size = args[0] if len(args) == 1 and _is_size(args[0]) else args
        for s in size:
            if not _is_int(s):
                raise TypeError(f"new() received an invalid combination of arguments - got "
                                f"({', '.join(type(a).__name__ for a in args)})")
        # (no arguments: an empty 1-d tensor; memory is zero-filled, PyTorch's is not)
        src = creation.empty(tuple(size) or (0,), dtype=dtype, device=device)
    if cls is Tensor:
        return src
    out = object.__new__(cls)
    _alias(out, src)
    return out


def _is_int(x):
    import numbers
    return isinstance(x, numbers.Integral)


def _is_size(x):
    from .size import Size
    return isinstance(x, Size)


def make_legacy_type(name, dtype):
    """A class like torch.FloatTensor: calling it constructs; isinstance checks the dtype."""
    from .tensor import Tensor

    class _Meta(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, Tensor) and obj.dtype is dtype and obj.device.type == "cpu"

        def __call__(cls, *args, **kwargs):
            return legacy_construct(Tensor, dtype, *args, **kwargs)

    return _Meta(name, (), {"_legacy_dtype": dtype, "dtype": dtype,
                            "__module__": "torch"})
