"""Custom optimizers written the PyTorch way, step() under an outer jax trace, LBFGS."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()

import torchlike as tl
import torchlike.optim
from torchlike._core.tensor import wrap


def _quadratic_steps(lib, opt_cls, steps=3, **kw):
    w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    opt = opt_cls([w], **kw)
    for _ in range(steps):
        opt.zero_grad()
        (w * w * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        opt.step()
    return w.detach().numpy(), opt


def test_custom_optimizer_written_the_pytorch_way():
    def make(lib):
        class MomentumSGD(lib.optim.Optimizer):
            def __init__(self, params, lr=0.1, momentum=0.9):
                super().__init__(params, {"lr": lr, "momentum": momentum})

            @lib.no_grad()
            def step(self, closure=None):
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is None:
                            continue
                        state = self.state[p]
                        if "buf" not in state:
                            state["buf"] = lib.zeros_like(p)
                        state["buf"].mul_(group["momentum"]).add_(p.grad)
                        p.add_(state["buf"], alpha=-group["lr"])

        return MomentumSGD

    ours, opt = _quadratic_steps(tl, make(tl))
    ref, _ = _quadratic_steps(torch, make(torch))
    np.testing.assert_allclose(ours, ref, rtol=1e-6)
    assert list(opt.state_dict()["state"][0]) == ["buf"]


def test_builtin_with_autograd_loop():
    ours, _ = _quadratic_steps(tl, tl.optim.AdamW, steps=5, lr=0.1, amsgrad=True)
    ref, _ = _quadratic_steps(torch, torch.optim.AdamW, steps=5, lr=0.1, amsgrad=True)
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RAdam", "ASGD"])
def test_step_traces_inside_an_outer_jit(name):
    """A whole-step compile traces optimizer.step(): no Python branch on tensor values."""
    kw = {"lr": 0.1, "momentum": 0.9} if name == "SGD" else {"lr": 0.1}
    params = [tl.tensor(np.linspace(-1, 1, 6, dtype=np.float32), requires_grad=True)]
    opt = getattr(tl.optim, name)(params, **kw)
    eager = [tl.tensor(np.linspace(-1, 1, 6, dtype=np.float32), requires_grad=True)]
    eager_opt = getattr(tl.optim, name)(eager, **kw)
    grad = np.cos(np.arange(6, dtype=np.float32))

    # one eager step creates the state the traced steps then carry
    for ps, o in ((params, opt), (eager, eager_opt)):
        ps[0].grad = tl.tensor(grad)
        o.step()
    state = opt.state[params[0]]
    keys = list(state)

    traces = []

    @jax.jit
    def traced_step(p, g, s, lr):
        traces.append(1)  # runs only while jax traces: once, since lr is an input
        params[0]._set_data(p)
        params[0].grad = wrap(g)
        for k in keys:
            state[k]._set_data(s[k])
        opt.param_groups[0]["lr"] = lr
        opt.step()
        return params[0]._data, {k: state[k]._data for k in keys}

    p, s = params[0]._data, {k: state[k]._data for k in keys}
    for lr in (0.1, 0.05):
        p, s = traced_step(p, jnp.asarray(grad), s, jnp.asarray(lr))
        eager_opt.param_groups[0]["lr"] = lr
        eager[0].grad = tl.tensor(grad)
        eager_opt.step()
    assert len(traces) == 1
    np.testing.assert_allclose(np.asarray(p), eager[0].detach().numpy(), rtol=1e-6, atol=1e-7)
    for k in keys:
        np.testing.assert_allclose(
            np.asarray(s[k]), np.asarray(eager_opt.state[eager[0]][k]._data), rtol=1e-6
        )


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_matches_torch(line_search_fn):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((10, 3)).astype(np.float32)
    y = x @ np.array([1.0, -2.0, 0.5], np.float32) + 0.1 * np.sin(np.arange(10, dtype=np.float32))

    def run(lib):
        w = lib.zeros(3, requires_grad=True)
        opt = lib.optim.LBFGS([w], lr=1, max_iter=5, history_size=3, line_search_fn=line_search_fn)
        xt, yt = lib.tensor(x), lib.tensor(y)

        def closure():
            opt.zero_grad()
            loss = ((xt @ w - yt) ** 2).mean()
            loss.backward()
            return loss

        losses = [opt.step(closure).item() for _ in range(3)]
        return w.detach().numpy(), losses, opt.state[w]["func_evals"], opt.state[w]["n_iter"]

    w, losses, evals, n_iter = run(tl)
    tw, tlosses, tevals, tn_iter = run(torch)
    np.testing.assert_allclose(w, tw, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(losses, tlosses, rtol=1e-3, atol=1e-6)
    assert (evals, n_iter) == (tevals, tn_iter)


def test_lbfgs_rejects_param_groups():
    a = tl.zeros(2, requires_grad=True)
    b = tl.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="per-parameter options"):
        tl.optim.LBFGS([{"params": [a]}, {"params": [b]}])


def test_differentiable_true_is_accepted_but_autograd_through_step_is_refused():
    w = tl.tensor([1.0, 2.0])  # a leaf that requires grad is refused, as in PyTorch
    opt = tl.optim.SGD([w], lr=0.1, differentiable=True)
    w.grad = tl.tensor([1.0, 1.0])
    opt.step()  # plain gradients: same update as differentiable=False
    np.testing.assert_allclose(w.detach().numpy(), [0.9, 1.9], rtol=1e-6)
    w.grad = tl.tensor([1.0, 1.0], requires_grad=True) * 2
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        opt.step()


def test_swap_in_optimizer_params_and_state_matches_torch():
    def run(lib):
        live = [lib.tensor([1.0, 2.0], requires_grad=True), lib.tensor([3.0], requires_grad=True)]
        opt = lib.optim.Adam(live, lr=0.1)
        for p in live:
            p.grad = lib.ones_like(p)
        opt.step()
        sd = opt.state_dict()
        swap = {
            "a": lib.tensor([10.0, 20.0], requires_grad=True),
            "b": lib.tensor([30.0], requires_grad=True),
        }
        swap_sd = {
            "state": {i: {k: v.clone() for k, v in s.items()} for i, s in sd["state"].items()},
            "param_groups": [dict(g, lr=0.5) for g in sd["param_groups"]],
        }
        for p in swap.values():
            p.grad = lib.ones_like(p)
        with lib.optim.swap_in_optimizer_params_and_state(opt, swap, swap_sd):
            opt.step()
            assert opt.param_groups[0]["lr"] == 0.5
        assert opt.param_groups[0]["lr"] == 0.1
        return (
            [p.detach().numpy() for p in live],
            [p.detach().numpy() for p in swap.values()],
            swap_sd["state"][0]["exp_avg"].numpy(),
            float(swap_sd["state"][0]["step"]),
        )

    ours, ref = run(tl), run(torch)
    for a, b in zip(ours[0] + ours[1], ref[0] + ref[1]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(ours[2], ref[2], rtol=1e-6)
    assert ours[3] == ref[3] == 2.0


def test_scheduler_driven_training_matches_torch():
    """OneCycleLR changes lr and momentum every step; the parameters follow torch's."""
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((4, 3)).astype(np.float32)
    grads = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(12)]

    def run(lib):
        w = lib.tensor(w0, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1, momentum=0.9, nesterov=True)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=12)
        for g in grads:
            w.grad = lib.tensor(g)
            opt.step()
            sched.step()
        return w.detach().numpy(), sched.get_last_lr()

    (w, lrs), (tw, tlrs) = run(tl), run(torch)
    np.testing.assert_allclose(w, tw, rtol=1e-5, atol=1e-6)
    assert lrs == pytest.approx(tlrs, rel=1e-12)


def test_state_dict_hooks_run_like_torch():
    def run(lib):
        w = lib.tensor([1.0], requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        calls = []
        opt.register_state_dict_pre_hook(lambda o: calls.append("sd_pre"))
        opt.register_state_dict_post_hook(lambda o, sd: calls.append("sd_post"))
        opt.register_state_dict_post_hook(lambda o, sd: calls.append("sd_first"), prepend=True)
        opt.register_load_state_dict_pre_hook(lambda o, sd: calls.append("load_pre"))
        opt.register_load_state_dict_post_hook(lambda o: calls.append("load_post"))
        opt.load_state_dict(opt.state_dict())
        return calls

    assert run(tl) == run(torch)


def test_reduce_lr_on_plateau_accepts_tensor_metrics():
    w = tl.tensor([1.0], requires_grad=True)
    opt = tl.optim.SGD([w], lr=1.0)
    sched = tl.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    for m in (1.0, 2.0, 3.0):
        sched.step(tl.tensor(m))
    assert sched.get_last_lr() == [0.25]


def test_buffers_are_donated_only_when_nothing_else_holds_them():
    from torchlike.optim.optimizer import _can_donate

    w = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    opt = tl.optim.Adam([w], lr=0.1)
    w.grad = tl.ones(3)
    opt.step()
    assert _can_donate([w], [opt.state[w]])
    alias = w.detach()  # shares w's storage, as in PyTorch: it sees the update
    held = w.detach().numpy()  # a buffer reference from outside: no donation this step
    assert not _can_donate([w], [opt.state[w]])
    opt.step()
    np.testing.assert_allclose(alias.numpy(), [0.8, 1.8, 2.8], rtol=1e-6)
    np.testing.assert_allclose(held, [0.9, 1.9, 2.9], rtol=1e-6)
    del held
    assert _can_donate([w], [opt.state[w]])
    # A graph that saved w sees the update, and backward refuses as PyTorch does.
    loss = (w * w).sum()
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
