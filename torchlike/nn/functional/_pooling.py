"""Pooling: max/avg/lp pools, adaptive pools and max_unpool (lax.reduce_window and gathers)."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from torchlike._ops.registry import op

from ._common import float_only
from ._loss import _concrete

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool2d_with_indices",
    "max_pool3d",
    "max_pool3d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
]


def _tuple(x, n):
    if isinstance(x, (tuple, list)):
        if len(x) == 1:
            return (int(x[0]),) * n
        return tuple(int(v) for v in x)
    return (int(x),) * n


def _pool_out_size(size, k, s, p, d, ceil_mode):
    num = size + 2 * p - d * (k - 1) - 1
    out = (-(-num // s) if ceil_mode else num // s) + 1
    # the last window must start inside the input or the left padding
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_params(name, n, input, kernel_size, stride, padding, dilation, ceil_mode):
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(
            f"{name}: Expected {n + 1}D or {n + 2}D (batch mode) tensor for input, "
            f"but got: {input.ndim}D"
        )
    k = _tuple(kernel_size, n)
    s = (
        k
        if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
        else _tuple(stride, n)
    )
    p = _tuple(padding, n)
    d = _tuple(dilation, n)
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{name}: kernel_size must be greater than zero")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"{name}: stride must be greater than zero")
    for pi, ki, di in zip(p, k, d):
        if pi > (di * (ki - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={pi}, "
                f"kernel_size={ki} and dilation={di}"
            )
    spatial = input.shape[-n:]
    out = tuple(
        _pool_out_size(L, ki, si, pi, di, ceil_mode)
        for L, ki, si, pi, di in zip(spatial, k, s, p, d)
    )
    if any(o <= 0 for o in out):
        raise RuntimeError(
            f"Given input size: ({'x'.join(str(v) for v in input.shape[-n - 1 :])}). Calculated "
            f"output size: ({'x'.join(str(v) for v in (input.shape[-n - 1],) + out)}). "
            "Output size is too small"
        )
    # extra right padding so that ceil_mode's last partial window is computed
    pads = [
        (pi, max(0, (o - 1) * si + di * (ki - 1) + 1 - L - pi))
        for L, o, ki, si, pi, di in zip(spatial, out, k, s, p, d)
    ]
    return k, s, p, d, out, pads


def _window_indices(size, out, k, s, p, d):
    """(out, k) input positions of each window element, and whether each is inside the input."""
    idx = np.arange(out)[:, None] * s - p + np.arange(k)[None, :] * d
    return idx, (idx >= 0) & (idx < size)


def _gather_windows(x, n, per_dim):
    """x: (B, *spatial). Returns (B, out_numel, K) values, flat input indices and validity."""
    spatial = x.shape[1:]
    flat_idx = np.zeros((1, 1), np.int64)
    valid = np.ones((1, 1), bool)
    for (idx, ok), L in zip(per_dim, spatial):
        flat_idx = (flat_idx[:, None, :, None] * L + idx[None, :, None, :]).reshape(
            flat_idx.shape[0] * idx.shape[0], -1
        )
        valid = (valid[:, None, :, None] & ok[None, :, None, :]).reshape(flat_idx.shape)
    safe = np.where(valid, flat_idx, 0)
    xf = x.reshape(x.shape[0], -1)
    vals = jnp.take(xf, jnp.asarray(safe.reshape(-1)), axis=1).reshape((x.shape[0],) + safe.shape)
    return vals, flat_idx, valid


def _max_over_windows(x, n, per_dim, out_shape):
    lead = x.shape[:-n]
    xb = x.reshape((-1,) + x.shape[-n:])
    vals, flat_idx, valid = _gather_windows(xb, n, per_dim)
    neg = (
        jnp.array(-jnp.inf, x.dtype)
        if jnp.issubdtype(x.dtype, jnp.floating)
        else jnp.iinfo(x.dtype).min
    )
    vals = jnp.where(jnp.asarray(valid)[None], vals, neg)
    # torch keeps the first maximum (and propagates NaN); argmax does both
    am = jnp.argmax(
        jnp.where(jnp.isnan(vals), jnp.inf, vals)
        if jnp.issubdtype(x.dtype, jnp.floating)
        else vals,
        axis=-1,
    )
    out = jnp.take_along_axis(vals, am[..., None], axis=-1)[..., 0]
    indices = jnp.take_along_axis(jnp.asarray(flat_idx)[None], am[..., None], axis=-1)[..., 0]
    return out.reshape(lead + out_shape), indices.reshape(lead + out_shape).astype(jnp.int64)


def _max_pool(n, name, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    k, s, p, d, out, pads = _pool_params(
        name, n, input, kernel_size, stride, padding, dilation, ceil_mode
    )
    # XLA's max-pool gradient does not support window dilation: use the gather form there
    if return_indices or any(di != 1 for di in d):
        per_dim = [
            _window_indices(L, o, ki, si, pi, di)
            for L, o, ki, si, pi, di in zip(input.shape[-n:], out, k, s, p, d)
        ]
        res, indices = _max_over_windows(input, n, per_dim, out)
        return (res, indices) if return_indices else res
    lead = input.ndim - n
    init = -jnp.inf if jnp.issubdtype(input.dtype, jnp.floating) else jnp.iinfo(input.dtype).min
    return lax.reduce_window(
        input,
        np.array(init, input.dtype),
        lax.max,
        window_dimensions=(1,) * lead + k,
        window_strides=(1,) * lead + s,
        padding=((0, 0),) * lead + tuple(pads),
        window_dilation=(1,) * lead + d,
    )


@op(tensor_args=("input",), method=False, name="nn_max_pool1d")
def _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    return _max_pool(
        1, "max_pool1d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


@op(tensor_args=("input",), method=False, name="nn_max_pool2d")
def _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    return _max_pool(
        2, "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


@op(tensor_args=("input",), method=False, name="nn_max_pool3d")
def _max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    return _max_pool(
        3, "max_pool3d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def max_pool1d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """1-D max pooling (returns (output, indices) when return_indices=True)."""
    return _max_pool1d(
        input, kernel_size, stride, padding, dilation, ceil_mode, bool(return_indices)
    )


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """2-D max pooling (returns (output, indices) when return_indices=True)."""
    return _max_pool2d(
        input, kernel_size, stride, padding, dilation, ceil_mode, bool(return_indices)
    )


def max_pool3d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """3-D max pooling (returns (output, indices) when return_indices=True)."""
    return _max_pool3d(
        input, kernel_size, stride, padding, dilation, ceil_mode, bool(return_indices)
    )


def max_pool1d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """1-D max pooling returning (output, indices)."""
    return _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """2-D max pooling returning (output, indices)."""
    return _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """3-D max pooling returning (output, indices)."""
    return _max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_pool(
    n, name, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
):
    k, s, p, _d, _out, pads = _pool_params(
        name, n, input, kernel_size, stride, padding, 1, ceil_mode
    )
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    lead = input.ndim - n
    win = {
        "window_dimensions": (1,) * lead + k,
        "window_strides": (1,) * lead + s,
        "padding": ((0, 0),) * lead + tuple(pads),
    }
    summed = lax.reduce_window(input, np.array(0, input.dtype), lax.add, **win)
    integer = not jnp.issubdtype(input.dtype, jnp.inexact)
    if divisor_override is not None:
        if integer:  # aten divides integers in their own type (truncating)
            return lax.div(summed, np.array(divisor_override, input.dtype))
        return summed / divisor_override
    spatial = input.shape[-n:]
    if count_include_pad:
        # windows count the explicit padding but not ceil_mode's overhang beyond it
        ones = np.ones(tuple(L + 2 * pi for L, pi in zip(spatial, p)))
        cpads = [(0, hi - pi) for (pi, hi) in pads]
    else:
        ones = np.ones(spatial)
        cpads = pads
    counts = _np_window_count(ones, k, s, cpads)
    if integer:
        return lax.div(summed, jnp.broadcast_to(jnp.asarray(counts, input.dtype), summed.shape))
    return summed / jnp.asarray(counts, input.dtype)


def _np_window_count(ones, k, s, pads):
    """Number of elements of `ones` under each window (a static numpy computation)."""
    counts = ones
    for ax, (ki, si, (lo, hi)) in enumerate(zip(k, s, pads)):
        L = counts.shape[ax]
        padded = np.pad(
            counts, [(0, 0)] * ax + [(lo, max(hi, 0))] + [(0, 0)] * (counts.ndim - ax - 1)
        )
        if hi < 0:
            padded = np.take(padded, np.arange(lo + L + hi), axis=ax)
        c = np.cumsum(padded, axis=ax)
        c = np.concatenate([np.zeros_like(np.take(c, [0], axis=ax)), c], axis=ax)
        n_out = (padded.shape[ax] - ki) // si + 1
        starts = np.arange(n_out) * si
        counts = np.take(c, starts + ki, axis=ax) - np.take(c, starts, axis=ax)
    return counts


@op(tensor_args=("input",), method=False)
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling."""
    return _avg_pool(
        1, "avg_pool1d", input, kernel_size, stride, padding, ceil_mode, count_include_pad, None
    )


@op(tensor_args=("input",), method=False)
def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """2-D average pooling."""
    return _avg_pool(
        2,
        "avg_pool2d",
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


@op(tensor_args=("input",), method=False)
def avg_pool3d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """3-D average pooling."""
    return _avg_pool(
        3,
        "avg_pool3d",
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


def _adaptive_sizes(name, n, input, output_size):
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(
            f"{name}(): Expected {n + 1}D or {n + 2}D tensor, but got {list(input.shape)}"
        )
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != n:
            raise (
                ValueError(f"{name}: output_size must be {n}, but got {len(output_size)}")
                if n > 1
                else RuntimeError(f"{name}: output_size must be 1")
            )
        outs = output_size
    else:
        outs = (output_size,) * n
    spatial = input.shape[-n:]
    return tuple(L if o is None else int(o) for o, L in zip(outs, spatial))


def _adaptive_bounds(L, o):
    i = np.arange(o)
    start = (i * L) // o
    end = -((-(i + 1) * L) // o)
    return start, end


def _adaptive_avg(n, name, input, output_size):
    float_only(name, input)
    out = _adaptive_sizes(name, n, input, output_size)
    for ax, (L, o) in enumerate(zip(input.shape[-n:], out)):
        start, end = _adaptive_bounds(L, o)
        m = np.zeros((o, L))
        for j in range(o):
            m[j, start[j] : end[j]] = 1.0 / (end[j] - start[j])
        axis = input.ndim - n + ax
        moved = jnp.moveaxis(input, axis, -1)
        moved = jnp.matmul(moved, jnp.asarray(m.T, input.dtype), precision=lax.Precision.HIGHEST)
        input = jnp.moveaxis(moved, -1, axis)
    return input


@op(tensor_args=("input",), method=False)
def adaptive_avg_pool1d(input, output_size):
    """1-D adaptive average pooling."""
    return _adaptive_avg(1, "adaptive_avg_pool1d", input, output_size)


@op(tensor_args=("input",), method=False)
def adaptive_avg_pool2d(input, output_size):
    """2-D adaptive average pooling."""
    return _adaptive_avg(2, "adaptive_avg_pool2d", input, output_size)


@op(tensor_args=("input",), method=False)
def adaptive_avg_pool3d(input, output_size):
    """3-D adaptive average pooling."""
    return _adaptive_avg(3, "adaptive_avg_pool3d", input, output_size)


def _adaptive_max(n, name, input, output_size, return_indices):
    float_only(name, input)
    out = _adaptive_sizes(name, n, input, output_size)
    per_dim = []
    for L, o in zip(input.shape[-n:], out):
        start, end = _adaptive_bounds(L, o)
        kmax = int((end - start).max())
        idx = start[:, None] + np.arange(kmax)[None, :]
        per_dim.append((np.minimum(idx, L - 1), idx < end[:, None]))
    res, indices = _max_over_windows(input, n, per_dim, out)
    return (res, indices) if return_indices else res


@op(tensor_args=("input",), method=False, name="nn_adaptive_max_pool1d")
def _adaptive_max_pool1d(input, output_size, return_indices):
    return _adaptive_max(1, "adaptive_max_pool1d", input, output_size, return_indices)


@op(tensor_args=("input",), method=False, name="nn_adaptive_max_pool2d")
def _adaptive_max_pool2d(input, output_size, return_indices):
    return _adaptive_max(2, "adaptive_max_pool2d", input, output_size, return_indices)


@op(tensor_args=("input",), method=False, name="nn_adaptive_max_pool3d")
def _adaptive_max_pool3d(input, output_size, return_indices):
    return _adaptive_max(3, "adaptive_max_pool3d", input, output_size, return_indices)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """1-D adaptive max pooling."""
    return _adaptive_max_pool1d(input, output_size, bool(return_indices))


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """2-D adaptive max pooling."""
    return _adaptive_max_pool2d(input, output_size, bool(return_indices))


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """3-D adaptive max pooling."""
    return _adaptive_max_pool3d(input, output_size, bool(return_indices))


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """1-D adaptive max pooling returning (output, indices)."""
    return _adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """2-D adaptive max pooling returning (output, indices)."""
    return _adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """3-D adaptive max pooling returning (output, indices)."""
    return _adaptive_max_pool3d(input, output_size, True)


@op(tensor_args=("input",), method=False, name="nn_lp_pool")
def _lp_pool(input, n, norm_type, kernel_size, stride, ceil_mode):
    k = _tuple(kernel_size, n)
    avg = _avg_pool(n, f"lp_pool{n}d", input**norm_type, k, stride, 0, ceil_mode, True, None)
    avg = jnp.sign(avg) * jnp.maximum(jnp.abs(avg), 0) * math.prod(k)
    return avg ** (1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """1-D power-average pooling."""
    return _lp_pool(input, 1, float(norm_type), kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-D power-average pooling."""
    return _lp_pool(input, 2, float(norm_type), kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3-D power-average pooling."""
    return _lp_pool(input, 3, float(norm_type), kernel_size, stride, ceil_mode)


def _unpool_output_size(n, input_shape, kernel_size, stride, padding, output_size):
    k = _tuple(kernel_size, n)
    s = k if stride is None else _tuple(stride, n)
    p = _tuple(padding, n)
    default = tuple((input_shape[-n + i] - 1) * s[i] + k[i] - 2 * p[i] for i in range(n))
    if output_size is None:
        return default
    output_size = tuple(int(v) for v in output_size)
    if len(output_size) == n + 2:
        output_size = output_size[2:]
    elif len(output_size) == n + 1:
        output_size = output_size[1:]
    if len(output_size) != n:
        raise ValueError(
            f"output_size should be a sequence containing {n} or {n + 2} elements, but it has a "
            f"length of '{len(output_size)}'"
        )
    for i in range(n):
        lo, hi = default[i] - s[i], default[i] + s[i]
        if not (lo < output_size[i] < hi):
            raise ValueError(
                f'invalid output_size "{list(output_size)}" (dim {i} must be between {lo} and {hi})'
            )
    return output_size


@op(tensor_args=("input", "indices"), method=False, name="nn_max_unpool")
def _max_unpool(input, indices, out_spatial):
    float_only("max_unpool2d", input)
    n = len(out_spatial)
    lead = input.shape[:-n]
    x = input.reshape(lead + (-1,))
    idx = indices.reshape(lead + (-1,))
    numel = math.prod(out_spatial)
    xb = x.reshape(-1, x.shape[-1])
    ib = idx.reshape(-1, idx.shape[-1])
    fb = _unpool_scatter(xb, ib, numel)
    return fb.reshape(lead + tuple(out_spatial))


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _unpool_scatter(xb, ib, numel):
    rows = jnp.arange(xb.shape[0])[:, None]
    return jnp.zeros((xb.shape[0], numel), xb.dtype).at[rows, ib].set(xb, mode="drop")


def _unpool_scatter_fwd(xb, ib, numel):
    return _unpool_scatter(xb, ib, numel), ib


def _unpool_scatter_bwd(numel, ib, g):
    # aten's backward gathers grad_output at the indices: an index that several pooled values
    # share (overlapping windows) sends its gradient to each of them, not just the one written
    return jnp.take_along_axis(g, ib, axis=1, mode="fill", fill_value=0), None


_unpool_scatter.defvjp(_unpool_scatter_fwd, _unpool_scatter_bwd)


def _max_unpool_n(n, input, indices, kernel_size, stride, padding, output_size):
    if input.dim() not in (n + 1, n + 2):
        raise RuntimeError(
            f"max_unpool{n}d: Expected input to be {n + 1}D or {n + 2}D, but got {input.dim()}D"
        )
    out = _unpool_output_size(n, tuple(input.shape), kernel_size, stride, padding, output_size)
    idx = _concrete(indices)  # None when traced or on an accelerator: then no check
    if idx is not None and idx.size and (idx.min() < 0 or idx.max() >= math.prod(out)):
        bad = idx.max() if idx.max() >= math.prod(out) else idx.min()
        raise RuntimeError(
            f"Found an invalid max index: {bad} (output volumes are of size "
            f"{'x'.join(str(o) for o in out)})"
        )
    return _max_unpool(input, indices, out)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d."""
    return _max_unpool_n(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d."""
    return _max_unpool_n(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool3d."""
    return _max_unpool_n(3, input, indices, kernel_size, stride, padding, output_size)


# ---- fractional max pooling -------------------------------------------------------------------


@op(tensor_args=("input", "samples"), method=False, name="nn_fractional_max_pool")
def _fractional_max_pool(input, samples, kernel_size, output_size):
    n = len(kernel_size)
    unbatched = input.ndim == n + 1
    x = input[None] if unbatched else input
    nb, c = x.shape[:2]
    spatial = x.shape[2:]
    # aten's generate_intervals, in the input's precision; samples[..., 0] is the last dim for
    # 2-d pooling (W, H) and the first for 3-d pooling (T, H, W)
    order = [1, 0] if n == 2 else list(range(n))
    u_all = samples.astype(x.dtype)
    flat = jnp.zeros((nb, c, 1, 1), jnp.int64)
    for d in range(n):
        L, o, k = spatial[d], output_size[d], kernel_size[d]
        u = u_all[:, :, order[d]][..., None]
        i = jnp.arange(o - 1, dtype=x.dtype)
        if o > 1:
            alpha = jnp.asarray(L - k, x.dtype) / jnp.asarray(o - 1, x.dtype)
            seq = ((i + u) * alpha).astype(jnp.int64) - (u * alpha).astype(jnp.int64)
            starts = jnp.concatenate([seq, jnp.full((nb, c, 1), L - k, jnp.int64)], axis=-1)
        else:
            starts = jnp.full((nb, c, o), L - k, jnp.int64)
        idx = starts[..., None] + jnp.arange(k)  # (nb, c, o, k)
        # combine with the earlier dims: positions (.., O_prev*o, K_prev*k)
        flat = (flat[:, :, :, None, :, None] * L + idx[:, :, None, :, None, :]).reshape(
            nb, c, flat.shape[2] * o, flat.shape[3] * k
        )
    xf = x.reshape(nb, c, 1, -1)
    vals = jnp.take_along_axis(xf, flat.reshape(nb, c, 1, -1), axis=-1).reshape(flat.shape)
    key = (
        jnp.where(jnp.isnan(vals), jnp.inf, vals) if jnp.issubdtype(x.dtype, jnp.floating) else vals
    )
    am = jnp.argmax(key, axis=-1)[..., None]
    out = jnp.take_along_axis(vals, am, axis=-1)[..., 0].reshape((nb, c) + tuple(output_size))
    ind = jnp.take_along_axis(flat, am, axis=-1)[..., 0].reshape((nb, c) + tuple(output_size))
    if unbatched:
        out, ind = out[0], ind[0]
    return out, ind


def _fractional(
    n, name, input, kernel_size, output_size, output_ratio, return_indices, _random_samples
):
    import torchlike as torch

    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if input.dim() not in (n + 1, n + 2):
        raise RuntimeError(
            f"{name}(): Expected {n + 1}D or {n + 2}D tensor, but got: {list(input.shape)}"
        )
    k = _tuple(kernel_size, n)
    if output_size is None:
        if isinstance(output_ratio, (tuple, list)):
            ratio = tuple(output_ratio) if len(output_ratio) == n else tuple(output_ratio) * n
        else:
            ratio = (output_ratio,) * n
        output_size = [int(input.size(-n + i) * ratio[i]) for i in range(n)]
    output_size = _tuple(output_size, n)
    for i in range(n):
        if output_size[i] + k[i] - 1 > input.size(-n + i):
            raise RuntimeError(
                f"{name}(): pool size {k[i]} too large relative to input size "
                f"{input.size(-n + i)} and output size {output_size[i]}"
            )
    if _random_samples is None:
        n_batch = 1 if input.dim() == n + 1 else input.size(0)
        _random_samples = torch.rand(
            n_batch, input.size(-n - 1), n, dtype=input.dtype, device=input.device
        )
    out, ind = _fractional_max_pool(input, _random_samples, k, output_size)
    return (out, ind) if return_indices else out


def fractional_max_pool2d(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices=False,
    _random_samples=None,
):
    """2-D fractional max pooling (pseudo-random window starts)."""
    return _fractional(
        2,
        "fractional_max_pool2d",
        input,
        kernel_size,
        output_size,
        output_ratio,
        return_indices,
        _random_samples,
    )


def fractional_max_pool3d(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices=False,
    _random_samples=None,
):
    """3-D fractional max pooling (pseudo-random window starts)."""
    return _fractional(
        3,
        "fractional_max_pool3d",
        input,
        kernel_size,
        output_size,
        output_ratio,
        return_indices,
        _random_samples,
    )


def fractional_max_pool2d_with_indices(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices=False,
    _random_samples=None,
):
    """2-D fractional max pooling returning (output, indices)."""
    return fractional_max_pool2d(
        input, kernel_size, output_size, output_ratio, True, _random_samples
    )


def fractional_max_pool3d_with_indices(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices=False,
    _random_samples=None,
):
    """3-D fractional max pooling returning (output, indices)."""
    return fractional_max_pool3d(
        input, kernel_size, output_size, output_ratio, True, _random_samples
    )


__all__ += [
    "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices",
]
