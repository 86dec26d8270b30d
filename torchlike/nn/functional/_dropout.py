"""Dropout family; masks are drawn with Tensor.bernoulli_ in PyTorch's CPU order."""

import math
import warnings

import torchlike as torch
from torchlike._ops.random_ops import dropout_noise

__all__ = [
    "alpha_dropout",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "feature_alpha_dropout",
]

_SELU_ALPHA = 1.7580993408473766  # -selu's negative saturation value


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _memory_order(shape, strides):
    """The dims of a tensor from outermost to innermost in memory, as torch.empty_like lays out
    its result (aten's infer_dense_strides: sort by stride, 0-strides and ties keep their place,
    a larger size goes outward on equal strides)."""
    perm = list(range(len(shape)))[::-1]  # innermost first
    for i in range(1, len(perm)):
        dim1 = i
        for dim0 in range(i - 1, -1, -1):
            a, b = perm[dim0], perm[dim1]
            if strides[a] == 0 or strides[b] == 0:
                cmp = 0
            elif strides[a] != strides[b]:
                cmp = 1 if strides[a] > strides[b] else -1
            else:
                cmp = 1 if shape[a] > shape[b] else 0
            if cmp > 0:
                perm[dim0], perm[dim1] = perm[dim1], perm[dim0]
                dim1 = dim0
            elif cmp < 0:
                break
    return perm[::-1]


def _empty_like_in_memory_order(input):
    """torch.empty_like(input) whose elements torch's bernoulli_ visits in the same order as
    PyTorch does: in memory order, which for a transposed or permuted input is not the
    logical order (a torchlike array has no memory layout: draw contiguously, then permute)."""
    order = _memory_order(tuple(input.shape), input.stride())
    if order == sorted(order):
        return torch.empty_like(input)
    shape = [input.shape[d] for d in order]
    noise = torch.empty(shape, dtype=input.dtype, device=input.device)
    return noise.permute([order.index(d) for d in range(len(order))])


def _dropout_impl(input, p, train, inplace, feature=False, alpha=False):
    """aten's _dropout_impl: noise ~ Bernoulli(1 - p), rescaled so the expectation is kept."""
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        zero = torch.zeros((), dtype=input.dtype, device=input.device)
        return input.mul_(zero) if inplace else input * zero
    if feature:
        if input.dim() < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        sizes = list(input.shape[:2]) + [1] * (input.dim() - 2)
        noise = torch.empty(sizes, dtype=input.dtype, device=input.device)
    elif not alpha and (noise := dropout_noise(input, p)) is not None:
        return input.mul_(noise) if inplace else input * noise
    else:
        noise = _empty_like_in_memory_order(input)
    with torch.no_grad():
        noise.bernoulli_(1 - p)
        if alpha:
            a = 1.0 / math.sqrt((_SELU_ALPHA * _SELU_ALPHA * p + 1) * (1 - p))
            b = noise.add(-1).mul_(_SELU_ALPHA * a).add_(_SELU_ALPHA * a * p)
            noise.mul_(a)
        else:
            noise.div_(1 - p)
    if alpha:
        return input.mul_(noise).add_(b) if inplace else input * noise + b
    return input.mul_(noise) if inplace else input * noise


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero elements with probability p and scale the rest by 1/(1-p)."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's self-normalising mean and variance."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, feature=True, alpha=True)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of a (N, C, L) or (C, L) input."""
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {inp_dim}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs)."
        )
    is_batched = inp_dim == 3
    if not is_batched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout_impl(input, p, training, inplace, feature=True)
    if not is_batched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of a (N, C, H, W) input."""
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {inp_dim}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout2d "
            "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if inp_dim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _dropout_impl(input, p, training, inplace, feature=True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of a (N, C, D, H, W) or (C, D, H, W) input."""
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {inp_dim}-D input to dropout3d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout3d "
            "exists to provide channel-wise dropout on inputs with 3 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2,
        )
    is_batched = inp_dim == 5
    if not is_batched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout_impl(input, p, training, inplace, feature=True)
    if not is_batched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result
