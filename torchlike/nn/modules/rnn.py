"""Recurrent layers (RNN, LSTM, GRU) and cells; each layer stack runs as one scan op."""

import functools
import math
import numbers
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from torchlike._core.tensor import wrap
from torchlike._ops.registry import op
from torchlike.nn.parameter import Parameter
from torchlike.nn.utils.rnn import PackedSequence

from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


def _tl():
    import torchlike

    return torchlike


# ---- the math, on jax arrays ---------------------------------------------------------------


def _linear(x, w, b):
    y = jnp.matmul(x, w.T)
    return y if b is None else y + b


def _cell(mode, gi, h, c, w_hh, b_hh, w_hr):
    """One step given the input projection gi = x W_ih^T + b_ih; returns (h', c')."""
    gh = _linear(h, w_hh, b_hh)
    if mode == "RNN_TANH":
        return jnp.tanh(gi + gh), None
    if mode == "RNN_RELU":
        return jax.nn.relu(gi + gh), None
    if mode == "GRU":
        i_r, i_z, i_n = jnp.split(gi, 3, axis=-1)
        h_r, h_z, h_n = jnp.split(gh, 3, axis=-1)
        r = jax.nn.sigmoid(i_r + h_r)
        z = jax.nn.sigmoid(i_z + h_z)
        n = jnp.tanh(i_n + r * h_n)
        return (1 - z) * n + z * h, None
    i, f, g, o = jnp.split(gi + gh, 4, axis=-1)
    c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
    h = jax.nn.sigmoid(o) * jnp.tanh(c)
    if w_hr is not None:
        h = jnp.matmul(h, w_hr.T)
    return h, c


def _post(mode, gi, gh, h, c, live):
    """The elementwise part of one step, given both projections; returns (carry h, c, out)."""
    if mode == "RNN_TANH":
        h_new, c_new = jnp.tanh(gi + gh), None
    elif mode == "RNN_RELU":
        h_new, c_new = jax.nn.relu(gi + gh), None
    elif mode == "GRU":
        i_r, i_z, i_n = jnp.split(gi, 3, axis=-1)
        h_r, h_z, h_n = jnp.split(gh, 3, axis=-1)
        r = jax.nn.sigmoid(i_r + h_r)
        z = jax.nn.sigmoid(i_z + h_z)
        n = jnp.tanh(i_n + r * h_n)
        h_new, c_new = (1 - z) * n + z * h, None
    else:
        i, f, g, o = jnp.split(gi + gh, 4, axis=-1)
        c_new = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h_new = jax.nn.sigmoid(o) * jnp.tanh(c_new)
    if live is None:
        return h_new, c_new, h_new
    # finished sequences keep their state and output zeros
    h_keep = jnp.where(live, h_new, h)
    c_keep = None if c is None else jnp.where(live, c_new, c)
    return h_keep, c_keep, jnp.where(live, h_new, 0)


def _scan_steps(mode, gi_all, live_all, h0, c0, w_hh, b_hh):
    """The forward recurrence; also returns what the backward needs (each step's gh, h, c)."""

    def step(carry, inp):
        h, c = carry
        gi, live = inp
        gh = _linear(h, w_hh, b_hh)
        h_new, c_new, out = _post(mode, gi, gh, h, c, live)
        return (h_new, c_new), (out, gh, h, c)

    (h_n, c_n), (out, gh_all, h_prev, c_prev) = jax.lax.scan(step, (h0, c0), (gi_all, live_all))
    return (out, h_n, c_n), (gh_all, h_prev, c_prev)


@functools.partial(jax.custom_vjp, nondiff_argnums=(0,))
def _recurrence(mode, gi_all, live_all, h0, c0, w_hh, b_hh):
    """(out, h_n, c_n) of the recurrence over the precomputed input projections gi_all (T, B, G).

    A custom VJP, as cuDNN and PyTorch do it: the backward scan carries only (dh, dc) and emits
    each step's gate gradients; the weight gradients are then ONE matmul over all steps.
    (Autodiff of the scan would accumulate a (G, H) weight gradient inside every step.)"""
    return _scan_steps(mode, gi_all, live_all, h0, c0, w_hh, b_hh)[0]


def _recurrence_fwd(mode, gi_all, live_all, h0, c0, w_hh, b_hh):
    outs, (gh_all, h_prev, c_prev) = _scan_steps(mode, gi_all, live_all, h0, c0, w_hh, b_hh)
    return outs, (gi_all, live_all, gh_all, h_prev, c_prev, w_hh, b_hh is not None)


def _recurrence_bwd(mode, res, cts):
    gi_all, live_all, gh_all, h_prev, c_prev, w_hh, has_bias = res
    d_out, d_hn, d_cn = cts

    def step(carry, inp):
        dh, dc = carry
        do, gi, gh, h, c, live = inp
        _, vjp = jax.vjp(lambda gi, gh, h, c: _post(mode, gi, gh, h, c, live), gi, gh, h, c)
        dgi, dgh, dh_direct, dc_prev = vjp((dh, dc, do))
        return (dh_direct + jnp.matmul(dgh, w_hh), dc_prev), (dgi, dgh)

    (dh0, dc0), (dgi_all, dgh_all) = jax.lax.scan(
        step, (d_hn, d_cn), (d_out, gi_all, gh_all, h_prev, c_prev, live_all), reverse=True)
    dw_hh = jnp.einsum("tbg,tbh->gh", dgh_all, h_prev)
    db_hh = dgh_all.sum((0, 1)) if has_bias else None
    return (dgi_all, None, dh0, dc0, dw_hh, db_hh)


_recurrence.defvjp(_recurrence_fwd, _recurrence_bwd)


def _direction(mode, x, lengths, h0, c0, w, reverse):
    """Run one direction of one layer over time-major x (T, B, I); returns (out, h_n, c_n)."""
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    gi_all = _linear(x, w_ih, b_ih)  # every step's input projection in one matmul
    steps = jnp.arange(x.shape[0])
    if reverse:
        gi_all, steps = gi_all[::-1], steps[::-1]
    # a reversed packed sequence starts at its own end: steps past its length are not live
    live_all = None if lengths is None else (steps[:, None] < lengths[None, :])[..., None]
    if w_hr is None:
        out, h_n, c_n = _recurrence(mode, gi_all, live_all, h0, c0, w_hh, b_hh)
    else:
        def step(carry, inp):
            h, c = carry
            gi, live = inp
            h_new, c_new = _cell(mode, gi, h, c, w_hh, b_hh, w_hr)
            if live is None:
                return (h_new, c_new), h_new
            return (jnp.where(live, h_new, h), jnp.where(live, c_new, c)), jnp.where(live, h_new, 0)

        (h_n, c_n), out = jax.lax.scan(step, (h0, c0), (gi_all, live_all))
    if reverse:
        out = out[::-1]
    return out, h_n, c_n


def _split_weights(weights, num_layers, num_directions, has_bias, has_proj):
    per = 2 + 2 * has_bias + has_proj
    out = []
    for k in range(num_layers * num_directions):
        ws = list(weights[k * per : (k + 1) * per])
        w_ih, w_hh = ws[0], ws[1]
        b_ih, b_hh = (ws[2], ws[3]) if has_bias else (None, None)
        w_hr = ws[-1] if has_proj else None
        out.append((w_ih, w_hh, b_ih, b_hh, w_hr))
    return out


@op(
    tensor_args=("input", "hx", "cx", "weights", "dropout_masks", "batch_sizes", "sorted_indices"),
    method=False,
    name="_rnn",
    save_residuals=True,  # the backward would otherwise run the whole forward scan again
)
def _rnn(
    input,
    hx,
    cx,
    weights,
    dropout_masks=None,
    batch_sizes=None,
    sorted_indices=None,
    mode="LSTM",
    num_layers=1,
    bidirectional=False,
    has_bias=True,
    proj_size=0,
    batch_first=False,
    max_batch=0,
):
    """A whole multi-layer (bi)directional RNN; input is padded (T, B, I) or packed (N, I).
    The padded output is (T, B, H) whatever batch_first says."""
    num_directions = 2 if bidirectional else 1
    packed = batch_sizes is not None
    lengths = None
    if packed:
        # Unpack into a padded time-major layout; every sequence keeps its own length.
        B = max_batch
        offsets = jnp.cumsum(batch_sizes) - batch_sizes
        b_idx = jnp.arange(B)
        valid = b_idx[None, :] < batch_sizes[:, None]
        idx = jnp.where(valid, offsets[:, None] + b_idx[None, :], 0)
        x = jnp.where(valid[..., None], input[idx], 0)
        lengths = jnp.sum(valid, axis=0)
        if sorted_indices is not None:
            hx = hx[:, sorted_indices]
            cx = None if cx is None else cx[:, sorted_indices]
    else:
        x = jnp.swapaxes(input, 0, 1) if batch_first else input
    ws = _split_weights(weights, num_layers, num_directions, has_bias, proj_size > 0)
    h_out, c_out = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(num_directions):
            k = layer * num_directions + d
            out, h_n, c_n = _direction(
                mode, x, lengths, hx[k], None if cx is None else cx[k], ws[k], reverse=d == 1
            )
            outs.append(out)
            h_out.append(h_n)
            c_out.append(c_n)
        x = outs[0] if num_directions == 1 else jnp.concatenate(outs, axis=-1)
        if dropout_masks is not None and layer < num_layers - 1:
            # torch draws a packed input's dropout mask over the packed rows.
            mask = (
                jnp.where(valid[..., None], dropout_masks[layer][idx], 0)
                if packed
                else (dropout_masks[layer])
            )
            x = x * mask
    h_n = jnp.stack(h_out)
    c_n = jnp.stack(c_out) if cx is not None else None
    if packed:
        n = input.shape[0]
        ends = jnp.cumsum(batch_sizes)
        # Rows past the real data (shape bucketing) gather a clipped dummy and are cut off.
        t_of = jnp.minimum(jnp.searchsorted(ends, jnp.arange(n), side="right"), ends.shape[0] - 1)
        b_of = jnp.clip(jnp.arange(n) - (ends - batch_sizes)[t_of], 0, x.shape[1] - 1)
        output = x[t_of, b_of]
        if sorted_indices is not None:
            unsorted = jnp.argsort(sorted_indices)
            h_n = h_n[:, unsorted]
            c_n = None if c_n is None else c_n[:, unsorted]
    else:
        # Time-major even for batch_first: the module returns a transposed view, as torch.
        output = x
    return (output, h_n) if c_n is None else (output, h_n, c_n)


@op(tensor_args=("x",), method=False, name="_pad_rows")
def _pad_rows(x, rows=0, axis=0):
    """x zero-padded along axis to `rows` entries."""
    pad = [(0, 0)] * x.ndim
    pad[axis] = (0, rows - x.shape[axis])
    return jnp.pad(x, pad)


def _first(batch_sizes):
    # batch_sizes live on the host (as in torch); reading the array avoids a recorded op.
    return int(np.asarray(batch_sizes._data)[0])


def _bucket(steps):
    """The padded step count for packed input: 8, 12, 16, 24, 32, 48, ... (few compilations)."""
    b = 8
    while b < steps:
        b = b * 3 // 2 if b & (b - 1) == 0 else b * 4 // 3
    return b


@op(
    tensor_args=("input", "hx", "cx", "w_ih", "w_hh", "b_ih", "b_hh"),
    method=False,
    name="_rnn_cell",
)
def _rnn_cell(input, hx, cx, w_ih, w_hh, b_ih=None, b_hh=None, mode="LSTM"):
    """One step of an RNN / LSTM / GRU cell."""
    h, c = _cell(mode, _linear(input, w_ih, b_ih), hx, cx, w_hh, b_hh, None)
    return h if c is None else (h, c)


# ---- modules ---------------------------------------------------------------------------------


def _init_uniform(module, hidden_size):
    stdv = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0
    try:
        from torchlike.nn import init
    except ImportError:
        init = None
    for weight in module.parameters():
        if init is not None:
            init.uniform_(weight, -stdv, stdv)
        else:
            with _tl().no_grad():
                weight.uniform_(-stdv, stdv)


class RNNBase(Module):
    """Base class for RNN, LSTM and GRU."""

    __constants__ = [
        "mode",
        "input_size",
        "hidden_size",
        "num_layers",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
        "proj_size",
    ]

    def __init__(
        self,
        mode,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        proj_size=0,
        device=None,
        dtype=None,
    ) -> None:
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if (
            not isinstance(dropout, numbers.Number)
            or not 0 <= dropout <= 1
            or isinstance(dropout, bool)
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                "element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}",
                stacklevel=2,
            )
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(
                f"batch_first should be of type bool, got: {type(batch_first).__name__}"
            )
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        gate_size = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}.get(mode)
        if gate_size is None:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size *= hidden_size
        torch = _tl()
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                real_hidden_size = proj_size if proj_size > 0 else hidden_size
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                shapes = [(gate_size, layer_input_size), (gate_size, real_hidden_size)]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    shapes += [(gate_size,), (gate_size,)]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    shapes += [(proj_size, hidden_size)]
                    names += ["weight_hr_l{}{}"]
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for name, shape in zip(names, shapes):
                    setattr(self, name, Parameter(torch.empty(shape, **factory_kwargs)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, name, None) for name in self._flat_weights_names]

    def flatten_parameters(self) -> None:
        """No-op: there is no cuDNN weight buffer to compact."""

    def reset_parameters(self) -> None:
        _init_uniform(self, self.hidden_size)

    @property
    def all_weights(self):
        return [[getattr(self, weight) for weight in weights] for weights in self._all_weights]

    def check_input(self, input, batch_sizes) -> None:
        if input.dtype != self._flat_weights[0].dtype:
            w = self._flat_weights[0].dtype
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({w}). Convert "
                f"input: input.to({w}), or convert model: model.to({input.dtype})"
            )
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(
                f"input must have {expected_input_dim} dimensions, got {input.dim()}"
            )
        if self.input_size != input.size(-1):
            raise RuntimeError(
                "input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {input.size(-1)}"
            )

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = _first(batch_sizes)
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, size)

    def get_expected_cell_size(self, input, batch_sizes):
        expected = self.get_expected_hidden_size(input, batch_sizes)
        return expected[:2] + (self.hidden_size,)

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        if self.mode == "LSTM":
            self.check_hidden_size(
                hidden[0],
                self.get_expected_hidden_size(input, batch_sizes),
                "Expected hidden[0] size {}, got {}",
            )
            self.check_hidden_size(
                hidden[1],
                self.get_expected_cell_size(input, batch_sizes),
                "Expected hidden[1] size {}, got {}",
            )
        else:
            self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    def forward(self, input, hx=None):
        torch = _tl()
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(self.mode, self.mode)
        is_lstm = self.mode == "LSTM"
        num_directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        packed = isinstance(input, PackedSequence)
        is_batched = True
        if packed:
            input, batch_sizes, sorted_indices, unsorted_indices = input
            max_batch = _first(batch_sizes)
        else:
            batch_sizes = sorted_indices = None
            if input.dim() not in (2, 3):
                what = "D tensor instead" if not is_lstm else "D instead"
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}{what}")
            is_batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            if not is_batched:
                input = input.unsqueeze(batch_dim)
            max_batch = input.size(0) if self.batch_first else input.size(1)
            if hx is not None:
                dims = [t.dim() for t in hx] if is_lstm else [hx.dim()]
                want = 3 if is_batched else 2
                if any(d != want for d in dims):
                    kind = "batched 3-D" if is_batched else "unbatched 2-D"
                    if is_lstm:
                        raise RuntimeError(
                            f"For {kind} input, hx and cx should also be {want}-D but got "
                            f"({dims[0]}-D, {dims[1]}-D) tensors"
                        )
                    raise RuntimeError(
                        f"For {kind} input, hx should also be {want}-D but got {dims[0]}-D tensor"
                    )
                if not is_batched:
                    hx = tuple(t.unsqueeze(1) for t in hx) if is_lstm else hx.unsqueeze(1)
        if hx is None:

            def zeros(size):
                return torch.zeros(
                    self.num_layers * num_directions,
                    max_batch,
                    size,
                    dtype=input.dtype,
                    device=input.device,
                )

            hx = (zeros(real_hidden), zeros(self.hidden_size)) if is_lstm else zeros(real_hidden)
        self.check_forward_args(input, hx, batch_sizes)
        h0, c0 = hx if is_lstm else (hx, None)
        masks = None
        if self.dropout > 0 and self.training and self.num_layers > 1:
            if packed:
                rows = (input.size(0),)
            elif self.batch_first:
                # torch runs batch_first inputs time-major, so its masks are (T, B, F) too.
                rows = (input.size(1), max_batch)
            else:
                rows = (input.size(0), max_batch)
            shape = (self.num_layers - 1,) + rows + (real_hidden * num_directions,)
            masks = torch.empty(shape, dtype=input.dtype, device=input.device).bernoulli_(
                1 - self.dropout
            )
            masks = masks / (1 - self.dropout) if self.dropout < 1 else masks
        op_input, op_sizes = input, batch_sizes
        if packed:
            # Packed batches differ in length from call to call: pad the step count to a
            # bucket so that the compiled scan is reused (the padding steps carry no data).
            steps = int(batch_sizes.shape[0])
            bucket = _bucket(steps)
            if bucket != steps:
                op_sizes = wrap(np.pad(np.asarray(batch_sizes._data), (0, bucket - steps)))
            rows = max_batch * bucket
            if rows != input.size(0):
                op_input = _pad_rows(input, rows)
                if masks is not None:
                    masks = _pad_rows(masks, rows, 1)
            if op_sizes.device != input.device:
                op_sizes = op_sizes.to(input.device)  # batch_sizes stays on the CPU (PyTorch's)
        result = _rnn(
            op_input,
            h0,
            c0,
            self._flat_weights_for_op(),
            masks,
            op_sizes,
            sorted_indices,
            self.mode,
            self.num_layers,
            bool(self.bidirectional),
            bool(self.bias),
            int(self.proj_size),
            bool(self.batch_first) and not packed,
            max_batch,
        )
        output = result[0]
        if self.batch_first and not packed:
            # torch's kernels run time-major: a batch_first output is a non-contiguous view.
            output = output.transpose(0, 1)
        hidden = (result[1], result[2]) if is_lstm else result[1]
        if packed:
            if op_input is not input:
                output = output[: input.size(0)]
            return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), hidden
        if not is_batched:
            output = output.squeeze(batch_dim)
            hidden = (hidden[0].squeeze(1), hidden[1].squeeze(1)) if is_lstm else hidden.squeeze(1)
        return output, hidden

    def _flat_weights_for_op(self):
        return list(self._flat_weights)


class RNN(RNNBase):
    """Multi-layer Elman RNN with tanh or ReLU non-linearity."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(mode, *args, **kwargs)


class LSTM(RNNBase):
    """Multi-layer long short-term memory RNN."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Multi-layer gated recurrent unit RNN."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class RNNCellBase(Module):
    """Base class for the single-step cells."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None) -> None:
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__()
        torch = _tl()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(
            torch.empty((num_chunks * hidden_size, input_size), **factory_kwargs)
        )
        self.weight_hh = Parameter(
            torch.empty((num_chunks * hidden_size, hidden_size), **factory_kwargs)
        )
        if bias:
            self.bias_ih = Parameter(torch.empty(num_chunks * hidden_size, **factory_kwargs))
            self.bias_hh = Parameter(torch.empty(num_chunks * hidden_size, **factory_kwargs))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        _init_uniform(self, self.hidden_size)

    def _step(self, name, mode, input, hx, n_state):
        torch = _tl()
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            states = hx if n_state == 2 else (hx,)
            for idx, value in enumerate(states):
                if value.dim() not in (1, 2):
                    what = f"hx[{idx}]" if n_state == 2 else "hidden"
                    raise ValueError(
                        f"{name}: Expected {what} to be 1D or 2D, got {value.dim()}D instead"
                    )
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            zeros = torch.zeros(
                input.size(0), self.hidden_size, dtype=input.dtype, device=input.device
            )
            states = (zeros, zeros) if n_state == 2 else (zeros,)
        else:
            states = tuple(s.unsqueeze(0) if not is_batched else s for s in states)
        if input.size(1) != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}"
            )
        for s in states:
            if s.size(0) != input.size(0):
                raise RuntimeError(
                    f"Input batch size {input.size(0)} doesn't match hidden0 batch size {s.size(0)}"
                )
            if s.size(1) != self.hidden_size:
                raise RuntimeError(
                    f"hidden0 has inconsistent hidden_size: got {s.size(1)}, expected "
                    f"{self.hidden_size}"
                )
        ret = _rnn_cell(
            input,
            states[0],
            states[1] if n_state == 2 else None,
            self.weight_ih,
            self.weight_hh,
            self.bias_ih,
            self.bias_hh,
            mode,
        )
        if not is_batched:
            ret = tuple(r.squeeze(0) for r in ret) if n_state == 2 else ret.squeeze(0)
        return ret


class RNNCell(RNNCellBase):
    """An Elman RNN cell with tanh or ReLU non-linearity."""

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(
        self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        mode = "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"
        return self._step("RNNCell", mode, input, hx, 1)


class LSTMCell(RNNCellBase):
    """A long short-term memory cell."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step("LSTMCell", "LSTM", input, hx, 2)


class GRUCell(RNNCellBase):
    """A gated recurrent unit cell."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step("GRUCell", "GRU", input, hx, 1)
