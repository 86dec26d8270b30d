"""The op registry: one pure-jax definition per op becomes `torchlike.X`, `Tensor.X`, and
`Tensor.X_`, all running one cached compiled kernel and recording one tape node."""

import builtins
import inspect
import math
import sys

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core import grad_mode
from .._core.autograd import FORWARD_AD as _FWAD
from .._core import meta as _meta
from .._core.tensor import Tensor, _check_inference_write, _overlap_error
from .._core import views
from .kernel import SCALAR_LEAVES, Kernel, run, run_roots, _MULTI, _JAX_ARRAY, _BY_NP, _CPU, _new
from ..amp import autocast_mode as _ac
from .. import _lazy

_FITS = {}


def _fit(dtype, shape):
    """A jitted cast-and-broadcast to a tensor's dtype and shape."""
    key = (dtype, shape)
    f = _FITS.get(key)
    if f is None:
        import jax
        f = _FITS[key] = jax.jit(lambda a: jnp.broadcast_to(a.astype(dtype), shape))
    return f

_REQUIRED = object()
_T = "T"
_NO_ARG = object()  # (a call of one argument)
_FAST_STATIC = (builtins.int, builtins.float, builtins.bool, str, type(None))

_PY_SCALAR = (builtins.bool, builtins.int, builtins.float, builtins.complex)
_OPERANDS = (Tensor,) + _PY_SCALAR  # what the operator methods accept
_CANON = {builtins.bool: np.bool_, builtins.int: np.int64, builtins.float: np.float64,
          builtins.complex: np.complex128}
_SCALARS = {}
REGISTRY = {}


_CONVERT_NAMES = {"int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
                  "uint8": "uint8_t", "uint16": "uint16_t", "uint32": "uint32_t",
                  "uint64": "uint64_t", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
                  "float32": "float", "float64": "double"}


_FIT_BOUNDS = {}  # dtype -> (lowest, highest, is_float, C++ name), or None (any number fits)


def _fit_bounds(dtype):
    name = getattr(dtype, "_name", None)
    if name not in _CONVERT_NAMES:
        return None  # bool and complex take any number
    np_dt = np.dtype(dtype._np)
    if np_dt.kind == "f" or dtype._cat == _dt._FLOAT:  # (bfloat16's numpy kind is 'V')
        info = jnp.finfo(np_dt)
        return float(info.min), float(info.max), True, _CONVERT_NAMES[name]
    info = np.iinfo(np_dt)
    lo = -int(info.max) if np_dt.kind == "u" else int(info.min)
    return lo, int(info.max), False, _CONVERT_NAMES[name]


def check_scalar_fits(value, dtype):
    """PyTorch's checked conversion of a Python number written into a tensor (fill_, full,
    masked_fill, index_fill, x[i] = v): a value out of the dtype's range is an error, not a
    wrapped or saturated element. uint8 takes negatives down to -255 (two's complement), and a
    float dtype takes inf and nan."""
    t = type(value)
    if t is not builtins.int and t is not builtins.float:
        if t is not builtins.complex or dtype._cat == _dt._BOOL or dtype._cat == _dt._COMPLEX:
            return
        if value.imag != 0:  # (a real tensor takes a complex number with no imaginary part)
            raise RuntimeError(f"value cannot be converted to type "
                               f"{_CONVERT_NAMES[dtype._name]} without overflow")
        value = value.real
    try:
        b = _FIT_BOUNDS[dtype]
    except KeyError:
        b = _FIT_BOUNDS[dtype] = _fit_bounds(dtype)
    if b is None:
        return
    lo, hi, is_float, cname = b
    if lo <= value <= hi:  # the common case (False for nan)
        return
    if is_float and not math.isfinite(value):
        return
    raise RuntimeError(f"value cannot be converted to type {cname} without overflow")


def scalar_leaf(v):
    """A cached 0-d jax array for a Python number (a 'wrapped number' leaf)."""
    t = type(v)
    key = (t, v, math.copysign(1.0, v) if t is builtins.float and v == 0 else 0)
    a = _SCALARS.get(key)
    if a is None:
        if t is builtins.int and not -(2 ** 63) <= v < 2 ** 64:
            raise RuntimeError("Overflow when unpacking long")
        a = jnp.asarray(np.asarray(v, _CANON[t]) if not (t is builtins.int and v >= 2 ** 63)
                        else np.asarray(v, np.uint64).astype(np.int64))
        if v == v and len(_SCALARS) < 8192:
            _SCALARS[key] = a
            SCALAR_LEAVES[id(a)] = a
    return a


def _static(v):
    """A hashable stand-in for a non-tensor argument."""
    t = type(v)
    if t in (builtins.int, builtins.float, builtins.bool, str, type(None), builtins.complex):
        return v
    if t in (list, tuple) or isinstance(v, tuple):
        return tuple(_static(x) for x in v)
    if isinstance(v, Tensor):
        if v.numel() == 1 and not (v.dtype.is_floating_point or v.dtype.is_complex):
            return int(v.item())
        if v.numel() == 1:
            return float(v.item())
        return tuple(_static(x) for x in v.tolist())
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, slice):
        return ("__slice__", v.start, v.stop, v.step)
    return v


def _type_of_scalar(t):
    return {builtins.bool: _dt.bool, builtins.int: _dt.int64,
            builtins.float: _dt.get_default_dtype(),
            builtins.complex: _dt.default_complex()}[t]


def result_dtype(specs, leaves):
    """torch's result dtype over (spec, leaf) pairs: 'T' tensors, Python-type scalars."""
    dims, zeros, wrapped = [], [], []
    for sp, a in zip(specs, leaves):
        if sp == "T":
            (dims if a.ndim else zeros).append(_dt._BY_NP[a.dtype])
        else:
            wrapped.append(_type_of_scalar(sp))
    return _dt.result_type_of(dims, zeros, wrapped)


class OpDef:
    """A registered op: binds arguments, picks the kernel for their static part, runs it."""

    def __init__(self, fn, name, tensor_args, promote, promote_args, differentiable,
                 save_residuals=False):
        self.fn = fn
        self.save_residuals = save_residuals
        self.name = name
        sig = inspect.signature(fn)
        self.params = [p.name for p in sig.parameters.values()]
        self.defaults = [_REQUIRED if p.default is inspect.Parameter.empty else p.default
                         for p in sig.parameters.values()]
        self.index = {n: i for i, n in enumerate(self.params)}
        self.nparams = len(self.params)
        self.nrequired = sum(1 for d in self.defaults if d is _REQUIRED)
        self.is_tensor = [n in tensor_args for n in self.params]
        pa = tensor_args if promote_args is None else promote_args
        self.promote_mask = [n in pa for n in self.params]
        self.promote = promote
        # f(result dtype, self, argument kinds): an op's own errors for an in-place result
        self.inplace_check = None
        self.differentiable = differentiable
        self.kernels = {}
        self._fast = {}
        self._fast_inplace = {}
        # calls of one or two tensors in the op's first parameters take run_roots's path
        it = self.is_tensor
        self._roots = (False, len(it) > 0 and it[0], len(it) > 1 and it[0] and it[1])

    def bind(self, args, kwargs):
        n = len(args)
        if n > len(self.params):
            raise TypeError(f"{self.name}() takes {len(self.params)} positional arguments but "
                            f"{n} were given")
        vals = list(args) + self.defaults[n:]
        for k, v in kwargs.items():
            i = self.index.get(k)
            if i is None:
                raise TypeError(f"{self.name}() got an unexpected keyword argument '{k}'")
            if i < n:
                raise TypeError(f"{self.name}() got multiple values for argument '{k}'")
            vals[i] = v
        for i, v in enumerate(vals):
            if v is _REQUIRED:
                raise TypeError(f"{self.name}() missing required argument '{self.params[i]}'")
        return vals

    def split(self, vals):
        """(leaves, key): the tensor/scalar leaves and the hashable rest."""
        leaves = []
        spec = []
        for v, is_t in zip(vals, self.is_tensor):
            if is_t:
                if type(v) is Tensor or isinstance(v, Tensor):
                    leaves.append(v)
                    spec.append("T")
                elif v is None:
                    spec.append(None)
                elif type(v) in _PY_SCALAR:
                    leaves.append(scalar_leaf(v))
                    spec.append(type(v))
                elif isinstance(v, (list, tuple)):
                    sub = []
                    for x in v:
                        if isinstance(x, Tensor):
                            leaves.append(x)
                            sub.append("T")
                        elif type(x) in _PY_SCALAR:
                            leaves.append(scalar_leaf(x))
                            sub.append(type(x))
                        else:
                            raise TypeError(f"{self.name}(): expected a sequence of Tensors, "
                                            f"got an element of type {type(x).__name__}")
                    spec.append(("L", tuple(sub)))
                elif isinstance(v, (np.integer, np.floating, np.bool_)):
                    v = v.item()
                    leaves.append(scalar_leaf(v))
                    spec.append(type(v))
                else:
                    raise TypeError(f"{self.name}(): argument '{self.params[len(spec)]}' must be "
                                    f"Tensor, not {type(v).__name__}")
            else:
                spec.append(("V", _static(v)))
        if self.promote is not None:
            spec.append(_dt._default.float)
        if _ac.state.modes:
            ac = _ac.key(self, vals, leaves)
            if ac is not None:
                spec.append(ac)
        return leaves, tuple(spec)

    def kernel(self, key):
        k = self.kernels.get(key)
        if k is None:
            k = self.kernels[key] = Kernel(self._make(key), self.name, self.save_residuals)
        return k

    def _make(self, key):
        fn = self.fn
        promote = self.promote
        pmask = self.promote_mask
        params = self.params
        name = self.name

        ac = key[-1] if key and isinstance(key[-1], tuple) and key[-1][:1] == ("AC",) else None

        def kfn(*leaves):
            if ac is not None:
                leaves = _autocast_leaves(leaves, ac)
            it = iter(leaves)
            vals = []
            pspecs, pleaves, slots = [], [], []
            for i, sp in enumerate(key[: len(params)]):
                if sp is None:
                    vals.append(None)
                elif sp == "T" or sp in _PY_SCALAR:
                    a = next(it)
                    if promote is not None and pmask[i]:
                        pspecs.append(sp)
                        pleaves.append(a)
                        slots.append((len(vals), None))
                    vals.append(a)
                elif sp[0] == "L":
                    lst = []
                    for j, s in enumerate(sp[1]):
                        a = next(it)
                        if promote is not None and pmask[i]:
                            pspecs.append(s)
                            pleaves.append(a)
                            slots.append((len(vals), j))
                        lst.append(a)
                    vals.append(lst)
                else:
                    vals.append(_unstatic(sp[1]))
            if promote is not None and pleaves:
                rt = result_dtype(pspecs, pleaves)
                if rt is _dt.complex32 and name in ("eq", "ne"):
                    rt = _dt.complex64  # (a bool result: no complex32 arrays needed)
                # "true_division": div's rounding_mode=None (its last argument) divides in the
                # default float type, so -1 reaches a uint8 division as -1.0, not as 255
                if rt._cat <= _dt._INT and (promote == "int_to_float" or (
                        promote == "true_division" and vals[-1] is None)):
                    rt = _dt.get_default_dtype()
                for (vi, j), a in zip(slots, pleaves):
                    c = a.astype(rt._np) if a.dtype != rt._np else a
                    if j is None:
                        vals[vi] = c
                    else:
                        vals[vi][j] = c
            return fn(*vals)

        return kfn

    def _plain_kinds(self, args, first, sig, leaves):
        """The kinds of positional arguments (args[i] binds parameter first + i) as a hashable
        signature, their leaves appended to `leaves`; None where the general path is needed."""
        is_t = self.is_tensor
        for i, v in enumerate(args, first):
            t = type(v)
            if is_t[i]:
                if t is Tensor or isinstance(v, Tensor):
                    leaves.append(v)
                    sig.append(_T)
                    continue
                if t in _PY_SCALAR:
                    leaves.append(scalar_leaf(v))
                    sig.append(t)
                    continue
            elif t in _FAST_STATIC:
                sig.append(v)
                sig.append(t)  # 1, 1.0 and True hash alike
                continue
            return None
        return tuple(sig)

    def __call__(self, *args, out=None, **kwargs):
        if not kwargs and out is None and not _ac.state.modes and len(args) <= self.nparams:
            n = len(args)
            if n < 3 and self._roots[n]:
                r = self._roots_call(*args)
                if r is not None:
                    return r
            r = self._plain(args)
            if r is not None:
                return r
        n = len(args)
        if not kwargs and n <= self.nparams:
            if n < self.nparams:
                vals = list(args) + self.defaults[n:]
                if n < self.nrequired:
                    vals = self.bind(args, kwargs)
            else:
                vals = list(args)
        else:
            vals = self.bind(args, kwargs)
        leaves, key = self.split(vals)
        res = run(self.kernel(key), leaves)
        if out is not None:
            return write_out(out, res)
        return res

    def _plain(self, args):
        """The common call: positional tensors and numbers, its kernel cached by the arguments'
        kinds, without binding defaults or building the full key (None: not such a call)."""
        leaves = []
        sig = self._plain_kinds(args, 0, [_dt._default.float], leaves)
        if sig is None:
            return None
        k = self._fast.get(sig)
        if k is None:
            if len(self._fast) >= 256:
                return None
            leaves, key = self.split(self.bind(args, {}))
            k = self._fast[sig] = self.kernel(key)
        return run(k, leaves)

    def _roots_call(self, a, b=_NO_ARG):
        """The commonest eager calls (x.sum(), a + b, x * 2) through run_roots, with the kernel
        the kinds cache (_plain) holds for them; None where run_roots does not apply."""
        if b is _NO_ARG:
            k = self._fast.get((_dt._default.float, _T))
            return run_roots(k, a) if k is not None else None
        tb = type(b)
        if tb is Tensor:
            k = self._fast.get((_dt._default.float, _T, _T))
        elif tb is builtins.float or tb is builtins.int:
            k = self._fast.get((_dt._default.float, _T, tb))
            b = scalar_leaf(b)
        else:
            return None
        return run_roots(k, a, b) if k is not None else None

    def binary(self, a, b):
        """self(a, b) without keyword arguments, for the operator dunders (a + b, a @ b)."""
        if self.nparams >= 2 and not _ac.state.modes:
            if self._roots[2]:
                r = self._roots_call(a, b)
                if r is not None:
                    return r
            r = self._plain((a, b))
            if r is not None:
                return r
        return self(a, b)

    def dunder(self):
        """The operator method (Tensor.__mul__): run_roots for `tensor op tensor` and
        `tensor op number` written out in one function, with the kernel of the kinds cache,
        else self.binary. `a * b` is the commonest eager call, and the two Python frames and
        repeated checks this saves were a fifth of its overhead over the jitted call."""
        fast, binary, ac, lazy, gs = self._fast, self.binary, _ac.state, _lazy.state, \
            grad_mode.state
        array = self.name == "eq"  # (PyTorch's `ndarray == t` is a tensor; `!=` is not)
        if not self._roots[2]:
            def m(self, other):
                if type(other) is not Tensor and not isinstance(other, _OPERANDS):
                    other = numpy_operand(other, array)
                    if other is NotImplemented:
                        return NotImplemented
                return binary(self, other)
            return m

        def m(self, other):
            to = type(other)
            if to is Tensor:
                if type(self) is Tensor and self._base is None and other._base is None and \
                        type(x := self._arr) is _JAX_ARRAY and \
                        type(y := other._arr) is _JAX_ARRAY and not (
                            (self._requires_grad or self._grad_fn is not None
                             or other._requires_grad or other._grad_fn is not None)
                            and grad_mode.state.enabled) \
                        and not _MULTI[0] and lazy.trace is None and not ac.modes:
                    k = fast.get((_dt._default.float, _T, _T))
                    if k is not None:
                        out = k.fwd(x, y)
                        t = _new(Tensor)
                        t._arr = out
                        t._dtype = _BY_NP[out.dtype]
                        t._device = self._device or _CPU
                        if gs.inference:
                            t._inference = True
                        return t
            elif to is builtins.float or to is builtins.int:
                if type(self) is Tensor and self._base is None and \
                        type(x := self._arr) is _JAX_ARRAY and not (
                            (self._requires_grad or self._grad_fn is not None)
                            and grad_mode.state.enabled) \
                        and not _MULTI[0] and lazy.trace is None and not ac.modes:
                    k = fast.get((_dt._default.float, _T, to))
                    if k is not None:
                        out = k.fwd(x, scalar_leaf(other))
                        t = _new(Tensor)
                        t._arr = out
                        t._dtype = _BY_NP[out.dtype]
                        t._device = self._device or _CPU
                        if gs.inference:
                            t._inference = True
                        return t
            elif not isinstance(other, _OPERANDS):
                other = numpy_operand(other, array)
                if other is NotImplemented:
                    return NotImplemented
            return binary(self, other)
        return m

    def inplace(self, self_t, *args, **kwargs):
        """Tensor.X_: the op's result written into self (PyTorch's in-place semantics)."""
        if not kwargs and not _ac.state.modes and len(args) < self.nparams:
            # x.add_(1): the split of a plain call, cached by its arguments' kinds
            if len(args) == 1 and self._roots[2] and (
                    type(args[0]) is builtins.float or type(args[0]) is builtins.int):
                number = True  # (the signature _plain_kinds would build, without its loop)
                sig = (_dt._default.float, _T, type(args[0]))
                leaves = [self_t, scalar_leaf(args[0])]
            else:
                number = False
                leaves = [self_t]
                sig = self._plain_kinds(args, 1, [_dt._default.float, _T], leaves)
            if sig is not None:
                fast = self._fast_inplace.get(sig)  # (key, kernel, name)
                if fast is None and len(self._fast_inplace) < 256:
                    key = self.split(self.bind((self_t,) + args, {}))[1]
                    fast = self._fast_inplace[sig] = (key, self.kernel(key), self.name + "_")
                if fast is not None:
                    # a real Python number into a floating tensor always fits: the result's
                    # dtype is bool, integral or the tensor's own, its shape the tensor's
                    if self.promote is not None and not (
                            number and self_t._dtype._cat == _dt._FLOAT):
                        _check_inplace(self, self_t, fast[0], leaves)
                    return apply_inplace(self_t, fast[1], leaves[1:], fast[2])
        vals = self.bind((self_t,) + args, kwargs)
        leaves, key = self.split(vals)
        if _ac.state.modes:  # (PyTorch's autocast leaves in-place ops alone)
            key = _ac.strip(key)
        if self.promote is not None:
            _check_inplace(self, self_t, key, leaves)
        return apply_inplace(self_t, self.kernel(key), leaves[1:], self.name + "_")


def _autocast_leaves(leaves, ac):
    """Autocast's casts of an op's inputs: ac = ("AC", category, dtype, which leaves to cast)."""
    return [x.astype(ac[2]) if m else x for x, m in zip(leaves, ac[3])]


def numpy_operand(other, array=False):
    """An operator's numpy operand as PyTorch reads it: a numpy scalar is the Python number it
    holds (so `t * np.float32(2)` keeps t's dtype and stays on the tape); an array, where
    `array` (PyTorch's ==), a tensor; anything else NotImplemented (numpy then computes
    `t + array` and wraps the result in a tensor, as with PyTorch's tensors)."""
    if isinstance(other, np.generic):
        v = other.item()
        return v if isinstance(v, _PY_SCALAR) else NotImplemented
    if array and isinstance(other, np.ndarray):
        from .creation import as_tensor
        return as_tensor(other)
    return NotImplemented


def _unstatic(v):
    if isinstance(v, tuple):
        if len(v) == 4 and v[0] == "__slice__":
            return slice(*v[1:])
        return tuple(_unstatic(x) for x in v)
    return v


class _Meta:
    """Shape and dtype of a leaf, without computing a view's values."""

    __slots__ = ("shape", "dtype", "ndim")

    def __init__(self, x):
        if isinstance(x, Tensor):
            self.shape = x._shape()
            self.dtype = x._dtype._np
        else:
            self.shape = x.shape
            self.dtype = x.dtype
        self.ndim = len(self.shape)


_INPLACE_OK = {}


def _check_inplace(opdef, self_t, key, leaves):
    """PyTorch's errors for an in-place result that self cannot hold (dtype or shape)."""
    # cached by what decides it (a passing check only: failures raise every time)
    metas = []
    for x in leaves:
        if isinstance(x, Tensor):
            metas.append((x._shape(), x._dtype))
        elif id(x) not in SCALAR_LEAVES:  # (a Python number's kind is in the key)
            metas.append((x.shape, x.dtype))
    ck = (id(opdef), key, _dt._default.float, tuple(metas))
    if ck in _INPLACE_OK:
        return
    _check_inplace_uncached(opdef, self_t, key, [_Meta(x) for x in leaves])
    if len(_INPLACE_OK) < 4096:
        _INPLACE_OK[ck] = True


def _check_inplace_uncached(opdef, self_t, key, arrays):
    specs = [s for s in key if s == "T" or s in _PY_SCALAR]
    rt = result_dtype(specs, arrays)
    if rt._cat <= _dt._INT and (opdef.promote == "int_to_float" or (
            opdef.promote == "true_division" and ("V", None) in key)):  # x.div_(2) on ints
        rt = _dt.get_default_dtype()
    if opdef.inplace_check is not None:  # the op's own errors, which PyTorch raises first
        opdef.inplace_check(rt, self_t, specs)
    if not _dt.can_cast(rt, self_t._dtype):
        raise RuntimeError(f"result type {_scalar_type_name(rt)} can't be cast to the desired "
                           f"output type {_scalar_type_name(self_t._dtype)}")
    shapes = [a.shape for a in arrays]
    try:
        bshape = np.broadcast_shapes(*shapes)
    except ValueError:
        bshape = None
    if bshape is not None and tuple(bshape) != tuple(arrays[0].shape):
        raise RuntimeError(f"output with shape {list(arrays[0].shape)} doesn't match the "
                           f"broadcast shape {list(bshape)}")


_C_TYPE_NAMES = {"Long": "long int", "Int": "int", "Short": "short int", "Char": "signed char",
                 "Byte": "unsigned char", "Bool": "bool", "Float": "float", "Double": "double",
                 "Half": "c10::Half", "BFloat16": "c10::BFloat16",
                 "ComplexFloat": "c10::complex<float>", "ComplexDouble": "c10::complex<double>"}


def c_type_name(d):
    """The C++ name some of PyTorch's kernels print for a dtype ('long int', 'float')."""
    n = _scalar_type_name(d)
    return _C_TYPE_NAMES.get(n, n)
_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half",
                 "bfloat16": "BFloat16", "int64": "Long", "int32": "Int", "int16": "Short",
                 "int8": "Char", "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
                 "complex128": "ComplexDouble", "complex32": "ComplexHalf"}


def _scalar_type_name(d):
    return _SCALAR_NAMES.get(d._name, d._name)


_INPLACE_KERNELS = {}


def _refuse_dual_inplace(self_t, others, name):
    from ..autograd.forward_ad import tangent_of
    if any(isinstance(t, Tensor) and tangent_of(t) is not None for t in [self_t, *others]):
        raise NotImplementedError(f"torchlike: in-place {name} on a tensor with a forward-mode "
                                  "AD tangent (or with one as an operand) is not supported; "
                                  "use the out-of-place op")


def apply_inplace(self_t, kernel, others, name, check_overlap=True):
    """Run `kernel(self, *others)` and write the result into self_t, recording autograd.

    A view's write becomes a functional update of its autograd base (PyTorch's CopySlices)."""
    if _FWAD[0]:
        _refuse_dual_inplace(self_t, others, name)
    if grad_mode.INFERENCE_USED[0]:
        _check_inference_write(self_t)
    # (the root's array: reading a view's _data would cache a reference to its root's
    # buffer, and a buffer referenced twice is not donated)
    if _meta.USED[0] and type(self_t._root()._arr) is _meta.MetaArray:
        res = run(kernel, [self_t] + list(others))  # checks operands; no data to write
        if tuple(res.shape) != tuple(self_t.shape):
            raise RuntimeError(f"output with shape {list(self_t.shape)} doesn't match the "
                               f"broadcast shape {list(res.shape)}")
        self_t._root()._vcount += 1
        return self_t
    need_grad = False
    if grad_mode.state.enabled:
        need_grad = self_t.requires_grad
        for o in others:
            if need_grad:
                break
            need_grad = type(o) is not _JAX_ARRAY and isinstance(o, Tensor) and o.requires_grad
        if self_t._creation is not None and (need_grad or self_t._creation == "nograd"):
            _creation_error(self_t)
    # (x[3].add_(1), one plain array operand, skips it)
    if check_overlap and (len(others) != 1 or type(others[0]) is not _JAX_ARRAY):
        _check_operand_overlap(self_t, others)
    if not need_grad:
        root = self_t._base
        if root is not None and self_t._chain:
            # a view: read, compute and scatter back in one compiled kernel
            ik, dyn, pos, may_overlap = _view_write_kernel(kernel, self_t._chain, self_t._dtype,
                                                           len(others), name)
            if may_overlap:
                _check_write_overlap(self_t, name)
            arr = _run_donating(ik, root, others, dyn) if _donation_candidate(root) else None
            if arr is None and not _MULTI[0]:
                # nothing to record and one device: the kernel itself, without run()'s wrapping
                if len(others) == 1 and type(others[0]) is _JAX_ARRAY:  # x[3].add_(1)
                    args = [root._data, others[0], *pos]
                else:
                    args = [root._data]
                    for o in others:
                        args.append(o._data if isinstance(o, Tensor) else o)
                    args += pos
                arr = ik.fwd(*args) if _lazy.state.trace is None else _lazy.call(ik.fwd, args)
            if arr is not None:
                if type(arr) is _lazy.LazyArray:
                    _lazy.succeed(root._arr, arr)
                root._arr = arr
                if self_t._vfam is None:
                    root._vcount += 1
                else:
                    self_t._vfam[0] += 1
                return self_t
            gs = grad_mode.state  # no_grad, without a context manager's cost on this hot path
            prev, gs.enabled = gs.enabled, False
            try:
                res = run(ik, [root, *others, *[scalar_leaf(k) for k in dyn]])
            finally:
                gs.enabled = prev
            arr = res._data
            if type(arr) is _lazy.LazyArray:
                _lazy.succeed(root._arr, arr)
            root._arr = arr
            self_t._bump(root)
            return self_t
        if root is None and _donation_candidate(self_t):
            ik, _ = _inplace_kernel(kernel, (), self_t._dtype, len(others), name)
            arr = _run_donating(ik, self_t, others, ())
            if arr is not None:
                self_t._arr = arr
                self_t._vcount += 1
                return self_t
        with grad_mode.no_grad():
            res = run(kernel, [self_t] + list(others))
        arr = res._data if not isinstance(res, tuple) else res[0]._data
        shape = self_t._data.shape
        if arr.dtype != self_t._dtype._np or arr.shape != shape:
            arr = _lazy.call(_fit(self_t._dtype._np, shape), (arr,))
        self_t._set_data(arr)
        return self_t
    g = self_t._gbase
    if g is None:
        if self_t._requires_grad and self_t._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        target, chain = self_t, ()
    else:
        if g._requires_grad and g._grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        target, chain = g, self_t._gchain
        if self_t._base is not None and views.has_overlap(self_t._chain):
            _check_write_overlap(self_t, name)
    ik, dyn = _inplace_kernel(kernel, chain, self_t._dtype, len(others), name)
    res = run(ik, [target] + list(others) + [scalar_leaf(k) for k in dyn])
    target._set_data(res._data)
    node = res._grad_fn
    target._grad_fn = node
    target._out_nr = 0
    target._requires_grad = False
    if target._retains:  # PyTorch moves retain_grad to the new grad_fn
        target.retain_grad()
    if node is not None and node.saved and node.saved[0] is not None:
        if name in _SAVES_RESULT or (name == "pow_" and any(isinstance(o, Tensor) for o in others)):
            # PyTorch saves the result: a later in-place write to it fails the backward
            r = node.saved[0][0]
            node.saved[0] = (r, r._vcount)  # the node's own write is not a later modification
        else:
            # PyTorch saves a copy of the original self: later writes do not matter
            node.saved[0] = None
    return self_t


# In-place ops PyTorch lets write through a view with a stride-0 (expanded) dimension: each
# writes one value to all aliases of an element
_FILL_LIKE = frozenset(("fill_", "masked_fill_", "index_fill_", "index_put_"))


def _check_write_overlap(self_t, name):
    """PyTorch's internal-overlap error for a write through a view whose elements share
    memory (expand: a stride 0). PyTorch writes views with overlapping windows (unfold,
    as_strided) element by element in order; torchlike refuses those too, except a fill."""
    if name not in _FILL_LIKE and views.overlap(self_t._base._shape(), self_t._chain):
        _overlap_error()


def _check_operand_overlap(self_t, others):
    """PyTorch's partial-overlap error: an operand sharing memory with the written tensor
    without being exactly it (x[1:].copy_(x[:-1]), x.t().add_(x))."""
    r = self_t._base if self_t._base is not None else self_t
    la = None
    for o in others:
        if type(o) is _JAX_ARRAY or not isinstance(o, Tensor) or o is self_t:
            continue
        ro = o._base if o._base is not None else o
        if ro is not r:
            continue
        if la is None:
            la = self_t._layout()
        if views.overlap_status(la, self_t._dtype.itemsize, o._layout(),
                                o._dtype.itemsize) == "partial":
            raise RuntimeError("unsupported operation: some elements of the input tensor and the "
                               "written-to tensor refer to a single memory location. Please "
                               "clone() the tensor before performing the operation.")


def _creation_error(self_t):
    if self_t._creation == "multi":
        raise RuntimeError("Output 0 of UnbindBackward0 is a view and is being modified inplace. "
                           "This view is the output of a function that returns multiple views. "
                           "Such functions do not allow the output views to be modified inplace. "
                           "You should replace the inplace operation by an out-of-place one.")
    raise RuntimeError("A view was created in no_grad mode and is being modified inplace with "
                       "grad mode enabled. Given that this use case is ambiguous and "
                       "error-prone, it is forbidden. You can clarify your code by moving both "
                       "the view and the inplace either both inside the no_grad block (if you "
                       "don't want the inplace to be tracked) or both outside (if you want the "
                       "inplace to be tracked).")


# In-place ops whose PyTorch derivative reads the result (exp_, sigmoid_, relu_, ...); the
# others save a copy of self (torchlike's saved input is an immutable array either way).
_SAVES_RESULT = frozenset((
    "exp_", "exp2_", "expm1_", "reciprocal_", "relu_", "rsqrt_", "sigmoid_", "sqrt_", "tan_",
    "tanh_", "sgn_", "hypot_", "nn_relu_", "nn_leaky_relu_", "nn_elu_", "nn_celu_",
    "nn_rrelu_with_noise_"))


_DONATING = {}
# below this a copy costs less than the check; above it, a write into a large tensor would
# otherwise copy the whole buffer (x[3].add_(1) on 1024x1024: ~110 us copying vs ~5 us)
_DONATE_MIN_BYTES = 1 << 16
_BIG = {}


def _donation_candidate(root):
    """Whether root's buffer is worth donating to an in-place kernel: an eager, one-device run
    on a concrete buffer of _DONATE_MIN_BYTES or more (whether anything else refers to it is
    checked by _run_donating, once the op's other arguments are read)."""
    if _lazy.state.trace is not None or _MULTI[0]:
        return False
    arr = root._arr
    if type(arr) is not _lazy._JAX_ARRAY:
        return False
    key = (arr.shape, root._dtype)  # (jax's nbytes property costs ~1 us)
    big = _BIG.get(key)
    if big is None:
        big = arr.nbytes >= _DONATE_MIN_BYTES
        if len(_BIG) < 4096:
            _BIG[key] = big
    return big


def _run_donating(ik, root, others, dyn):
    """The in-place kernel on root's buffer (a _donation_candidate), donated so XLA updates it
    where it lies, as PyTorch writes into its storage; None when something else still refers
    to the buffer."""
    arr = root._arr
    args = [o._data if isinstance(o, Tensor) else o for o in others]
    # References: root's attribute, `arr` and getrefcount's argument. An alias sharing the
    # buffer, a tensor saved for backward or this op's own other argument would hold more.
    if sys.getrefcount(arr) > 3:
        return None
    f = _DONATING.get(ik)
    if f is None:
        f = _DONATING[ik] = jax.jit(ik.fn, donate_argnums=0, keep_unused=True)
    return f(arr, *args, *[scalar_leaf(k) for k in dyn])


def _inplace_kernel(kernel, chain, dtype, n_other, name):
    """(kernel, positions): base -> base with `kernel` applied to its view `chain`, in one
    compiled function (cached by the chain's structure; positions are traced)."""
    tpl, dyn = views.split(chain)
    ikey = (id(kernel), tpl, dtype, n_other)
    ik = _INPLACE_KERNELS.get(ikey)
    if ik is None:
        fn = kernel.fn
        dt = dtype._np

        def ifn(base, *rest):
            rest, pos = rest[:n_other], rest[n_other:]
            cur = views.apply_template(base, tpl, pos) if tpl else base
            out = fn(cur, *rest)
            if isinstance(out, tuple):
                out = out[0]
            out = jnp.broadcast_to(out.astype(dt), cur.shape)
            return views.scatter_template(base, out, tpl, pos) if tpl else out

        ik = _INPLACE_KERNELS[ikey] = (Kernel(ifn, name), kernel)
    return ik[0], dyn


_VIEW_WRITES = {}


def _view_write_kernel(kernel, chain, dtype, n_other, name):
    """_inplace_kernel for a view's chain, with the positions as cached 0-d arrays, checked
    for overlapping elements: one lookup per `x[3].add_(1)` (cached by the chain itself)."""
    key = (id(kernel), chain, dtype, n_other)
    r = _VIEW_WRITES.get(key)
    if r is None:
        ik, dyn = _inplace_kernel(kernel, chain, dtype, n_other, name)
        r = (ik, dyn, [scalar_leaf(k) for k in dyn], views.has_overlap(chain))
        if len(_VIEW_WRITES) < 4096:
            _VIEW_WRITES[key] = r
    return r


def write_out(out, res):
    """Write an op's result into `out=` (resizing it if its shape differs, like PyTorch)."""
    if isinstance(res, tuple):
        for o, r in zip(out, res):
            write_out(o, r)
        return out
    if grad_mode.state.enabled and (res.requires_grad or out.requires_grad):
        raise RuntimeError(f"{_fn_name(res)}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")
    arr = res._data
    if not _dt.can_cast(res._dtype, out._dtype):
        raise RuntimeError(f"result type {_scalar_type_name(res._dtype)} can't be cast to the "
                           f"desired output type {_scalar_type_name(out._dtype)}")
    arr = _lazy.call(_lazy._astype(out._dtype._np), (arr,))
    if arr.shape != out._data.shape:
        out._base = None
        out._chain = ()
        out._arr = arr
        out._vcount += 1
    else:
        out._set_data(arr)
    return out


def _fn_name(t):
    return "op"


def op(fn=None, *, name=None, tensor_args=("input",), promote=None, promote_args=None,
       method=True, inplace=False, function=True, differentiable=True, save_residuals=False):
    """Register a pure jax function as a torchlike op (see the module docstring).

    save_residuals: keep jax.vjp's residuals from the forward for the backward, instead of
    recomputing the forward there (for ops whose forward is expensive and not dead code in
    their backward, e.g. a scan)."""
    if fn is None:
        return lambda f: op(f, name=name, tensor_args=tensor_args, promote=promote,
                            promote_args=promote_args, method=method, inplace=inplace,
                            function=function, differentiable=differentiable,
                            save_residuals=save_residuals)
    opname = name or fn.__name__
    d = OpDef(fn, opname, tuple(tensor_args), promote, promote_args, differentiable,
              save_residuals)
    REGISTRY[opname] = d

    def public(*args, **kwargs):
        return d(*args, **kwargs)

    public.__name__ = opname
    public.__qualname__ = opname
    public.__doc__ = fn.__doc__
    public.__wrapped_op__ = d
    d.public = public
    if method:
        setattr(Tensor, opname, public)
    if inplace:
        def method_(self, *args, **kwargs):
            return d.inplace(self, *args, **kwargs)

        method_.__name__ = opname + "_"
        setattr(Tensor, opname + "_", method_)
    return public
