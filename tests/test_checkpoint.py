"""torch.utils.checkpoint against real PyTorch: values and gradients (dropout included, so the
recomputation must replay the forward's random numbers), the errors, and the memory it
exists to save."""

import warnings

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()

import torchlike as tl  # noqa: E402


def _model(lib):
    lib.manual_seed(0)
    nn = lib.nn
    return nn.Sequential(nn.Linear(6, 8), nn.GELU(), nn.Dropout(0.3), nn.Linear(8, 8),
                         nn.Tanh(), nn.Linear(8, 3))


def _train(lib, mode, steps=2):
    from importlib import import_module
    cp = import_module(lib.__name__ + ".utils.checkpoint")
    m = _model(lib)
    opt = lib.optim.SGD(m.parameters(), lr=0.1)
    x = lib.tensor(np.linspace(-1, 1, 24, dtype=np.float32).reshape(4, 6), requires_grad=True)
    out = []
    for _ in range(steps):
        opt.zero_grad()
        x.grad = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if mode == "plain":
                y = m(x)
            elif mode == "sequential":
                y = cp.checkpoint_sequential(m, 2, x, use_reentrant=False)
            else:
                h = cp.checkpoint(m[:3], x, use_reentrant=mode == "reentrant")
                y = cp.checkpoint(lambda t, k=2.0: m[3:](t) * k, h,
                                  use_reentrant=mode == "reentrant")
        loss = y.square().mean()
        loss.backward()
        opt.step()
        out.append([loss.item(), x.grad.numpy().copy()] +
                   [p.grad.numpy().copy() for p in m.parameters()])
    return out


@pytest.mark.parametrize("mode", ["reentrant", "non_reentrant", "sequential"])
def test_checkpoint_trains_as_pytorch(mode):
    want, got = _train(torch, mode), _train(tl, mode)
    for ws, gs in zip(want, got):
        assert gs[0] == pytest.approx(ws[0], rel=1e-5)
        for w, g in zip(ws[1:], gs[1:]):
            np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("mode", ["reentrant", "non_reentrant"])
def test_checkpoint_matches_an_unchecked_step_with_dropout(mode):
    # the recomputation replays the forward's dropout mask: gradients are an ordinary step's
    def run(ckpt):
        m = _model(tl)
        x = tl.ones(4, 6, requires_grad=True)
        tl.manual_seed(5)
        y = tl.utils.checkpoint.checkpoint(m, x, use_reentrant=mode == "reentrant") \
            if ckpt else m(x)
        y.sum().backward()
        return [p.grad.numpy() for p in m.parameters()], tl.rand(2).numpy()
    (g1, r1), (g0, r0) = run(True), run(False)
    for a, b in zip(g1, g0):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(r1, r0)  # the random stream continues as without it


def test_non_reentrant_supports_autograd_grad_and_reentrant_refuses():
    for lib in (torch, tl):
        w = lib.ones(3, requires_grad=True)
        x = lib.ones(3, requires_grad=True)
        y = lib.utils.checkpoint.checkpoint(lambda t: (t * w).exp().sum(), x,
                                            use_reentrant=False)
        gx, gw = lib.autograd.grad(y, [x, w])
        assert gx.tolist() == pytest.approx([float(np.e)] * 3)
        y = lib.utils.checkpoint.checkpoint(lambda t: (t * w).exp().sum(), x,
                                            use_reentrant=True)
        with pytest.raises(RuntimeError, match="use_reentrant=True"):
            lib.autograd.grad(y, [x])


def test_errors_and_warnings_match():
    from tests._oracle import assert_same_error
    assert_same_error(lambda lib: lib.utils.checkpoint.checkpoint(
        lambda t: t, lib.ones(1), use_reentrant=True, foo=1), torch, tl)
    assert_same_error(lambda lib: lib.utils.checkpoint.checkpoint(
        lambda t: t, lib.ones(1), use_reentrant=True, context_fn=lambda: None), torch, tl)
    for lib in (torch, tl):
        with pytest.warns(UserWarning, match="Gradients will be None"):
            y = lib.utils.checkpoint.checkpoint(lambda t: t * 2, lib.ones(2),
                                                use_reentrant=True)
        assert y.grad_fn is None


def test_checkpointed_activations_are_freed():
    # live arrays after the forward: without checkpoint every layer's activation is held by
    # the graph; with it, only the segment's input and output are
    import gc

    import jax
    nn = tl.nn
    m = nn.Sequential(*[nn.Sequential(nn.Linear(64, 64), nn.Tanh()) for _ in range(8)])
    x = tl.randn(32, 64, requires_grad=True)

    def live_after(ckpt):
        gc.collect()
        before = {id(a) for a in jax.live_arrays()}
        y = tl.utils.checkpoint.checkpoint(m, x, use_reentrant=False) if ckpt else m(x)
        gc.collect()
        n = sum(1 for a in jax.live_arrays() if id(a) not in before and a.shape == (32, 64))
        y.sum().backward()
        return n
    plain, ckpt = live_after(False), live_after(True)
    assert plain >= 16 and ckpt <= 2, (plain, ckpt)
