"""torch.nn.utils.rnn: PackedSequence and padding / packing of variable-length sequences."""

from collections.abc import Iterable
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from torchlike._ops.registry import op

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpad_sequence",
    "pack_sequence",
    "unpack_sequence",
]


def _tl():
    import torchlike

    return torchlike


def _wrap(array, device=None):
    """A host array as a tensor on `device` (CPU by default: batch_sizes and lengths stay on
    the CPU, as in PyTorch; indices go to the data's device)."""
    from torchlike._ops.creation import _finish

    return _finish(np.asarray(array), device, False)


def _np(t):
    """A concrete tensor's value as numpy (lengths and batch sizes live on the host in torch)."""
    return np.asarray(getattr(t, "_data", t))


class PackedSequence_(NamedTuple):
    data: object
    batch_sizes: object
    sorted_indices: object
    unsorted_indices: object


class PackedSequence(PackedSequence_):
    """Holds the data and list of batch_sizes of a packed sequence."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self

        def move(t):
            return None if t is None else t.to(data.device)

        return type(self)(
            data, self.batch_sizes, move(self.sorted_indices), move(self.unsorted_indices)
        )

    def cuda(self, *args, **kwargs):
        return type(self)(
            self.data.cuda(*args, **kwargs),
            self.batch_sizes,
            *(
                None if t is None else t.cuda(*args, **kwargs)
                for t in (self.sorted_indices, self.unsorted_indices)
            ),
        )

    def cpu(self, *args, **kwargs):
        return type(self)(
            self.data.cpu(),
            self.batch_sizes,
            *(None if t is None else t.cpu() for t in (self.sorted_indices, self.unsorted_indices)),
        )

    def double(self):
        return self.to(dtype=_tl().double)

    def float(self):
        return self.to(dtype=_tl().float)

    def half(self):
        return self.to(dtype=_tl().half)

    def long(self):
        return self.to(dtype=_tl().long)

    def int(self):
        return self.to(dtype=_tl().int)

    def short(self):
        return self.to(dtype=_tl().short)

    def char(self):
        return self.to(dtype=_tl().int8)

    def byte(self):
        return self.to(dtype=_tl().uint8)

    def pin_memory(self):
        return self

    def is_pinned(self):
        return False

    @property
    def is_cuda(self):
        return self.data.is_cuda


def invert_permutation(permutation):
    """The inverse of a permutation tensor (None stays None)."""
    if permutation is None:
        return None
    p = _np(permutation)
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return _wrap(out, permutation.device)


@op(tensor_args=("input", "index"), method=False, name="_pack_padded_sequence")
def _gather_steps(input, index, batch_first=False):
    """Rows of the (time, batch)-flattened input at index: packed data."""
    flat = input.reshape((input.shape[0] * input.shape[1],) + input.shape[2:])
    return jnp.take(flat, index, axis=0)


@op(tensor_args=("data", "index"), method=False, name="_pad_packed_sequence")
def _scatter_steps(data, index, shape=(), padding_value=0.0):
    """Packed data scattered into a padded (rows, batch, ...) tensor filled with padding_value."""
    flat = jnp.full((shape[0] * shape[1],) + data.shape[1:], padding_value, data.dtype)
    return flat.at[index].set(data).reshape(shape + data.shape[1:])


def _packed_index(batch_sizes, perm, n_rows, n_batch, batch_first):
    """For each packed element (t, b) its flat index in the padded layout."""
    t = np.concatenate([np.full(bs, i) for i, bs in enumerate(batch_sizes)]).astype(np.int64)
    b = np.concatenate([np.arange(bs) for bs in batch_sizes]).astype(np.int64)
    if perm is not None:
        b = perm[b]
    return b * n_rows + t if batch_first else t * n_batch + b


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch of variable length sequences."""
    lengths = np.asarray(
        _np(lengths) if not isinstance(lengths, (list, tuple)) else lengths, dtype=np.int64
    ).reshape(-1)
    n_batch = input.shape[0] if batch_first else input.shape[1]
    n_rows = input.shape[1] if batch_first else input.shape[0]
    if lengths.size != n_batch:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {lengths.size} "
            f"(batch_size={n_batch})"
        )
    sorted_indices = None
    perm = None
    if enforce_sorted:
        if (np.diff(lengths) > 0).any():
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
    else:
        perm = np.argsort(-lengths, kind="stable").astype(np.int64)
        lengths = lengths[perm]
        sorted_indices = _wrap(perm, input.device)
    if lengths.size and lengths[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in "
            "'lengths' that is <= 0"
        )
    if lengths.size and lengths[0] > n_rows:
        raise RuntimeError(f"Expected sequence length to be at most {n_rows}, but got {lengths[0]}")
    batch_sizes = np.array([(lengths > t).sum() for t in range(lengths[0])], dtype=np.int64)
    index = _packed_index(batch_sizes, perm, n_rows, n_batch, batch_first)
    data = _gather_steps(input, _wrap(index, input.device), bool(batch_first))
    return PackedSequence(data, _wrap(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Pad a packed batch of variable length sequences; returns (padded, lengths)."""
    batch_sizes = _np(sequence.batch_sizes)
    max_len = batch_sizes.shape[0]
    if total_length is not None:
        if total_length < max_len:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{max_len}"
            )
        max_len = total_length
    n_batch = int(batch_sizes[0])
    perm = None if sequence.sorted_indices is None else _np(sequence.sorted_indices)
    index = _packed_index(batch_sizes, perm, max_len, n_batch, batch_first)
    shape = (n_batch, max_len) if batch_first else (max_len, n_batch)
    padded = _scatter_steps(sequence.data, _wrap(index, sequence.data.device), shape,
                            float(padding_value))
    lengths = np.array([(batch_sizes > b).sum() for b in range(n_batch)], dtype=np.int64)
    if perm is not None:
        lengths = lengths[_np(sequence.unsorted_indices)]
    return padded, _wrap(lengths)


@op(tensor_args=("sequences",), method=False, name="pad_sequence")
def _pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    max_len = max(s.shape[0] for s in sequences)
    out = []
    for s in sequences:
        pad = [
            (0, max_len - s.shape[0]) if padding_side == "right" else (max_len - s.shape[0], 0)
        ] + [(0, 0)] * (s.ndim - 1)
        out.append(jnp.pad(s, pad, constant_values=padding_value))
    return jnp.stack(out, axis=0 if batch_first else 1)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Pad a list of variable length tensors with padding_value into one tensor."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(
            "pad_sequence: Expected iterable for input sequences, but got arg of type: "
            f"{type(sequences)}"
        )
    sequences = tuple(sequences)
    if padding_side not in ("left", "right"):
        raise ValueError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    trailing = tuple(sequences[0].shape[1:])
    for s in sequences:
        if tuple(s.shape[1:]) != trailing:
            raise RuntimeError(
                f"The size of tensor a ({s.shape[1] if s.dim() > 1 else 0}) must match the size "
                f"of tensor b ({trailing[0] if trailing else 0}) at non-singleton dimension 1"
            )
    return _pad_sequence(sequences, bool(batch_first), float(padding_value), padding_side)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded tensor back into a list of variable length tensors."""
    if not batch_first:
        # torch transposes the caller's tensor in place here; a local transpose is enough.
        padded_sequences = padded_sequences.transpose(0, 1)
    # torch selects each sequence with a boolean mask: a contiguous copy, not a view.
    return [
        padded_sequences[i, : int(n)].clone(memory_format=_tl().contiguous_format)
        for i, n in enumerate(_np(lengths).reshape(-1))
    ]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of variable length tensors."""
    lengths = [int(v.size(0)) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """Unpack a PackedSequence into a list of variable length tensors."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
