"""Convolutions: conv1d/2d/3d and conv_transpose1d/2d/3d on jax.lax.conv_general_dilated."""

import jax.numpy as jnp
from jax import lax

from torchlike._ops.registry import op

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
]

_DIMNUMS = {1: ("NCH", "OIH", "NCH"), 2: ("NCHW", "OIHW", "NCHW"), 3: ("NCDHW", "OIDHW", "NCDHW")}


def _tuple(x, n, name="value"):
    if isinstance(x, (tuple, list)):
        if len(x) == 1:
            return tuple(int(v) for v in x) * n
        if len(x) != n:
            raise RuntimeError(
                f"expected {name} to be a single integer value or a list of {n} values"
            )
        return tuple(int(v) for v in x)
    return (int(x),) * n


def _size_list(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _check_conv_input(name, n, input, weight, groups, transposed=False):
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(
            f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {name}, "
            f"but got input of size: {_size_list(input.shape)}"
        )
    if weight.ndim != n + 2:
        raise RuntimeError(
            "weight should have at least three dimensions"
            if weight.ndim < 3
            else f"Expected {n + 2}-dimensional weight for {n + 2}-dimensional input "
            f"{_size_list(input.shape)}, but got {weight.ndim}-dimensional weight of size "
            f"{_size_list(weight.shape)} instead"
        )
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    c_in = input.shape[-n - 1]
    if transposed:
        if c_in != weight.shape[0]:
            raise RuntimeError(
                f"Given transposed=1, weight of size {_size_list(weight.shape)}, expected input"
                f"{_size_list(input.shape)} to have {weight.shape[0]} channels, but got {c_in} "
                "channels instead"
            )
    elif c_in != weight.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {_size_list(weight.shape)}, expected input"
            f"{_size_list(input.shape)} to have {weight.shape[1] * groups} channels, but got "
            f"{c_in} channels instead"
        )


def _check_conv_params(input, weight, bias, stride, dilation, padding=(), output_padding=()):
    # aten's convolution argument checks (XLA would fail to lower, or pad where torch refuses)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    # one dtype, as aten's kernels (autocast has cast the arguments before this point)
    if weight.dtype != input.dtype:
        raise RuntimeError(
            f"Input type ({input.dtype}) and weight type ({weight.dtype}) should be the same"
        )
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(
            f"Input type ({input.dtype}) and bias type ({bias.dtype}) should be the same"
        )


def _conv(n, name, input, weight, bias, stride, padding, dilation, groups):
    _check_conv_input(name, n, input, weight, groups)
    unbatched = input.ndim == n + 1
    if unbatched:
        input = input[None]
    stride = _tuple(stride, n, "stride")
    dilation = _tuple(dilation, n, "dilation")
    _check_conv_params(input, weight, bias, stride, dilation,
                       () if isinstance(padding, str) else _tuple(padding, n, "padding"))
    ksize = weight.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * n
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = []
            for d, k in zip(dilation, ksize):
                total = d * (k - 1)
                # torch puts the odd element of the padding on the right
                pads.append((total // 2, total - total // 2))
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = [(p, p) for p in _tuple(padding, n, "padding")]
    for i in range(n):
        eff = input.shape[2 + i] + sum(pads[i])
        if eff < dilation[i] * (ksize[i] - 1) + 1:
            raise RuntimeError(
                f"Calculated padded input size per channel: ({' x '.join(str(input.shape[2 + j] + sum(pads[j])) for j in range(n))}). "
                f"Kernel size: ({' x '.join(str(k) for k in ksize)}). "
                "Kernel size can't be greater than actual input size"
            )
    if weight.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size {_size_list(weight.shape)} instead"
        )
    out = lax.conv_general_dilated(
        input,
        weight.astype(input.dtype),
        window_strides=stride,
        padding=pads,
        rhs_dilation=dilation,
        feature_group_count=groups,
        dimension_numbers=_DIMNUMS[n],
        precision=lax.Precision.HIGHEST,
    )
    if bias is not None:
        out = out + bias.reshape((1, -1) + (1,) * n)
    return out[0] if unbatched else out


@op(tensor_args=("input", "weight", "bias"), method=False)
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution over an input of shape (N, C_in, L)."""
    return _conv(1, "conv1d", input, weight, bias, stride, padding, dilation, groups)


@op(tensor_args=("input", "weight", "bias"), method=False)
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution over an input of shape (N, C_in, H, W)."""
    return _conv(2, "conv2d", input, weight, bias, stride, padding, dilation, groups)


@op(tensor_args=("input", "weight", "bias"), method=False)
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution over an input of shape (N, C_in, D, H, W)."""
    return _conv(3, "conv3d", input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose(
    n, name, input, weight, bias, stride, padding, output_padding, groups, dilation
):
    if isinstance(padding, str):
        raise RuntimeError(f"{name}: padding must be an int or a tuple, not '{padding}'")  # noqa: TRY004
    _check_conv_input(name, n, input, weight, groups, transposed=True)
    unbatched = input.ndim == n + 1
    if unbatched:
        input = input[None]
    stride = _tuple(stride, n, "stride")
    padding = _tuple(padding, n, "padding")
    output_padding = _tuple(output_padding, n, "output_padding")
    dilation = _tuple(dilation, n, "dilation")
    _check_conv_params(input, weight, bias, stride, dilation, padding, output_padding)
    if any(op_ >= s and op_ >= d for op_, s, d in zip(output_padding, stride, dilation)):
        # torch runs a 1-d transposed conv as a 2-d one of height 1, and names the dims.
        op_, s, d = output_padding, stride, dilation
        if n == 1:
            op_, s, d = (0,) + op_, (1,) + s, (1,) + d
        dims = ("height", "width") if len(op_) == 2 else ("depth", "height", "width")
        msg = " ".join(
            f"{what}_{dim}: {v}"
            for what, vals in (("output_padding", op_), ("stride", s), ("dilation", d))
            for dim, v in zip(dims, vals)
        )
        raise RuntimeError(
            f"output padding must be smaller than either stride or dilation, but got {msg}"
        )
    c_in, c_out_g = weight.shape[0], weight.shape[1]
    ksize = weight.shape[2:]
    # (C_in, C_out/g, k...) -> (C_out, C_in/g, k...), spatially flipped: the adjoint of a conv.
    w = weight.reshape((groups, c_in // groups, c_out_g) + ksize)
    w = jnp.swapaxes(w, 1, 2).reshape((groups * c_out_g, c_in // groups) + ksize)
    w = jnp.flip(w, axis=tuple(range(2, 2 + n)))
    pads = [
        (d * (k - 1) - p, d * (k - 1) - p + op_)
        for k, p, op_, d in zip(ksize, padding, output_padding, dilation)
    ]
    out = lax.conv_general_dilated(
        input,
        w.astype(input.dtype),
        window_strides=(1,) * n,
        padding=pads,
        lhs_dilation=stride,
        rhs_dilation=dilation,
        feature_group_count=groups,
        dimension_numbers=_DIMNUMS[n],
        precision=lax.Precision.HIGHEST,
    )
    if bias is not None:
        out = out + bias.reshape((1, -1) + (1,) * n)
    return out[0] if unbatched else out


@op(tensor_args=("input", "weight", "bias"), method=False)
def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """1-D transposed convolution ("deconvolution")."""
    return _conv_transpose(
        1,
        "conv_transpose1d",
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


@op(tensor_args=("input", "weight", "bias"), method=False)
def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """2-D transposed convolution ("deconvolution")."""
    return _conv_transpose(
        2,
        "conv_transpose2d",
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


@op(tensor_args=("input", "weight", "bias"), method=False)
def conv_transpose3d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """3-D transposed convolution ("deconvolution")."""
    return _conv_transpose(
        3,
        "conv_transpose3d",
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


@op(tensor_args=("input", "weight", "bias"), method=False)
def conv_tbc(input, weight, bias, pad=0):
    """1-D convolution in (time, batch, channel) layout with a (k, C_in, C_out) weight."""
    if input.ndim != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.ndim != 3:
        raise RuntimeError(
            "Weight tensor must have 3 dims: kernel_width, in_channels, out_channels."
        )
    if bias.ndim != 1:
        raise RuntimeError("Bias must be 1-D")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    out = lax.conv_general_dilated(
        input,
        weight.astype(input.dtype),
        window_strides=(1,),
        padding=[(pad, pad)],
        dimension_numbers=("HNC", "HIO", "HNC"),
        precision=lax.Precision.HIGHEST,
    )
    return out + bias


__all__ += ["conv_tbc"]
