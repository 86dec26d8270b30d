"""Spatial functionals: pad, interpolate, grid_sample, affine_grid, pixel/channel shuffle,
unfold and fold."""

import math
import numbers

import jax.numpy as jnp
import numpy as np
from jax import lax

from torchlike._ops.registry import op

from ._common import float_only
from ._pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

__all__ = [
    "affine_grid",
    "channel_shuffle",
    "fold",
    "grid_sample",
    "interpolate",
    "native_channel_shuffle",
    "pad",
    "pixel_shuffle",
    "pixel_unshuffle",
    "unfold",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
]


# ---- pad ------------------------------------------------------------------------------------

_NONCONST_HELP = (
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
)


@op(tensor_args=("input",), method=False, name="nn_pad")
def _pad(input, pad, mode, value):
    n = len(pad) // 2
    widths = [(0, 0)] * (input.ndim - n)
    for i in range(n):
        # pad lists the last dimension first
        widths.append((pad[2 * (n - 1 - i)], pad[2 * (n - 1 - i) + 1]))
    if mode == "constant":
        pos = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
        out = jnp.pad(input, pos, mode="constant", constant_values=jnp.asarray(value, input.dtype))
        # negative padding crops
        sl = tuple(
            slice(-min(lo, 0), out.shape[d] + min(hi, 0)) for d, (lo, hi) in enumerate(widths)
        )
        return out[sl]
    jmode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    if mode == "circular":
        # torch's circular pad also accepts negative widths (a crop before wrapping)
        pos = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
        sl = tuple(
            slice(-min(lo, 0), input.shape[d] + min(hi, 0)) for d, (lo, hi) in enumerate(widths)
        )
        out = jnp.pad(input[sl], pos, mode="wrap")
        return out
    # reflect/replicate: negative widths crop the padded result (aten pads, then narrows)
    pos = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
    out = jnp.pad(input, pos, mode=jmode)
    sl = tuple(slice(-min(lo, 0), out.shape[d] + min(hi, 0)) for d, (lo, hi) in enumerate(widths))
    return out[sl]


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad)//2 dimensions (constant, reflect, replicate or circular)."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension "
            f"but got padding length {len(pad)} and input of dimension {input.dim()}"
        )
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode == "constant":
        for i in range(len(pad) // 2):
            if input.shape[-1 - i] + pad[2 * i] + pad[2 * i + 1] < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return _pad(input, pad, mode, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    n = len(pad) // 2
    if n > 3 or input.dim() not in (n + 1, n + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            + _NONCONST_HELP
        )
    for i in range(n):
        dim = input.dim() - 1 - i
        size = input.shape[dim]
        lo, hi = pad[2 * i], pad[2 * i + 1]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input dimension, "
                f"but got: padding ({lo}, {hi}) at dimension {dim} of input {list(input.shape)}"
            )
        if mode == "circular" and (lo > size or hi > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and input.numel() == 0:
            raise RuntimeError("replication padding: input tensor must be non-empty")
    if mode != "circular":
        # negative widths crop; aten rejects a negative size, or every padded size empty
        outs = [input.shape[-1 - i] + pad[2 * i] + pad[2 * i + 1] for i in range(n)]
        if min(outs) < 0 or max(outs) < 1:
            raise RuntimeError(
                f"input {list(input.shape[-n:])} is too small. Calculated output {outs[::-1]}"
            )
    return _pad(input, pad, mode, 0)


# ---- interpolate ----------------------------------------------------------------------------


def _opmath(dtype):
    return np.float64 if dtype == jnp.float64 else np.float32


def _scale_value(scale, in_size, out_size, T):
    # aten's compute_scales_value: 1/scale_factor when one was given, else in/out
    if scale is not None and scale > 0:
        return T(1.0 / scale)
    return T(in_size) / T(out_size)


def _area_scale(in_size, out_size, align_corners, scale, T):
    if align_corners:
        return T(in_size - 1) / T(out_size - 1) if out_size > 1 else T(0)
    return _scale_value(scale, in_size, out_size, T)


def _source_index(scale, dst, align_corners, cubic, T):
    if align_corners:
        return scale * dst
    src = scale * (dst + T(0.5)) - T(0.5)
    return src if cubic else np.maximum(src, T(0))


def _resize_axis(x, axis, in_size, out_size, mode, align_corners, scale):
    T = _opmath(x.dtype)
    dst = np.arange(out_size, dtype=T)
    if mode in ("nearest", "nearest-exact"):
        if out_size == in_size:
            return x
        s = np.float32(_scale_value(scale, in_size, out_size, np.float32))
        d = dst.astype(np.float32) + (np.float32(0.5) if mode == "nearest-exact" else np.float32(0))
        idx = np.minimum(np.floor(d * s).astype(np.int64), in_size - 1)
        return jnp.take(x, jnp.asarray(idx), axis=axis)
    sc = _area_scale(in_size, out_size, align_corners, scale, T)
    shape = [1] * x.ndim
    shape[axis] = out_size
    if mode == "linear":
        src = _source_index(sc, dst, align_corners, False, T)
        i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
        lam = np.clip(src - i0, 0, 1).astype(T)
        i1 = i0 + (i0 < in_size - 1)
        w0 = jnp.asarray((1 - lam).reshape(shape), x.dtype)
        w1 = jnp.asarray(lam.reshape(shape), x.dtype)
        return (
            jnp.take(x, jnp.asarray(i0), axis=axis) * w0
            + jnp.take(x, jnp.asarray(i1), axis=axis) * w1
        )
    # bicubic (cubic convolution, A = -0.75), taps clamped at the border
    A = T(-0.75)
    src = _source_index(sc, dst, align_corners, True, T)
    i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    t = np.clip(src - i0, 0, 1).astype(T)

    def cc1(v):
        return ((A + 2) * v - (A + 3)) * v * v + 1

    def cc2(v):
        return ((A * v - 5 * A) * v + 8 * A) * v - 4 * A

    ws = [cc2(t + 1), cc1(t), cc1(1 - t), cc2(2 - t)]
    out = 0
    for k, w in enumerate(ws):
        idx = np.clip(i0 - 1 + k, 0, in_size - 1)
        out = out + jnp.take(x, jnp.asarray(idx), axis=axis) * jnp.asarray(
            w.reshape(shape), x.dtype
        )
    return out


def _aa_filter(mode):
    if mode == "bilinear":
        return lambda x: max(0.0, 1.0 - abs(x))

    def cubic(x, a=-0.5):  # Keys' a = -0.5, as PIL and aten's antialiased bicubic
        x = abs(x)
        if x < 1.0:
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1
        if x < 2.0:
            return (((x - 5) * x + 8) * x - 4) * a
        return 0.0

    return cubic


def _aa_matrix(in_size, out_size, mode, align_corners, scale, T):
    """aten's antialiased (separable) resampling weights as a dense (out, in) matrix."""
    interp = 2 if mode == "bilinear" else 4
    sc = _area_scale(in_size, out_size, align_corners, scale, T)
    support = T(interp * 0.5) * sc if sc >= 1.0 else T(interp * 0.5)
    max_interp = math.ceil(support) * 2 + 1
    invscale = T(1.0) / sc if sc >= 1.0 else T(1.0)
    filt = _aa_filter(mode)
    m = np.zeros((out_size, in_size), T)
    for i in range(out_size):
        center = sc * T(i + 0.5)
        xmin = max(int(center - support + T(0.5)), 0)
        xsize = min(max(min(int(center + support + T(0.5)), in_size) - xmin, 0), max_interp)
        w = [T(filt(float((T(j + xmin) - center + T(0.5)) * invscale))) for j in range(xsize)]
        total = T(0)
        for v in w:
            total = T(total + v)
        for j, v in enumerate(w):
            m[i, xmin + j] = v / total if total != 0 else v
    return m


@op(tensor_args=("input",), method=False, name="nn_interpolate_aa")
def _interpolate_aa(input, output_size, scales, mode, align_corners):
    x = input
    n = len(output_size)
    T = _opmath(input.dtype)
    for i in reversed(range(n)):  # the last (contiguous) dim first, as aten
        axis = input.ndim - n + i
        if output_size[i] == input.shape[axis]:
            continue
        m = _aa_matrix(input.shape[axis], output_size[i], mode, align_corners, scales[i], T)
        moved = jnp.moveaxis(x, axis, -1)
        moved = jnp.matmul(moved, jnp.asarray(m.T, x.dtype), precision=lax.Precision.HIGHEST)
        x = jnp.moveaxis(moved, -1, axis)
    return x


@op(tensor_args=("input",), method=False, name="nn_interpolate")
def _interpolate(input, output_size, scales, mode, align_corners):
    if input.dtype != jnp.uint8:
        float_only(f"upsample_{mode}{len(output_size)}d", input)
    n = len(output_size)
    x = input
    for i in range(n):
        axis = input.ndim - n + i
        x = _resize_axis(
            x,
            axis,
            input.shape[axis],
            output_size[i],
            "linear" if mode in ("linear", "bilinear", "trilinear") else mode,
            align_corners,
            scales[i],
        )
    return x


_MODE_DIMS = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}


def interpolate(
    input,
    size=None,
    scale_factor=None,
    mode="nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias=False,
):
    """Resize the spatial dimensions (nearest, nearest-exact, linear, bilinear, bicubic,
    trilinear or area)."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the "
                "interpolating modes: linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    elif size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(input.shape[2:])} and output size of "
                    f"{size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "output size in (o1, o2, ...,oK) format."
                )
            if not all(isinstance(x, numbers.Integral) for x in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    f"Tuple[int, int, int], but got size with types {[type(x) for x in size]}"
                )
            output_size = [int(s) for s in size]
        else:
            output_size = [int(size)] * dim
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {list(input.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "scale_factor in (s1, s2, ...,sK) format."
                )
            scale_factors = [float(s) for s in scale_factor]
        else:
            scale_factors = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if output_size is None:
        output_size = [math.floor(input.shape[i + 2] * scale_factors[i]) for i in range(dim)]
    if recompute_scale_factor:
        scale_factors = None
    if mode not in ("nearest", "nearest-exact") and not input.is_floating_point():
        # aten resamples uint8 images with its own fixed-point rounding; not reproduced here
        raise NotImplementedError(
            f"torchlike: F.interpolate(mode='{mode}') on {input.dtype} tensors is not supported; "
            "convert the input to a floating dtype first"
        )
    if antialias:
        if not (mode in ("bilinear", "bicubic") and input.dim() == 4):
            raise ValueError(
                "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
                "requires a 4-D tensor as input"
            )
        scales = tuple(scale_factors) if scale_factors is not None else (None,) * dim
        return _interpolate_aa(input, tuple(output_size), scales, mode, bool(align_corners))
    if mode == "area":
        if dim not in (1, 2, 3):
            raise NotImplementedError(
                f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                f"nearest-exact (got {mode})"
            )
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dim - 1](
            input, output_size
        )
    if mode in ("nearest", "nearest-exact"):
        if dim not in (1, 2, 3):
            raise NotImplementedError(
                f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                f"nearest-exact (got {mode})"
            )
    elif mode in _MODE_DIMS:
        if input.dim() != _MODE_DIMS[mode]:
            if input.dim() in (3, 4, 5):
                raise NotImplementedError(
                    f"Got {input.dim()}D input, but {mode} mode needs {_MODE_DIMS[mode]}D input"
                )
            raise NotImplementedError(
                f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                f"nearest-exact (got {mode})"
            )
    else:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
            "the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact "
            f"(got {mode})"
        )
    scales = tuple(scale_factors) if scale_factors is not None else (None,) * dim
    return _interpolate(input, tuple(output_size), scales, mode, bool(align_corners))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(mode='nearest')."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(mode='bilinear', align_corners=True)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- grid_sample / affine_grid -----------------------------------------------------------------


def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord, twice_low, twice_high):
    if twice_low == twice_high:
        return jnp.zeros_like(coord)
    mn = twice_low / 2
    span = (twice_high - twice_low) / 2
    coord = jnp.abs(coord - mn)
    extra = jnp.fmod(coord, span)
    flips = jnp.floor(coord / span)
    return jnp.where(jnp.fmod(flips, 2) == 0, extra + mn, span - extra + mn)


def _source_coord(coord, size, padding_mode, align_corners):
    return _pad_coord(_unnormalize(coord, size, align_corners), size, padding_mode, align_corners)


def _pad_coord(coord, size, padding_mode, align_corners):
    if padding_mode == "border":
        coord = jnp.clip(coord, 0, size - 1)
    elif padding_mode == "reflection":
        if align_corners:
            coord = _reflect(coord, 0, 2 * (size - 1))
        else:
            coord = _reflect(coord, -1, 2 * size - 1)
        coord = jnp.clip(coord, 0, size - 1)
    return coord


@op(tensor_args=("input", "grid"), method=False, name="nn_grid_sample")
def _grid_sample(input, grid, mode, padding_mode, align_corners):
    float_only("grid_sampler_2d_cpu_kernel_impl", input)
    n, c = input.shape[:2]
    spatial = input.shape[2:]
    nd = len(spatial)
    # grid's last dim lists x (the last input dim) first; bicubic pads each tap instead
    coords = [
        _unnormalize(grid[..., nd - 1 - d], spatial[d], align_corners)
        if mode == "bicubic"
        else _source_coord(grid[..., nd - 1 - d], spatial[d], padding_mode, align_corners)
        for d in range(nd)
    ]
    flat = input.reshape(n, c, -1)
    bidx = jnp.arange(n).reshape((n,) + (1,) * nd)

    def gather(idxs):
        inb = jnp.ones(idxs[0].shape, bool)
        lin = jnp.zeros(idxs[0].shape, jnp.int64)
        for d, ix in enumerate(idxs):
            inb = inb & (ix >= 0) & (ix < spatial[d])
            lin = lin * spatial[d] + jnp.clip(ix, 0, spatial[d] - 1)
        vals = flat[bidx, :, lin]  # (n, *out_sp, c)
        return jnp.where(inb[..., None], vals, jnp.zeros((), input.dtype))

    if mode == "nearest":
        out = gather([jnp.round(cd).astype(jnp.int64) for cd in coords])
    elif mode == "bilinear":
        lo = [jnp.floor(cd) for cd in coords]
        out = 0
        for corner in range(2**nd):
            idxs, w = [], 1
            for d in range(nd):
                hi = (corner >> (nd - 1 - d)) & 1
                idxs.append((lo[d] + hi).astype(jnp.int64))
                frac = coords[d] - lo[d]
                w = w * (frac if hi else 1 - frac)
            out = out + gather(idxs) * w[..., None]
    else:  # bicubic (2-d): 4x4 taps, cubic convolution with A = -0.75, each tap padded
        A = -0.75

        def coeffs(t):
            def cc1(v):
                return ((A + 2) * v - (A + 3)) * v * v + 1

            def cc2(v):
                return ((A * v - 5 * A) * v + 8 * A) * v - 4 * A

            return [cc2(t + 1), cc1(t), cc1(1 - t), cc2(2 - t)]

        lo = [jnp.floor(cd) for cd in coords]
        ws = [coeffs(cd - f) for cd, f in zip(coords, lo)]
        out = 0
        for i in range(4):
            for j in range(4):
                taps = [
                    _pad_coord(lo[0] - 1 + i, spatial[0], padding_mode, align_corners),
                    _pad_coord(lo[1] - 1 + j, spatial[1], padding_mode, align_corners),
                ]
                idxs = [jnp.floor(t).astype(jnp.int64) for t in taps]
                out = out + gather(idxs) * (ws[0][i] * ws[1][j])[..., None]
    return jnp.moveaxis(out, -1, 1).astype(input.dtype)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample `input` at the normalised coordinates in `grid` (bilinear, nearest, bicubic)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if mode == "bicubic" and input.dim() != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if align_corners is None:
        align_corners = False
    if input.dim() not in (4, 5) or grid.dim() != input.dim() or grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, "
            f"but got grid with sizes {list(grid.shape)}"
            if input.dim() in (4, 5) and grid.dim() == input.dim()
            else "grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
            f"but got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input with "
            f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    return _grid_sample(input, grid, mode, padding_mode, bool(align_corners))


def _linspace_from_neg_one(num_steps, align_corners, dtype):
    if num_steps <= 1:
        return np.zeros(1, dtype)
    r = np.linspace(-1, 1, num_steps, dtype=dtype)
    if not align_corners:
        r = r * (num_steps - 1) / num_steps
    return r.astype(dtype)


@op(tensor_args=("theta",), method=False, name="nn_affine_grid")
def _affine_grid(theta, size, align_corners):
    sp = size[2:]
    nd = len(sp)
    dt = np.dtype(theta.dtype)
    axes = [_linspace_from_neg_one(s, align_corners, dt) for s in sp]
    # base grid's last dim is (x, y[, z], 1), x varying along the last spatial dim
    mesh = np.meshgrid(*axes, indexing="ij")
    base = np.stack([mesh[nd - 1 - d] for d in range(nd)] + [np.ones(sp, dt)], axis=-1)
    base = jnp.asarray(base.reshape(1, -1, nd + 1))
    grid = jnp.matmul(base, jnp.swapaxes(theta, 1, 2), precision=lax.Precision.HIGHEST)
    return grid.reshape((size[0],) + tuple(sp) + (nd,))


def affine_grid(theta, size, align_corners=None):
    """A sampling grid for grid_sample from a batch of affine matrices."""
    if align_corners is None:
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = [int(s) for s in size]
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(
                f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
                f"Got {list(theta.shape)}."
            )
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(
                f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. "
                f"Got {list(theta.shape)}."
            )
    else:
        raise NotImplementedError(
            f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        # aten's affine_grid is a batched matmul (bmm) of the base grid and theta
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{size[0]}, {len(size) - 1}] but got: {list(theta.shape[:2])}."
        )
    return _affine_grid(theta, tuple(size), bool(align_corners))


# ---- shuffles ---------------------------------------------------------------------------------


@op(tensor_args=("input",), method=False)
def pixel_shuffle(input, upscale_factor):
    """(*, C*r^2, H, W) -> (*, C, H*r, W*r)."""
    r = upscale_factor
    if input.ndim < 3:
        raise RuntimeError(
            f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    x = input.reshape(tuple(lead) + (c // (r * r), r, r, h, w))
    k = len(lead)
    x = jnp.transpose(x, tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2))
    return x.reshape(tuple(lead) + (c // (r * r), h * r, w * r))


@op(tensor_args=("input",), method=False)
def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r^2, H, W)."""
    r = downscale_factor
    if input.ndim < 3:
        raise RuntimeError(
            f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(
            f"pixel_unshuffle expects {'height' if h % r else 'width'} to be divisible by "
            f"downscale_factor, but input.size({-2 if h % r else -1})={h if h % r else w} is not "
            f"divisible by {r}"
        )
    x = input.reshape(tuple(lead) + (c, h // r, r, w // r, r))
    k = len(lead)
    x = jnp.transpose(x, tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3))
    return x.reshape(tuple(lead) + (c * r * r, h // r, w // r))


@op(tensor_args=("input",), method=False)
def channel_shuffle(input, groups):
    """Interleave the channels of `groups` groups: (N, g*k, *) -> (N, k*g, *)."""
    n, c = input.shape[:2]
    if groups <= 0:
        raise ValueError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    rest = input.shape[2:]
    x = input.reshape((n, groups, c // groups) + rest)
    return jnp.swapaxes(x, 1, 2).reshape(input.shape)


native_channel_shuffle = channel_shuffle


# ---- unfold / fold ----------------------------------------------------------------------------


def _pair(x):
    return tuple(int(v) for v in x) if isinstance(x, (tuple, list)) else (int(x), int(x))


@op(tensor_args=("input",), method=False, name="nn_unfold")
def _unfold(input, kernel_size, dilation, padding, stride):
    float_only("im2col_out_cpu", input)
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel_size, dilation, padding, stride
    n, c, h, w = input.shape
    x = jnp.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    cols = []
    for i in range(kh):
        for j in range(kw):
            cols.append(
                x[
                    :,
                    :,
                    i * dh : i * dh + (oh - 1) * sh + 1 : sh,
                    j * dw : j * dw + (ow - 1) * sw + 1 : sw,
                ]
            )
    out = jnp.stack(cols, axis=2)  # (n, c, kh*kw, oh, ow)
    return out.reshape(n, c * kh * kw, oh * ow)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks (im2col): (N, C, H, W) -> (N, C*kh*kw, L)."""
    if input.dim() not in (3, 4):
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    h, w = x.shape[2:]
    oh = (h + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (w + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    if oh < 1 or ow < 1:
        raise RuntimeError(
            f"Given input with spatial size ({h}, {w}), kernel_size=({k[0]}, {k[1]}), "
            f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), calculated shape of the array "
            f"of sliding blocks as ({oh}, {ow}), but its components must be at least one."
        )
    out = _unfold(x, k, d, p, s)
    return out.squeeze(0) if unbatched else out


@op(tensor_args=("input",), method=False, name="nn_fold")
def _fold(input, output_size, kernel_size, dilation, padding, stride):
    float_only("col2im_out_cpu", input)
    (oh_, ow_), (kh, kw), (dh, dw), (ph, pw), (sh, sw) = (
        output_size,
        kernel_size,
        dilation,
        padding,
        stride,
    )
    n, ckk, _L = input.shape
    c = ckk // (kh * kw)
    oh = (oh_ + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (ow_ + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    cols = input.reshape(n, c, kh, kw, oh, ow)
    out = jnp.zeros((n, c, oh_ + 2 * ph, ow_ + 2 * pw), input.dtype)
    for i in range(kh):
        for j in range(kw):
            out = out.at[
                :,
                :,
                i * dh : i * dh + (oh - 1) * sh + 1 : sh,
                j * dw : j * dw + (ow - 1) * sw + 1 : sw,
            ].add(cols[:, :, i, j])
    return out[:, :, ph : ph + oh_, pw : pw + ow_]


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding local blocks into a tensor (col2im): (N, C*kh*kw, L) -> (N, C, H, W)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    o, k, d, p, s = (
        _pair(output_size),
        _pair(kernel_size),
        _pair(dilation),
        _pair(padding),
        _pair(stride),
    )
    unbatched = input.dim() == 2
    x = input.unsqueeze(0) if unbatched else input
    if x.shape[1] % (k[0] * k[1]):
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
            f"but got input.size(1)={x.shape[1]} and kernel_size=({k[0]}, {k[1]})"
        )
    oh = (o[0] + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (o[1] + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    if oh * ow != x.shape[2]:
        raise RuntimeError(
            f"Given output_size=({o[0]}, {o[1]}), kernel_size=({k[0]}, {k[1]}), "
            f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), "
            f"expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {oh} * {ow} = {oh * ow}, but got input.size(2)={x.shape[2]}."
        )
    out = _fold(x, o, k, d, p, s)
    return out.squeeze(0) if unbatched else out
