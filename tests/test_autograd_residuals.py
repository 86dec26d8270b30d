"""Ops registered with save_residuals=True keep jax.vjp's residuals from the forward.

Their gradients must equal jax.vjp's of the same function (and an identical op without saved
residuals) eagerly, with retain_graph, under create_graph, and inside torchlike.compile; a
later in-place write to an input still refuses the backward, as PyTorch does."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import torchlike as tl
from torchlike._ops.registry import op


def _scan_fn(input, weight):
    """A scan with a float output, an int output, and residuals the backward needs."""
    def step(h, x):
        h = jnp.tanh(h * weight + x)
        return h, h

    last, hs = jax.lax.scan(step, jnp.zeros_like(input[0]), input)
    return hs, jnp.argmax(hs, axis=0), last


_saving = op(tensor_args=("input", "weight"), method=False, name="_test_scan_saving",
             save_residuals=True)(_scan_fn)
_plain = op(tensor_args=("input", "weight"), method=False, name="_test_scan_plain")(_scan_fn)

X = np.random.RandomState(0).randn(5, 3)
W = np.random.RandomState(1).randn(3)


def _loss(hs, last):
    return (hs * hs).sum() + 3 * last.sum()


def _grads(f, **kw):
    x = tl.tensor(X, requires_grad=True)
    w = tl.tensor(W, requires_grad=True)
    hs, idx, last = f(x, w)
    assert idx.dtype == tl.int64 and idx.grad_fn is None
    _loss(hs, last).backward(**kw)
    return x, w, hs, idx


def _reference():
    def f(x, w):
        hs, _, last = _scan_fn(x, w)
        return _loss(hs, last)
    return jax.grad(f, argnums=(0, 1))(jnp.asarray(X), jnp.asarray(W))


def test_saved_residuals_give_jax_gradients_and_outputs_in_order():
    gx, gw = _reference()
    x, w, hs, idx = _grads(_saving)
    np.testing.assert_allclose(x.grad.numpy(), gx, rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), gw, rtol=1e-12)
    hs_ref, idx_ref, _ = _scan_fn(jnp.asarray(X), jnp.asarray(W))
    np.testing.assert_array_equal(hs.detach().numpy(), hs_ref)
    np.testing.assert_array_equal(idx.numpy(), idx_ref)
    x2, w2, _, _ = _grads(_plain)
    np.testing.assert_array_equal(w.grad.numpy(), w2.grad.numpy())


def test_retain_graph_and_release():
    x = tl.tensor(X, requires_grad=True)
    w = tl.tensor(W, requires_grad=True)
    hs, _, last = _saving(x, w)
    loss = _loss(hs, last)
    loss.backward(retain_graph=True)
    first = w.grad.clone()
    loss.backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * first.numpy(), rtol=1e-12)
    assert hs.grad_fn.res is None  # released with the primals
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_create_graph_through_saved_residual_op():
    x = tl.tensor(X, requires_grad=True)
    w = tl.tensor(W, requires_grad=True)
    hs, _, last = _saving(x, w)
    (gw,) = tl.autograd.grad(_loss(hs, last), w, create_graph=True)
    gw.sum().backward()

    def g(x, w):
        return jax.grad(lambda w: _loss(*[_scan_fn(x, w)[i] for i in (0, 2)]))(w).sum()
    ref = jax.grad(g, argnums=1)(jnp.asarray(X), jnp.asarray(W))
    np.testing.assert_allclose(w.grad.numpy(), ref, rtol=1e-10)


def test_inplace_change_of_an_input_is_still_refused():
    w = tl.tensor(W, requires_grad=True)
    x = tl.tensor(X, requires_grad=True) * 1.0
    hs, _, last = _saving(x, w)
    x.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        _loss(hs, last).backward()


def test_saved_residuals_inside_compile_equal_eager():
    def step(x, w):
        w.grad = None
        hs, _, last = _saving(x, w)
        loss = _loss(hs, last)
        loss.backward()
        return loss

    x = tl.tensor(X)
    results = []
    for compiled in (False, True):
        w = tl.tensor(W, requires_grad=True)
        f = tl.compile(step) if compiled else step
        for _ in range(2):
            loss = f(x, w)
            with tl.no_grad():
                w -= 0.1 * w.grad
        results.append((loss.item(), w.detach().numpy()))
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)
