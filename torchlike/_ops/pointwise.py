"""Pointwise ops: unary and binary math, comparisons, logical and bitwise ops."""

import builtins
import functools
import warnings

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import numpy as np

from .._core import dtypes as _dt
from .._core.device import jax_device
from .._core.tensor import Tensor
from .kernel import Kernel, run
from .registry import _C_TYPE_NAMES, _scalar_type_name, c_type_name, op
from .. import _lazy


_NP_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
             "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
             "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _tname(x):
    """PyTorch's scalar-type name of an array's dtype ('Float', 'Long', ...)."""
    return _NP_NAMES.get(np.dtype(x.dtype).name, str(x.dtype))


def _c_type_name(x):
    """The C++ name PyTorch's kernels print for an array's dtype ('long int', 'float')."""
    n = _tname(x)
    return _C_TYPE_NAMES.get(n, n)


def _not_impl(kernel, x):
    raise NotImplementedError(f'"{kernel}" not implemented for \'{_tname(x)}\'')


def broadcast_check(*arrays):
    """The broadcast shape of the arrays, or PyTorch's RuntimeError when they do not broadcast."""
    shapes = [tuple(a.shape) for a in arrays if a is not None and hasattr(a, "shape")]
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        pass
    n = builtins.max(len(s) for s in shapes)
    for i in range(1, n + 1):  # PyTorch reports the last mismatching dimension first
        sizes = [s[-i] for s in shapes if len(s) >= i and s[-i] != 1]
        if len(set(sizes)) > 1:
            a, b = sizes[0], next(x for x in sizes if x != sizes[0])
            raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) "
                               f"at non-singleton dimension {n - i}")
    raise RuntimeError(f"shapes {shapes} cannot be broadcast together")


def _checked(fn):
    """Run PyTorch's broadcast check on the array arguments before `fn` (traced, so free)."""
    @functools.wraps(fn)
    def g(*args):
        broadcast_check(*args)
        return fn(*args)
    return g


def guarded(public, check, only_with=None):
    """Wrap a registered op (function, method and in-place method) with an argument check
    that needs Python-level information the traced kernel cannot see (operand kinds, values).
    With `only_with` (an optional argument's name and position), the check runs only in
    calls that pass that argument: the common call pays one comparison, not a bind."""
    d = public.__wrapped_op__
    name = d.name
    if only_with is not None:
        kw, pos = only_with
        inner = check

        def check(*bound):  # noqa: F811  (bound: the op's arguments in order)
            if len(bound) > pos and bound[pos] is not None:
                inner(*bound)

        def f(*args, out=None, **kwargs):
            if kw in kwargs or len(args) > pos:
                check(*d.bind(args, kwargs))
            return d(*args, out=out, **kwargs)

        def method(self, *args, out=None, **kwargs):
            if kw in kwargs or len(args) >= pos:
                check(*d.bind((self,) + args, kwargs))
            return d(self, *args, out=out, **kwargs)

        def method_(self, *args, **kwargs):
            if kw in kwargs or len(args) >= pos:
                check(*d.bind((self,) + args, kwargs))
            return d.inplace(self, *args, **kwargs)

        return _install(public, d, name, f, method, method_)

    def f(*args, out=None, **kwargs):
        check(*d.bind(args, kwargs))
        return d(*args, out=out, **kwargs)

    m_check = check.for_method(name) if hasattr(check, "for_method") else check
    m_check_ = check.for_method(name + "_") if hasattr(check, "for_method") else check

    def method(self, *args, out=None, **kwargs):
        m_check(*d.bind((self,) + args, kwargs))
        return d(self, *args, out=out, **kwargs)

    def method_(self, *args, **kwargs):
        m_check_(*d.bind((self,) + args, kwargs))
        return d.inplace(self, *args, **kwargs)

    return _install(public, d, name, f, method, method_)


def _install(public, d, name, f, method, method_):
    f.__name__ = method.__name__ = name
    method_.__name__ = name + "_"
    f.__doc__ = public.__doc__
    f.__wrapped_op__ = d
    if getattr(Tensor, name, None) is public:
        setattr(Tensor, name, method)
    if hasattr(Tensor, name + "_"):
        setattr(Tensor, name + "_", method_)
    return f


def bop(**kw):
    """`op` for a broadcasting op: shape errors become PyTorch's RuntimeError."""
    return lambda fn: op(_checked(fn), **kw)


def _in_f64(f, x):
    # jax's float32 gammaln is off by ~1e-6 relative (lgamma(1) = 4.8e-7, PyTorch gives 0),
    # so evaluate in float64 and round once
    if x.dtype == jnp.float64:
        return f(x)
    return f(x.astype(jnp.float64)).astype(x.dtype)


def _half_in_f32(f):
    # PyTorch's CPU kernels compute these in float32 for half types and round once (jax's
    # half-precision exp2(2) is 3.98 in bfloat16)
    def g(x):
        if x.dtype == jnp.float16 or x.dtype == jnp.bfloat16:
            return f(x.astype(jnp.float32)).astype(x.dtype)
        return f(x)
    return g


_REAL_ONLY = {"erf", "erfc", "erfinv", "lgamma", "digamma", "i0", "deg2rad", "rad2deg"}


def _float_unary(name, f):
    def fn(input):
        if name in ("deg2rad", "rad2deg") and jnp.iscomplexobj(input):
            raise RuntimeError(f"{name} is not supported for complex tensors.")
        if name in _REAL_ONLY and jnp.iscomplexobj(input):
            _not_impl(f"{name}_vml_cpu", input)
        return f(input)

    fn.__name__ = name
    return op(fn, name=name, promote="int_to_float", inplace=True)


def _same_unary(name, f, int_identity=False, no_bool=None, no_int=None, no_complex=False):
    def fn(input):
        if no_complex and jnp.iscomplexobj(input):
            _not_impl(f"{name}_cpu", input)
        if no_bool and input.dtype == jnp.bool_:
            _not_impl(no_bool, input)
        if no_int and jnp.issubdtype(input.dtype, jnp.integer):
            _not_impl(no_int, input)
        if int_identity and not jnp.issubdtype(input.dtype, jnp.inexact):
            return input
        return f(input)

    fn.__name__ = name
    return op(fn, name=name, promote="default", inplace=True)


def _sigmoid(x):
    return jax.nn.sigmoid(x)


def _angle(x):
    if jnp.iscomplexobj(x):
        return jnp.angle(x)
    # PyTorch's rule for real x: pi below zero, else 0 (-0.0 too), NaN stays NaN
    return jnp.where(jnp.isnan(x), x, jnp.where(x < 0, jnp.pi, 0)).astype(x.dtype)


@jax.custom_jvp
def _digamma(x):
    return jnp.where(x == 0, jnp.copysign(jnp.inf, -x), jsp.digamma(x))


@_digamma.defjvp
def _digamma_jvp(primals, tangents):
    # PyTorch's derivative, trigamma (jax's polygamma(1, x) is wrong for negative x)
    from ..special import _trigamma
    (x,), (t,) = primals, tangents
    return _digamma(x), _trigamma(x) * t


_FLOAT_UNARY = {
    "exp": jnp.exp, "exp2": _half_in_f32(jnp.exp2), "expm1": jnp.expm1, "log": jnp.log, "log2": jnp.log2,
    "log10": jnp.log10, "log1p": jnp.log1p, "sqrt": jnp.sqrt, "rsqrt": jax.lax.rsqrt,
    "sin": jnp.sin, "cos": jnp.cos, "tan": jnp.tan, "asin": jnp.arcsin, "acos": jnp.arccos,
    "atan": jnp.arctan, "sinh": jnp.sinh, "cosh": jnp.cosh, "tanh": jnp.tanh,
    "asinh": jnp.arcsinh, "acosh": jnp.arccosh, "atanh": jnp.arctanh, "sigmoid": _sigmoid,
    "erf": jsp.erf, "erfc": jsp.erfc, "erfinv": jsp.erfinv, "lgamma": lambda x: _in_f64(jsp.gammaln, x),
    # digamma(+-0) is -+inf in PyTorch (copysign(inf, -x)); jax gives nan
    "digamma": lambda x: _digamma(x), "reciprocal": lambda x: 1 / x, "sinc": _half_in_f32(jnp.sinc),
    "i0": _half_in_f32(jnp.i0),
    "deg2rad": jnp.deg2rad, "rad2deg": jnp.rad2deg, "angle": _angle,
}
_ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh",
            "arccosh": "acosh", "arctanh": "atanh"}
for _n, _f in _FLOAT_UNARY.items():
    globals()[_n] = _float_unary(_n, _f)
for _a, _n in _ALIASES.items():
    globals()[_a] = globals()[_n]
    setattr(Tensor, _a, getattr(Tensor, _n))
    setattr(Tensor, _a + "_", getattr(Tensor, _n + "_"))


def _sign(x):
    if x.dtype == jnp.bool_:
        return x
    if jnp.iscomplexobj(x):
        raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex "
                                  "numbers. Please use torch.sgn instead.")
    if jnp.issubdtype(x.dtype, jnp.floating):
        # PyTorch computes (0 < x) - (x < 0): sign(nan) and sign(-0.0) are +0.0 (jnp: nan, -0.0)
        return ((x > 0).astype(x.dtype) - (x < 0).astype(x.dtype))
    return jnp.sign(x)


def _positive(x):
    if x.dtype == jnp.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return x


def _sgn(x):
    if jnp.iscomplexobj(x):
        a = jnp.abs(x)
        return jnp.where(a == 0, 0, x / jnp.where(a == 0, 1, a))
    return _sign(x)


def _neg(x):
    if x.dtype == jnp.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")
    return jnp.negative(x)


def _square(x):
    if x.dtype == jnp.bool_:
        x = x.astype(jnp.int64)  # PyTorch computes pow(x, 2), which promotes bool to long
    return jnp.square(x)


_SAME_UNARY = {
    "neg": _neg, "sign": _sign, "sgn": _sgn, "square": _square,
    "positive": _positive, "conj_physical": jnp.conj,
}
for _n, _f in _SAME_UNARY.items():
    globals()[_n] = _same_unary(_n, _f)


def _square_inplace_check(rt, self_t, specs):
    if self_t.dtype is _dt.bool:  # (square is pow(x, 2), whose bool result is Long)
        raise RuntimeError("result type Long can't be cast to the desired output type Bool")


square.__wrapped_op__.inplace_check = _square_inplace_check
@jax.custom_jvp
def _fabs(x):
    return jnp.abs(x)


@_fabs.defjvp
def _fabs_jvp(primals, tangents):
    # PyTorch's derivative sgn(x): 0 at +-0 and at NaN (jnp.abs's is 1 at 0)
    (x,), (t,) = primals, tangents
    s = jnp.where((x == 0) | jnp.isnan(x), 0.0, jnp.sign(x))
    return jnp.abs(x), (s * t).astype(x.dtype)


def _abs(x):
    if jnp.issubdtype(x.dtype, jnp.floating):
        return _fabs(x)
    return jnp.abs(x)


abs = _same_unary("abs", _abs, no_bool="abs_cpu")


def _abs_inplace_check(rt, self_t, specs):
    if self_t.dtype.is_complex:
        raise RuntimeError("In-place abs is not supported for complex tensors.")


abs.__wrapped_op__.inplace_check = _abs_inplace_check
absolute = abs
Tensor.absolute = Tensor.abs
Tensor.absolute_ = Tensor.abs_
negative = neg
Tensor.negative = Tensor.neg
Tensor.negative_ = Tensor.neg_
for _n, _f in {"floor": jnp.floor, "ceil": jnp.ceil, "trunc": jnp.trunc}.items():
    globals()[_n] = _same_unary(_n, _f, int_identity=True, no_bool=f"{_n}_vml_cpu",
                                no_complex=True)
frac = _same_unary("frac", lambda x: x - jnp.trunc(x), no_bool="frac_cpu", no_int="frac_cpu",
                   no_complex=True)
fix = trunc
Tensor.fix = Tensor.trunc
Tensor.fix_ = Tensor.trunc_


@op(promote="default", inplace=True)
def round(input, decimals=0):
    if jnp.iscomplexobj(input):
        _not_impl("round_cpu", input)
    if input.dtype == jnp.bool_ or (decimals != 0 and not jnp.issubdtype(input.dtype, jnp.inexact)):
        _not_impl("round_cpu", input)
    if not jnp.issubdtype(input.dtype, jnp.inexact):
        return input
    if decimals == 0:
        return jnp.round(input)
    # as PyTorch's kernel: scale in the op-math type (float32 for half types, where x * 10**d
    # would overflow), dividing by 10**-d for negative decimals
    x = input.astype(jnp.float32) if input.dtype in (jnp.float16, jnp.bfloat16) else input
    s = 10.0 ** builtins.abs(decimals)
    r = jnp.round(x * s) / s if decimals > 0 else jnp.round(x / s) * s
    return r.astype(input.dtype)


@op(promote="int_to_float", inplace=True)
def logit(input, eps=None):
    if jnp.iscomplexobj(input):
        _not_impl("logit_cpu", input)
    x = input if eps is None else jnp.clip(input, eps, 1 - eps)
    return jnp.log(x / (1 - x))


@op(inplace=True)
def bitwise_not(input):
    if jnp.issubdtype(input.dtype, jnp.inexact):
        _not_impl("bitwise_not_cpu", input)
    return ~input


@op(inplace=True)
def logical_not(input):
    return jnp.logical_not(input)


@op(method=True)
def isnan(input):
    return jnp.isnan(input)


@op(method=True)
def isinf(input):
    return jnp.isinf(input)


@op(method=True)
def isposinf(input):
    if jnp.iscomplexobj(input):
        raise RuntimeError("isposinf does not support complex inputs.")
    return jnp.isposinf(input)


@op(method=True)
def isneginf(input):
    if jnp.iscomplexobj(input):
        raise RuntimeError("isneginf does not support complex inputs.")
    return jnp.isneginf(input)


@op(method=True)
def isfinite(input):
    return jnp.isfinite(input)


@op(method=True)
def isreal(input):
    return jnp.isreal(input)


@op(method=True)
def signbit(input):
    if jnp.iscomplexobj(input):
        _not_impl("signbit_cpu", input)
    return jnp.signbit(input)


@op(inplace=True)
def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    if not jnp.issubdtype(input.dtype, jnp.inexact):
        return input
    return jnp.nan_to_num(input, nan=nan, posinf=posinf, neginf=neginf)


# ---------------- binary ----------------
_BIN = ("input", "other")


def _alpha(other, alpha):
    return other if alpha is None else other * alpha.astype(other.dtype)


@bop(tensor_args=("input", "other", "alpha"), promote="default", promote_args=_BIN, inplace=True)
def add(input, other, alpha=None):
    if input.dtype == jnp.bool_ and other.dtype == jnp.bool_:
        return input | other if alpha is None else (input | (other & alpha.astype(bool)))
    return input + _alpha(other, alpha)


@bop(tensor_args=("input", "other", "alpha"), promote="default", promote_args=_BIN, inplace=True)
def sub(input, other, alpha=None):
    return input - _alpha(other, alpha)


def _check_alpha(input, other, alpha=None):
    """PyTorch refuses a float alpha for an integral result (it would be truncated)."""
    if type(alpha) is builtins.float and _integral(input) and _integral(other):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


add = guarded(add, _check_alpha, only_with=("alpha", 2))


def _check_sub(input, other, alpha=None):
    _check_alpha(input, other, alpha)
    bools = [x.dtype is _dt.bool if isinstance(x, Tensor) else type(x) is builtins.bool
             for x in (input, other)]
    if all(bools):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if any(bools):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


sub = guarded(sub, _check_sub)
subtract = sub
Tensor.subtract = Tensor.sub
Tensor.subtract_ = Tensor.sub_


@bop(tensor_args=_BIN, promote="default", inplace=True)
def mul(input, other):
    if input.dtype == jnp.bool_:
        return input & other
    return input * other


multiply = mul
Tensor.multiply = Tensor.mul
Tensor.multiply_ = Tensor.mul_


def _true_div(a, b):
    """a / b, correctly rounded as PyTorch's. XLA's simplifier rewrites a division by a
    broadcast operand (`x / 7`, `x / x.sum(1, keepdim=True)`) into a multiplication by its
    reciprocal, which differs in the last bit for about half the quotients: the divisor is
    broadcast behind a barrier the rewrite cannot see through (a division of equal shapes
    is left as it is)."""
    shape = jnp.broadcast_shapes(jnp.shape(a), jnp.shape(b))
    if jnp.shape(b) != shape:
        b = jax.lax.optimization_barrier(jnp.broadcast_to(b, shape))
    return a / b


@bop(tensor_args=_BIN, promote="true_division", inplace=True)
def div(input, other, rounding_mode=None):
    if rounding_mode is None:
        if not jnp.issubdtype(input.dtype, jnp.inexact):
            f = _dt.get_default_dtype()._np
            input, other = input.astype(f), other.astype(f)
        return _true_div(input, other)
    if (input.dtype == jnp.bool_ or jnp.iscomplexobj(input)) and rounding_mode in ("trunc",
                                                                                   "floor"):
        _not_impl(f"div_{rounding_mode}_cpu", input)
    if rounding_mode == "trunc":
        if jnp.issubdtype(input.dtype, jnp.integer):
            q = jnp.abs(input) // jnp.abs(other)
            return jnp.where((input < 0) != (other < 0), -q, q).astype(input.dtype)
        if input.dtype in (jnp.float16, jnp.bfloat16) and other.ndim == 0:
            # PyTorch's kernel for a scalar divisor computes in float32 (for a tensor divisor
            # it truncates the rounded half quotient)
            return jnp.trunc(_true_div(input.astype(jnp.float32),
                                       other.astype(jnp.float32))).astype(input.dtype)
        return jnp.trunc(_true_div(input, other))
    if rounding_mode == "floor":
        if jnp.issubdtype(input.dtype, jnp.integer):
            return jnp.floor_divide(input, other)
        if input.dtype in (jnp.float16, jnp.bfloat16):  # PyTorch computes these in float32
            return _div_floor_float(input.astype(jnp.float32),
                                    other.astype(jnp.float32)).astype(input.dtype)
        return _div_floor_float(input, other)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                     f"found '{rounding_mode}'")


def _integral(v):
    if isinstance(v, Tensor):
        return not (v.dtype.is_floating_point or v.dtype.is_complex)
    return type(v) is builtins.int or type(v) is builtins.bool


def _check_int_zero(input, other, rounding_mode="floor"):
    """PyTorch's CPU kernels refuse an integer division by zero (RuntimeError
    'ZeroDivisionError'); XLA would return a value. Checked eagerly on the CPU only: PyTorch's
    CUDA kernels do not check, and a compiled step cannot read the divisor."""
    if rounding_mode is None or not (_integral(input) and _integral(other)):
        return
    if all(v.dtype is _dt.bool if isinstance(v, Tensor) else type(v) is builtins.bool
           for v in (input, other)):
        return  # (no bool kernel: the op raises that first)
    if isinstance(input, Tensor) and input.numel() == 0:
        return
    if isinstance(other, Tensor):
        a = other._data
        if other._device.type != "cpu" or type(a) is not _lazy._JAX_ARRAY or a.size == 0:
            return
        zero = not np.asarray(a).all()
    else:
        zero = other == 0
    if zero:
        raise RuntimeError("ZeroDivisionError")


def _check_int_zero_div(input, other, rounding_mode=None):
    _check_int_zero(input, other, rounding_mode)


div = guarded(div, _check_int_zero_div)
divide = div
true_divide = div
Tensor.divide = Tensor.div
Tensor.divide_ = Tensor.div_
Tensor.true_divide = Tensor.div
Tensor.true_divide_ = Tensor.div_


def _div_floor_float(a, b):
    """PyTorch's div_floor for floats (Python's semantics): 1.0 // 0.1 == 9.0, not 10.0."""
    mod = jnp.fmod(a, b)
    div = _true_div(a - mod, b)
    div = jnp.where((mod != 0) & ((b < 0) != (mod < 0)), div - 1, div)
    fl = jnp.floor(div)
    fl = jnp.where(div - fl > 0.5, fl + 1, fl)
    fl = jnp.where(div == 0, jnp.copysign(jnp.zeros_like(div), a / b), fl)
    return jnp.where(b == 0, a / b, fl)


def _no_bool_complex(name, x, bool_ok=False):
    if (x.dtype == jnp.bool_ and not bool_ok) or jnp.iscomplexobj(x):
        _not_impl(name, x)


def _floating_only(name, x, complex_ok=False):
    """PyTorch's error for a kernel defined for floating types only (x: the promoted input)."""
    if not (jnp.issubdtype(x.dtype, jnp.floating)
            or complex_ok and jnp.issubdtype(x.dtype, jnp.complexfloating)):
        _not_impl(name, x)


@bop(tensor_args=_BIN, promote="default", inplace=True)
def floor_divide(input, other):
    _no_bool_complex("div_floor_cpu", input)
    if jnp.issubdtype(input.dtype, jnp.integer):
        return jnp.floor_divide(input, other)
    return _div_floor_float(input, other)


@bop(tensor_args=_BIN, promote="default", inplace=True)
def remainder(input, other):
    _no_bool_complex("remainder_cpu", input)
    return jnp.remainder(input, other)


@bop(tensor_args=_BIN, promote="default", inplace=True)
def fmod(input, other):
    _no_bool_complex("fmod_cpu", input)
    return jnp.fmod(input, other)


floor_divide = guarded(floor_divide, _check_int_zero)
remainder = guarded(remainder, _check_int_zero)
fmod = guarded(fmod, _check_int_zero)


@bop(tensor_args=("input", "exponent"), promote="default", inplace=True)
def pow(input, exponent):
    if input.dtype == jnp.bool_ and exponent.dtype == jnp.bool_:
        return input | ~exponent  # a Python bool exponent (tensor ones are refused before)
    if input.dtype == jnp.bool_:
        input = input.astype(jnp.int64)
    if jnp.issubdtype(input.dtype, jnp.signedinteger):
        # PyTorch's integer pow for a negative exponent: 1 ** e == 1, (-1) ** e == +-1, else 0
        # (jnp.power overflows there)
        neg = exponent < 0
        small = jnp.where(input == 1, 1, jnp.where(input == -1, 1 - 2 * (exponent & 1), 0))
        return jnp.where(neg, small.astype(input.dtype),
                         jnp.power(input, jnp.where(neg, 0, exponent)))
    return jnp.power(input, exponent)


def _check_int_pow(input, exponent):
    """PyTorch refuses an integer tensor raised to a negative integer scalar."""
    if (isinstance(input, Tensor) and isinstance(exponent, Tensor) and input.dtype is _dt.bool
            and exponent.dtype is _dt.bool):
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if (isinstance(input, Tensor) and not (input.dtype.is_floating_point or input.dtype.is_complex)
            and type(exponent) is builtins.int and exponent < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")


pow = guarded(pow, _check_int_pow)
_pow_guarded = pow


def _pow_root(exponent):
    """torch computes pow(Tensor, 0.5) and pow(Tensor, -0.5) as sqrt and rsqrt (a Python float
    exponent only), which differ from a general power at -0.0 and -inf. Its CPU float16 kernel
    takes the general power."""
    if type(exponent) is builtins.float and (exponent == 0.5 or exponent == -0.5):
        return "sqrt" if exponent == 0.5 else "rsqrt"
    return None


def pow(input, exponent, *, out=None):  # noqa: F811
    r = _pow_root(exponent) if isinstance(input, Tensor) and input.dtype is not _dt.float16 else None
    if r is not None:
        return getattr(input, r)() if out is None else globals()[r](input, out=out)
    return _pow_guarded(input, exponent, out=out)


pow.__wrapped_op__ = _pow_guarded.__wrapped_op__
pow.__doc__ = _pow_guarded.__doc__


def _pow_method(self, exponent):
    return pow(self, exponent)


def _pow_method_(self, exponent):
    r = _pow_root(exponent) if self.dtype is not _dt.float16 else None
    if r is not None:
        return getattr(self, r + "_")()
    return _pow_inplace(self, exponent)


_pow_inplace = Tensor.pow_
Tensor.pow = _pow_method
Tensor.pow_ = _pow_method_
_pow_method.__name__, _pow_method_.__name__ = "pow", "pow_"


@bop(tensor_args=("input", "exponent"), promote=None, inplace=True)
def float_power(input, exponent):
    c = jnp.iscomplexobj(input) or jnp.iscomplexobj(exponent)
    dt = jnp.complex128 if c else jnp.float64
    return jnp.power(input.astype(dt), exponent.astype(dt))


_float_power_ = Tensor.float_power_


def _float_power_inplace(self, exponent):
    # the result is computed in double precision: self must already hold it
    c = self.is_complex() or (exponent.is_complex() if isinstance(exponent, Tensor)
                              else type(exponent) is builtins.complex)
    want = _dt.complex128 if c else _dt.float64
    if self.dtype != want:
        raise RuntimeError(f"the base given to float_power_ has dtype "
                           f"{_scalar_type_name(self.dtype)} but the operation's result "
                           f"requires dtype {_scalar_type_name(want)}")
    return _float_power_(self, exponent)


Tensor.float_power_ = _float_power_inplace


@bop(tensor_args=_BIN, promote="int_to_float", inplace=True)
def atan2(input, other):
    _no_bool_complex("atan2_cpu", input, bool_ok=True)
    return jnp.arctan2(input, other)


arctan2 = atan2
Tensor.arctan2 = Tensor.atan2
Tensor.arctan2_ = Tensor.atan2_


@bop(tensor_args=_BIN, promote="default", inplace=True)
def hypot(input, other):
    _floating_only("hypot_cpu", input)
    return _hypot(input, other)


@jax.custom_jvp
def _hypot(x, y):
    return jnp.hypot(x, y)


@_hypot.defjvp
def _hypot_jvp(primals, tangents):
    # PyTorch's derivative, x/h and y/h: NaN at (0, 0) (JAX's rule picks a finite value there)
    x, y = primals
    tx, ty = tangents
    h = jnp.hypot(x, y)
    return h, (x * tx + y * ty) / h


@bop(tensor_args=_BIN, promote="int_to_float", inplace=True)
def copysign(input, other):
    _no_bool_complex("copysign_cpu", input, bool_ok=True)
    return jnp.copysign(input, other)


@bop(tensor_args=_BIN, promote="int_to_float", inplace=True)
def xlogy(input, other):
    _no_bool_complex("xlogy_cpu", input, bool_ok=True)
    return jsp.xlogy(input, other)


@bop(tensor_args=_BIN, promote="default", inplace=True)
def logaddexp(input, other):
    _floating_only("logaddexp_cpu", input, complex_ok=True)
    return jnp.logaddexp(input, other)


@bop(tensor_args=_BIN, promote="default", inplace=True)
def logaddexp2(input, other):
    _floating_only("logaddexp2_cpu", input)
    return jnp.logaddexp2(input, other)


@bop(tensor_args=("input", "values"), inplace=True)
def heaviside(input, values):
    if jnp.iscomplexobj(input) or jnp.iscomplexobj(values):
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if input.dtype != values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    # PyTorch's x == 0 ? values : x > 0 (NaN gives 0, where jnp.heaviside gives NaN)
    out = jnp.where(input == 0, values, input > 0)
    return out.astype(input.dtype)


@bop(tensor_args=_BIN, promote="default", inplace=True)
def nextafter(input, other):
    _floating_only("nextafter_cpu", input)
    return jnp.nextafter(input, other)


@bop(tensor_args=_BIN, promote="int_to_float", inplace=True)
def ldexp(input, other):
    return input * jnp.power(2.0, other).astype(input.dtype)


def _maxmin(pick):
    def f(input, other):
        # NaN propagates, as in PyTorch
        out = jnp.where(pick(input, other), input, other)
        if jnp.issubdtype(out.dtype, jnp.inexact):
            out = jnp.where(jnp.isnan(input) | jnp.isnan(other), jnp.nan, out)
        return out
    return f


@bop(tensor_args=_BIN, promote="default")
def maximum(input, other):
    if jnp.iscomplexobj(input):
        raise RuntimeError("maximum not implemented for complex tensors.")
    return jnp.maximum(input, other)


@bop(tensor_args=_BIN, promote="default")
def minimum(input, other):
    if jnp.iscomplexobj(input):
        raise RuntimeError("minimum not implemented for complex tensors.")
    return jnp.minimum(input, other)


def _tensor_args(name, second="other", first=1):
    """A `guarded` check that both operands are Tensors. PyTorch's message counts positions
    from the first argument after self in the method forms (`first=0`, named `name`)."""
    def check(input, other):
        for i, (n, x) in enumerate((("input", input), (second, other))):
            if not isinstance(x, Tensor):
                raise TypeError(f"{name}(): argument '{n}' (position {i + first}) must be "
                                f"Tensor, not {type(x).__name__}")
    check.for_method = lambda mname: _tensor_args(mname, second, 0)
    return check


maximum = guarded(maximum, _tensor_args("maximum"))
minimum = guarded(minimum, _tensor_args("minimum"))
# (these take no Python numbers in PyTorch: `other` must be a Tensor)
atan2 = arctan2 = guarded(atan2, _tensor_args("atan2"))
Tensor.arctan2, Tensor.arctan2_ = Tensor.atan2, Tensor.atan2_
ldexp = guarded(ldexp, _tensor_args("ldexp"))
hypot = guarded(hypot, _tensor_args("hypot"))
nextafter = guarded(nextafter, _tensor_args("nextafter"))
logaddexp = guarded(logaddexp, _tensor_args("logaddexp"))
logaddexp2 = guarded(logaddexp2, _tensor_args("logaddexp2"))
heaviside = guarded(heaviside, _tensor_args("heaviside", "values"))


@bop(tensor_args=_BIN, promote="default")
def fmax(input, other):
    if jnp.iscomplexobj(input):
        raise RuntimeError("fmax not implemented for complex tensors.")
    return jnp.fmax(input, other)


@bop(tensor_args=_BIN, promote="default")
def fmin(input, other):
    if jnp.iscomplexobj(input):
        raise RuntimeError("fmin not implemented for complex tensors.")
    return jnp.fmin(input, other)


fmax = guarded(fmax, _tensor_args("fmax"))
fmin = guarded(fmin, _tensor_args("fmin"))


def _cmp(name, f):
    def fn(input, other):
        # (the operands are promoted: a real tensor against a complex number is complex here)
        if name not in ("eq", "ne") and jnp.issubdtype(input.dtype, jnp.complexfloating):
            _not_impl(name + "_cpu", input)
        return f(input, other)

    fn.__name__ = name
    return op(_checked(fn), name=name, tensor_args=_BIN, promote="default", inplace=False)


def _tensor_input(public, names, overloads="(Tensor input, Tensor other, *, Tensor out = None)"
                  "\n * (Tensor input, Number other, *, Tensor out = None)"):
    """The function forms `names` of a registered op whose `input` must be a Tensor (PyTorch
    refuses torch.eq(2, t)); the method and the operators keep the op's own dispatch, and the
    op's dispatcher keeps treating the wrapper as its plain public function."""
    d = public.__wrapped_op__
    plain = d.public is public
    call = d if plain else public  # (a guarded op keeps its checks)
    fs = []
    for name in names:
        def f(*args, out=None, __name=name, **kwargs):
            x = args[0] if args else kwargs.get("input")
            if not isinstance(x, Tensor) and x is not None:
                got = ", ".join([type(a).__name__ for a in args]
                                + [f"{k}={type(v).__name__}" for k, v in kwargs.items()])
                raise TypeError(f"{__name}() received an invalid combination of arguments - "
                                f"got ({got}), but expected one of:\n * {overloads}")
            return call(*args, out=out, **kwargs)

        f.__name__ = f.__qualname__ = name
        f.__doc__ = public.__doc__
        f.__wrapped_op__ = d
        fs.append(f)
    if plain:
        d.public = fs[0]  # (x == y goes straight to the dispatcher, as before)
    return fs


for _n, _f in {"eq": jnp.equal, "ne": jnp.not_equal, "lt": jnp.less, "le": jnp.less_equal,
               "gt": jnp.greater, "ge": jnp.greater_equal}.items():
    globals()[_n] = _cmp(_n, _f)
_tensor_methods = {n: getattr(Tensor, n) for n in ("eq", "ne", "lt", "le", "gt", "ge")}
eq, = _tensor_input(eq, ["eq"])
ne, not_equal = _tensor_input(ne, ["ne", "not_equal"])
lt, less = _tensor_input(lt, ["lt", "less"])
le, less_equal = _tensor_input(le, ["le", "less_equal"])
gt, greater = _tensor_input(gt, ["gt", "greater"])
ge, greater_equal = _tensor_input(ge, ["ge", "greater_equal"])
for _n, _m in _tensor_methods.items():
    setattr(Tensor, _n, _m)
fmod, = _tensor_input(fmod, ["fmod"])
copysign, = _tensor_input(copysign, ["copysign"])
for _a, _n in {"greater": "gt", "greater_equal": "ge", "less": "lt", "less_equal": "le",
               "not_equal": "ne"}.items():
    setattr(Tensor, _a, getattr(Tensor, _n))


def _cmp_inplace(name):
    def method_(self, other):
        from .registry import apply_inplace, REGISTRY
        d = REGISTRY[name]
        leaves, key = d.split(d.bind((self, other), {}))
        return apply_inplace(self, d.kernel(key), leaves[1:], name + "_")
    return method_


for _n in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(Tensor, _n + "_", _cmp_inplace(_n))


def _logical(name, f):
    def fn(input, other):
        return f(input, other)

    fn.__name__ = name
    return op(_checked(fn), name=name, tensor_args=_BIN, inplace=True)


for _n, _f in {"logical_and": jnp.logical_and, "logical_or": jnp.logical_or,
               "logical_xor": jnp.logical_xor}.items():
    globals()[_n] = guarded(_logical(_n, _f), _tensor_args(_n))


_SHIFTS = {"bitwise_left_shift": "lshift_cpu", "bitwise_right_shift": "rshift_cpu"}


def _bitwise(name, f):
    def fn(input, other):
        if jnp.issubdtype(input.dtype, jnp.inexact):
            _not_impl(f"{name}_cpu", input)
        if name in _SHIFTS and input.dtype == jnp.bool_:
            _not_impl(_SHIFTS[name], input)
        return f(input, other)

    fn.__name__ = name
    return op(_checked(fn), name=name, tensor_args=_BIN, promote="default", inplace=True)


for _n, _f in {"bitwise_and": jnp.bitwise_and, "bitwise_or": jnp.bitwise_or,
               "bitwise_xor": jnp.bitwise_xor, "bitwise_left_shift": jnp.left_shift,
               "bitwise_right_shift": jnp.right_shift}.items():
    globals()[_n] = _bitwise(_n, _f)


@bop(tensor_args=("input", "end", "weight"), promote="default", inplace=True)
def lerp(input, end, weight):
    # PyTorch's formula: more accurate for weight near 1
    return jnp.where(jnp.abs(weight) < 0.5, input + weight * (end - input),
                     end - (end - input) * (1 - weight))


def _check_lerp(input, end, weight):
    """PyTorch's rules: end has input's dtype, a weight tensor of more than 0 dims too; the
    computation type is floating or complex."""
    if not isinstance(input, Tensor) or not isinstance(end, Tensor):
        got = ", ".join(type(x).__name__ for x in (input, end, weight))
        raise TypeError(f"lerp() received an invalid combination of arguments - got ({got}), "
                        "but expected one of: (Tensor input, Tensor end, Tensor weight) or "
                        "(Tensor input, Tensor end, Number weight)")
    for what, x in (("end", end), ("weight", weight)):
        if isinstance(x, Tensor) and (what == "end" or x.dim() > 0) and x.dtype != input.dtype:
            raise RuntimeError(f"expected dtype {c_type_name(input.dtype)} for `{what}` but "
                               f"got dtype {c_type_name(x.dtype)}")
    if isinstance(weight, Tensor):
        from .. import result_type
        kernel, dt = "lerp_kernel_tensor", result_type(input, weight)
    else:
        kernel, dt = "lerp_kernel_scalar", input.dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_scalar_type_name(dt)}'")


lerp = guarded(lerp, _check_lerp)


@bop(tensor_args=("input", "tensor1", "tensor2", "value"), promote="default",
    promote_args=("input", "tensor1", "tensor2"), inplace=True)
def addcmul(input, tensor1, tensor2, value=None):
    if input.dtype == jnp.bool_:
        _not_impl("addcmul_cpu_out", input)
    p = tensor1 * tensor2
    return input + (p if value is None else value.astype(p.dtype) * p)


@bop(tensor_args=("input", "tensor1", "tensor2", "value"), promote="default",
    promote_args=("input", "tensor1", "tensor2"), inplace=True)
def addcdiv(input, tensor1, tensor2, value=None):
    if not jnp.issubdtype(tensor1.dtype, jnp.inexact) and not jnp.issubdtype(tensor2.dtype, jnp.inexact):
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future "
                           "release addcdiv will perform a true division of tensor1 and tensor2.")
    q = tensor1 / tensor2
    return input + (q if value is None else value.astype(q.dtype) * q)


@bop(tensor_args=("input", "min", "max"), promote="default", inplace=True)
def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if jnp.issubdtype(input.dtype, jnp.complexfloating):
        raise NotImplementedError("clamp is not supported for complex types")
    out = input
    if min is not None:
        out = jnp.where(out < min, min, out)
    if max is not None:
        out = jnp.where(out > max, max, out)
    if min is not None and jnp.issubdtype(out.dtype, jnp.inexact):
        out = jnp.where(jnp.isnan(min), min, out)
    if max is not None and jnp.issubdtype(out.dtype, jnp.inexact):
        out = jnp.where(jnp.isnan(max), max, out)
    return out


def _clamp_inplace_check(rt, self_t, specs):
    if rt.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")
    if not _dt.can_cast(rt, self_t.dtype) and any(s in (builtins.int, builtins.float)
                                                   for s in specs):
        # PyTorch's scalar clamp kernels name the output type as C++ does
        raise RuntimeError(f"result type {_scalar_type_name(rt)} can't be cast to the desired "
                           f"output type {c_type_name(self_t.dtype)}")


clamp.__wrapped_op__.inplace_check = _clamp_inplace_check


def _promoted(*vals):
    """torch's result dtype of tensors and Python numbers (None skipped)."""
    dims, zeros, wrapped = [], [], []
    for v in vals:
        if isinstance(v, Tensor):
            (dims if v.dim() else zeros).append(v.dtype)
        elif v is not None:
            wrapped.append(_dt.scalar_dtype(v))
    return _dt.result_type_of(dims, zeros, wrapped)


class _ClampCheck:
    """PyTorch's clamp overloads: both bounds Tensors or both numbers (TypeError for a mix),
    and no Bool kernel for two tensor bounds or for number bounds."""

    def __init__(self, name, first=1):
        self.name, self.first = name, first

    def for_method(self, name):
        return _ClampCheck(name, 0)

    def __call__(self, input, min=None, max=None):
        # (runs on every clamp call: the common one, number bounds on a float tensor, returns
        # after two type tests)
        if min is not None and max is not None and \
                isinstance(min, Tensor) is not isinstance(max, Tensor):
            got = ", ".join(type(v).__name__ for v in (input, min, max)[self.first ^ 1:]
                            if v is not None)
            raise TypeError(f"{self.name}() received an invalid combination of arguments - got "
                            f"({got}), but expected one of:\n * (Tensor input, Tensor min = "
                            f"None, Tensor max = None)\n * (Tensor input, Number min = None, "
                            f"Number max = None)")
        if not isinstance(input, Tensor) or input._dtype is not _dt.bool:
            return
        kinds = [isinstance(v, Tensor) for v in (min, max) if v is not None]
        if not kinds:
            return
        if kinds[0] and len(kinds) == 1:
            return  # (clamp_min/clamp_max with a tensor bound have Bool kernels)
        if _promoted(input, min, max) is not _dt.bool:
            return
        kernel = ("clamp_cpu" if kinds[0] else "clamp_scalar_cpu" if len(kinds) == 2
                  else "clamp_min_scalar_cpu" if min is not None else "clamp_max_scalar_cpu")
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


clamp = guarded(clamp, _ClampCheck("clamp"))
clip = clamp
Tensor.clip = Tensor.clamp
Tensor.clip_ = Tensor.clamp_


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


Tensor.clamp_min = clamp_min
Tensor.clamp_max = clamp_max
Tensor.clamp_min_ = lambda self, min: self.clamp_(min=min)
Tensor.clamp_max_ = lambda self, max: self.clamp_(max=max)


@bop(tensor_args=("condition", "input", "other"), promote="default",
    promote_args=("input", "other"), method=False)
def _where(condition, input, other):
    # (checked while tracing: no cost per call)
    if condition.dtype == jnp.uint8:
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and "
                      "will be removed in a future version of PyTorch. Use a boolean condition "
                      "instead.", UserWarning)
    elif condition.dtype != jnp.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_dt.from_np(condition.dtype)._name.capitalize()}")
    return jnp.where(condition, input, other)


def where(condition, input=None, other=None, *, out=None):
    """torch.where: elementwise select, or nonzero(as_tuple=True) with one argument."""
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    return _where(condition, input, other, out=out)


Tensor.where = lambda self, condition, other: where(condition, self, other)


@bop(tensor_args=_BIN, promote="default")
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return jnp.isclose(input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)


def _check_isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """PyTorch compares tensors of one dtype only (no promotion) with non-negative tolerances."""
    if isinstance(input, Tensor) and isinstance(other, Tensor) and input.dtype is not other.dtype:
        raise RuntimeError(f"{_scalar_type_name(input.dtype)} did not match "
                           f"{_scalar_type_name(other.dtype)}")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if tol < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {tol}")


isclose = guarded(isclose, _check_isclose)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan).all())


Tensor.allclose = allclose


def equal(input, other):
    """True if two tensors have the same size and elements."""
    if tuple(input.shape) != tuple(other.shape):
        return False
    return builtins.bool(eq(input, other).all())


Tensor.equal = equal


# ---------------- casts and devices ----------------
_CAST = {}


_WRAP_INT = {np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64, np.uint8)}


def float_to_int(a, npdt):
    """PyTorch's CPU float -> int conversion (x86 truncation): out-of-range and NaN give the
    minimum int32/int64, and 8/16-bit types wrap the int32 result (300.0 -> uint8 44), where
    XLA would saturate."""
    npdt = np.dtype(npdt)
    a = jnp.trunc(a)
    if npdt == np.int64:
        ok = (a >= -(2.0 ** 63)) & (a < 2.0 ** 63)
        return jnp.where(ok, a, 0).astype(np.int64) | jnp.where(ok, 0, np.iinfo(np.int64).min)
    ok = (a >= -(2.0 ** 31)) & (a < 2.0 ** 31)
    i32 = jnp.where(ok, jnp.where(ok, a, 0).astype(np.int32), np.int32(np.iinfo(np.int32).min))
    return i32 if npdt == np.int32 else i32.astype(npdt)


def cast_kernel(dt):
    k = _CAST.get(dt)
    if k is None:
        npdt = dt._np

        def cast(a):
            if jnp.iscomplexobj(a) and np.dtype(npdt) == np.bool_:
                return a != 0  # (nonzero: 3j is True)
            if jnp.iscomplexobj(a) and not jnp.issubdtype(npdt, jnp.complexfloating):
                a = jnp.real(a)
            if jnp.issubdtype(a.dtype, jnp.floating) and np.dtype(npdt) in _WRAP_INT:
                return float_to_int(a, npdt)
            return a.astype(npdt)

        k = _CAST[dt] = Kernel(cast, "to_copy")
    return k


def _to_dtype(t, dt):
    return run(cast_kernel(dt), [t])


_DEV = {}


def device_kernel(device):
    k = _DEV.get(device)
    if k is None:
        jd = jax_device(device)
        k = _DEV[device] = Kernel(lambda a: jax.device_put(a, jd), "to_copy")
    return k


@op(inplace=True)
def relu(input):
    if input.dtype == jnp.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    if jnp.iscomplexobj(input):
        _not_impl("clamp_min_scalar_cpu", input)
    return jax.nn.relu(input)


def _f32(x):
    # PyTorch's CPU kernels compute half and bfloat16 in float32
    return x.astype(jnp.float32) if x.dtype in (jnp.float16, jnp.bfloat16) else x


def _softmax_dtype(input, dim, dtype, name):
    x = input if dtype is None else input.astype(dtype._np)
    from .._core.tensor import _wrap_dim
    d = _wrap_dim(dim, x.ndim)
    if not jnp.issubdtype(x.dtype, jnp.floating) and x.size:
        _not_impl(f"{name}_lastdim_kernel_impl" if d == x.ndim - 1 or x.ndim == 0
                  else f"{name}_kernel_impl", x)
    return x, d


@op()
def softmax(input, dim, dtype=None):
    x, d = _softmax_dtype(input, dim, dtype, "softmax")
    return (jax.nn.softmax(_f32(x), axis=d).astype(x.dtype) if x.ndim else jnp.ones_like(x))


@op()
def log_softmax(input, dim, dtype=None):
    x, d = _softmax_dtype(input, dim, dtype, "log_softmax")
    return (jax.nn.log_softmax(_f32(x), axis=d).astype(x.dtype) if x.ndim else jnp.zeros_like(x))


def rsub(input, other, *, alpha=1):
    """torch.rsub: other - alpha * input."""
    return sub(other, input, alpha=alpha)


Tensor.rsub = rsub


# ops PyTorch has no in-place variant of (the registry made one with the op's other forms)
for _n in ("positive_", "angle_", "logaddexp_", "logaddexp2_"):
    if _n in Tensor.__dict__:
        delattr(Tensor, _n)
