"""Fold an eval-mode BatchNorm into the preceding conv / linear layer."""

import copy

import jax.numpy as jnp

from torchlike._ops.registry import op
from torchlike.nn.parameter import Parameter

__all__ = [
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
]


@op(
    tensor_args=("conv_w", "conv_b", "bn_rm", "bn_rv", "bn_w", "bn_b"),
    method=False,
    name="_fuse_conv_bn_weights",
)
def _fuse_conv(conv_w, conv_b, bn_rm, bn_rv, bn_w, bn_b, bn_eps=1e-5, transpose=False):
    w_dtype = conv_w.dtype
    b_dtype = conv_b.dtype if conv_b is not None else w_dtype
    conv_b = jnp.zeros_like(bn_rm) if conv_b is None else conv_b
    bn_w = jnp.ones_like(bn_rm) if bn_w is None else bn_w
    bn_b = jnp.zeros_like(bn_rm) if bn_b is None else bn_b
    rsqrt = 1.0 / jnp.sqrt(bn_rv + bn_eps)
    rest = [1] * (conv_w.ndim - 2)
    shape = [1, -1] + rest if transpose else [-1, 1] + rest
    w = (conv_w * (bn_w * rsqrt).reshape(shape)).astype(w_dtype)
    b = ((conv_b - bn_rm) * rsqrt * bn_w + bn_b).astype(b_dtype)
    return w, b


@op(
    tensor_args=("linear_w", "linear_b", "bn_rm", "bn_rv", "bn_w", "bn_b"),
    method=False,
    name="_fuse_linear_bn_weights",
)
def _fuse_linear(linear_w, linear_b, bn_rm, bn_rv, bn_w, bn_b, bn_eps=1e-5):
    w_dtype = linear_w.dtype
    b_dtype = linear_b.dtype if linear_b is not None else w_dtype
    linear_b = jnp.zeros_like(bn_rm) if linear_b is None else linear_b
    scale = bn_w / jnp.sqrt(bn_rv + bn_eps)
    w = linear_w * scale[:, None].astype(w_dtype)
    b = ((linear_b - bn_rm) * scale + bn_b).astype(b_dtype)
    return w, b


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    """Conv weight and bias with an eval BatchNorm folded in, as new Parameters."""
    w, b = _fuse_conv(conv_w, conv_b, bn_rm, bn_rv, bn_w, bn_b, float(bn_eps), bool(transpose))
    b_grad = conv_b.requires_grad if conv_b is not None else False
    return Parameter(w.detach(), conv_w.requires_grad), Parameter(b.detach(), b_grad)


def fuse_conv_bn_eval(conv, bn, transpose=False):
    """A copy of conv with the eval-mode BatchNorm bn folded into its weight and bias."""
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused_conv = copy.deepcopy(conv)
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused_conv.weight, fused_conv.bias = fuse_conv_bn_weights(
        fused_conv.weight,
        fused_conv.bias,
        bn.running_mean,
        bn.running_var,
        bn.eps,
        bn.weight,
        bn.bias,
        transpose,
    )
    return fused_conv


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """Linear weight and bias with an eval BatchNorm folded in, as new Parameters."""
    w, b = _fuse_linear(linear_w, linear_b, bn_rm, bn_rv, bn_w, bn_b, float(bn_eps))
    b_grad = linear_b.requires_grad if linear_b is not None else False
    return Parameter(w.detach(), linear_w.requires_grad), Parameter(b.detach(), b_grad)


def fuse_linear_bn_eval(linear, bn):
    """A copy of linear with the eval-mode BatchNorm bn folded into its weight and bias."""
    if linear.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused_linear = copy.deepcopy(linear)
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError(
            "To fuse, linear.out_features == bn.num_features or bn.num_features == 1, got "
            f"linear.out_features={linear.out_features} and bn.num_features={bn.num_features}"
        )
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused_linear.weight, fused_linear.bias = fuse_linear_bn_weights(
        fused_linear.weight,
        fused_linear.bias,
        bn.running_mean,
        bn.running_var,
        bn.eps,
        bn.weight,
        bn.bias,
    )
    return fused_linear
