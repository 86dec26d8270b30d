"""torch.special: special functions on jax.scipy.special, with PyTorch's promotion."""

import jax.numpy as jnp
import jax.scipy.special as jsp

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


def _unary(name, f):
    def fn(input):
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
round = _pw.round
exp2 = _pw.exp2
expm1 = _pw.expm1
log1p = _pw.log1p
xlogy = _pw.xlogy
erfcx = _unary("erfcx", jsp.erfcx)
i0e = _unary("i0e", jsp.i0e)
i1 = _unary("i1", jsp.i1)
i1e = _unary("i1e", jsp.i1e)
ndtr = _unary("ndtr", jsp.ndtr)
ndtri = _unary("ndtri", jsp.ndtri)
log_ndtr = _unary("log_ndtr", jsp.log_ndtr)
entr = _unary("entr", jsp.entr)
bessel_j0 = _unary("bessel_j0", _bessel_j(0))
bessel_j1 = _unary("bessel_j1", _bessel_j(1))
spherical_bessel_j0 = _unary("spherical_bessel_j0", _sph_j0)


def _binary(name, f):
    def fn(input, other):
        _pw.broadcast_check(input, other)
        return f(input, other)
    fn.__name__ = name
    fn.__doc__ = f"torch.special.{name}."
    return op(fn, name="special_" + name, tensor_args=("input", "other"), promote="int_to_float",
              method=False)


xlog1py = _binary("xlog1py", jsp.xlog1py)
zeta = _binary("zeta", jsp.zeta)
gammainc = _binary("gammainc", jsp.gammainc)
gammaincc = _binary("gammaincc", jsp.gammaincc)


@op(promote="int_to_float", method=False, name="special_polygamma")
def _polygamma(input, n):
    return jsp.polygamma(n, input)


def polygamma(n, input, *, out=None):
    """torch.special.polygamma(n, input)."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _polygamma(input, int(n), out=out)


@op(promote="int_to_float", method=False, name="special_multigammaln")
def _multigammaln(input, p):
    return jsp.multigammaln(input, p)


def multigammaln(input, p, *, out=None):
    """torch.special.multigammaln."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return _multigammaln(input, int(p), out=out)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """torch.special.logsumexp."""
    return _red.logsumexp(input, dim, keepdim, out=out)


def softmax(input, dim, *, dtype=None):
    """torch.special.softmax."""
    return _pw.softmax(input, dim, dtype)


def log_softmax(input, dim, *, dtype=None):
    """torch.special.log_softmax."""
    return _pw.log_softmax(input, dim, dtype)
