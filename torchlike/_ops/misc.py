"""More of torch's surface: quantiles, statistics, scatter-into-views, number theory, ..."""

import builtins

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import numpy as np

from .._core import dtypes as _dt
from .._core import grad_mode
from .._core.tensor import Tensor, _wrap_dim
from .pointwise import _abs, _floating_only, _tensor_args, broadcast_check, guarded
from .registry import op


def ravel(input):
    return input.reshape(-1)


def new(self, *args, **kwargs):
    """Tensor.new (legacy): a tensor of the same dtype and device."""
    from .._core.legacy import legacy_construct
    if len(args) == 1 and isinstance(args[0], Tensor):
        return args[0]
    return legacy_construct(Tensor, self.dtype, *args, device=self.device, **kwargs)


def apply_(self, callable):
    """Apply a Python function elementwise, in place (CPU, slow, as in PyTorch)."""
    a = np.asarray(self.detach()._data)
    out = np.vectorize(callable, otypes=[a.dtype])(a) if a.size else a
    self._set_data(jnp.asarray(out.astype(a.dtype)))
    return self


def map_(self, tensor, callable):
    a = np.asarray(self.detach()._data)
    b = np.broadcast_to(np.asarray(tensor.detach()._data), a.shape)
    out = np.vectorize(callable, otypes=[a.dtype])(a, b) if a.size else a
    self._set_data(jnp.asarray(out.astype(a.dtype)))
    return self


def is_nonzero(input):
    n = input.numel()
    if n != 1:
        raise RuntimeError("Boolean value of Tensor with " + ("no values" if n == 0 else
                           "more than one value") + " is ambiguous")
    return builtins.bool(input.item())


def is_same_size(self, other):
    return tuple(self.shape) == tuple(other.shape)


def split_with_sizes(self, split_sizes, dim=0):
    return self.split(list(split_sizes), dim)


def narrow_copy(input, dim, start, length):
    return input.narrow(dim, start, length).clone()


def sum_to_size(self, *size):
    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    lead = self.dim() - len(size)
    dims = list(range(lead)) + [lead + i for i, s in enumerate(size)
                                if s == 1 and self.shape[lead + i] != 1]
    out = self.sum(dims, keepdim=True) if dims else self
    return out.reshape(size)


@op(tensor_args=("input", "q"))
def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    f = jnp.nanquantile if ignore_nan else jnp.quantile
    method = {"linear": "linear", "lower": "lower", "higher": "higher",
              "midpoint": "midpoint", "nearest": "nearest"}[interpolation]
    if method == "nearest":
        return _quantile_nearest(input, q, dim, keepdim, ignore_nan)
    r = f(input, q, axis=dim, keepdims=keepdim, method=method)
    return r


def _quantile_nearest(input, q, dim, keepdim, ignore_nan):
    """PyTorch's 'nearest': rank q * (n - 1) rounded half to even (jnp rounds .5 down)."""
    s = jnp.moveaxis(jnp.sort(input, axis=dim), dim, -1)  # NaNs sort last
    n = s.shape[-1]
    nan = jnp.isnan(s)
    cnt = jnp.sum(~nan, axis=-1, keepdims=True) if ignore_nan else n
    qq = jnp.reshape(q, (-1,)).astype(s.dtype)
    rank = jnp.clip(jnp.round(qq * (cnt - 1)), 0, n - 1).astype(jnp.int32)
    v = jnp.take_along_axis(s, jnp.broadcast_to(rank, s.shape[:-1] + qq.shape), axis=-1)
    if not ignore_nan:  # a row holding a NaN has NaN quantiles
        v = jnp.where(nan.any(-1, keepdims=True), jnp.nan, v)
    v = jnp.moveaxis(v, -1, 0)
    if keepdim:
        v = jnp.expand_dims(v, dim + 1)
    return v if jnp.ndim(q) else v[0]


def _check_q(q, input):
    if isinstance(q, (float, int)):
        if not 0 <= q <= 1:
            raise RuntimeError("quantile() q must be in the range [0, 1] but got " + str(q))
    elif q.dtype is not input.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    if not input.dtype.is_floating_point:
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if input.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")


def _quantile_0d(input, dim):
    """A 0-d input as one element along dim 0 (its dim 0 or -1, validated)."""
    if dim is not None:
        _wrap_dim(dim, 0)
    return input.reshape(1), 0


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    _check_q(q, input)
    if input.dim() == 0:
        x, d = _quantile_0d(input, dim)
        return _quantile(x, float(q) if not isinstance(q, Tensor) else q, d, False,
                         interpolation, False)
    d = None if dim is None else _wrap_dim(dim, input.dim())
    x = input.reshape(-1) if d is None else input
    r = _quantile(x, float(q) if not isinstance(q, Tensor) else q, 0 if d is None else d,
                  keepdim and d is not None, interpolation, False)
    if keepdim and d is None:
        r = r.reshape(*(r.shape[:1] if isinstance(q, Tensor) and q.dim() else ()), *([1] * input.dim()))
    return r


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    _check_q(q, input)
    if input.dim() == 0:
        x, d = _quantile_0d(input, dim)
        return _quantile(x, float(q) if not isinstance(q, Tensor) else q, d, False,
                         interpolation, True)
    d = None if dim is None else _wrap_dim(dim, input.dim())
    x = input.reshape(-1) if d is None else input
    r = _quantile(x, float(q) if not isinstance(q, Tensor) else q, 0 if d is None else d,
                  keepdim and d is not None, interpolation, True)
    if keepdim and d is None:  # (as quantile's)
        r = r.reshape(*(r.shape[:1] if isinstance(q, Tensor) and q.dim() else ()), *([1] * input.dim()))
    return r


def _check_dist(input, other, p=2):
    if not all(isinstance(t, Tensor) for t in (input, other)):
        return
    if input.dtype is _dt.bool and other.dtype is _dt.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    rt = _dt.promote_types(input.dtype, other.dtype)
    if not (rt.is_floating_point or rt.is_complex):
        from .registry import _scalar_type_name
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. "
                           f"Got {_scalar_type_name(rt)} instead.")


@op(tensor_args=("input", "other"), promote="int_to_float", name="dist", method=False)
def _dist(input, other, p):
    # PyTorch's dist is the vector norm of the difference, with its derivatives (0 at zero
    # entries for p < 1, ties split for +-inf)
    from .reduction import _safe_pnorm
    return _safe_pnorm((input - other).reshape(-1), p, 0, False)


def dist(input, other, p=2):
    _check_dist(input, other, p)
    p = float(p)
    if p == 0 and grad_mode.state.enabled and any(
            isinstance(t, Tensor) and t.requires_grad for t in (input, other)):
        # the 0 "norm" (a count) has no derivative: PyTorch's backward fails on it
        with grad_mode.no_grad():
            r = _dist(input, other, p)
        src = input if isinstance(input, Tensor) and input.requires_grad else other
        from .reduction import _pass_through
        err = (RuntimeError, "Expected a proper Tensor but got None (or an undefined Tensor in "
               "C++) for argument #0 'self'")
        return _pass_through().apply(src, r, err)
    return _dist(input, other, p)


Tensor.dist = lambda self, other, p=2: dist(self, other, p)


@op(inplace=True)
def renorm(input, p, dim, maxnorm):
    if not jnp.issubdtype(input.dtype, jnp.inexact):
        from .pointwise import _tname
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_tname(input)}")
    from .reduction import _safe_pnorm
    axes = tuple(i for i in range(input.ndim) if i != dim % input.ndim)
    # (the vector norm with its derivatives: p = inf, zero entries and all-zero slices)
    n = _safe_pnorm(input, float(p), axes, True)
    scale = jnp.where(n > maxnorm, maxnorm / (n + 1e-7), 1.0)
    return input * scale.astype(input.dtype)


@op(tensor_args=("input", "fweights", "aweights"))
def _cov(input, correction, fweights, aweights):
    x = input if input.ndim == 2 else input.reshape(1, -1)
    x = x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype(_dt.get_default_dtype()._np)
    return jnp.cov(x, ddof=correction, fweights=fweights, aweights=aweights).astype(x.dtype)


def cov(input, *, correction=1, fweights=None, aweights=None):
    if input.dtype is _dt.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.dim()} dimensions")
    return _cov(input, correction, fweights, aweights)


def _check_corrcoef(input):
    if isinstance(input, Tensor) and input.dtype is _dt.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")


@op()
def corrcoef(input):
    x = input if jnp.issubdtype(input.dtype, jnp.inexact) else input.astype(_dt.get_default_dtype()._np)
    c = jnp.cov(x if x.ndim == 2 else x.reshape(1, -1))
    d = jnp.sqrt(jnp.diag(c)) if c.ndim else jnp.sqrt(c)
    r = c / d[:, None] / d[None, :] if c.ndim else c / (d * d)
    if jnp.iscomplexobj(r):  # (PyTorch clips the real and imaginary parts)
        return jax.lax.complex(jnp.clip(r.real, -1, 1), jnp.clip(r.imag, -1, 1)).astype(x.dtype)
    return jnp.clip(r, -1, 1).astype(x.dtype)


corrcoef = guarded(corrcoef, _check_corrcoef)


def _integral_only(name, x):
    if not jnp.issubdtype(x.dtype, jnp.integer):
        from .pointwise import _not_impl
        _not_impl(name, x)


@op(tensor_args=("input", "other"), promote="default", inplace=True)
def gcd(input, other):
    _integral_only("gcd_cpu", input)
    broadcast_check(input, other)
    return jnp.gcd(input, other)


@op(tensor_args=("input", "other"), promote="default", inplace=True)
def lcm(input, other):
    _integral_only("lcm_cpu", input)
    broadcast_check(input, other)
    return jnp.lcm(input, other)


# (PyTorch takes Tensors only: gcd(t, 2) is a TypeError)
gcd = guarded(gcd, _tensor_args("gcd"))
lcm = guarded(lcm, _tensor_args("lcm"))


@op()
def frexp(input):
    if not jnp.issubdtype(input.dtype, jnp.floating):
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = jnp.frexp(input)
    return m, e.astype(jnp.int32)


def fill_diagonal_(self, fill_value, wrap=False):
    n = min(self.shape) if not wrap or self.dim() != 2 else self.shape[0]
    if self.dim() < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self.dim() > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    rows, cols = self.shape[0], self.shape[1]
    idx = []
    if self.dim() == 2:
        step = cols + 1
        total = rows * cols if wrap else min(rows, cols) * cols
        flat = list(range(0, min(total, rows * cols), step))
        if not wrap:
            flat = flat[:min(rows, cols)]
        from .creation import tensor
        fl = self.view(-1) if self.is_contiguous() else None
        if fl is None:
            raise RuntimeError("fill_diagonal_ needs a contiguous tensor in torchlike")
        fl[tensor(flat, dtype=_dt.int64)] = fill_value
        return self
    from .creation import arange
    i = arange(min(self.shape))
    self[(i,) * self.dim()] = fill_value
    return self


def put_(self, index, source, accumulate=False):
    from .indexing import _check_put, index_put_
    _check_put(self, index, source)
    if self.is_contiguous():
        index_put_(self.view(-1), (index.reshape(-1),), source.reshape(-1), accumulate)
        return self
    # a non-contiguous view: the flat (row-major) indices as coordinates (view(-1) would fail)
    n, idx, coords = self.numel(), index.reshape(-1), []
    idx = idx + (idx < 0).long() * n
    for s in reversed(self.shape):
        coords.append(idx % s)
        idx = idx // s
    index_put_(self, tuple(reversed(coords)), source.reshape(-1), accumulate)
    return self


def put(input, index, source, accumulate=False):
    return put_(input.clone(), index, source, accumulate)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    if input.dim() == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    out = input.clone()
    d = _wrap_dim(dim, input.dim())
    idx = [slice(None)] * input.dim()
    idx[d] = slice(start, end, step)
    _check_scatter_src(src, out[tuple(idx)])
    out[tuple(idx)] = src
    return out


def _check_scatter_src(src, view):
    """The *_scatter ops take a src of exactly the slice's shape (no broadcasting)."""
    if tuple(src.shape) != tuple(view.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(view.shape)}")


def select_scatter(input, src, dim, index):
    out = input.clone()
    v = out.select(dim, index)
    _check_scatter_src(src, v)
    v.copy_(src)
    return out


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    out = input.clone()
    v = out.diagonal(offset, dim1, dim2)
    _check_scatter_src(src, v)
    v.copy_(src)
    return out


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    out = input.clone()
    v = out.as_strided(size, stride, storage_offset)
    _check_scatter_src(src, v)
    v.copy_(src)
    return out


def resize_(self, *sizes, memory_format=None):
    """Tensor.resize_: new shape; kept values in row-major order, new elements zero."""
    sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    n = int(np.prod(sizes)) if sizes else 1
    flat = self.detach().reshape(-1)._data
    if flat.size >= n:
        new = flat[:n]
    else:
        new = jnp.concatenate([flat, jnp.zeros(n - flat.size, flat.dtype)])
    self.data = Tensor._wrap(new.reshape(sizes), self.device)
    return self


def resize_as_(self, the_template, memory_format=None):
    return resize_(self, *the_template.shape)


@op(tensor_args=("input",), promote="int_to_float", inplace=True)
def polygamma_op(input, n):
    # torch.special's kernel (jax's polygamma is wrong for negative x, at 0 and at inf)
    from ..special import _polygamma_raw
    if jnp.iscomplexobj(input):
        from .pointwise import _not_impl
        _not_impl({0: "digamma", 1: "trigamma"}.get(n, "polygamma"), input)
    x = input.astype(jnp.float32) if input.dtype in (jnp.float16, jnp.bfloat16) else input
    return _polygamma_raw(n, x).astype(input.dtype)


def polygamma(n, input, *, out=None):
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return polygamma_op(input, int(n), out=out)


@op(promote="int_to_float", inplace=True)
def mvlgamma(input, p):
    if jnp.iscomplexobj(input):
        from .pointwise import _not_impl
        _not_impl("arange_cpu", input)  # (PyTorch's kernel fails building its arange)
    return jsp.multigammaln(input, p)


def _check_mvlgamma(input, p):
    if isinstance(input, Tensor) and input.dtype is _dt.bool:
        raise RuntimeError("The input tensor may not be a boolean tensor.")


mvlgamma = guarded(mvlgamma, _check_mvlgamma)


@op(tensor_args=("input", "other"), promote="default", inplace=True)
def igamma(input, other):
    _floating_only("igamma_cpu", input)
    from ..special import _igamma_special  # (PyTorch's boundary values: a = 0, x = 0, inf, nan)
    return _igamma_special(input, other, True)


@op(tensor_args=("input", "other"), promote="default", inplace=True)
def igammac(input, other):
    _floating_only("igammac_cpu", input)
    from ..special import _igamma_special
    return _igamma_special(input, other, False)


igamma = guarded(igamma, _tensor_args("igamma"))
igammac = guarded(igammac, _tensor_args("igammac"))


def histogram(input, bins=100, *, range=None, weight=None, density=False):
    from .._core.tensor import wrap
    if not input.dtype.is_floating_point or input.dtype in (_dt.float16, _dt.bfloat16):
        from .registry import _scalar_type_name
        raise NotImplementedError(f"\"histogramdd\" not implemented for "
                                  f"'{_scalar_type_name(input.dtype)}'")
    a = np.asarray(input.detach()._data)
    b = bins if isinstance(bins, int) else np.asarray(bins.detach()._data)
    w = None if weight is None else np.asarray(weight.detach()._data)
    h, edges = np.histogram(a, bins=b, range=range, weights=w, density=density)
    from .reduction import return_type
    return return_type("histogram", ("hist", "bin_edges"))(
        wrap(jnp.asarray(h.astype(a.dtype))), wrap(jnp.asarray(edges.astype(a.dtype))))


def unsafe_chunk(input, chunks, dim=0):
    return input.chunk(chunks, dim)


def unsafe_split(input, split_size, dim=0):
    return input.split(split_size, dim)


def _output_nr(self):
    h = self._history()
    return 0 if h is None else h[1]


def _cmp_alias(name):
    return lambda self, other: getattr(self, name)(other)


_METHODS = {
    "ravel": ravel, "new": new, "apply_": apply_, "map_": map_, "is_nonzero": is_nonzero,
    "is_same_size": is_same_size, "split_with_sizes": split_with_sizes,
    "narrow_copy": narrow_copy, "sum_to_size": sum_to_size, "quantile": quantile,
    "nanquantile": nanquantile, "cov": cov, "frexp": frexp, "fill_diagonal_": fill_diagonal_,
    "put_": put_, "put": put, "slice_scatter": slice_scatter, "select_scatter": select_scatter,
    "diagonal_scatter": diagonal_scatter, "as_strided_scatter": as_strided_scatter,
    "resize_": resize_, "resize_as_": resize_as_, "histogram": histogram,
    "unsafe_chunk": unsafe_chunk, "unsafe_split": unsafe_split,
    "polygamma": lambda self, n: polygamma(n, self),
    "polygamma_": lambda self, n: self.polygamma_op_(n),
    "greater_": _cmp_alias("gt_"), "greater_equal_": _cmp_alias("ge_"),
    "less_": _cmp_alias("lt_"), "less_equal_": _cmp_alias("le_"), "not_equal_": _cmp_alias("ne_"),
    "cumprod_": lambda self, dim, dtype=None: self.copy_(self.cumprod(dim, dtype=dtype)),
}
for _n, _f in _METHODS.items():
    setattr(Tensor, _n, _f)
Tensor.output_nr = property(_output_nr)


def _check_complex_parts(a, b):
    from .registry import _scalar_type_name

    if not (a.dtype.is_floating_point and b.dtype.is_floating_point) or _dt.bfloat16 in (
            a.dtype, b.dtype):
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_scalar_type_name(a.dtype)} and {_scalar_type_name(b.dtype)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"Expected object of scalar type {_scalar_type_name(a.dtype)} but got "
                           f"scalar type {_scalar_type_name(b.dtype)} for second argument")
    if a.dtype == _dt.float16:
        raise NotImplementedError("torchlike: complex32 (complex from float16 parts) is not "
                                  "supported; use float32")


@op(tensor_args=("real", "imag"), method=False, name="complex")
def _complex(real, imag):
    broadcast_check(real, imag)
    real, imag = jnp.broadcast_arrays(real, imag)
    return jax.lax.complex(real, imag)


def complex(real, imag, *, out=None):
    """torch.complex: a complex tensor from its real and imaginary parts."""
    _check_complex_parts(real, imag)
    return _complex(real, imag, out=out)


@op(tensor_args=("abs", "angle"), method=False, name="polar")
def _polar(abs, angle):
    broadcast_check(abs, angle)
    abs, angle = jnp.broadcast_arrays(abs, angle)
    return jax.lax.complex(abs * jnp.cos(angle), abs * jnp.sin(angle))


def polar(abs, angle, *, out=None):
    """torch.polar: the complex tensor abs * (cos(angle) + i sin(angle))."""
    _check_complex_parts(abs, angle)
    return _polar(abs, angle, out=out)


@op(tensor_args=("input", "coords"), method=False, name="_gradient_dim")
def _gradient_dim(input, dim, h, coords, edge_order):
    # numpy.gradient's second-order central differences; one-sided differences of order
    # `edge_order` at both ends
    f = jnp.moveaxis(input, dim, -1)
    if not jnp.issubdtype(f.dtype, jnp.inexact):
        f = f.astype(jnp.float32)
    if coords is None:
        interior = (f[..., 2:] - f[..., :-2]) / (2 * h)
        if edge_order == 1:
            first = (f[..., 1] - f[..., 0]) / h
            last = (f[..., -1] - f[..., -2]) / h
        else:
            first = (-1.5 * f[..., 0] + 2 * f[..., 1] - 0.5 * f[..., 2]) / h
            last = (0.5 * f[..., -3] - 2 * f[..., -2] + 1.5 * f[..., -1]) / h
    else:
        dx = jnp.diff(coords.astype(f.dtype))
        d1, d2 = dx[:-1], dx[1:]
        interior = (-d2 / (d1 * (d1 + d2)) * f[..., :-2] + (d2 - d1) / (d1 * d2) * f[..., 1:-1]
                    + d1 / (d2 * (d1 + d2)) * f[..., 2:])
        if edge_order == 1:
            first = (f[..., 1] - f[..., 0]) / dx[0]
            last = (f[..., -1] - f[..., -2]) / dx[-1]
        else:
            d1, d2 = dx[0], dx[1]
            first = (-(2 * d1 + d2) / (d1 * (d1 + d2)) * f[..., 0]
                     + (d1 + d2) / (d1 * d2) * f[..., 1] - d1 / (d2 * (d1 + d2)) * f[..., 2])
            d1, d2 = dx[-2], dx[-1]
            last = (d2 / (d1 * (d1 + d2)) * f[..., -3] - (d1 + d2) / (d1 * d2) * f[..., -2]
                    + (2 * d2 + d1) / (d2 * (d1 + d2)) * f[..., -1])
    out = jnp.concatenate([first[..., None], interior, last[..., None]], axis=-1)
    return jnp.moveaxis(out, -1, dim)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """torch.gradient: estimated derivatives along `dim` (all dims by default), one per dim."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    given = dim is not None
    dims = list(range(input.dim())) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    dims = [_wrap_dim(d, input.dim()) for d in dims]
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            if given:
                raise RuntimeError(
                    "torch.gradient expected spacing to be unspecified, a scalar or it's spacing "
                    "and dim arguments to have the same length, but got a spacing argument of "
                    f"length {len(spacing)} and a dim argument of length {len(dims)}.")
            raise RuntimeError(
                "torch.gradient expected spacing to be unspecified, a scalar, or a list of length "
                f"equal to 'self.dim() = {input.dim()}', since dim argument was not given, but "
                f"got a list of length {len(spacing)}")
        if any(isinstance(s, Tensor) and s.dim() != 1 for s in spacing):
            n = next(s.dim() for s in spacing if isinstance(s, Tensor) and s.dim() != 1)
            raise RuntimeError("torch.gradient expected each element of spacing to have one "
                               f"dimension, but got an element with {n} dimensions!")
        spacing = list(spacing)
    else:
        if isinstance(spacing, Tensor):
            spacing = spacing.item()
        spacing = [spacing] * len(dims)
    if any(input.shape[d] < edge_order + 1 for d in dims):
        raise RuntimeError("torch.gradient expected each dimension size to be at least "
                           "edge_order+1")
    return tuple(
        _gradient_dim(input, d, None, s, edge_order) if isinstance(s, Tensor)
        else _gradient_dim(input, d, float(s), None, edge_order)
        for d, s in zip(dims, spacing))

__all__ = ["ravel", "is_nonzero", "is_same_size", "split_with_sizes", "narrow_copy",
           "quantile", "nanquantile", "dist", "renorm", "cov", "corrcoef", "gcd", "lcm", "frexp",
           "put", "slice_scatter", "select_scatter", "diagonal_scatter", "as_strided_scatter",
           "polygamma", "mvlgamma", "igamma", "igammac", "histogram", "unsafe_chunk",
           "unsafe_split", "complex", "polar", "gradient"]

