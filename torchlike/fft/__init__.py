"""torch.fft: discrete Fourier transforms on jax.numpy.fft, with PyTorch's dtypes and norms."""

import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core.tensor import _wrap_dim
from .._ops.registry import op

__all__ = [
    "fft",
    "fft2",
    "fftfreq",
    "fftn",
    "fftshift",
    "hfft",
    "hfft2",
    "hfftn",
    "ifft",
    "ifft2",
    "ifftn",
    "ifftshift",
    "ihfft",
    "ihfft2",
    "ihfftn",
    "irfft",
    "irfft2",
    "irfftn",
    "rfft",
    "rfft2",
    "rfftfreq",
    "rfftn",
]

_COMPLEX = {np.dtype(np.float16): np.complex64, np.dtype(np.float32): np.complex64,
            np.dtype(np.float64): np.complex128, np.dtype(np.complex64): np.complex64,
            np.dtype(np.complex128): np.complex128}
_REAL = {np.dtype(np.complex64): np.float32, np.dtype(np.complex128): np.float64,
         np.dtype(np.float32): np.float32, np.dtype(np.float64): np.float64}
# what each transform takes (c: complex, r: real) and returns
_IO = {"fft": "cc", "ifft": "cc", "fft2": "cc", "ifft2": "cc", "fftn": "cc", "ifftn": "cc",
       "rfft": "rc", "rfft2": "rc", "rfftn": "rc", "ihfft": "rc",
       "irfft": "cr", "irfft2": "cr", "irfftn": "cr", "hfft": "cr",
       "hfft2": "cr", "hfftn": "cr", "ihfft2": "rc", "ihfftn": "rc"}
# the inverse's normalisation, for the Hermitian transforms written through the real ones
_SWAP = {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}


@op(method=False, name="_fft_op")
def _fft_op(input, fname, s, dim, norm, default_float):
    x = input
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(default_float)
    kin, kout = _IO[fname]
    if kin == "c":
        x = x.astype(_COMPLEX[np.dtype(x.dtype)])
    if fname in ("hfft2", "hfftn"):  # hfftn(x) = irfftn(conj(x)) with the other normalisation
        out = jnp.fft.irfftn(jnp.conj(x), s=s, axes=dim, norm=_SWAP[norm])
    elif fname in ("ihfft2", "ihfftn"):  # ihfftn(x) = conj(rfftn(x)), likewise
        out = jnp.conj(jnp.fft.rfftn(x, s=s, axes=dim, norm=_SWAP[norm]))
    elif fname in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft"):
        f = getattr(jnp.fft, fname)
        out = f(x, n=s, axis=dim, norm=norm)
    else:
        out = getattr(jnp.fft, fname)(x, s=s, axes=dim, norm=norm)
    want = _COMPLEX[np.dtype(x.dtype)] if kout == "c" else _REAL[np.dtype(x.dtype)]
    return out.astype(want)


def _check_norm(norm):
    if norm not in (None, "backward", "ortho", "forward"):
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _check_real(fname, input):
    if _IO[fname][0] == "r" and input.is_complex():
        if fname in ("ihfft2", "ihfftn"):
            raise RuntimeError(f"Only supports floating-point dtypes, but found: {_name(input)}")
        if fname in ("rfft", "ihfft"):
            raise RuntimeError(f"{fname} expects a real input tensor, but got {_name(input)}")
        # (rfft2 is rfftn in PyTorch's message)
        raise RuntimeError(f"rfftn expects a real-valued input tensor, but got {_name(input)}")


def _run(fname, input, s, dim, norm, out):
    _check_norm(norm)
    _check_real(fname, input)
    return _fft_op(input, fname, s, dim, norm, _dt.get_default_dtype()._np, out=out)


def _name(t):
    from .._ops.pointwise import _tname
    return _tname(t._data)


def _one(fname):
    def f(input, n=None, dim=-1, norm=None, *, out=None):
        d = _wrap_dim(dim, input.dim())
        if n is not None and n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
        return _run(fname, input, n, d, norm, out)
    f.__name__ = fname
    f.__doc__ = f"torch.fft.{fname}."
    return f


def _dims(input, s, dim, default):
    if dim is None:
        if s is None:
            return None if default is None else tuple(_wrap_dim(d, input.dim()) for d in default)
        return tuple(range(input.dim() - len(s), input.dim()))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    dims = tuple(_wrap_dim(d, input.dim()) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("FFT dims must be unique")
    if s is not None and len(s) != len(dims):
        raise RuntimeError("When given, dim and shape arguments must have the same length")
    return dims


def _multi(fname, default):
    def f(input, s=None, dim=default, norm=None, *, out=None):
        if fname in ("rfft2", "rfftn"):  # (before the shape checks, as PyTorch)
            _check_real(fname, input)
        d = _dims(input, s, dim, default)
        if d is None:
            d = tuple(range(input.dim()))
        ss = None if s is None else tuple(int(v) for v in s)
        if ss is not None and any(v == -1 for v in ss):
            # -1: that dim's default length (2 * (n - 1) for a c2r transform's last dim)
            ss = tuple(v if v != -1 else (2 * (input.shape[dd] - 1) if _IO[fname][1] == "r" and
                                          i == len(ss) - 1 else input.shape[dd])
                       for i, (v, dd) in enumerate(zip(ss, d)))
        return _run(fname, input, ss, d, norm, out)
    f.__name__ = fname
    f.__doc__ = f"torch.fft.{fname}."
    return f


fft, ifft, rfft, irfft, hfft, ihfft = (_one(n) for n in ("fft", "ifft", "rfft", "irfft", "hfft",
                                                          "ihfft"))
fft2, ifft2, rfft2, irfft2 = (_multi(n, (-2, -1)) for n in ("fft2", "ifft2", "rfft2", "irfft2"))
fftn, ifftn, rfftn, irfftn = (_multi(n, None) for n in ("fftn", "ifftn", "rfftn", "irfftn"))


hfft2, ihfft2 = (_multi(n, (-2, -1)) for n in ("hfft2", "ihfft2"))
hfftn, ihfftn = (_multi(n, None) for n in ("hfftn", "ihfftn"))


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.fft.fftfreq."""
    dtype = dtype or _dt.get_default_dtype()
    k = np.concatenate([np.arange(0, (n - 1) // 2 + 1), np.arange(-(n // 2), 0)]) if n else \
        np.zeros(0)
    vals = k / (d * n) if n else k
    from .._ops.creation import tensor
    return tensor(vals.astype(dtype._np), device=device, requires_grad=requires_grad)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.fft.rfftfreq."""
    dtype = dtype or _dt.get_default_dtype()
    vals = np.arange(0, n // 2 + 1) / (d * n)
    from .._ops.creation import tensor
    return tensor(vals.astype(dtype._np), device=device, requires_grad=requires_grad)


@op(method=False, name="_fftshift")
def _shift(input, dim, inverse):
    return (jnp.fft.ifftshift if inverse else jnp.fft.fftshift)(input, axes=dim)


def fftshift(input, dim=None):
    """torch.fft.fftshift."""
    d = None if dim is None else tuple(_wrap_dim(x, input.dim()) for x in
                                       ((dim,) if isinstance(dim, int) else dim))
    return _shift(input, d, False)


def ifftshift(input, dim=None):
    """torch.fft.ifftshift."""
    d = None if dim is None else tuple(_wrap_dim(x, input.dim()) for x in
                                       ((dim,) if isinstance(dim, int) else dim))
    return _shift(input, d, True)
