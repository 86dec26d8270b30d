"""Reductions, scans, sorting and selection."""

import builtins
import collections
import functools

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core import grad_mode
from .._core.tensor import Tensor, _wrap_dim, wrap
from .pointwise import _abs
from .registry import op
from ..amp import autocast_mode as _ac

_RT = {}


def return_type(name, fields=("values", "indices")):
    """torch.return_types.X: the named tuple an op returns."""
    t = _RT.get(name)
    if t is None:
        t = _RT[name] = collections.namedtuple(name, fields)
        t.__module__ = "torch.return_types"
    return t


def _norm_dims(dim, ndim):
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
        ds = tuple(_wrap_dim(d, ndim) for d in dim)
        if len(set(ds)) != len(ds):
            raise RuntimeError(f"dim {ds[0]} appears multiple times in the list of dims")
        return ds if ndim else None  # a 0-d tensor reduces over dim 0 or -1 as a whole
    d = _wrap_dim(dim, ndim)
    return (d,) if ndim else None


def _int_to_long(x, dtype):
    if dtype is not None:
        return x.astype(dtype._np)
    if x.dtype == jnp.bool_ or jnp.issubdtype(x.dtype, jnp.integer):
        return x.astype(jnp.int64)
    return x


def _acc(x):
    """The accumulation dtype: PyTorch sums half and bfloat16 in float32, then rounds once."""
    return jnp.float32 if x.dtype in (jnp.float16, jnp.bfloat16) else x.dtype


# ScalarType names as PyTorch's out= dtype checks print them (C++ type names)
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
              "int16": "short int",
              "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
              "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _out_dtype(out, dtype):
    """The dtype a reduction with out= computes in: dtype= when given (out must have it), else
    out's own dtype."""
    if dtype is None:
        return out.dtype
    if out.dtype is not dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {_CPP_NAMES[dtype._name]}, but got "
                           f"{_CPP_NAMES[out.dtype._name]} instead")
    return dtype


def _same_out_dtype(out, input, name):
    """amax/amin/logcumsumexp: out must have the input's dtype exactly."""
    if out is not None and out.dtype is not input.dtype:
        from .registry import _scalar_type_name as n
        if name == "logcumsumexp":
            raise RuntimeError(f"expected scalar_type {n(input.dtype)} but found {n(out.dtype)}")
        raise RuntimeError(f"Expected the dtype for input and out to match, but got "
                           f"{n(input.dtype)} for input's dtype and {n(out.dtype)} for out's "
                           f"dtype.")


@op(method=False, name="_sum")
def _sum(input, dim=None, keepdim=False, dtype=None):
    x = _int_to_long(input, dtype)
    # explicit dtype: jnp would widen int32 sums to int64
    return jnp.sum(x, axis=dim, keepdims=keepdim, dtype=_acc(x)).astype(x.dtype)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if dim is None and out is None:  # x.sum(): straight to the op (a hot path in loss code)
        return _SUM(input) if dtype is None and not keepdim else _SUM(input, None, keepdim, dtype)
    if isinstance(dim, _dt.dtype):
        dim, dtype = None, dim
    if out is not None:  # PyTorch sums in out's dtype
        dtype = _out_dtype(out, dtype)
    return _sum(input, _norm_dims(dim, input.dim()), keepdim, dtype, out=out)


_SUM = _sum.__wrapped_op__


@op(method=False, name="_nansum")
def _nansum(input, dim, keepdim, dtype):
    x = _int_to_long(input, dtype)
    return _nansum_arr(x, dim, keepdim)


def _nansum_arr(x, axis, keepdims):
    if jnp.issubdtype(x.dtype, jnp.floating):
        return _nansum_f(x, axis, keepdims)
    return jnp.nansum(x, axis=axis, keepdims=keepdims, dtype=_acc(x)).astype(x.dtype)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def _nansum_f(x, axis, keepdims):
    """nansum with PyTorch's derivative, grad * ~isnan(x): a product, so an infinite gradient
    (nanmean's grad / 0 over an all-NaN slice) gives NaN at the NaN elements too."""
    return jnp.nansum(x, axis=axis, keepdims=keepdims, dtype=_acc(x)).astype(x.dtype)


@_nansum_f.defjvp
def _nansum_jvp(axis, keepdims, primals, tangents):
    (x,), (t,) = primals, tangents
    # a float mask, not a converted bool (which XLA would turn into a select)
    m = jnp.where(jnp.isnan(x), jnp.zeros((), x.dtype), jnp.ones((), x.dtype))
    return _nansum_f(x, axis, keepdims), jnp.sum(t * m, axis=axis, keepdims=keepdims)


def _no_complex(input, message):
    if input.dtype.is_complex:
        raise RuntimeError(message)


def _not_implemented(kernel, input, dtypes):
    """PyTorch's error for a kernel without an implementation for the input's dtype."""
    if input.dtype in dtypes and input.numel():  # (PyTorch runs no kernel on empty input)
        from .registry import _scalar_type_name
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_scalar_type_name(input.dtype)}'")


def _no_complex_dtype(kernel, dtype):
    """A complex dtype= for a reduction PyTorch's CPU kernel has no complex version of."""
    if dtype is not None and dtype.is_complex:
        from .registry import _scalar_type_name
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_scalar_type_name(dtype)}'")


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    _no_complex(input, "nansum on CPU does not support complex inputs")
    dims = _norm_dims(dim, input.dim())
    if out is not None:
        _nansum_out(input, dtype, out)
    if input.dtype.is_floating_point and input.numel():  # (integral input: sum's kernel)
        _no_complex_dtype("nansum_cpu", dtype)
    return _nansum(input, dims, keepdim, dtype, out=out)


def _nansum_out(input, dtype, out):
    """nansum's out= checks: integral input or dtype= is sum's (in out's dtype); floating
    input's kernel runs in out's dtype, which must be dtype= when given."""
    from .registry import _scalar_type_name as n
    if not input.dtype.is_floating_point or dtype is not None and dtype._cat in (_dt._INT,
                                                                                 _dt._BOOL):
        _out_dtype(out, dtype)
        return
    if dtype is not None and out.dtype is not dtype:
        raise RuntimeError(f"nansum: provided dtype must match dtype of result. Got "
                           f"{n(out.dtype)} and {n(dtype)}.")
    if not (out.dtype.is_floating_point or out.dtype.is_complex) and input.numel():
        raise NotImplementedError(f'"nansum_cpu" not implemented for \'{n(out.dtype)}\'')


def _check_float_mean(input, dtype, name="mean"):
    d = dtype or input.dtype
    if not (d.is_floating_point or d.is_complex):
        n = {"int64": "Long", "int32": "Int", "bool": "Bool", "uint8": "Byte", "int16": "Short",
             "int8": "Char"}.get(d._name, d._name)
        raise RuntimeError(f"{name}(): could not infer output dtype. "
                           f"{'Input' if dtype is None else 'Optional'} dtype must be either a "
                           f"floating point or complex dtype. Got: {n}")


@op(method=False, name="_mean")
def _mean(input, dim, keepdim, dtype):
    x = input if dtype is None else input.astype(dtype._np)
    return jnp.mean(x, axis=dim, keepdims=keepdim, dtype=_acc(x)).astype(x.dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    _check_float_mean(input, dtype)
    if out is not None and dtype is not None:
        _out_dtype(out, dtype)
    return _mean(input, _norm_dims(dim, input.dim()), keepdim, dtype, out=out)


@op(method=False, name="_nanmean")
def _nanmean(input, dim, keepdim, dtype):
    x = input if dtype is None else input.astype(dtype._np)
    # PyTorch's nanmean is nansum(x) / count: the sum is rounded to x's dtype before dividing
    total = _nansum_arr(x, dim, keepdim)
    return total / jnp.sum(~jnp.isnan(x), axis=dim, keepdims=keepdim).astype(x.dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if out is not None and not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise RuntimeError("nanmean(): integral types and 'Bool' are not supported for nanmean, "
                           "even for empty tensors.")
    if not (input.dtype.is_floating_point or input.dtype.is_complex):  # even with a dtype=
        from .registry import _scalar_type_name
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_scalar_type_name(input.dtype)}")
    _check_float_mean(input, dtype, "nanmean")
    _no_complex(input, "nansum on CPU does not support complex inputs")
    dims = _norm_dims(dim, input.dim())
    if out is not None:  # (PyTorch's nanmean is nansum(out=out).div_(count))
        _nansum_out(input, dtype, out)
    if input.numel():  # (PyTorch runs no kernel on empty input)
        _no_complex_dtype("nansum_cpu", dtype)
    return _nanmean(input, dims, keepdim, dtype, out=out)


@op(method=False, name="_prod")
def _prod(input, dim, keepdim, dtype):
    x = _int_to_long(input, dtype)
    if x.ndim and jnp.issubdtype(x.dtype, jnp.inexact):
        return _prod_f(x, dim, keepdim)
    return jnp.prod(x, axis=dim, keepdims=keepdim, dtype=x.dtype)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def _prod_f(x, axis, keepdims):
    """prod with PyTorch's derivative: result / input when the tensor holds no zero (so a NaN
    or an infinity makes its slice's gradient NaN), else the products of the other elements
    (zero everywhere for a whole-tensor prod with two zeros or more)."""
    return jnp.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


@_prod_f.defjvp
def _prod_jvp(axis, keepdims, primals, tangents):
    (x,), (t,) = primals, tangents
    r = jnp.prod(x, axis=axis, keepdims=True, dtype=x.dtype)
    nz = jnp.sum(x == 0)  # (over the whole tensor, as PyTorch's check)
    flat = axis is None
    others = _exclusive_prod(x.reshape(-1) if flat else x, 0 if flat else axis[0])
    if flat:
        others = jnp.where(nz == 1, others.reshape(x.shape), 0)
    coef = jnp.where(nz == 0, r / x, others)
    return _prod_f(x, axis, keepdims), jnp.sum(t * coef, axis=axis, keepdims=keepdims)


def _exclusive_prod(x, axis):
    """Each element's product of the others along axis (PyTorch's prod_safe_zeros_backward)."""
    n = x.shape[axis]
    if n == 0:
        return x
    one = jnp.ones_like(jax.lax.slice_in_dim(x, 0, 1, axis=axis))
    before = jnp.cumprod(jnp.concatenate([one, jax.lax.slice_in_dim(x, 0, n - 1, axis=axis)],
                                         axis), axis=axis)
    rest = jnp.flip(jax.lax.slice_in_dim(x, 1, n, axis=axis), axis)
    after = jnp.flip(jnp.cumprod(jnp.concatenate([one, rest], axis), axis=axis), axis)
    return before * after


_ALL = object()  # prod's dim left out: PyTorch's overloads refuse an explicit dim=None


def prod(input, dim=_ALL, keepdim=False, *, dtype=None, out=None):
    if isinstance(dim, _dt.dtype):
        dim, dtype = _ALL, dim
    if dim is _ALL:
        if keepdim or out is not None:  # prod(input, *, dtype) takes neither
            raise TypeError("prod() received an invalid combination of arguments: keepdim= and "
                            "out= need an int dim")
        return _prod(input, None, False, dtype)
    if dim is None or isinstance(dim, (list, tuple)):
        # unlike sum, PyTorch's prod reduces one dim only
        raise TypeError(f"prod(): argument 'dim' (position 2) must be int, not "
                        f"{type(dim).__name__}")
    if out is not None:  # PyTorch multiplies in out's dtype
        dtype = _out_dtype(out, dtype)
    return _prod(input, _norm_dims(dim, input.dim()), keepdim, dtype, out=out)


@op(method=False, name="_var")
def _var(input, dim, correction, keepdim, root=False, empty_dim=False):
    x = input.astype(_acc(input))
    if jnp.issubdtype(x.dtype, jnp.floating):
        v = _var_f(x, dim, correction, keepdim, root, empty_dim)
    else:
        v = _var_value(x, dim, correction, keepdim, root)
    return v.astype(jnp.real(input).dtype)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2, 3, 4, 5))
def _var_f(x, dim, correction, keepdim, root, empty_dim):
    """var / std of a real x with PyTorch's derivative: 2 / (N - correction) * (x - mean), with
    no term through the mean (so an infinite element does not make its whole slice NaN); past
    the sample size inf or NaN (x == mean) for a whole-tensor reduction, a negative factor for
    one along dims; std's is var's over 2 * std, 0 where std is 0."""
    return _var_value(x, dim, correction, keepdim, root)


@_var_f.defjvp
def _var_jvp(dim, correction, keepdim, root, empty_dim, primals, tangents):
    (x,), (t,) = primals, tangents
    out = _var_f(x, dim, correction, keepdim, root, empty_dim)
    mu = jnp.mean(x, axis=dim, keepdims=True)
    if dim is None and not empty_dim:
        dof = x.size - correction
        coef = (2.0 / dof) * (x - mu) if dof > 0 else jnp.where(x == mu, jnp.nan, jnp.inf)
    else:
        # (PyTorch counts an explicit empty dim list as reducing one element here)
        dof = (1 if empty_dim else _reduced_count(x, dim)) - correction
        coef = (2.0 / dof if dof else float("inf")) * (x - mu)
    d = jnp.sum(t * coef.astype(x.dtype), axis=dim, keepdims=keepdim)
    if root:
        z = out == 0
        d = jnp.where(z, 0, d / jnp.where(z, 1, 2 * out))
    return out, d


def _reduced_count(x, dim):
    return int(np.prod([x.shape[d] for d in (range(x.ndim) if dim is None else dim)],
                       dtype=np.int64))


def _var_value(x, dim, correction, keepdim, root):
    n = _reduced_count(x, dim)
    mu = jnp.mean(x, axis=dim, keepdims=True)
    d = x - mu
    ss = jnp.sum(jnp.real(d * jnp.conj(d)), axis=dim, keepdims=keepdim)
    # PyTorch divides by max(0, N - correction): inf (or nan for 0/0) past the sample size
    v = ss / builtins.max(0, int(n) - correction)
    if root:  # std takes the root before rounding a half input once, as PyTorch does
        # PyTorch's std gradient is 0 where std is 0 (a constant row), not sqrt's inf * 0
        zero = v == 0
        v = jnp.where(zero, 0, jnp.sqrt(jnp.where(zero, 1, v)))
    return v


def _var_args(input, dim, unbiased, correction, keepdim, name="std and var"):
    if isinstance(dim, builtins.bool):
        unbiased, dim = dim, None
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    elif unbiased is not None:  # PyTorch's overloads take one or the other
        raise TypeError(f"{name.split()[0]}() received an invalid combination of arguments: "
                        "unbiased and correction are mutually exclusive")
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise RuntimeError(f"{name} only support floating point and complex dtypes")
    return _norm_dims(dim, input.dim()), correction, keepdim


def _empty_dim(dim, input):
    return isinstance(dim, (list, tuple)) and not dim and input.dim() > 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    d, c, k = _var_args(input, dim, unbiased, correction, keepdim)
    return _var(input, d, c, k, False, _empty_dim(dim, input), out=out)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    d, c, k = _var_args(input, dim, unbiased, correction, keepdim)
    return _var(input, d, c, k, True, _empty_dim(dim, input), out=out)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    _var_args(input, dim, unbiased, correction, keepdim, "var_mean")
    return var(input, dim, unbiased, keepdim, correction=correction), mean(
        input, _norm_dims(dim, input.dim()) if not isinstance(dim, builtins.bool) else None, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    _var_args(input, dim, unbiased, correction, keepdim, "std_mean")
    return std(input, dim, unbiased, keepdim, correction=correction), mean(
        input, _norm_dims(dim, input.dim()) if not isinstance(dim, builtins.bool) else None, keepdim)


def _pair_out(name, res, out, fields=("values", "indices")):
    """res, an op's (values, indices), as PyTorch returns it: torch.return_types.name, or with
    out= the out tensors, written, as torch.return_types.name_out."""
    if out is None:
        return return_type(name, fields)(*res)
    if len(out) != 2:
        raise TypeError(f"{name}(): argument 'out' must be tuple of 2 Tensors")
    for o, r, what in zip(out, res, fields):  # (PyTorch casts neither)
        if o.dtype is not r.dtype:
            _pair_out_error(name, what, r.dtype, o.dtype)
        _out_dtype(o, r.dtype)
    from .registry import write_out
    write_out(out, tuple(res))
    return return_type(name + "_out", fields)(*out)


def _pair_out_error(name, what, want, got):
    """The error of each of PyTorch's kernels for an out= tensor of the wrong dtype."""
    from .registry import _scalar_type_name as n
    if name == "kthvalue":
        raise RuntimeError("output values must be of same type as input" if what == "values"
                           else "output indices must be of scalar type Long")
    if name in ("median", "nanmedian"):
        if what == "values":
            raise RuntimeError(f"Expected tensor for 'values' to have the same type as tensor for "
                               f"argument #2 'self'; but type torch.{n(got)}Tensor does not equal "
                               f"torch.{n(want)}Tensor (while checking arguments for median)")
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have scalar type Long; "
                           f"but got torch.{n(got)}Tensor instead (while checking arguments for "
                           f"median)")
    if name == "mode":
        raise RuntimeError(f"expected scalar type '{n(want)}' but got '{n(got)}' for {what} output")
    if name in ("cummax", "cummin"):
        raise RuntimeError(f"expected scalar_type {n(want)} but found {n(got)}")


def _check_nonempty(input, dim, name):
    if input.numel() == 0 and (dim is None or input.shape[dim] == 0):
        raise IndexError(f"{name}(): Expected reduction dim {dim if dim is not None else ''} to "
                         "have non-zero size.") if dim is not None else RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument.")


@op(method=False, name="_amax")
def _amax(input, dim, keepdim):
    if jnp.issubdtype(input.dtype, jnp.inexact):
        return _chosen(input, dim, keepdim, True)
    return jnp.max(input, axis=dim, keepdims=keepdim)


@op(method=False, name="_amin")
def _amin(input, dim, keepdim):
    if jnp.issubdtype(input.dtype, jnp.inexact):
        return _chosen(input, dim, keepdim, False)
    return jnp.min(input, axis=dim, keepdims=keepdim)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2, 3))
def _chosen(x, axis, keepdims, largest):
    """amax / amin with PyTorch's derivative: split evenly among the elements equal to the
    result, so NaN over a slice whose result is NaN (none equals it: grad / 0 * 0)."""
    return (jnp.max if largest else jnp.min)(x, axis=axis, keepdims=keepdims)


@_chosen.defjvp
def _chosen_jvp(axis, keepdims, largest, primals, tangents):
    (x,), (t,) = primals, tangents
    v = (jnp.max if largest else jnp.min)(x, axis=axis, keepdims=True)
    # a float mask, not a converted bool: XLA turns a product with a converted predicate into
    # a select, which would drop the NaN of PyTorch's grad / 0 * 0
    m = jnp.where(x == v, jnp.ones((), x.dtype), jnp.zeros((), x.dtype))
    w = m / jnp.sum(m, axis=axis, keepdims=True)
    return _chosen(x, axis, keepdims, largest), jnp.sum(t * w, axis=axis, keepdims=keepdims)


def _check_empty_dims(input, dim, name):
    """PyTorch's check of an empty reduction dim, made before the one for repeated dims."""
    if input.numel() == 0 and input.dim():
        for i in dim if isinstance(dim, (list, tuple)) else (dim,):
            i = _wrap_dim(i, input.dim())
            if input.shape[i] == 0:  # no identity to return for an empty reduction
                raise IndexError(f"{name}(): Expected reduction dim {i} to have non-zero size.")


def amax(input, dim=(), keepdim=False, *, out=None):
    _check_empty_dims(input, dim, "amax")
    d = _norm_dims(dim, input.dim())
    if input.numel() == 0 and d is None:
        raise RuntimeError("amax(): Expected reduction dim to be specified for input.numel() == "
                           "0. Specify the reduction dim with the 'dim' argument.")
    _not_implemented("max_values_cpu", input, _COMPLEX)
    _same_out_dtype(out, input, "amax")
    return _amax(input, d, keepdim, out=out)


def amin(input, dim=(), keepdim=False, *, out=None):
    _check_empty_dims(input, dim, "amin")
    d = _norm_dims(dim, input.dim())
    if input.numel() == 0 and d is None:
        raise RuntimeError("amin(): Expected reduction dim to be specified for input.numel() == "
                           "0. Specify the reduction dim with the 'dim' argument.")
    _not_implemented("min_values_cpu", input, _COMPLEX)
    _same_out_dtype(out, input, "amin")
    return _amin(input, d, keepdim, out=out)


@op(method=False, name="_max_dim")
def _max_dim(input, dim, keepdim, largest):
    if input.ndim == 0:
        return input, jnp.zeros((), jnp.int64)
    x = input
    if x.dtype == jnp.bool_:
        x = x.astype(jnp.int8)
    if jnp.issubdtype(x.dtype, jnp.inexact):
        # NaN wins, as in PyTorch
        key = jnp.where(jnp.isnan(x), jnp.inf if largest else -jnp.inf, x)
        nanpos = jnp.isnan(x)
        idx = jnp.where(nanpos.any(axis=dim, keepdims=True),
                        jnp.argmax(nanpos, axis=dim, keepdims=True),
                        (jnp.argmax if largest else jnp.argmin)(key, axis=dim, keepdims=True))
    else:
        idx = (jnp.argmax if largest else jnp.argmin)(x, axis=dim, keepdims=True)
    vals = jnp.take_along_axis(input, idx, axis=dim)
    if not keepdim:
        vals, idx = jnp.squeeze(vals, dim), jnp.squeeze(idx, dim)
    return vals, idx.astype(jnp.int64)


@op(method=False, name="_max_all")
def _max_all(input, largest):
    """max() / min() of the whole tensor: the gradient is split evenly among the elements equal
    to it, NaN ones included (PyTorch's evenly_distribute_backward; amax's ignores NaN)."""
    v = jnp.max(input) if largest else jnp.min(input)
    if not jnp.issubdtype(input.dtype, jnp.inexact):
        return v
    return _distribute(input, jax.lax.stop_gradient(v))


def _maxmin(name, largest):
    def f(input, dim=None, keepdim=False, *, out=None):
        if isinstance(dim, Tensor):  # torch.max(a, b): elementwise
            from . import pointwise
            return (pointwise.maximum if largest else pointwise.minimum)(input, dim, out=out)
        if dim is None:
            if input.numel() == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                                   "input.numel() == 0. Specify the reduction dim with the 'dim' "
                                   "argument.")
            _not_implemented(f"{name}_all", input, _COMPLEX)
            return _max_all(input, largest, out=out)
        d = _wrap_dim(dim, input.dim())
        _no_complex(input, f"{name}(): does not support complex input")
        if input.dim() and input.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        return _pair_out(name, _max_dim(input, d if input.dim() else None, keepdim, largest),
                         out)
    f.__name__ = name
    return f


max = _maxmin("max", True)
min = _maxmin("min", False)


def aminmax(input, *, dim=None, keepdim=False, out=None):
    if dim is not None and input.dim() and input.shape[_wrap_dim(dim, input.dim())] == 0:
        raise IndexError(f"aminmax: Expected reduction dim {_wrap_dim(dim, input.dim())} to have "
                         "non-zero size.")
    d = () if dim is None else dim
    return _pair_out("aminmax", (amin(input, d, keepdim), amax(input, d, keepdim)), out,
                     ("min", "max"))


@op(method=False, name="_argmax")
def _argmax(input, dim, keepdim, largest):
    x = input
    if x.dtype == jnp.bool_:
        x = x.astype(jnp.int8)
    f = jnp.argmax if largest else jnp.argmin
    if jnp.issubdtype(x.dtype, jnp.inexact):
        nanpos = jnp.isnan(x)
        r = jnp.where(nanpos.any(axis=dim, keepdims=keepdim), jnp.argmax(nanpos, axis=dim, keepdims=keepdim),
                      f(x, axis=dim, keepdims=keepdim))
    else:
        r = f(x, axis=dim, keepdims=keepdim)
    return r.astype(jnp.int64)


def _check_arg(input, dim, name):
    if input.dtype is _dt.bool:
        raise RuntimeError(f"{name}(): does not support bool input")
    _no_complex(input, f"{name}(): does not support complex input")
    if dim is not None:
        _wrap_dim(dim, input.dim())  # (IndexError for a 0-d tensor's dim 1, as PyTorch)
    if input.numel() == 0 and dim is None:
        raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                         "== 0.")
    if input.numel() == 0 and input.dim() and input.shape[_wrap_dim(dim, input.dim())] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {_wrap_dim(dim, input.dim())} to "
                         "have non-zero size.")


def argmax(input, dim=None, keepdim=False, *, out=None):
    _check_arg(input, dim, "argmax")
    if out is not None:
        _out_dtype(out, _dt.int64)
    if dim is None:
        r = _argmax(input.reshape(-1), 0, False, True)
        r = r.reshape([1] * input.dim()) if keepdim else r
    else:
        r = _argmax(input, _wrap_dim(dim, input.dim()) if input.dim() else None, keepdim, True)
    if out is not None:
        from .registry import write_out
        return write_out(out, r)
    return r


def argmin(input, dim=None, keepdim=False, *, out=None):
    _check_arg(input, dim, "argmin")
    if out is not None:
        _out_dtype(out, _dt.int64)
    if dim is None:
        r = _argmax(input.reshape(-1), 0, False, False)
        r = r.reshape([1] * input.dim()) if keepdim else r
    else:
        r = _argmax(input, _wrap_dim(dim, input.dim()) if input.dim() else None, keepdim, False)
    if out is not None:
        from .registry import write_out
        return write_out(out, r)
    return r


@op(method=False, name="_all")
def _all(input, dim, keepdim):
    if jnp.iscomplexobj(input):
        input = input != 0  # (jnp.all reads a complex number's real part only)
    r = jnp.all(input, axis=dim, keepdims=keepdim)
    return r.astype(jnp.uint8) if input.dtype == jnp.uint8 else r  # PyTorch keeps uint8


@op(method=False, name="_any")
def _any(input, dim, keepdim):
    if jnp.iscomplexobj(input):
        input = input != 0
    r = jnp.any(input, axis=dim, keepdims=keepdim)
    return r.astype(jnp.uint8) if input.dtype == jnp.uint8 else r


def _bool_dims(dim, ndim):
    # unlike sum's, all's and any's dim=() reduces nothing: each element tested on its own
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        return ()
    return _norm_dims(dim, ndim)


def all(input, dim=None, keepdim=False, *, out=None):
    if out is not None and out.dtype not in (_dt.bool, _dt.uint8):
        from .registry import _scalar_type_name
        raise RuntimeError(f"all only supports bool tensor for result, got: "
                           f"{_scalar_type_name(out.dtype)}")
    return _all(input, _bool_dims(dim, input.dim()), keepdim, out=out)


def any(input, dim=None, keepdim=False, *, out=None):
    if out is not None and out.dtype not in (_dt.bool, _dt.uint8):
        from .registry import _scalar_type_name
        raise RuntimeError(f"any only supports bool tensor for result, got: "
                           f"{_scalar_type_name(out.dtype)}")
    return _any(input, _bool_dims(dim, input.dim()), keepdim, out=out)


@op(method=False, name="_logsumexp")
def _logsumexp(input, dim, keepdim):
    x = input if jnp.issubdtype(input.dtype, jnp.inexact) else input.astype(_dt.get_default_dtype()._np)
    return jax.nn.logsumexp(x, axis=dim, keepdims=keepdim)


def logsumexp(input, dim, keepdim=False, *, out=None):
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' (position 2) must be tuple of ints, not "
                        "NoneType")
    if isinstance(dim, (list, tuple)) and len(dim) == 0 and input.numel() and input.dim() \
            and not keepdim:
        # dim=() reduces every dim, but PyTorch's kernel keeps the max it subtracts at shape
        # [1, ..., 1] and fails to add it back unless keepdim (empty and 0-d inputs take no max)
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                           f"{[1] * input.dim()}")
    if out is not None and not (out.dtype.is_floating_point or out.dtype.is_complex):
        from .registry import _scalar_type_name
        raise RuntimeError(f"logsumexp(): Expected floating point type for result tensor, but "
                           f"got: {_scalar_type_name(out.dtype)}")
    return _logsumexp(input, _norm_dims(dim, input.dim()), keepdim, out=out)


def _safe_pnorm(x, p, axis, keepdim):
    # PyTorch's norm gradient is 0 at a zero norm, and |x|'s is sgn(x) (0 at x == 0)
    a = _abs(x)
    if p == 2:
        s = jnp.sum(a * a, axis=axis, keepdims=keepdim)
        zero = s == 0
        return jnp.where(zero, 0, jnp.sqrt(jnp.where(zero, 1, s)))
    if p == float("inf"):
        return jnp.max(a, axis=axis, keepdims=keepdim)
    if p == float("-inf"):
        return jnp.min(a, axis=axis, keepdims=keepdim)
    if p == 0:
        return jnp.sum((a != 0).astype(a.dtype), axis=axis, keepdims=keepdim)
    if p == 1:
        return jnp.sum(a, axis=axis, keepdims=keepdim)
    if p < 1 and jnp.issubdtype(x.dtype, jnp.floating):
        return _small_pnorm(x, p, axis, keepdim)
    s = jnp.sum(a ** p, axis=axis, keepdims=keepdim)
    zero = s == 0
    return jnp.where(zero, 0, jnp.where(zero, 1, s) ** (1.0 / p))


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2, 3))
def _small_pnorm(x, p, axis, keepdim):
    """The p < 1 norm (negative p included) with PyTorch's derivative: 0 at a zero element
    (whose |x| ** (p - 1) is infinite), scaled by norm ** (1 - p)."""
    s = jnp.sum(jnp.abs(x) ** p, axis=axis, keepdims=keepdim)
    zero = s == 0
    return jnp.where(zero, 0, jnp.where(zero, 1, s) ** (1.0 / p))


@_small_pnorm.defjvp
def _small_pnorm_jvp(p, axis, keepdim, primals, tangents):
    (x,), (t,) = primals, tangents
    n = _small_pnorm(x, p, axis, True)
    scaled = jnp.sign(x) * jnp.where(x == 0, 0, jnp.abs(x) ** (p - 1))
    d = jnp.sum(t * (scaled * n ** (1 - p)), axis=axis, keepdims=keepdim)
    return _small_pnorm(x, p, axis, keepdim), d


@op(method=False, name="_vector_norm")
def _vector_norm(input, ord, dim, keepdim, dtype):
    x = input if dtype is None else input.astype(dtype._np)
    if dim is None:
        r = _safe_pnorm(x.reshape(-1), ord, 0, False)
        return r.reshape((1,) * input.ndim) if keepdim else r
    return _safe_pnorm(x, ord, dim, keepdim)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        from .registry import _scalar_type_name
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_scalar_type_name(x.dtype)}")
    if dtype is not None:
        _check_norm_dtype(x.dtype, dtype)
    ord = float(ord)
    if (ord < 0 or ord == float("inf")) and x.numel() == 0:  # max, min: no identity
        p = f"{ord:g}"
        if dim is None or isinstance(dim, (list, tuple)) and len(dim) == 0 or x.dim() == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on an empty "
                               f"tensor because the operation does not have an identity")
        for d in dim if isinstance(dim, (list, tuple)) else (dim,):
            d = _wrap_dim(d, x.dim())
            if x.shape[d] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on the "
                                   f"dimension {d}because this dimension is empty and the "
                                   f"operation does not have an identity")
    if ord == 0 and out is None and x.requires_grad and grad_mode.state.enabled:
        # PyTorch's gradient of the 0 "norm" (a count) is undefined: none reaches x
        r = _vector_norm(x.detach(), ord, _norm_dims(dim, x.dim()), keepdim, dtype)
        return _pass_through().apply(x, r, None)
    return _vector_norm(x, ord, _norm_dims(dim, x.dim()), keepdim, dtype, out=out)


_PASS_THROUGH = []


def _pass_through():
    """An autograd Function passing `values` through, whose backward raises `error` (an
    exception type and message) or, with none, gives the input no gradient at all (PyTorch's
    undefined gradient). Made once, on first use (autograd imports this module)."""
    if not _PASS_THROUGH:
        from ..autograd import Function

        class PassThrough(Function):
            @staticmethod
            def forward(ctx, x, values, error):
                ctx.error = error
                return values.detach()

            @staticmethod
            def backward(ctx, g):
                if ctx.error is not None:
                    raise ctx.error[0](ctx.error[1])
                return None, None, None

        _PASS_THROUGH.append(PassThrough)
    return _PASS_THROUGH[0]


def no_derivative_error(name):
    return (NotImplementedError, f"the derivative for '{name}' is not implemented.")


def _check_norm_dtype(in_dt, dtype):
    """linalg.vector_norm's rules for dtype=: floating or complex, complex exactly for complex
    input, and no narrowing of the input's dtype."""
    from .registry import _scalar_type_name as n
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f"linalg.vector_norm: dtype should be floating point or complex, but "
                           f"got {n(dtype)}")
    if dtype.is_complex != in_dt.is_complex:
        kind = "complex" if in_dt.is_complex else "real"
        raise RuntimeError(f"linalg.vector_norm: dtype should be {kind} for {kind} inputs, but "
                           f"got {n(dtype)}")
    if _dt.promote_types(in_dt, dtype) is not dtype:
        raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({n(in_dt)}) should be "
                           f"convertible without narrowing to the specified dtype ({n(dtype)})")


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype, out=out)
        from ..linalg import matrix_norm
        # (as PyTorch: every dim when none is given, which matrix_norm refuses unless 2-D)
        return matrix_norm(input, p, dim if dim is not None else tuple(range(input.dim())),
                           keepdim, dtype=dtype, out=out)
    return vector_norm(input, 2 if p is None else p, dim, keepdim, dtype=dtype, out=out)


def _scan(name, f, int_long=True):
    @op(method=False, name="_" + name)
    def _s(input, dim, dtype):
        x = input
        if dtype is not None:
            x = x.astype(dtype._np)
        elif int_long and (x.dtype == jnp.bool_ or jnp.issubdtype(x.dtype, jnp.integer)):
            x = x.astype(jnp.int64)
        if x.ndim == 0:
            return x
        # explicit result dtype: jnp would widen int32 scans to int64; halves accumulate in f32
        return f(x.astype(_acc(x)), axis=dim).astype(x.dtype)

    def public(input, dim, *, dtype=None, out=None):
        if out is not None and int_long:  # cumsum, cumprod: PyTorch scans in out's dtype
            dtype = _out_dtype(out, dtype)
        if dtype is _dt.bool and input.numel():
            raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for 'Bool'")
        return _s(input, _wrap_dim(dim, input.dim()), dtype, out=out)

    public.__name__ = name
    return public


cumsum = _scan("cumsum", jnp.cumsum)
def _cumprod_arr(x, axis):
    if x.shape[axis] > 1 and jnp.issubdtype(x.dtype, jnp.inexact):
        return _cumprod_f(x, axis)
    return jnp.cumprod(x, axis=axis)  # (a scan of one element: PyTorch's gradient is grad)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _cumprod_f(x, axis):
    """cumprod with PyTorch's derivative: reversed_cumsum(output * grad) / input when the tensor
    holds no zero, else its zero-safe formula, which stops at each slice's second zero."""
    return jnp.cumprod(x, axis=axis)


@_cumprod_f.defjvp
def _cumprod_jvp(axis, primals, tangents):
    (x,), (t,) = primals, tangents
    out = jnp.cumprod(x, axis=axis)
    zero = x == 0
    anyz = jnp.any(zero)  # (over the whole tensor, as PyTorch's check)
    one = jnp.ones((), x.dtype)
    # Each part ends in a select, so that its transpose starts with one: a cotangent outside a
    # part's positions never reaches it as NaN through a product with 0.
    d_plain = jnp.where(anyz, 0, jnp.where(anyz, 0, out) * jnp.cumsum(
        t / jnp.where(anyz, one, x), axis=axis))
    cz = jnp.cumsum(zero, axis=axis)
    before = (cz == 0) & anyz  # before a slice's first zero
    d_before = jnp.where(before, jnp.where(before, out, 0) * jnp.cumsum(
        jnp.where(before, t / jnp.where(before, x, one), 0), axis=axis), 0)
    # the first zero: its tangent times the output before it and the products after it
    first = zero & (cz == 1)
    run = cz == 1
    c = jnp.cumprod(jnp.where(run & ~zero, x, one), axis=axis)
    n = x.shape[axis]
    prev = jnp.concatenate([jnp.ones_like(jax.lax.slice_in_dim(out, 0, 1, axis=axis)),
                            jax.lax.slice_in_dim(out, 0, n - 1, axis=axis)], axis)
    pz = jnp.sum(jnp.where(first, prev, 0), axis=axis, keepdims=True)
    tz = jnp.sum(jnp.where(first, t, 0), axis=axis, keepdims=True)
    d_zero = jnp.where(run, c * (pz * tz), 0)
    return out, d_plain + d_before + d_zero


cumprod = _scan("cumprod", _cumprod_arr)


def _logcumsumexp_f(x, axis):
    if jnp.issubdtype(x.dtype, jnp.floating):
        return _lcse(x, axis)
    return jax.lax.cumlogsumexp(x, axis=axis)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _lcse(x, axis):
    """logcumsumexp with PyTorch's derivative: grad_k = sum_{i >= k} grad_i exp(x_k - out_i),
    NaN where x_k and out_k are the same infinity, 0 from an out_i = inf for a finite x_k."""
    return jax.lax.cumlogsumexp(x, axis=axis)


@_lcse.defjvp
def _lcse_jvp(axis, primals, tangents):
    (x,), (t,) = primals, tangents
    r = jax.lax.cumlogsumexp(x, axis=axis)
    n = x.shape[axis]
    if n == 0:
        return r, t
    # out_i = logaddexp(out_{i-1}, x_i), so dout_i = a_i dout_{i-1} + e_i dx_i: a linear scan
    # whose factors lie in [0, 1] (stable, unlike exp(x) * reversed_cumsum(grad * exp(-out)))
    prev = jax.lax.slice_in_dim(r, 0, n - 1, axis=axis)
    cur = jax.lax.slice_in_dim(r, 1, n, axis=axis)
    # (an infinite out_i takes nothing from a finite out_{i-1}: not exp(inf - inf))
    a = jnp.where(cur == jnp.inf, 0, jnp.exp(prev - cur))
    a = jnp.concatenate([jnp.zeros_like(jax.lax.slice_in_dim(r, 0, 1, axis=axis)), a], axis)
    b = jnp.exp(x - r) * t

    def comb(p, q):
        return p[0] * q[0], q[0] * p[1] + q[1]

    return r, jax.lax.associative_scan(comb, (a, b), axis=axis)[1]


_logcumsumexp = _scan("logcumsumexp", _logcumsumexp_f, int_long=False)


def logcumsumexp(input, dim, *, out=None):
    if dim is None:
        raise TypeError("logcumsumexp(): argument 'dim' (position 2) must be int, not NoneType")
    _wrap_dim(dim, input.dim())
    if input.dtype in _NOT_FLOATING[:-2]:  # (complex is fine; refused on empty input too)
        _not_implemented("logcumsumexp_out_cpu", input.new_empty(1), _NOT_FLOATING[:-2])
    _same_out_dtype(out, input, "logcumsumexp")
    return _logcumsumexp(input, dim, out=out)


@op(method=False, name="_cummax")
def _cummax(input, dim, largest):
    if input.ndim == 0:
        return input, jnp.zeros((), jnp.int64)
    n = input.shape[dim]
    x = jnp.moveaxis(input, dim, 0)
    idx = jnp.arange(n).reshape((n,) + (1,) * (x.ndim - 1))
    idx = jnp.broadcast_to(idx, x.shape)

    def comb(a, b):
        va, ia = a
        vb, ib = b
        take_b = (vb >= va) if largest else (vb <= va)
        if jnp.issubdtype(va.dtype, jnp.inexact):
            take_b = (take_b | jnp.isnan(vb)) & ~(jnp.isnan(va) & ~jnp.isnan(vb))
        return jnp.where(take_b, vb, va), jnp.where(take_b, ib, ia)

    v, i = jax.lax.associative_scan(comb, (x, idx), axis=0)
    return jnp.moveaxis(v, 0, dim), jnp.moveaxis(i, 0, dim).astype(jnp.int64)


def _empty_cum(name, input):
    """PyTorch's cummax/cummin of an empty tensor: returned before the dim is even checked."""
    from .creation import empty
    return return_type(name)(input.clone(), empty(tuple(input.shape), dtype=_dt.int64,
                                                  device=input.device))


def cummax(input, dim, *, out=None):
    if dim is None:
        raise TypeError("cummax(): argument 'dim' (position 2) must be int, not NoneType")
    if input.numel() == 0:
        return _pair_out("cummax", _empty_cum("cummax", input), out)
    if input.dim() == 0 and dim not in (0, -1):
        raise IndexError(f"cummax(): Expected reduction dim -1 or 0 for scalar but got {dim}")
    if input.dim():
        _not_implemented("cummax_cpu", input, _COMPLEX)
    v, i = _cummax(input, _wrap_dim(dim, input.dim()), True)
    return _pair_out("cummax", (v, i), out)


def cummin(input, dim, *, out=None):
    if dim is None:
        raise TypeError("cummin(): argument 'dim' (position 2) must be int, not NoneType")
    if input.numel() == 0:
        return _pair_out("cummin", _empty_cum("cummin", input), out)
    if input.dim() == 0 and dim not in (0, -1):
        raise IndexError(f"cummin(): Expected reduction dim -1 or 0 for scalar but got {dim}")
    if input.dim():
        _not_implemented("cummin_cpu", input, _COMPLEX)
    v, i = _cummax(input, _wrap_dim(dim, input.dim()), False)
    return _pair_out("cummin", (v, i), out)


@op(method=False, name="_sort")
def _sort(input, dim, descending, stable):
    return _sort_arrays(input, dim, descending)


@op(method=False, name="_sorted_slice")
def _sorted_slice(input, start, stop, dim, descending):
    """sort(input, dim)[start:stop] along dim, values and indices (topk, kthvalue): one kernel,
    so the results are new contiguous tensors as PyTorch's (a narrowed sort kept the sorted
    rows' strides, and `values.view(-1)` failed where PyTorch's works)."""
    v, i = _sort_arrays(input, dim, descending)
    return (jax.lax.slice_in_dim(v, start, stop, axis=dim),
            jax.lax.slice_in_dim(i, start, stop, axis=dim))


def _sort_arrays(input, dim, descending):
    x = input
    if x.ndim == 0:
        return x, jnp.zeros((), jnp.int64)
    key = x
    if jnp.issubdtype(x.dtype, jnp.inexact):
        # NaN sorts as the largest value
        key = jnp.where(jnp.isnan(x), jnp.inf, x)
        nan = jnp.isnan(x)
        order = jnp.lexsort((jnp.moveaxis(key, dim, -1) * (-1 if descending else 1),
                             jnp.moveaxis(nan if not descending else ~nan, dim, -1)), axis=-1)
        order = jnp.moveaxis(order, -1, dim)
    else:
        if x.dtype == jnp.bool_:
            key = x.astype(jnp.int8)
        order = jnp.argsort(key, axis=dim, stable=True, descending=descending)
    return jnp.take_along_axis(input, order, axis=dim), order.astype(jnp.int64)


def sort(input, *args, stable=None, dim=-1, descending=False, out=None):
    """torch.sort(input, dim=-1, descending=False) or torch.sort(input, *, stable, dim=-1,
    descending=False): PyTorch's two overloads, the one with stable= takes no positional dim."""
    if args:
        if stable is not None or len(args) > 2:
            raise TypeError("sort() received an invalid combination of arguments: with stable=, "
                            "dim and descending are keyword-only")
        dim, descending = (args + (descending,))[:2]
    if isinstance(dim, builtins.bool):
        dim, descending = -1, dim
    _no_complex(input, " Sort does not support complex dtypes on CPU")  # (PyTorch's space)
    return _pair_out("sort", _sort(input, _wrap_dim(dim, input.dim()), descending, True), out)


def argsort(input, *args, stable=None, dim=-1, descending=False):
    """torch.argsort(input, dim=-1, descending=False) or (input, *, stable, dim=-1,
    descending=False): as sort, the overload with stable= takes no positional dim."""
    if args:
        if stable is not None or len(args) > 2:
            raise TypeError(f"argsort() takes from 1 to 0 positional arguments but {len(args)} "
                            f"were given")
        dim, descending = (args + (descending,))[:2]
    return sort(input, dim=dim, descending=descending, stable=builtins.bool(stable))[1]


def msort(input):
    return sort(input, 0)[0]


def _scalar_pair(name, input):
    from .creation import zeros
    return return_type(name)(input.clone(), zeros((), dtype=_dt.int64, device=input.device))


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """torch.topk. Differs from PyTorch: equal values come in ascending index order (a stable
    sort); PyTorch's CPU kernel returns them in libstdc++'s nth_element / partial_sort order."""
    return _pair_out("topk", _topk(input, k, dim, largest), out)


def _topk(input, k, dim, largest):
    d = _wrap_dim(dim, input.dim())
    if input.dtype is _dt.bool:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if input.dim() == 0:
        if k not in (0, 1):
            raise RuntimeError("selected index k out of range")
        return _scalar_pair("topk", input)
    n = input.shape[d] if input.dim() else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if input.dtype is _dt.bool:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    _no_complex(input, " Sort does not support complex dtypes on CPU")
    return return_type("topk")(*_sorted_slice(input, 0, k, d, largest))


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """torch.kthvalue. Differs from PyTorch: among equal values, the index is the one a stable
    sort puts k-th; PyTorch's CPU kernel picks by libstdc++'s nth_element."""
    return _pair_out("kthvalue", _kthvalue(input, k, dim, keepdim), out)


def _kthvalue(input, k, dim, keepdim):
    d = _wrap_dim(dim, input.dim())
    n = input.shape[d] if input.dim() else 1
    if n == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size.")
    if input.dim() == 0:
        if k != 1:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
        return _scalar_pair("kthvalue", input)
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    _not_implemented("kthvalue_cpu", input.new_empty(1), (_dt.bool,) + _COMPLEX)
    v, i = _sorted_slice(input, k - 1, k, d, False)
    v, i = v.squeeze(d), i.squeeze(d)
    if keepdim:
        v, i = v.unsqueeze(d), i.unsqueeze(d)
    return return_type("kthvalue")(v, i)


@jax.custom_jvp
def _distribute(x, value):
    return value


@_distribute.defjvp
def _distribute_jvp(primals, tangents):
    x, value = primals
    tx = tangents[0]
    mask = jnp.where(jnp.isnan(value), jnp.isnan(x), x == value)
    return value, jnp.sum(jnp.where(mask, tx, 0)) / jnp.sum(mask).astype(tx.dtype)


@op(tensor_args=("input", "value"), method=False, name="median")
def _median_all(input, value):
    """`value`, a whole-tensor median of input, whose gradient is split evenly among the
    elements equal to it (PyTorch's evenly_distribute_backward)."""
    return _distribute(input, jax.lax.stop_gradient(value))


def _check_median(input, dim):
    if dim is not None:
        _wrap_dim(dim, input.dim())
    _not_implemented("median_cpu" if dim is None else "median_out", input,
                     (_dt.bool,) + _COMPLEX)
    if dim is not None and input.dim():
        d = _wrap_dim(dim, input.dim())
        if input.shape[d] == 0:
            raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")


def median(input, dim=None, keepdim=False, *, out=None):
    if dim is None:
        if out is not None or keepdim:  # (median(input) takes neither)
            raise TypeError("median() received an invalid combination of arguments: keepdim= and "
                            "out= need a dim")
        return _median(input, dim, keepdim)
    return _pair_out("median", _median(input, dim, keepdim), out)


def _median(input, dim, keepdim):
    _check_median(input, dim)
    if dim is None:
        flat = input.reshape(-1)
        v, _ = sort(flat)
        n = flat.numel()
        if n == 0:
            return _empty_median(input)
        has_nan = input.dtype.is_floating_point and builtins.bool(input.isnan().any())
        return _median_all(input, (v[n - 1] if has_nan else v[(n - 1) // 2]).detach())
    d = _wrap_dim(dim, input.dim())
    if input.dim() == 0:
        return _scalar_pair("median", input)
    n = input.shape[d] if input.dim() else 1
    v, i = sort(input, d)
    # NaN propagates: sort puts NaNs last, so the median of a row with NaN is NaN
    if input.dtype.is_floating_point:
        nan = input.isnan().any(d, keepdim=True)
        first_nan = input.isnan().to(_dt.int64).argmax(d, keepdim=True)
        pos = (nan.to(_dt.int64) * (n - 1 - (n - 1) // 2)) + (n - 1) // 2
        from .indexing import gather
        ii = gather(i, d, pos.expand(*v.shape[:d], 1, *v.shape[d + 1:]) if v.dim() else pos)
        from .pointwise import where
        ii = where(nan, first_nan, ii)
        # the value from the index returned (a row's first NaN), so the gradient goes there,
        # as PyTorch's: sort's last NaN is another element
        vv = gather(input, d, ii)
        vv, ii = (vv, ii) if keepdim else (vv.squeeze(d), ii.squeeze(d))
        return return_type("median")(vv, ii)
    vv, ii = v.select(d, (n - 1) // 2), i.select(d, (n - 1) // 2)
    if keepdim:
        vv, ii = vv.unsqueeze(d), ii.unsqueeze(d)
    return return_type("median")(vv, ii)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    if dim is None:
        if out is not None or keepdim:  # (nanmedian(input) takes neither)
            raise TypeError("nanmedian() received an invalid combination of arguments: "
                            "keepdim= and out= need a dim")
        return _nanmedian(input, dim, keepdim)
    return _pair_out("nanmedian", _nanmedian(input, dim, keepdim), out)


def _nanmedian(input, dim, keepdim):
    _check_median(input, dim)
    a = np.asarray(input.detach()._data)
    if dim is None:
        flat = a.reshape(-1)
        ok = flat[~np.isnan(flat.astype(np.float32))] if input.dtype.is_floating_point else flat
        if ok.size == 0:
            return _empty_median(input)
        return _median_all(input, sort(input.reshape(-1))[0][(ok.size - 1) // 2].detach())
    d = _wrap_dim(dim, input.dim())
    v, i = sort(input, d)
    cnt = (~input.isnan()).sum(d, keepdim=True)
    pos = ((cnt - 1).clamp(min=0)) // 2
    from .indexing import gather
    vv, ii = gather(v, d, pos), gather(i, d, pos)
    if not keepdim:
        vv, ii = vv.squeeze(d), ii.squeeze(d)
    return return_type("nanmedian")(vv, ii)


def _empty_median(input):
    """The median of no element: PyTorch's NaN converted to the input's dtype (the lowest
    int64 for int64, True for bool)."""
    a = np.asarray(input.detach()._data)
    with np.errstate(invalid="ignore"):
        return _on_host_device(np.array(np.nan).astype(a.dtype), input)


def _on_host_device(arr, input):
    from .creation import from_host  # (creation imports this module)
    return from_host(arr, input.device)


def _mode_index(row):
    """The index PyTorch's CPU mode picks in one row: it sorts (value, index) pairs by value
    with std::sort, then takes the first of the longest runs of equal values (by !=, so each
    NaN is a run of its own), and of that run its last pair's index."""
    n = len(row)
    if n <= 16:
        # std::sort of so few is an insertion sort: stable, and a NaN, unordered, stays put
        order = list(range(n))
        for i in range(1, n):
            v, j = order[i], i
            if row[v] < row[order[0]]:
                j = 0
            else:
                while j > 0 and row[v] < row[order[j - 1]]:
                    j -= 1
            order[j + 1:i + 1] = order[j:i]
            order[j] = v
        order = np.array(order)
    else:  # (introsort: PyTorch's order of ties is unspecified here)
        order = np.argsort(row, kind="stable")
    s = row[order]
    ends = np.nonzero(np.append(s[1:] != s[:-1], True))[0]  # the last position of each run
    lengths = np.diff(np.append(-1, ends))
    return order[ends[np.argmax(lengths)]]


def mode(input, dim=-1, keepdim=False, *, out=None):
    return _pair_out("mode", _mode(input, dim, keepdim), out)


def _mode(input, dim, keepdim):
    d = _wrap_dim(dim, input.dim())
    if input.dim() == 0:
        return _scalar_pair("mode", input)
    if input.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    _not_implemented("mode_cpu", input, _COMPLEX)
    a = np.moveaxis(np.asarray(input.detach()._data), d, -1)
    flat = a.reshape(-1, a.shape[-1]) if a.ndim else a.reshape(1, 1)
    idxs = [_mode_index(row) for row in flat]
    shape = a.shape[:-1]
    it = _on_host_device(np.array(idxs, np.int64).reshape(shape), input).unsqueeze(d)
    # the values gathered from the input at the indices found on the host: differentiable
    # (PyTorch's ModeBackward), forward-mode AD included
    vt = input.gather(d, it)
    if not keepdim:
        vt, it = vt.squeeze(d), it.squeeze(d)
    return return_type("mode")(vt, it)


def count_nonzero(input, dim=None):
    return sum(input != 0, dim)


def _no_derivative(name, input, values):
    """values as PyTorch's output of an op without a derivative: it requires grad where the
    input does, and a backward (or forward-mode AD) through it raises."""
    from .._core.autograd import FORWARD_AD
    if FORWARD_AD[0]:
        from ..autograd.forward_ad import tangent_of
        if tangent_of(input) is not None:
            raise NotImplementedError(f"Trying to use forward AD with {name} that does not "
                                      "support it because it has not been implemented yet.")
    if not (input.requires_grad and grad_mode.state.enabled):
        return values
    return _pass_through().apply(input, values, no_derivative_error(name))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    _not_implemented("unique", input, _COMPLEX)
    a = np.asarray(input.detach()._data)
    if dim is None:
        u, inv, cnt = np.unique(a.reshape(-1), return_inverse=True, return_counts=True)
        inv = inv.reshape(a.shape)
    else:
        if input.dim() == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        d = _wrap_dim(dim, input.dim())
        if a.size == 0 and a.shape[d] != 0:
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique "
                               "cannot be applied")
        u, inv, cnt = np.unique(a, return_inverse=True, return_counts=True, axis=d)
        inv = inv.reshape(-1)
    res = [_no_derivative("_unique2" if dim is None else "unique_dim", input,
                          _on_host_device(u, input))]
    if return_inverse:
        res.append(_on_host_device(inv.astype(np.int64), input))
    if return_counts:
        res.append(_on_host_device(cnt.astype(np.int64), input))
    return res[0] if len(res) == 1 else tuple(res)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    if input.dtype.is_complex:
        from .registry import _scalar_type_name
        raise NotImplementedError(f"\"unique\" not implemented for "
                                  f"'{_scalar_type_name(input.dtype)}'")
    a = np.asarray(input.detach()._data)
    if dim is None:
        flat = a.reshape(-1)
        if flat.size == 0:
            keep = np.zeros(0, bool)
        else:
            keep = np.concatenate([[True], flat[1:] != flat[:-1]])
        u = flat[keep]
        grp = np.cumsum(keep) - 1
        inv = grp.reshape(a.shape)
        cnt = np.bincount(grp, minlength=len(u)) if flat.size else np.zeros(0, np.int64)
    else:
        d = _wrap_dim(dim, input.dim())
        m = np.moveaxis(a, d, 0)
        keep = np.concatenate([[True], np.any((m[1:] != m[:-1]).reshape(m.shape[0] - 1, -1), axis=1)]) if m.shape[0] else np.zeros(0, bool)
        u = np.moveaxis(m[keep], 0, d)
        inv = np.cumsum(keep) - 1
        cnt = np.bincount(inv, minlength=int(keep.sum()))
    res = [_no_derivative("unique_consecutive", input, _on_host_device(u, input))]
    if return_inverse:
        res.append(_on_host_device(inv.astype(np.int64), input))
    if return_counts:
        res.append(_on_host_device(cnt.astype(np.int64), input))
    return res[0] if len(res) == 1 else tuple(res)


@op(tensor_args=("input", "weights"), method=False, name="_bincount")
def _bincount(input, weights, length):
    return jnp.bincount(input, weights, length=length)


def bincount(input, weights=None, minlength=0):
    if input.dtype in _NOT_INTEGRAL:  # (refused on empty input too)
        from .registry import _scalar_type_name
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for "
                                  f"'{_scalar_type_name(input.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if input.dim() != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    a = np.asarray(input._data)
    if a.size and a.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    length = builtins.max(int(a.max()) + 1 if a.size else 0, minlength)
    if weights is not None and (weights.dim() != 1 or weights.shape[0] != input.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    if weights is not None and weights.dtype is not _dt.float32:
        weights = weights.to(_dt.float64)  # (PyTorch counts in double unless weights are float)
    r = _bincount(input, weights, length)
    if weights is None:
        return r.to(_dt.int64)
    return r


def histc(input, bins=100, min=0, max=0):
    if input.dtype._cat == _dt._INT:  # (min and max are converted to the input's type first)
        info = np.iinfo(input.dtype._np)
        for v in (min, max):
            if not info.min <= v <= info.max:
                from .registry import _CONVERT_NAMES
                raise RuntimeError(f"value cannot be converted to type "
                                   f"{_CONVERT_NAMES[input.dtype._name]} without overflow")
    _not_implemented("histogram_cpu", input, _NOT_FLOATING)
    a = np.asarray(input.detach()._data)
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    h, _ = np.histogram(a, bins=bins, range=(lo, hi))
    return _on_host_device(h.astype(a.dtype), input)


@op(tensor_args=("sorted_sequence", "input"), method=False, name="_searchsorted")
def _searchsorted(sorted_sequence, input, right, out_int32):
    if sorted_sequence.ndim == 1:
        r = _bisect(sorted_sequence, input, right)
    else:
        f = jax.vmap(lambda s, v: _bisect(s, v, right))
        r = f(sorted_sequence.reshape(-1, sorted_sequence.shape[-1]),
              input.reshape(-1, input.shape[-1])).reshape(input.shape)
    return r.astype(jnp.int32 if out_int32 else jnp.int64)


def _bisect(seq, v, right):
    """PyTorch's binary search, comparison for comparison: lower bound moves right while
    !(seq[mid] >= v), upper bound while !(seq[mid] > v) (so a NaN behaves as PyTorch's, not
    as jnp.searchsorted's largest value)."""
    n = seq.shape[0]
    dt = jnp.result_type(seq.dtype, v.dtype)
    seq, v = seq.astype(dt), v.astype(dt)
    start = jnp.zeros(v.shape, jnp.int64)
    end = jnp.full(v.shape, n, jnp.int64)
    for _ in range(n.bit_length()):  # (none for an empty sequence: everything goes at 0)
        active = start < end
        mid = start + ((end - start) >> 1)
        m = seq[jnp.clip(mid, 0, n - 1)]
        go = ~(m > v) if right else ~(m >= v)
        start = jnp.where(active & go, mid + 1, start)
        end = jnp.where(active & ~go, mid, end)
    return start


def _empty_search(input, out_int32):
    from .creation import zeros
    return zeros(tuple(input.shape), dtype=_dt.int32 if out_int32 else _dt.int64,
                 device=input.device)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None,
                 out=None):
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    if not isinstance(input, Tensor):
        from .creation import tensor
        # PyTorch compares a Python float as a double: never truncated to an integral sequence's
        input = tensor(input, dtype=_dt.float64 if isinstance(input, float) and not
                       sorted_sequence.dtype.is_floating_point else sorted_sequence.dtype)
    _check_search_out(out, out_int32)
    _check_boundaries(sorted_sequence, input)
    if sorter is not None:
        _check_sorter(sorted_sequence, sorter)
    _no_bool_search(sorted_sequence, input)
    if input.numel() == 0:
        return _search_result(_empty_search(input, out_int32), out)
    if sorter is not None:
        from .indexing import gather
        sorted_sequence = gather(sorted_sequence, -1, sorter)
    return _search_result(_searchsorted(sorted_sequence, input, right, out_int32), out)


def _check_search_out(out, out_int32):
    if out is not None and out.dtype is not (_dt.int32 if out_int32 else _dt.int64):
        from .registry import _scalar_type_name
        raise RuntimeError(f"torch.searchsorted(): output tensor's dtype is wrong, it can only be "
                           f"Int(int32) or Long(int64) depending on whether out_int32 flag is "
                           f"True, but we got output tensor's dtype "
                           f"{_scalar_type_name(out.dtype)} and out_int32 flag is "
                           f"{'True' if out_int32 else 'False'}")


def _search_result(r, out):
    if out is None:
        return r
    from .registry import write_out
    return write_out(out, r)


def _check_sorter(seq, sorter):
    if sorter.dtype is not _dt.int64:
        from .registry import _scalar_type_name
        raise RuntimeError(f"torch.searchsorted(): sorter must be a tensor of long dtype but got "
                           f"dtype {_scalar_type_name(sorter.dtype)}")
    if tuple(sorter.shape) != tuple(seq.shape):
        raise RuntimeError(f"torch.searchsorted(): boundary and sorter must have the same size, "
                           f"but got boundary tensor {list(seq.shape)}and got sorter tensor "
                           f"{list(sorter.shape)}")
    if sorter.numel() and builtins.bool(((sorter < 0) | (sorter >= seq.shape[-1])).any()):
        raise RuntimeError("torch.searchsorted(): sorter index out of range")


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    if not isinstance(input, Tensor):
        from .creation import tensor
        input = tensor(input)
    if boundaries.dim() != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got "
                           f"dim({boundaries.dim()})")
    _no_bool_search(boundaries, input)
    _check_search_out(out, out_int32)
    return _search_result(_searchsorted(boundaries, input, right, out_int32), out)


def _no_bool_search(seq, input):
    if seq.dtype is _dt.bool and input.dtype is _dt.bool and input.numel():
        raise NotImplementedError("\"searchsorted_out_cpu\" not implemented for 'Bool'")


def _check_boundaries(seq, input):
    if seq.dim() == 0:
        if input.dim() == 0:
            raise RuntimeError(f"torch.searchsorted(): input value can be a scalar only when "
                               f"boundaries tensor dimension is 1, but we got boundaries tensor "
                               f"dim(0) and input value's dim(0) numel({input.numel()})")
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    if seq.dim() > 1 and (input.dim() != seq.dim() or input.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or "
                           f"the first N-1 dimensions of boundaries tensor and input value tensor "
                           f"must match, but we got boundaries tensor {list(seq.shape)} and input "
                           f"value tensor {list(input.shape)}")


@op(tensor_args=("input", "prepend", "append"), method=False, name="_diff")
def _diff(input, n, dim, prepend, append):
    return jnp.diff(input, n=n, axis=dim, prepend=prepend, append=append)


def diff(input, n=1, dim=-1, prepend=None, append=None, *, out=None):
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, input.dim())
    for t in (prepend, append):
        if t is None:
            continue
        if t.dim() != input.dim():
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        for i in range(input.dim()):
            if i != d and t.shape[i] != input.shape[i]:
                raise RuntimeError(f"diff expects the shape of tensor to prepend or append to "
                                   f"match that of input except along the differencing "
                                   f"dimension; input.size({i}) = {input.shape[i]}, but got "
                                   f"tensor.size({i}) = {t.shape[i]}")
    return _diff(input, n, d, prepend, append, out=out)


@op()
def trace(input):
    if input.dtype == jnp.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    if input.ndim != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim " + str(input.ndim))
    return jnp.trace(input).astype(jnp.int64 if not jnp.issubdtype(input.dtype, jnp.inexact) else input.dtype)


for _n in ("sum", "nansum", "mean", "nanmean", "prod", "var", "std", "amax", "amin", "aminmax",
           "max", "min", "argmax", "argmin", "all", "any", "logsumexp", "norm", "cumsum",
           "cumprod", "logcumsumexp", "cummax", "cummin", "sort", "argsort", "msort", "topk",
           "kthvalue", "median", "nanmedian", "mode", "count_nonzero", "unique",
           "unique_consecutive", "bincount", "histc", "diff"):
    setattr(Tensor, _n, globals()[_n])


def _sum_method(self, *args, **kwargs):
    """Tensor.sum: `x.sum()` (the loss-code hot path) straight to the op's short path."""
    if not args and not kwargs and not _ac.state.modes:
        r = _SUM._roots_call(self)
        if r is not None:
            return r
    return sum(self, *args, **kwargs)


Tensor.sum = _sum_method


def _cumsum_(self, dim, *, dtype=None):
    _wrap_dim(dim, self.dim())
    if self.dtype is _dt.bool and self.numel():
        raise NotImplementedError("\"cumsum_out_cpu\" not implemented for 'Bool'")
    self._set_data(cumsum(self.detach(), dim, dtype=dtype)._data.astype(self.dtype._np))
    return self


Tensor.cumsum_ = _cumsum_


@op(tensor_args=("y", "x"), method=False, name="_trapezoid")
def _trapezoid(y, x, dx, dim, cumulative):
    if not jnp.issubdtype(y.dtype, jnp.inexact):
        y = y.astype(jnp.float32)
    n = y.shape[dim]
    a = jax.lax.slice_in_dim(y, 1, n, axis=dim)
    b = jax.lax.slice_in_dim(y, 0, n - 1, axis=dim)
    if x is None:
        seg = (a + b) * (dx / 2)
    else:
        d = jnp.diff(x, axis=dim if x.ndim == y.ndim else -1)
        if x.ndim == 1:
            shape = [1] * y.ndim
            shape[dim] = n - 1
            d = d.reshape(shape)
        seg = (a + b) * d / 2
    return jnp.cumsum(seg, axis=dim) if cumulative else jnp.sum(seg, axis=dim)


def _no_bool_trapezoid(name, y, x):
    if y.dtype is _dt.bool or x is not None and x.dtype is _dt.bool:
        what = "`y`" if x is None else "`x` or `y`"
        raise RuntimeError(f"{name}: received a bool input for {what}, but bool is not supported")


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """torch.trapezoid."""
    d = _wrap_dim(dim, y.dim())
    if y.shape[d] == 0:  # (PyTorch's early return: zeros of y's own dtype, bool included)
        from .creation import zeros
        shape = list(y.shape)
        del shape[d]
        return zeros(shape, dtype=y.dtype)
    _no_bool_trapezoid("trapezoid", y, x)
    return _trapezoid(y, x, 1.0 if dx is None else float(dx), d, False)


trapz = trapezoid


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """torch.cumulative_trapezoid."""
    _no_bool_trapezoid("cumulative_trapezoid", y, x)
    d = _wrap_dim(dim, y.dim())
    if y.shape[d] == 0:  # no interval to integrate: an empty result, as PyTorch's
        from .creation import zeros
        return zeros(tuple(y.shape), dtype=y.dtype if y.dtype.is_floating_point or
                     y.dtype.is_complex else _dt.get_default_dtype(), device=y.device)
    return _trapezoid(y, x, 1.0 if dx is None else float(dx), d, True)


@op(tensor_args=("elements", "test_elements"), method=False, name="_isin")
def _isin(elements, test_elements, invert):
    r = jnp.isin(elements, test_elements)
    return ~r if invert else r


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """torch.isin."""
    for t in (elements, test_elements):
        d = t.dtype if isinstance(t, Tensor) else _dt.scalar_dtype(t)
        if d is _dt.bool or d.is_complex:
            from .registry import _scalar_type_name
            raise RuntimeError(f"Unsupported input type encountered for isin(): "
                               f"{_scalar_type_name(d)}")
    return _isin(elements, test_elements, invert)


_COMPLEX = (_dt.complex64, _dt.complex128)
_NOT_INTEGRAL = (_dt.bool, _dt.float16, _dt.bfloat16, _dt.float32, _dt.float64) + _COMPLEX
_NOT_FLOATING = (_dt.bool, _dt.uint8, _dt.int8, _dt.int16, _dt.int32, _dt.int64) + _COMPLEX
