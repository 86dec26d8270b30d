"""Tensor.view(dtype): the same storage read as another dtype, checked against PyTorch."""

import numpy as np
import pytest

import torchlike as tl
from _oracle import assert_same_error, import_torch

torch = import_torch()

# (make the input from a torch-like module, target dtype name)
CASES = [
    (lambda m: m.arange(6, dtype=m.float32).reshape(2, 3), "int32"),
    (lambda m: m.arange(6, dtype=m.float32).reshape(2, 3), "int16"),
    (lambda m: m.arange(6, dtype=m.float32).reshape(2, 3), "uint8"),
    (lambda m: m.arange(8, dtype=m.float32).reshape(2, 4), "float64"),
    (lambda m: m.arange(8, dtype=m.float32).reshape(2, 4), "complex64"),
    (lambda m: m.arange(8, dtype=m.float64).reshape(2, 4), "complex128"),
    (lambda m: m.arange(8, dtype=m.float32), "complex128"),
    (lambda m: m.tensor([1.0, -2.5, 3.0]), "bfloat16"),
    (lambda m: m.tensor([1.0, -2.5, 3.0]), "float16"),
    (lambda m: m.tensor([0, 60, 255, 1], dtype=m.uint8), "float16"),
    (lambda m: m.tensor([0, 1, 0, 1], dtype=m.uint8), "bool"),
    (lambda m: m.tensor([True, False, True, True]), "int8"),
    (lambda m: m.tensor([-1, 256, 2 ** 40]), "uint8"),
    (lambda m: m.tensor([-1, 256, 2 ** 40]), "float64"),
    (lambda m: m.tensor([1 + 2j, -3j], dtype=m.complex64), "float32"),
    (lambda m: m.tensor([1 + 2j, -3j], dtype=m.complex64), "int64"),
    (lambda m: m.tensor(1.5), "int32"),  # 0-d, same element size
    (lambda m: m.arange(12, dtype=m.float32).reshape(3, 4)[1], "int16"),  # offset
    (lambda m: m.arange(12, dtype=m.float32).reshape(3, 4)[:, :2], "float64"),
    (lambda m: m.zeros(1, 4).expand(3, 4), "int16"),
    (lambda m: m.arange(6, dtype=m.float32).reshape(2, 3).t(), "int32"),  # same size, any layout
]


@pytest.mark.parametrize("make,dt", CASES)
def test_view_dtype_matches_torch(make, dt):
    a, b = make(torch).view(getattr(torch, dt)), make(tl).view(getattr(tl, dt))
    assert str(b.dtype) == str(a.dtype)
    assert tuple(b.shape) == tuple(a.shape)
    assert b.stride() == a.stride() and b.storage_offset() == a.storage_offset()
    ta = a.view(torch.uint8) if a.dtype.is_complex else a
    tb = b.view(tl.uint8) if b.dtype.is_complex else b
    np.testing.assert_array_equal(tb.numpy() if dt != "bfloat16" else tb.float().numpy(),
                                  ta.numpy() if dt != "bfloat16" else ta.float().numpy())


ERRORS = [
    lambda m: m.tensor(1.0).view(m.int16),
    lambda m: m.zeros(2, 3).view(m.float64),
    lambda m: m.zeros(3, 3).t().view(m.int16),
    lambda m: m.zeros(2, 4)[:, 1:3].view(m.float64),
    lambda m: m.zeros(3, 5)[:, :4].view(m.float64),
    lambda m: m.zeros(4, 1).expand(4, 4).view(m.float64),
    lambda m: m.zeros(5, 5).t()[1:, :4].view(m.float64),
]


@pytest.mark.parametrize("call", ERRORS)
def test_view_dtype_errors_match_torch(call):
    assert_same_error(call, torch, tl)


def test_writes_through_the_view_reach_the_base_and_back():
    for m in (torch, tl):
        z = m.zeros(2, 4)
        v = z.view(m.float64)
        v[1, 0] = 1.0  # the high word of a double 1.0 is 1.875 as a float
        z[0, 1] = 2.0
        z.view(m.int32)[0, 0] = 1065353216  # the bits of 1.0f
        if m is torch:
            want = (z.numpy().copy(), v.numpy().copy())
        else:
            np.testing.assert_array_equal(z.numpy(), want[0])
            np.testing.assert_array_equal(v.numpy(), want[1])


def test_not_differentiable_as_in_torch():
    y = tl.randn(4, requires_grad=True)
    for dt in (tl.int32, tl.float32, tl.float16):
        v = y.view(dt)
        assert not v.requires_grad and v.grad_fn is None


def test_inside_compile():
    f = tl.compile(lambda x: (x.view(tl.int32) & 0x7FFFFFFF).view(tl.float32))  # abs via bits
    x = tl.tensor([-1.5, 2.0, -0.0])
    np.testing.assert_array_equal(f(x).numpy(), np.abs(x.numpy()))


def test_saved_view_loads_in_torch(tmp_path):
    x = tl.arange(4, dtype=tl.float32)
    tl.save({"v": x.view(tl.int32)}, tmp_path / "v.pt")
    d = torch.load(tmp_path / "v.pt")
    assert d["v"].dtype == torch.int32
    np.testing.assert_array_equal(d["v"].numpy(), torch.arange(4.0).view(torch.int32).numpy())
    # as PyTorch: one file cannot hold the same storage as two dtypes
    for m, path in ((torch, tmp_path / "t.pt"), (tl, tmp_path / "l.pt")):
        y = m.arange(4, dtype=m.float32)
        with pytest.raises(RuntimeError, match="view the same data as different types"):
            m.save({"v": y.view(m.int32), "x": y}, path)
