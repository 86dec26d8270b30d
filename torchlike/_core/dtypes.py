"""torch.dtype objects, their numpy/jax counterparts, and PyTorch's type promotion."""

import builtins

import jax.numpy as jnp
import numpy as np

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A torch dtype: a name, a numpy dtype (`_np`) and a category for promotion."""

    __slots__ = ("_name", "_np", "_cat", "is_signed")

    def __init__(self, name, np_dtype, cat, is_signed):
        self._name = name
        self._np = np.dtype(np_dtype)
        self._cat = cat
        self.is_signed = is_signed

    @property
    def is_floating_point(self):
        return self._cat == _FLOAT

    @property
    def is_complex(self):
        return self._cat == _COMPLEX

    @property
    def itemsize(self):
        return self._np.itemsize

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        # no half-precision complex in XLA: float16/bfloat16 widen to complex64
        return {float32: complex64, float64: complex128, float16: complex64,
                bfloat16: complex64}.get(self, self)

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return (_by_name, (self._name,))


bool = dtype("bool", np.bool_, _BOOL, False)
uint8 = dtype("uint8", np.uint8, _INT, False)
int8 = dtype("int8", np.int8, _INT, True)
int16 = dtype("int16", np.int16, _INT, True)
int32 = dtype("int32", np.int32, _INT, True)
int64 = dtype("int64", np.int64, _INT, True)
uint16 = dtype("uint16", np.uint16, _INT, False)
uint32 = dtype("uint32", np.uint32, _INT, False)
uint64 = dtype("uint64", np.uint64, _INT, False)
float16 = dtype("float16", np.float16, _FLOAT, True)
bfloat16 = dtype("bfloat16", jnp.bfloat16, _FLOAT, True)
float32 = dtype("float32", np.float32, _FLOAT, True)
float64 = dtype("float64", np.float64, _FLOAT, True)
complex64 = dtype("complex64", np.complex64, _COMPLEX, True)
complex128 = dtype("complex128", np.complex128, _COMPLEX, True)


class _NoArrays(dtype):
    """A torch dtype that XLA has no arrays of: complex32 (torch.chalf). It exists as its own
    dtype (compares, promotes, pickles, names itself), and anything that needs its arrays
    raises NotImplementedError, never a silent complex64."""

    __slots__ = ("_itemsize", "_real")

    def __init__(self, name, cat, itemsize, real):
        self._name = name
        self._cat = cat
        self.is_signed = True
        self._itemsize = itemsize
        self._real = real

    @property
    def _np(self):
        raise NotImplementedError(
            f"torchlike: torch.{self._name} tensors are not supported: XLA has no "
            "half-precision complex type; use torch.complex64")

    @property
    def itemsize(self):
        return self._itemsize

    def to_real(self):
        return self._real


complex32 = _NoArrays("complex32", _COMPLEX, 4, float16)

ALL = (bool, uint8, int8, int16, int32, int64, uint16, uint32, uint64,
       float16, bfloat16, float32, float64, complex64, complex128)
_BY_NP = {d._np: d for d in ALL}
_BY_NAME = {d._name: d for d in ALL + (complex32,)}
# torch's aliases
ALIASES = {"half": float16, "float": float32, "double": float64, "short": int16,
           "int": int32, "long": int64, "cfloat": complex64, "cdouble": complex128,
           "chalf": complex32}


# c10's ScalarType names, which some PyTorch messages use
SCALAR_TYPE_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short",
                     "int32": "Int", "int64": "Long", "uint16": "UInt16", "uint32": "UInt32",
                     "uint64": "UInt64", "float16": "Half", "bfloat16": "BFloat16",
                     "float32": "Float", "float64": "Double", "complex64": "ComplexFloat",
                     "complex128": "ComplexDouble", "complex32": "ComplexHalf"}


def _by_name(name):
    return _BY_NAME[name]


def from_np(np_dtype) -> dtype:
    """The torch dtype for a numpy/jax dtype."""
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}."
                        " The only supported types are: float64, float32, float16, complex64, "
                        "complex128, int64, int32, int16, int8, uint64, uint32, uint16, uint8, "
                        "and bool.") from None


class _DefaultDtype:
    float = float32


_default = _DefaultDtype()


def get_default_dtype() -> dtype:
    return _default.float


def set_default_dtype(d: dtype) -> None:
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default.float = d


def default_complex() -> dtype:
    return complex128 if _default.float is float64 else complex64


_PROMOTE_CACHE = {}


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types."""
    key = (a, b)
    r = _PROMOTE_CACHE.get(key)
    if r is None:
        if a is b:
            r = a
        elif a is complex32 or b is complex32:
            # c10's table: complex32 absorbs bool, integers and float16; wider types take
            # complex64's promotion
            o = b if a is complex32 else a
            r = complex32 if o._cat < _FLOAT or o is float16 else promote_types(complex64, o)
        elif a._cat == _BOOL:
            r = b
        elif b._cat == _BOOL:
            r = a
        elif {a, b} & {uint16, uint32, uint64} and a._cat == b._cat == _INT:
            raise RuntimeError(f"Promotion for uint16, uint32, uint64 types is not supported, "
                               f"attempted to promote {SCALAR_TYPE_NAMES[a._name]} and "
                               f"{SCALAR_TYPE_NAMES[b._name]}")
        else:
            r = from_np(jnp.promote_types(a._np, b._np))
        _PROMOTE_CACHE[key] = r
    return r


def scalar_dtype(v) -> dtype:
    """The dtype a Python scalar takes as a wrapped number."""
    t = type(v)
    if t is builtins.bool or isinstance(v, np.bool_):
        return bool
    if t is builtins.int or isinstance(v, np.integer):
        return int64
    if t is builtins.float or isinstance(v, np.floating):
        return _default.float
    if t is builtins.complex or isinstance(v, np.complexfloating):
        return default_complex()
    raise TypeError(f"not a number: {type(v).__name__}")


def _combine(higher, lower):
    # c10's combine_categories: a lower-priority operand only matters if its category is higher
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._cat == _COMPLEX:
        return higher
    if lower._cat == _COMPLEX:
        if higher is float16:
            return complex32  # (c10's toComplexType(Half): no arrays of it here, so an error)
        return higher.to_complex() if higher._cat == _FLOAT else lower
    if higher._cat == _FLOAT:
        return higher
    if higher._cat == _BOOL or lower._cat == _FLOAT:
        return promote_types(higher, lower)
    return higher


def result_type_of(dims, zeros, wrapped) -> dtype:
    """torch's result type from the dtypes of dim>0 tensors, 0-dim tensors and wrapped numbers."""
    d = z = w = None
    for x in dims:
        d = x if d is None else promote_types(d, x)
    for x in zeros:
        z = x if z is None else promote_types(z, x)
    for x in wrapped:
        w = x if w is None else promote_types(w, x)
    return _combine(d, _combine(z, w))


def can_cast(from_: dtype, to: dtype) -> builtins.bool:
    """torch.can_cast: no cast to a lower category."""
    return from_._cat <= to._cat


class finfo:
    """torch.finfo."""

    def __init__(self, type=None):
        type = type or get_default_dtype()
        if not (type.is_floating_point or type.is_complex):
            raise TypeError("torch.finfo() requires a floating point input type.")
        fi = jnp.finfo(type.to_real()._np)
        self.bits = fi.bits
        self.eps = float(fi.eps)
        self.max = float(fi.max)
        self.min = float(fi.min)
        self.tiny = self.smallest_normal = float(fi.tiny)
        self.resolution = 10.0 ** -int(fi.precision)  # exactly 1e-06, as PyTorch's
        self.dtype = type.to_real()._name

    def __eq__(self, other):  # (and so unhashable, as PyTorch's)
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __repr__(self):
        # PyTorch prints the values with 6 significant digits (C++'s default stream format)
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """torch.iinfo."""

    def __init__(self, type):
        if type.is_floating_point or type.is_complex:
            raise TypeError("torch.iinfo() requires an integer input type.")
        if type is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        ii = np.iinfo(type._np) if type is not bool else None
        self.bits = type._np.itemsize * 8
        self.max = int(ii.max) if ii else 1
        self.min = int(ii.min) if ii else 0
        self.dtype = type._name

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
