"""torch.special: special functions on jax.scipy.special, with PyTorch's promotion."""

import functools
import math

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp

from .._core import grad_mode as _grad_mode
from .._core.tensor import Tensor as _Tensor
from .._ops import misc as _misc
from .._ops import pointwise as _pw
from .._ops import reduction as _red
from .._ops.registry import op
from . import _cephes
from . import _polynomials

__all__ = [
    "airy_ai",
    "bessel_j0",
    "bessel_j1",
    "bessel_y0",
    "bessel_y1",
    "chebyshev_polynomial_t",
    "chebyshev_polynomial_u",
    "chebyshev_polynomial_v",
    "chebyshev_polynomial_w",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "gammainc",
    "gammaincc",
    "gammaln",
    "hermite_polynomial_h",
    "hermite_polynomial_he",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "laguerre_polynomial_l",
    "legendre_polynomial_p",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "modified_bessel_i0",
    "modified_bessel_i1",
    "modified_bessel_k0",
    "modified_bessel_k1",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
    "scaled_modified_bessel_k0",
    "scaled_modified_bessel_k1",
    "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w",
    "sinc",
    "softmax",
    "spherical_bessel_j0",
    "xlog1py",
    "xlogy",
    "zeta",
]


_HALF = (jnp.float16, jnp.bfloat16)


def _no_kernel(kernel, x):
    _pw._not_impl(kernel, x)


def _unary(name, f, half=True, kernel=None, arg="input", complex_ok=False):
    """A unary special function. PyTorch's CPU kernels: none for complex (unless complex_ok),
    none for half types where `half` is False, and half types computed in float32 (jax has no
    float16 ndtr, and computes exp2 or sinc in half precision).
    arg: the name PyTorch gives the argument ("x" for its newer functions)."""
    kernel = kernel or f"{name}_cpu"

    def body(input):
        if (jnp.iscomplexobj(input) and not complex_ok) or (not half and input.dtype in _HALF):
            _no_kernel(kernel, input)
        if input.dtype in _HALF:
            return f(input.astype(jnp.float32)).astype(input.dtype)
        return f(input)

    if arg == "x":
        def fn(x):
            return body(x)
    else:
        def fn(input):
            return body(input)
    fn.__name__ = name
    fn.__doc__ = f"torch.special.{name}."
    return op(fn, name="special_" + name, tensor_args=(arg,), promote="int_to_float",
              method=False)


def _not_differentiable(public):
    """PyTorch's newer special functions have no derivative formula and mark their results as
    not differentiable: the result never requires grad (and backward through it fails as for
    any tensor without a grad_fn)."""
    def fn(*args, **kwargs):
        with _grad_mode.no_grad():
            return public(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = public.__name__.removeprefix("special_")
    fn.__doc__ = public.__doc__
    return fn


expit = _pw.sigmoid


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _logit(x, eps):
    c = x if eps is None else jnp.clip(x, eps, 1 - eps)
    return jnp.log(c / (1 - c))


@_logit.defjvp
def _logit_jvp(eps, primals, tangents):
    # PyTorch's logit_backward: NaN outside [0, 1] without eps, 0 outside [eps, 1 - eps] with it
    (x,), (t,) = primals, tangents
    lo, hi, out = (0.0, 1.0, jnp.nan) if eps is None else (eps, 1 - eps, 0.0)
    d = jnp.where((x < lo) | (x > hi), out, 1 / (x * (1 - x)))
    return _logit(x, eps), t * d


@op(promote="int_to_float", method=False, name="special_logit")
def logit(input, eps=None):
    """torch.special.logit (a negative eps is no eps, as in PyTorch)."""
    if jnp.iscomplexobj(input):
        _no_kernel("logit_cpu", input)
    x = input.astype(jnp.float32) if input.dtype in _HALF else input
    return _logit(x, None if eps is None or eps < 0 else float(eps)).astype(input.dtype)


erf = _pw.erf
erfc = _pw.erfc
erfinv = _pw.erfinv
gammaln = _pw.lgamma
_RAW = _pw._FLOAT_UNARY  # the pure-jax bodies of torch.digamma, torch.sinc, ...
digamma = psi = _unary("digamma", lambda x: _polygamma_raw(0, x), kernel="digamma")
i0 = _unary("i0", _RAW["i0"], kernel="i0_vml_cpu")
sinc = _unary("sinc", _RAW["sinc"], complex_ok=True)


def round(input, *, decimals=0, out=None):
    """torch.special.round: torch.round for floating and complex types only (PyTorch's
    special.round has no integral kernel, unlike torch.round)."""
    from .._ops.registry import _scalar_type_name
    if not input.dtype.is_floating_point:
        kernel = "round_vml_cpu" if decimals == 0 else "round_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_scalar_type_name(input.dtype)}'")
    if out is not None and out.dtype != input.dtype:  # (no casting into out=)
        raise RuntimeError(f"Found dtype {_scalar_type_name(out.dtype)} but expected "
                           f"{_scalar_type_name(input.dtype)}")
    return _pw.round(input, decimals=decimals, out=out)


exp2 = _unary("exp2", _RAW["exp2"], complex_ok=True)
expm1 = _pw.expm1
log1p = _pw.log1p
erfcx = _unary("erfcx", jsp.erfcx, half=False)
i0e = _unary("i0e", jsp.i0e)
i1 = _unary("i1", jsp.i1)
i1e = _unary("i1e", jsp.i1e)
ndtr = _unary("ndtr", jsp.ndtr, kernel="erf_vml_cpu")
ndtri = _unary("ndtri", jsp.ndtri, half=False)
log_ndtr = _unary("log_ndtr", jsp.log_ndtr, half=False)
entr = _unary("entr", jsp.entr)


def _cephes_unary(name, arg="input"):
    return _not_differentiable(_unary(name, getattr(_cephes, name), half=False, arg=arg))


airy_ai = _cephes_unary("airy_ai", arg="x")
bessel_j0 = _cephes_unary("bessel_j0")
bessel_j1 = _cephes_unary("bessel_j1")
bessel_y0 = _cephes_unary("bessel_y0")
bessel_y1 = _cephes_unary("bessel_y1")
modified_bessel_i0 = _cephes_unary("modified_bessel_i0")
modified_bessel_i1 = _cephes_unary("modified_bessel_i1")
modified_bessel_k0 = _cephes_unary("modified_bessel_k0")
modified_bessel_k1 = _cephes_unary("modified_bessel_k1")
scaled_modified_bessel_k0 = _cephes_unary("scaled_modified_bessel_k0", arg="x")
scaled_modified_bessel_k1 = _cephes_unary("scaled_modified_bessel_k1", arg="x")
spherical_bessel_j0 = _cephes_unary("spherical_bessel_j0", arg="x")


def _kind(v):
    return "Tensor" if isinstance(v, _Tensor) else type(v).__name__


def _polynomial(name):
    """An orthogonal polynomial torch.special.NAME(x, n): x and n tensors or numbers (not both
    numbers), promoted together to a floating type; n is truncated to an integer."""
    f = getattr(_polynomials, name)
    kernel = f"{name}_cpu"

    def fn(x, n):
        _pw.broadcast_check(x, n)
        if jnp.iscomplexobj(x) or x.dtype in _HALF:
            _no_kernel(kernel, x)
        return f(x, n)
    fn.__name__ = name
    d = op(fn, name="special_" + name, tensor_args=("x", "n"), promote="int_to_float",
           method=False)

    def public(*args, out=None, **kwargs):
        ok = set(kwargs) <= {"x", "n"} and len(args) + len(kwargs) == 2
        vals = list(args) + [kwargs[k] for k in ("x", "n")[len(args):] if k in kwargs]
        if not ok or len(vals) != 2 or not any(isinstance(v, _Tensor) for v in vals):
            got = ", ".join([_kind(v) for v in args] + [f"{k}={_kind(v)}" for k, v in
                                                        kwargs.items()])
            if kwargs:
                got += ", "
            raise TypeError(
                f"special_{name}() received an invalid combination of arguments - got ({got}), "
                "but expected one of:\n * (Tensor x, Tensor n, *, Tensor out = None)\n"
                " * (Number x, Tensor n, *, Tensor out = None)\n"
                " * (Tensor x, Number n, *, Tensor out = None)\n")
        with _grad_mode.no_grad():
            return d(*vals, out=out)
    public.__name__ = public.__qualname__ = name
    public.__doc__ = f"torch.special.{name}(x, n, *, out=None)."
    return public


chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t")
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u")
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v")
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w")
shifted_chebyshev_polynomial_t = _polynomial("shifted_chebyshev_polynomial_t")
shifted_chebyshev_polynomial_u = _polynomial("shifted_chebyshev_polynomial_u")
shifted_chebyshev_polynomial_v = _polynomial("shifted_chebyshev_polynomial_v")
shifted_chebyshev_polynomial_w = _polynomial("shifted_chebyshev_polynomial_w")
hermite_polynomial_h = _polynomial("hermite_polynomial_h")
hermite_polynomial_he = _polynomial("hermite_polynomial_he")
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l")
legendre_polynomial_p = _polynomial("legendre_polynomial_p")


_zeta = _cephes.zeta


def _binary(name, f, half=True, promote="int_to_float", kernel=None):
    kernel = kernel or f"{name}_cpu"

    def fn(input, other):
        _pw.broadcast_check(input, other)
        if promote == "default":  # (the igamma kernels: floating types only)
            _pw._floating_only(kernel, input)
        if jnp.iscomplexobj(input) or (not half and input.dtype in _HALF):
            _no_kernel(kernel, input)
        if input.dtype in _HALF:
            return f(input.astype(jnp.float32), other.astype(jnp.float32)).astype(input.dtype)
        return f(input, other)
    fn.__name__ = name
    fn.__doc__ = f"torch.special.{name}."
    return op(fn, name="special_" + name, tensor_args=("input", "other"), promote=promote,
              method=False)


def _two_tensors_or_one(public, name):
    """PyTorch's signatures (Tensor, Tensor), (Number, Tensor), (Tensor, Number): two numbers
    are a TypeError."""
    def fn(input, other, *, out=None):
        if not isinstance(input, _Tensor) and not isinstance(other, _Tensor):
            raise TypeError(
                f"special_{name}() received an invalid combination of arguments - got "
                f"({_kind(input)}, {_kind(other)}), but expected one of:\n"
                " * (Tensor input, Tensor other, *, Tensor out = None)\n"
                " * (Number self, Tensor other, *, Tensor out = None)\n"
                " * (Tensor input, Number other, *, Tensor out = None)\n")
        return public(input, other, out=out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.special.{name}(input, other, *, out=None)."
    return fn


def _tensors_only(public, name):
    """PyTorch's signature (Tensor input, Tensor other): a number is a TypeError."""
    def fn(input, other, *, out=None):
        for i, (arg, v) in enumerate((("input", input), ("other", other))):
            if not isinstance(v, _Tensor):
                raise TypeError(f"special_{name}(): argument '{arg}' (position {i + 1}) must be "
                                f"Tensor, not {type(v).__name__}")
        return public(input, other, out=out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.special.{name}(input, other, *, out=None)."
    return fn


def _first_not_differentiable(public, label):
    """PyTorch differentiates these with respect to `other` only: backward through a result
    whose `input` requires grad raises NotImplementedError."""
    def fn(input, other, *, out=None):
        r = public(input, other, out=out)
        if isinstance(input, _Tensor) and input.requires_grad and _grad_mode.state.enabled \
                and out is None:
            return _red._pass_through().apply(input, r, _red.no_derivative_error(label))
        return r
    fn.__name__ = fn.__qualname__ = public.__name__
    fn.__doc__ = public.__doc__
    return fn


def _igamma_special(a, x, lower):
    # PyTorch's boundary values (from SciPy), checked in this order, before the series
    lo, hi = (0.0, 1.0) if lower else (1.0, 0.0)
    r = jsp.gammainc(a, x) if lower else jsp.gammaincc(a, x)
    r = jnp.where(jnp.isinf(x), hi, r)
    r = jnp.where(jnp.isinf(a), jnp.where(jnp.isinf(x), jnp.nan, lo), r)
    r = jnp.where(x == 0, lo, r)
    r = jnp.where(a == 0, jnp.where(x > 0, hi, jnp.nan), r)
    return jnp.where((x < 0) | (a < 0), jnp.nan, r)


xlogy = _two_tensors_or_one(_pw.xlogy, "xlogy")
xlog1py = _two_tensors_or_one(_binary("xlog1py", jsp.xlog1py), "xlog1py")
zeta = _first_not_differentiable(
    _two_tensors_or_one(_binary("zeta", _zeta, half=False), "zeta"), "zeta")
gammainc = _first_not_differentiable(_tensors_only(_binary(
    "gammainc", lambda a, x: _igamma_special(a, x, True), promote="default",
    kernel="igamma_cpu"), "gammainc"), "igamma: input")
gammaincc = _first_not_differentiable(_tensors_only(_binary(
    "gammaincc", lambda a, x: _igamma_special(a, x, False), promote="default",
    kernel="igammac_cpu"), "gammaincc"), "igammac: input")


def _trigamma(x):
    # PyTorch's kernel: the reflection pi^2 / sin^2(pi x) below 1/2, six recurrence steps and
    # the asymptotic series (jax's polygamma is wrong for negative x)
    neg = x < 0.5
    s = jnp.sin(math.pi * x)
    y = jnp.where(neg, 1 - x, x)
    r = jnp.where(neg, -(math.pi * math.pi) / (s * s), 0.0)
    for _ in range(6):
        r = r + 1 / (y * y)
        y = y + 1
    ixx = 1 / (y * y)
    r = r + (1 + 1 / (2 * y) + ixx * (1.0 / 6 - ixx * (1.0 / 30 - ixx * (1.0 / 42)))) / y
    return jnp.where(neg, -r, r)


@functools.partial(jax.custom_jvp, nondiff_argnums=(0,))
def _polygamma_raw(n, x):
    if n == 0:
        return _RAW["digamma"](x)
    if n == 1:
        return _trigamma(x)
    # (PyTorch's: (-1)^(n+1) n! zeta(n + 1, x), with the Cephes zeta's poles)
    return (1.0 if n % 2 else -1.0) * math.exp(math.lgamma(n + 1.0)) * _zeta(
        jnp.full_like(x, n + 1.0), x)


@_polygamma_raw.defjvp
def _polygamma_jvp(n, primals, tangents):
    # d/dx polygamma(n, x) = polygamma(n + 1, x), as PyTorch's backward (jax's polygamma is
    # wrong for negative x)
    (x,), (t,) = primals, tangents
    return _polygamma_raw(n, x), _polygamma_raw(n + 1, x) * t


@op(promote="int_to_float", method=False, name="special_polygamma")
def _polygamma(input, n):
    if jnp.iscomplexobj(input):
        _no_kernel({0: "digamma", 1: "trigamma"}.get(n, "polygamma"), input)
    x = input.astype(jnp.float32) if input.dtype in _HALF else input
    return _polygamma_raw(n, x).astype(input.dtype)


def polygamma(n, input, *, out=None):
    """torch.special.polygamma(n, input)."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _polygamma(input, int(n), out=out)


def multigammaln(input, p, *, out=None):
    """torch.special.multigammaln."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return _misc.mvlgamma(input, int(p), out=out)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """torch.special.logsumexp."""
    return _red.logsumexp(input, dim, keepdim, out=out)


def softmax(input, dim, *, dtype=None):
    """torch.special.softmax."""
    return _pw.softmax(input, dim, dtype)


def log_softmax(input, dim, *, dtype=None):
    """torch.special.log_softmax."""
    return _pw.log_softmax(input, dim, dtype)
