"""torch.signal.windows: window functions (SciPy's definitions, as PyTorch computes them:
points from linspace, then the window's formula, in the requested dtype)."""

import math
from collections.abc import Iterable

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
           "general_hamming", "hamming", "hann", "kaiser", "nuttall"]


def _checks(name, M, dtype, layout):
    from ..._core import dtypes
    from ..._core.layouts import strided
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not None and layout is not strided:
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    if dtype not in (dtypes.float32, dtypes.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dtype}")


def _setup(name, M, dtype, layout):
    """(dtype, None) to compute, or (dtype, the empty result) for M = 0."""
    from ... import empty, get_default_dtype
    dtype = dtype or get_default_dtype()
    _checks(name, M, dtype, layout)
    if M == 0:
        return dtype, empty((0,), dtype=dtype)
    return dtype, None


def _finish(t, device, requires_grad):
    if device is not None:
        t = t.to(device)
    return t.requires_grad_() if requires_grad else t


def _points(start, end, M, dtype):
    from ... import linspace
    return linspace(start, end, M, dtype=dtype)


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=None, device=None,
                requires_grad=False):
    """exp(-|n - center| / tau)."""
    dtype, r = _setup("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if r is None:
        if center is None:
            center = (M if not sym and M > 1 else M - 1) / 2.0
        c = 1 / tau
        r = _points(-center * c, (-center + (M - 1)) * c, M, dtype).abs().neg().exp()
    return _finish(r, device, requires_grad)


def cosine(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """sin(pi (n + 1/2) / M)."""
    dtype, r = _setup("cosine", M, dtype, layout)
    if r is None:
        c = math.pi / (M + 1 if not sym and M > 1 else M)
        r = _points(0.5 * c, (0.5 + (M - 1)) * c, M, dtype).sin()
    return _finish(r, device, requires_grad)


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=None, device=None,
             requires_grad=False):
    """exp(-(n - center)^2 / (2 std^2))."""
    dtype, r = _setup("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    if r is None:
        start = -(M if not sym and M > 1 else M - 1) / 2.0
        c = 1 / (std * math.sqrt(2))
        r = (-(_points(start * c, (start + (M - 1)) * c, M, dtype) ** 2)).exp()
    return _finish(r, device, requires_grad)


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=None, device=None,
           requires_grad=False):
    """I0(beta sqrt(1 - (2n / (M - 1) - 1)^2)) / I0(beta)."""
    from ... import i0, minimum, ones, tensor
    dtype, r = _setup("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    if r is None:
        if M == 1:
            r = ones((1,), dtype=dtype)
        else:
            b = tensor(beta, dtype=dtype)  # (in the window's dtype, as PyTorch: no NaN at the ends)
            c = 2.0 * b / (M if not sym else M - 1)
            end = minimum(b, -b + (M - 1) * c)
            k = _points(float(-b), float(end), M, dtype)
            r = i0((b * b - k.pow(2)).sqrt()) / i0(b)
    return _finish(r, device, requires_grad)


def general_cosine(M, *, a, sym=True, dtype=None, layout=None, device=None,
                   requires_grad=False):
    """sum_i (-1)^i a_i cos(2 pi i n / (M - 1))."""
    from ... import arange, ones, tensor
    dtype, r = _setup("general_cosine", M, dtype, layout)
    if r is None:
        if M == 1:
            r = ones((1,), dtype=dtype)
        else:
            if not isinstance(a, Iterable):
                raise TypeError("Coefficients must be a list/tuple")
            if not a:
                raise ValueError("Coefficients cannot be empty")
            c = 2 * math.pi / (M if not sym else M - 1)
            k = _points(0, (M - 1) * c, M, dtype)
            a_i = tensor([(-1) ** i * w for i, w in enumerate(a)], dtype=dtype)
            i = arange(a_i.shape[0], dtype=dtype)
            r = (a_i.unsqueeze(-1) * (i.unsqueeze(-1) * k).cos()).sum(0)
    return _finish(r, device, requires_grad)


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=None, device=None,
                    requires_grad=False):
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def nuttall(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Nuttall's minimum 4-term Blackman-Harris window."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """1 - |2n / (M - 1) - 1|."""
    from ... import ones
    dtype, r = _setup("bartlett", M, dtype, layout)
    if r is None:
        if M == 1:
            r = ones((1,), dtype=dtype)
        else:
            c = 2 / (M if not sym else M - 1)
            r = 1 - _points(-1, -1 + (M - 1) * c, M, dtype).abs()
    return _finish(r, device, requires_grad)
