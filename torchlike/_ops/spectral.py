"""torch.stft and torch.istft: short-time Fourier transforms by framing, windowing and FFTs."""

import math
import warnings

import jax.numpy as jnp
import numpy as np

from .._core.tensor import Tensor
from .registry import op

_PAD_MODES = {"reflect": "reflect", "constant": "constant", "replicate": "edge",
              "circular": "wrap"}


def _padded_window(window, win_length, n_fft, dtype):
    """The window zero-padded on both sides to n_fft, as PyTorch centres a shorter window."""
    w = jnp.ones(win_length, dtype) if window is None else window
    left = (n_fft - win_length) // 2
    return jnp.pad(w, (left, n_fft - win_length - left))


@op(tensor_args=("input", "window"), method=False, name="_stft")
def _stft(input, n_fft, hop_length, win_length, window, center, pad_mode, normalized, onesided):
    x = input
    if center:
        p = n_fft // 2
        x = jnp.pad(x, ((0, 0), (p, p)), mode=_PAD_MODES[pad_mode])
    n_frames = 1 + (x.shape[-1] - n_fft) // hop_length
    idx = np.arange(n_frames)[:, None] * hop_length + np.arange(n_fft)[None, :]
    w = _padded_window(window, win_length, n_fft, jnp.real(x).dtype)
    frames = x[:, idx] * w  # (batch, frames, n_fft)
    spec = jnp.fft.rfft(frames, axis=-1) if onesided else jnp.fft.fft(frames, axis=-1)
    if normalized:
        spec = spec / math.sqrt(n_fft)
    cdt = jnp.result_type(x.dtype, jnp.complex64)
    return jnp.swapaxes(spec, -1, -2).astype(cdt)  # (batch, freq, frames)


def _defaults(n_fft, hop_length, win_length, window, where):
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    if n_fft <= 0:
        raise RuntimeError(f"{where}: expected 0 < n_fft, but got n_fft={n_fft}")
    if hop_length <= 0:
        raise RuntimeError(f"{where}: expected hop_length > 0, but got hop_length={hop_length}")
    if win_length <= 0 or win_length > n_fft:
        raise RuntimeError(f"{where}: expected 0 < win_length <= n_fft, but got "
                           f"win_length={win_length}")
    if window is not None and (window.dim() != 1 or window.shape[0] != win_length):
        raise RuntimeError(f"{where}: expected a 1D window tensor of size equal to win_length="
                           f"{win_length}, but got window with size {list(window.shape)}")
    if window is None:
        why = ("Please provide the same window used by stft to make the inversion lossless."
               if where == "istft" else
               ",which is known to cause spectral leakage. Other windows such as "
               "torch.hann_window or torch.hamming_window are recommended to reduce spectral "
               "leakage.")
        warnings.warn(f"A window was not provided. A rectangular window will be applied"
                      f"{'.' if where == 'istft' else ''}{why}To suppress this warning and use a "
                      "rectangular window, explicitly set `window=torch.ones(n_fft, "
                      "device=<device>)`.", UserWarning, stacklevel=3)
    return hop_length, win_length


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
         pad_mode="reflect", normalized=False, onesided=None, return_complex=None):
    """torch.stft: (batch?, n_fft // 2 + 1 or n_fft, frames) complex spectra."""
    if return_complex is None and not input.is_complex() and not (
            window is not None and window.is_complex()):
        raise RuntimeError("stft requires the return_complex parameter be given for real inputs, "
                           "and will further require that return_complex=True in a future "
                           "PyTorch release.")
    if not return_complex and return_complex is not None:
        raise NotImplementedError("torchlike: stft(return_complex=False) is deprecated in "
                                  "PyTorch and not supported; use return_complex=True and "
                                  "torch.view_as_real")
    if input.dim() not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, but got {input.dim()}D tensor")
    hop_length, win_length = _defaults(n_fft, hop_length, win_length, window, "stft")
    if pad_mode not in _PAD_MODES:
        raise RuntimeError(f"stft: unsupported pad_mode {pad_mode!r}")
    complex_in = input.is_complex() or (window is not None and window.is_complex())
    if onesided is None:
        onesided = not complex_in
    elif onesided and complex_in:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    length = input.shape[-1] + (2 * (n_fft // 2) if center else 0)
    if center and pad_mode == "reflect" and n_fft // 2 >= input.shape[-1]:
        raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                           f"input dimension, but got: padding ({n_fft // 2}, {n_fft // 2}) at "
                           f"dimension 1 of input [1, 1, {input.shape[-1]}]")
    if length < n_fft:
        raise RuntimeError(f"stft: expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    x = input if input.dim() == 2 else input.unsqueeze(0)
    out = _stft(x, n_fft, hop_length, win_length, window, center, pad_mode, normalized, onesided)
    return out if input.dim() == 2 else out.squeeze(0)


@op(tensor_args=("input", "window"), method=False, name="_istft")
def _istft(input, n_fft, hop_length, win_length, window, center, normalized, onesided, length):
    spec = jnp.swapaxes(input, -1, -2)  # (batch, frames, freq)
    if normalized:
        spec = spec * math.sqrt(n_fft)
    frames = jnp.fft.irfft(spec, n=n_fft, axis=-1) if onesided else jnp.fft.ifft(spec, axis=-1)
    w = _padded_window(window, win_length, n_fft, jnp.real(frames).dtype)
    frames = frames * w
    n_frames = frames.shape[-2]
    total = n_fft + hop_length * (n_frames - 1)
    idx = (np.arange(n_frames)[:, None] * hop_length + np.arange(n_fft)[None, :]).reshape(-1)
    y = jnp.zeros(frames.shape[:-2] + (total,), frames.dtype).at[..., idx].add(
        frames.reshape(frames.shape[:-2] + (-1,)))
    envelope = jnp.zeros(total, w.dtype).at[idx].add(jnp.tile(w * w, n_frames))
    start = n_fft // 2 if center else 0
    end = total - (n_fft // 2 if center else 0) if length is None else start + length
    end = min(end, total)
    y = y[..., start:end] / envelope[start:end]
    if length is not None and y.shape[-1] < length:
        y = jnp.pad(y, ((0, 0), (0, length - y.shape[-1])))
    return y


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
          normalized=False, onesided=None, length=None, return_complex=False):
    """torch.istft: the signal whose stft is `input` (overlap-add with window normalisation)."""
    if not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor matching the output "
                           "from stft with return_complex=True.")
    if input.dim() not in (2, 3):
        raise RuntimeError(f"istft: expected a tensor with 2 or 3 dimensions of complex, but got "
                           f"{input.dim()}")
    hop_length, win_length = _defaults(n_fft, hop_length, win_length, window, "istft")
    if onesided is None:
        onesided = input.shape[-2] != n_fft
    if return_complex:
        if onesided:
            raise RuntimeError("cannot have onesided output if window or input is complex")
    elif not onesided:
        raise NotImplementedError("torchlike: istft(onesided=False, return_complex=False) is not "
                                  "supported; pass return_complex=True and take .real")
    fft_size = n_fft // 2 + 1 if onesided else n_fft
    if input.shape[-2] != fft_size:
        raise RuntimeError(f"istft: expected the frequency dimension (3rd to the last) of the "
                           f"input tensor to match n_fft / 2 + 1 when onesided=True, but got "
                           f"{input.shape[-2]}")
    x = input if input.dim() == 3 else input.unsqueeze(0)
    w = None if window is None else window
    env = _envelope_min(n_fft, hop_length, win_length, w, x.shape[-1], center, length)
    if env < 1e-11:
        raise RuntimeError(f"istft: window overlap add min: {env:.5g}")
    y = _istft(x, n_fft, hop_length, win_length, window, center, normalized, onesided, length)
    return y if input.dim() == 3 else y.squeeze(0)


def _envelope_min(n_fft, hop_length, win_length, window, n_frames, center, length):
    # PyTorch refuses a window whose overlap-add is (near) zero anywhere it divides
    w = np.ones(win_length) if window is None else np.asarray(window.detach().abs().numpy(),
                                                                np.float64)
    left = (n_fft - win_length) // 2
    w = np.pad(w, (left, n_fft - win_length - left))
    total = n_fft + hop_length * (n_frames - 1)
    env = np.zeros(total)
    for f in range(n_frames):
        env[f * hop_length:f * hop_length + n_fft] += w * w
    start = n_fft // 2 if center else 0
    end = total - (n_fft // 2 if center else 0) if length is None else start + length
    part = env[start:min(end, total)]
    return float(part.min()) if part.size else 1.0


Tensor.stft = stft
Tensor.istft = istft

__all__ = ["istft", "stft"]
