"""torchlike.amp.grad_scaler.GradScaler against torch.amp.GradScaler('cpu')."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()

import torchlike as tl
import torchlike.optim
from torchlike._core.tensor import wrap
from torchlike.amp.grad_scaler import GradScaler


def _make(lib, scaler_cls, opt_name="SGD", **scaler_kw):
    w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    opt = getattr(lib.optim, opt_name)([w], lr=0.1)
    return w, opt, scaler_cls("cpu", **scaler_kw)


def _train(lib, scaler_cls, factors, opt_name="SGD"):
    """Steps with loss multiplied by each factor (inf makes a non-finite gradient)."""
    w, opt, scaler = _make(lib, scaler_cls, opt_name, init_scale=2.0**4, growth_interval=2)
    trace = []
    for f in factors:
        opt.zero_grad()
        loss = (w * w).sum() * f
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        trace.append((scaler.get_scale(), scaler._get_growth_tracker()))
    return w.detach().numpy(), trace, scaler.state_dict()


@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_matches_torch_with_growth_and_backoff(opt_name):
    factors = [1.0, 1.0, float("inf"), 1.0, 1.0, 1.0, float("nan"), 1.0]
    ours = _train(tl, GradScaler, factors, opt_name)
    ref = _train(torch, torch.amp.GradScaler, factors, opt_name)
    np.testing.assert_allclose(ours[0], ref[0], rtol=1e-6)
    assert ours[1] == ref[1]
    assert ours[2] == ref[2]


def test_unscale_then_clip_then_step():
    def run(lib, scaler_cls):
        w, opt, scaler = _make(lib, scaler_cls, init_scale=8.0)
        (scaler.scale((w * w).sum())).backward()
        scaler.unscale_(opt)
        grad = w.grad.detach().numpy().copy()
        scaler.step(opt)
        scaler.update()
        return grad, w.detach().numpy()

    (g, w), (tg, tw) = run(tl, GradScaler), run(torch, torch.amp.GradScaler)
    np.testing.assert_allclose(g, tg)
    np.testing.assert_allclose(w, tw)


def test_scale_iterables_and_disabled_pass_through():
    scaler = GradScaler("cpu", init_scale=4.0)
    a, b = tl.tensor([1.0]), tl.tensor([2.0])
    out = scaler.scale([a, (b,)])
    assert isinstance(out, list) and isinstance(out[1], tuple)
    np.testing.assert_allclose(out[1][0].numpy(), [8.0])
    off = GradScaler("cpu", enabled=False)
    assert off.scale(a) is a
    assert off.get_scale() == 1.0
    assert off.state_dict() == {}
    w = tl.tensor([1.0], requires_grad=True)
    opt = tl.optim.SGD([w], lr=0.5)
    w.grad = tl.tensor([1.0])
    off.step(opt)
    off.update()
    np.testing.assert_allclose(w.detach().numpy(), [0.5])


def test_errors_match_torch():
    for lib, cls in ((tl, GradScaler), (torch, torch.amp.GradScaler)):
        w, opt, scaler = _make(lib, cls)
        scaler.scale((w * w).sum()).backward()
        scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match="already been called"):
            scaler.unscale_(opt)
        scaler.step(opt)
        with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
            scaler.step(opt)
        with pytest.raises(AssertionError, match="growth factor"):
            cls("cpu", growth_factor=0.5)
        fresh = cls("cpu")
        with pytest.raises(AssertionError, match="_scale is None"):
            fresh.update()


def test_cuda_scaler_without_gpu_warns_and_disables():
    if any(d.platform == "gpu" for d in jax.devices()):
        pytest.skip("a GPU is present")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        scaler = GradScaler()
    assert not scaler.is_enabled()
    assert any("CUDA is not available" in str(x.message) for x in w)


def test_state_dict_round_trip():
    a = GradScaler("cpu", init_scale=32.0, growth_interval=7)
    a.scale(tl.tensor([1.0]))
    a.update(16.0)
    b = GradScaler("cpu")
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()
    assert b.get_scale() == 16.0
    ref = torch.amp.GradScaler("cpu", init_scale=32.0, growth_interval=7)
    ref.scale(torch.tensor([1.0]))
    ref.update(16.0)
    assert a.state_dict() == ref.state_dict()


@pytest.mark.parametrize("opt_name", ["SGD", "custom"])
def test_step_skipping_is_traceable(opt_name):
    """Under a whole-step trace an inf step is skipped by a select, not a Python branch."""
    w = tl.tensor([1.0, 2.0], requires_grad=True)
    if opt_name == "SGD":
        opt = tl.optim.SGD([w], lr=0.5)
    else:

        class Plain(tl.optim.Optimizer):
            def __init__(self, params):
                super().__init__(params, {"lr": 0.5})

            def step(self, closure=None):
                for p in self.param_groups[0]["params"]:
                    p._set_data(p._data - 0.5 * p.grad._data)

        opt = Plain([w])
    scaler = GradScaler("cpu", init_scale=2.0)
    scaler.scale(tl.tensor(1.0))  # lazily creates the scale

    @jax.jit
    def step(p, g, scale, tracker):
        w._set_data(p)
        w.grad = wrap(g)
        scaler._scale._set_data(scale)
        scaler._growth_tracker._set_data(tracker)
        scaler.step(opt)
        scaler.update()
        return w._data, scaler._scale._data, scaler._growth_tracker._data

    s, t = jnp.float32(2.0), jnp.int32(0)
    p, s1, _ = step(jnp.array([1.0, 2.0], jnp.float32), jnp.array([2.0, 2.0], jnp.float32), s, t)
    np.testing.assert_allclose(np.asarray(p), [0.5, 1.5])
    assert float(s1) == 2.0
    bad = jnp.array([jnp.inf, 2.0], jnp.float32)
    p, s2, _ = step(jnp.array([1.0, 2.0], jnp.float32), bad, s, t)
    np.testing.assert_allclose(np.asarray(p), [1.0, 2.0])
    assert float(s2) == 1.0


def test_cuda_amp_alias_warns_deprecation_like_torch():
    from torchlike.amp.grad_scaler import _DeprecatedCudaGradScaler

    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        _DeprecatedCudaGradScaler(init_scale=8.0)
    with warnings.catch_warnings(record=True) as ref:
        warnings.simplefilter("always")
        torch.cuda.amp.GradScaler(init_scale=8.0)
    future = [str(w.message) for w in ours if w.category is FutureWarning]
    assert future == [str(w.message) for w in ref if w.category is FutureWarning]
