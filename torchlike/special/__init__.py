"""torch.special: special functions on jax.scipy.special, with PyTorch's promotion."""

import jax.numpy as jnp
import jax.scipy.special as jsp

from .._ops import misc as _misc
from .._ops import pointwise as _pw
from .._ops import reduction as _red
from .._ops.registry import op

__all__ = [
    "bessel_j0",
    "bessel_j1",
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
    "i0",
    "i0e",
    "i1",
    "i1e",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
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


def _unary(name, f, half=True, kernel=None):
    """A unary special function. PyTorch's CPU kernels: none for complex, none for half types
    where `half` is False, and half types computed in float32 (jax has no float16 ndtr)."""
    kernel = kernel or f"{name}_cpu"

    def fn(input):
        if jnp.iscomplexobj(input) or (not half and input.dtype in _HALF):
            _no_kernel(kernel, input)
        if input.dtype in _HALF:
            return f(input.astype(jnp.float32)).astype(input.dtype)
        return f(input)
    fn.__name__ = name
    fn.__doc__ = f"torch.special.{name}."
    return op(fn, name="special_" + name, promote="int_to_float", method=False)


def _bessel_j(v):
    def f(x):
        # jax's bessel_jn recurrence loses float32 accuracy (NaN near 0): evaluate in float64.
        # PyTorch's Cephes j0/j1 are even/odd in x.
        ax = jnp.abs(x).astype(jnp.float64)
        zero = ax == 0  # the recurrence gives NaN at 0
        r = jsp.bessel_jn(jnp.where(zero, 1.0, ax), v=v)[v]
        r = jnp.where(zero, 1.0 if v == 0 else 0.0, r)
        r = r if v % 2 == 0 else r * jnp.sign(x).astype(jnp.float64)
        return r.astype(x.dtype)
    return f


def _sph_j0(x):
    small = jnp.abs(x) < 1e-4
    xs = jnp.where(small, 1.0, x)
    return jnp.where(small, 1 - x * x / 6, jnp.sin(xs) / xs)


expit = _pw.sigmoid
logit = _pw.logit
erf = _pw.erf
erfc = _pw.erfc
erfinv = _pw.erfinv
gammaln = _pw.lgamma
digamma = psi = _pw.digamma
i0 = _pw.i0
sinc = _pw.sinc
def round(input, *, decimals=0, out=None):
    """torch.special.round: torch.round for floating and complex types only (PyTorch's
    special.round has no integral kernel, unlike torch.round)."""
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        from .._ops.registry import _scalar_type_name
        kernel = "round_vml_cpu" if decimals == 0 else "round_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_scalar_type_name(input.dtype)}'")
    return _pw.round(input, decimals=decimals, out=out)


exp2 = _pw.exp2
expm1 = _pw.expm1
log1p = _pw.log1p
xlogy = _pw.xlogy
erfcx = _unary("erfcx", jsp.erfcx, half=False)
i0e = _unary("i0e", jsp.i0e)
i1 = _unary("i1", jsp.i1)
i1e = _unary("i1e", jsp.i1e)
ndtr = _unary("ndtr", jsp.ndtr, kernel="erf_vml_cpu")
ndtri = _unary("ndtri", jsp.ndtri, half=False)
log_ndtr = _unary("log_ndtr", jsp.log_ndtr, half=False)
entr = _unary("entr", jsp.entr)
bessel_j0 = _unary("bessel_j0", _bessel_j(0), half=False)
bessel_j1 = _unary("bessel_j1", _bessel_j(1), half=False)
spherical_bessel_j0 = _unary("spherical_bessel_j0", _sph_j0, half=False)


def _zeta(x, q):
    # Cephes (PyTorch's kernel): inf at x == 1, NaN for x < 1, inf at the poles q = 0, -1,
    # -2, ... (jax gives inf at x < 1, q == 0 and NaN at the negative poles)
    pole = (q <= 0) & (q == jnp.floor(q))
    r = jnp.where(pole, jnp.inf, jsp.zeta(x, q))
    return jnp.where(x == 1, jnp.inf, jnp.where(x < 1, jnp.nan, r)).astype(x.dtype)


def _binary(name, f, half=True):
    def fn(input, other):
        _pw.broadcast_check(input, other)
        if jnp.iscomplexobj(input) or (not half and input.dtype in _HALF):
            _no_kernel(f"{name}_cpu", input)
        if input.dtype in _HALF:
            return f(input.astype(jnp.float32), other.astype(jnp.float32)).astype(input.dtype)
        return f(input, other)
    fn.__name__ = name
    fn.__doc__ = f"torch.special.{name}."
    return op(fn, name="special_" + name, tensor_args=("input", "other"), promote="int_to_float",
              method=False)


xlog1py = _binary("xlog1py", jsp.xlog1py)
zeta = _binary("zeta", _zeta, half=False)
gammainc = _misc.igamma  # (floating types only, as igamma)
gammaincc = _misc.igammac


@op(promote="int_to_float", method=False, name="special_polygamma")
def _polygamma(input, n):
    if jnp.iscomplexobj(input):
        _no_kernel({0: "digamma", 1: "trigamma"}.get(n, "polygamma"), input)
    return jsp.polygamma(n, input)


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
