"""Lookup functionals: embedding, embedding_bag, one_hot."""

import jax
import jax.numpy as jnp
from jax import lax

import torchlike as torch
from torchlike._ops.registry import op

from ._common import host_value
from ...sparse._rows import sparse_rows

__all__ = ["embedding", "embedding_bag", "one_hot"]


def _check_indices(input, n, what="embedding"):
    if input.dtype not in (torch.int64, torch.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            f"Long, Int; but got {input.type()} instead (while checking arguments for {what})"
        )
    # An out-of-range index raises IndexError, as in torch (JAX would clamp silently); the
    # check needs the values on the host, so it is skipped in compiled steps and on GPUs.
    a = host_value(input)
    if a is not None and a.size and ((a < 0) | (a >= n)).any():
        raise IndexError("index out of range in self")


@op(tensor_args=("weight", "input"), method=False, name="nn_embedding")
def _embedding(weight, input, padding_idx, scale_grad_by_freq):
    out = jnp.take(weight, input, axis=0)
    if scale_grad_by_freq:
        # value unchanged, gradient of each row divided by its count in this batch
        counts = jax.ops.segment_sum(
            jnp.ones(input.size, weight.dtype), input.reshape(-1), num_segments=weight.shape[0]
        )
        c = jnp.take(counts, input)[..., None]
        out = lax.stop_gradient(out) + (out - lax.stop_gradient(out)) / c
    if padding_idx is not None and padding_idx >= 0:
        keep = (input != padding_idx)[..., None]
        out = jnp.where(keep, out, lax.stop_gradient(out))
    return out


@op(tensor_args=("weight", "input"), method=False, name="nn_embedding_renorm")
def _embedding_renorm(weight, input, max_norm, norm_type):
    rows = jnp.zeros(weight.shape[0], bool).at[input.reshape(-1)].set(True)
    norms = jnp.sum(jnp.abs(weight) ** norm_type, axis=1) ** (1.0 / norm_type)
    scale = jnp.where(rows & (norms > max_norm), max_norm / (norms + 1e-7), 1.0)
    return weight * scale[:, None].astype(weight.dtype)


def _no_grad_embedding_renorm_(weight, input, max_norm, norm_type):
    with torch.no_grad():
        weight._set_data(_embedding_renorm(weight, input, float(max_norm), float(norm_type))._data)


def embedding(
    input,
    weight,
    padding_idx=None,
    max_norm=None,
    norm_type=2.0,
    scale_grad_by_freq=False,
    sparse=False,
):
    """Look up rows of `weight` at the indices in `input` (sparse=True: weight.grad is a
    sparse COO tensor of the looked-up rows, as in PyTorch)."""
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    _check_indices(input, weight.shape[0])
    if max_norm is not None:
        _no_grad_embedding_renorm_(weight, input, max_norm, norm_type)
    if sparse and weight.requires_grad and torch.is_grad_enabled():
        rows = sparse_rows(weight, input, padding_idx, scale_grad_by_freq)
        return rows.reshape(*input.shape, *weight.shape[1:])
    return _embedding(weight, input, int(padding_idx), bool(scale_grad_by_freq))


@op(
    tensor_args=("weight", "input", "offsets", "per_sample_weights"),
    method=False,
    name="nn_embedding_bag",
)
def _embedding_bag(
    weight,
    input,
    offsets,
    per_sample_weights,
    mode,
    padding_idx,
    include_last_offset,
    scale_grad_by_freq,
    gathered=False,
):
    # gathered: `weight` holds the looked-up rows already (sparse=True: see sparse_rows)
    n = input.shape[0]
    num_bags = offsets.shape[0] - 1 if include_last_offset else offsets.shape[0]
    pos = jnp.arange(n)
    seg = (
        jnp.searchsorted(offsets[:num_bags] if include_last_offset else offsets, pos, side="right")
        - 1
    )
    if include_last_offset:
        # elements at or beyond the last offset belong to no bag
        seg = jnp.where(pos >= offsets[-1], num_bags, seg)
    rows = weight if gathered else jnp.take(weight, input, axis=0)
    if scale_grad_by_freq and not gathered:
        counts = jax.ops.segment_sum(jnp.ones(n, weight.dtype), input, num_segments=weight.shape[0])
        c = jnp.take(counts, input)[:, None]
        rows = lax.stop_gradient(rows) + (rows - lax.stop_gradient(rows)) / c
    valid = jnp.ones(n, bool) if padding_idx is None or padding_idx < 0 else input != padding_idx
    seg = jnp.where(valid, seg, num_bags)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights[:, None].astype(rows.dtype)
    if mode == "max":
        out = jax.ops.segment_max(rows, seg, num_segments=num_bags + 1)[:num_bags]
        cnt = jax.ops.segment_sum(jnp.ones(n, jnp.int32), seg, num_segments=num_bags + 1)[:num_bags]
        return jnp.where((cnt > 0)[:, None], out, jnp.zeros((), weight.dtype))
    out = jax.ops.segment_sum(rows, seg, num_segments=num_bags + 1)[:num_bags]
    if mode == "mean":
        cnt = jax.ops.segment_sum(jnp.ones(n, weight.dtype), seg, num_segments=num_bags + 1)[
            :num_bags
        ]
        out = out / jnp.maximum(cnt, 1)[:, None]
    return out


def embedding_bag(
    input,
    weight,
    offsets=None,
    max_norm=None,
    norm_type=2,
    scale_grad_by_freq=False,
    mode="mean",
    sparse=False,
    per_sample_weights=None,
    include_last_offset=False,
    padding_idx=None,
):
    """Sums, means or maxes of bags of embeddings, without materialising the per-index rows
    (sparse=True: weight.grad is a sparse COO tensor of the looked-up rows, as in PyTorch)."""
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
            f"then it must have the same shape as the input ({input.shape})"
        )
    if not weight.dim() == 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}"
        )
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch "
                f"of fixed length sequences. However, found offsets of type {type(offsets)}"
            )
        offsets = torch.arange(
            0, input.numel(), input.size(1), dtype=input.dtype, device=input.device
        )
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}"
        )
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    elif mode not in ("sum", "mean"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. "
            "per_sample_weights is only supported for mode='sum' "
            f"(got mode='{mode}'). Please open a feature request on GitHub."
        )
    _check_indices(input, weight.shape[0], "embedding_bag")
    if padding_idx is not None and padding_idx < 0:
        padding_idx = weight.size(0) + padding_idx
    if max_norm is not None:
        _no_grad_embedding_renorm_(weight, input, max_norm, norm_type)
    gathered = sparse and weight.requires_grad and torch.is_grad_enabled()
    if gathered:
        weight = sparse_rows(weight, input, padding_idx, scale_grad_by_freq)
    return _embedding_bag(
        weight,
        input,
        offsets,
        per_sample_weights,
        mode,
        padding_idx,
        bool(include_last_offset),
        bool(scale_grad_by_freq),
        gathered,
    )


@op(tensor_args=("tensor",), method=False, name="nn_one_hot")
def _one_hot(tensor, num_classes):
    return (tensor[..., None] == jnp.arange(num_classes)).astype(jnp.int64)


def one_hot(tensor, num_classes=-1):
    """One-hot encode integer classes as an int64 tensor with a trailing num_classes dim."""
    if tensor.dtype != torch.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(tensor.max().item()) + 1  # a host sync, as in torch
    a = host_value(tensor)
    if a is not None and a.size:
        if (a < 0).any():
            raise RuntimeError("Class values must be non-negative.")
        if (a >= num_classes).any():
            raise RuntimeError("Class values must be smaller than num_classes.")
    return _one_hot(tensor, int(num_classes))
