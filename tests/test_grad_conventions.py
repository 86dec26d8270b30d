"""PyTorch's gradient conventions at non-differentiable points and its special-cased scalar
powers, against real PyTorch (values, gradients, and the autograd node's name)."""

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()
import torchlike as tl  # noqa: E402

X = [-2.0, -0.0, 0.0, 1.0, 1.0, 3.0, float("inf"), 4.0]


def _both(fn, values=X, dtype="float32"):
    out = []
    for m in (torch, tl):
        x = m.tensor(np.array(values, dtype=dtype), requires_grad=True)
        y = fn(m, x)
        (g,) = m.autograd.grad(y.sum(), x)
        out.append((y.detach().numpy(), g.detach().numpy()))
    return out


@pytest.mark.parametrize("exponent", [0.5, -0.5, 2.0, 3.0, -1.0, 1.5])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pow_scalar_exponent_values_signs_and_gradients(exponent, dtype):
    (yt, gt), (yl, gl) = _both(lambda m, x: x**exponent, dtype=dtype)
    real = ~np.isnan(yt)  # a NaN's sign bit means nothing
    np.testing.assert_array_equal(np.signbit(yl[real]), np.signbit(yt[real]))
    np.testing.assert_allclose(yl, yt, rtol=1e-6)
    np.testing.assert_allclose(gl, gt, rtol=1e-6)


def test_pow_inplace_and_out_with_half_exponents():
    for m in (torch, tl):
        x = m.tensor([-0.0, 4.0])
        x.pow_(0.5)
        o = m.empty(2)
        m.pow(m.tensor([-0.0, 4.0]), -0.5, out=o)
        assert np.signbit(x.numpy()[0]) and x.numpy()[1] == 2.0
        assert o.numpy()[0] == -np.inf and o.numpy()[1] == 0.5


def test_pow_tensor_exponent_is_a_general_power():
    for m in (torch, tl):
        y = m.tensor([-0.0, 4.0]) ** m.tensor(0.5)
        assert not np.signbit(y.numpy()[0]) and y.numpy()[1] == 2.0


def test_hypot_gradient_at_zero_is_nan():
    (_, gt), (_, gl) = _both(lambda m, x: m.hypot(x, x.flip(0) * 0 + x))
    np.testing.assert_allclose(gl, gt, rtol=1e-6)
    assert np.isnan(gl[1]) and np.isnan(gl[2])


@pytest.mark.parametrize("values", [[1.0, 3.0, 3.0, 3.0, 5.0], [2.0, 2.0],
                                    [1.0, float("nan"), 2.0, float("nan")]])
@pytest.mark.parametrize("fn", ["median", "nanmedian"])
def test_whole_tensor_median_splits_tied_gradient_evenly(values, fn):
    res = []
    for m in (torch, tl):
        x = m.tensor(values, requires_grad=True)
        y = getattr(x, fn)()
        y.backward()
        res.append((y.item(), x.grad.numpy(), y.grad_fn.name()))
    np.testing.assert_array_equal(res[1][0], res[0][0])
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-6)
    assert res[1][2] == "MedianBackward0"


def test_grad_with_empty_inputs_raises():
    for m in (torch, tl):
        x = m.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="cannot be empty"):
            m.autograd.grad((x * 2).sum(), [])
