"""torch.signal.windows against PyTorch."""

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()

WINDOWS = [("bartlett", {}), ("blackman", {}), ("cosine", {}), ("exponential", {"tau": 2.0}),
           ("gaussian", {"std": 1.5}), ("general_cosine", {"a": [0.46, 0.23, 0.31]}),
           ("general_hamming", {"alpha": 0.6}), ("hamming", {}), ("hann", {}),
           ("kaiser", {"beta": 8.0}), ("nuttall", {})]


@pytest.mark.parametrize("name,kw", WINDOWS, ids=[w[0] for w in WINDOWS])
@pytest.mark.parametrize("sym", [True, False])
def test_windows_match_pytorch(name, kw, sym):
    for M in (0, 1, 2, 5, 8):
        for dtype in ("float32", "float64"):
            want = getattr(torch.signal.windows, name)(M, sym=sym, dtype=getattr(torch, dtype),
                                                       **kw)
            got = getattr(tl.signal.windows, name)(M, sym=sym, dtype=getattr(tl, dtype), **kw)
            assert str(got.dtype) == str(want.dtype) and tuple(got.shape) == tuple(want.shape)
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6,
                                       err_msg=f"{name} M={M}")


@pytest.mark.parametrize("call", [
    lambda m: m.signal.windows.hann(-1),
    lambda m: m.signal.windows.hann(4, dtype=m.int64),
    lambda m: m.signal.windows.gaussian(4, std=0.0),
    lambda m: m.signal.windows.exponential(4, center=1.0),
    lambda m: m.signal.windows.kaiser(4, beta=-1.0),
    lambda m: m.signal.windows.general_cosine(4, a=[]),
])
def test_errors_match_pytorch(call):
    errors = []
    for m in (torch, tl):
        with pytest.raises(Exception) as info:
            call(m)
        errors.append((info.type, str(info.value)))
    assert errors[1] == errors[0]


def test_requires_grad():
    assert tl.signal.windows.hann(4, requires_grad=True).requires_grad
