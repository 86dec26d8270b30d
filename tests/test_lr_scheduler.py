"""torchlike.optim.lr_scheduler against torch.optim.lr_scheduler: lr (and momentum) sequences."""

import math
import warnings

import jax.numpy as jnp
import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()

import torchlike.optim as tl_optim
from torchlike._core.tensor import wrap
from torchlike.optim import lr_scheduler as tl_sched

STEPS = 120


def _tl_param(shape=(2,)):
    p = wrap(jnp.zeros(shape, jnp.float32))
    p.requires_grad_(True)
    return p


def _pair(opt_name="SGD", **kw):
    """The same two-group optimizer in torch and torchlike (grads stay None: steps are no-ops)."""
    groups = [{"lr": 0.1}, {"lr": 0.05}]
    t_groups = [{"params": [torch.zeros(2, requires_grad=True)], **g} for g in groups]
    l_groups = [{"params": [_tl_param()], **g} for g in groups]
    return getattr(torch.optim, opt_name)(t_groups, **kw), getattr(tl_optim, opt_name)(
        l_groups, **kw
    )


def _lambda(epoch):
    return 0.95**epoch


def _mult(epoch):
    return 0.97


SCHEDULERS = {
    "LambdaLR": lambda m, o: m.LambdaLR(o, lr_lambda=_lambda),
    "LambdaLR-list": lambda m, o: m.LambdaLR(o, lr_lambda=[_lambda, lambda e: 1 / (e + 1)]),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lr_lambda=_mult),
    "StepLR": lambda m, o: m.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[10, 30, 30, 80], gamma=0.3),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=13),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=40),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.97),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=90, power=2.0),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=25, eta_min=1e-3),
    "CosineAnnealingWarmRestarts": lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=10, T_mult=2, eta_min=1e-4
    ),
    "CyclicLR-triangular": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=9),
    "CyclicLR-triangular2": lambda m, o: m.CyclicLR(
        o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=5, step_size_down=8, mode="triangular2"
    ),
    "CyclicLR-exp_range": lambda m, o: m.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=6, mode="exp_range", gamma=0.99
    ),
    "OneCycleLR-cos": lambda m, o: m.OneCycleLR(o, max_lr=0.5, total_steps=STEPS + 1),
    "OneCycleLR-linear-3phase": lambda m, o: m.OneCycleLR(
        o,
        max_lr=[0.5, 0.3],
        epochs=11,
        steps_per_epoch=11,
        anneal_strategy="linear",
        three_phase=True,
    ),
    "SequentialLR": lambda m, o: m.SequentialLR(
        o,
        schedulers=[m.LinearLR(o, start_factor=0.1, total_iters=10), m.ExponentialLR(o, 0.9)],
        milestones=[10],
    ),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.5, total_iters=5), m.ExponentialLR(o, gamma=0.98)]
    ),
}


def _momenta(opt):
    return [g.get("momentum", g.get("betas", (None,))[0]) for g in opt.param_groups]


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_lr_sequence_matches_torch(name):
    t_opt, l_opt = _pair("SGD", lr=0.1, momentum=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_s = SCHEDULERS[name](torch.optim.lr_scheduler, t_opt)
        l_s = SCHEDULERS[name](tl_sched, l_opt)
        assert l_s.get_last_lr() == t_s.get_last_lr()
        for _ in range(STEPS):
            t_opt.step()
            l_opt.step()
            t_s.step()
            l_s.step()
            assert l_s.get_last_lr() == pytest.approx(t_s.get_last_lr(), rel=1e-13, abs=0)
            assert [g["lr"] for g in l_opt.param_groups] == [g["lr"] for g in t_opt.param_groups]
            assert _momenta(l_opt) == pytest.approx(_momenta(t_opt), rel=1e-13)
    assert getattr(l_s, "last_epoch", None) == getattr(t_s, "last_epoch", None)


@pytest.mark.parametrize("name", ["OneCycleLR-cos", "CyclicLR-triangular"])
def test_cycles_beta1_of_adam(name):
    t_opt, l_opt = _pair("Adam")
    t_s = SCHEDULERS[name](torch.optim.lr_scheduler, t_opt)
    l_s = SCHEDULERS[name](tl_sched, l_opt)
    for _ in range(30):
        t_opt.step()
        l_opt.step()
        t_s.step()
        l_s.step()
        for lg, tg in zip(l_opt.param_groups, t_opt.param_groups):
            assert lg["betas"] == pytest.approx(tg["betas"], rel=1e-13)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"mode": "max", "factor": 0.5, "patience": 2, "cooldown": 3},
        {"threshold_mode": "abs", "threshold": 0.05, "patience": 1, "min_lr": [0.01, 0.02]},
    ],
)
def test_reduce_lr_on_plateau(kw):
    t_opt, l_opt = _pair("SGD", lr=0.1)
    t_s = torch.optim.lr_scheduler.ReduceLROnPlateau(t_opt, **kw)
    l_s = tl_sched.ReduceLROnPlateau(l_opt, **kw)
    metrics = [1.0 / (1 + i) if i < 20 else 0.05 + 0.01 * math.sin(i) for i in range(STEPS)]
    for m in metrics:
        t_s.step(m)
        l_s.step(m)
        assert l_s.get_last_lr() == t_s.get_last_lr()
        assert l_s.num_bad_epochs == t_s.num_bad_epochs
    assert l_s.state_dict().keys() == t_s.state_dict().keys()


def test_step_with_epoch_uses_closed_form():
    for epoch_seq in ([3, 7, 20, 21], [0.5, 4.25, 11.0]):
        t_opt, l_opt = _pair()
        t_s = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(t_opt, T_0=5, T_mult=2)
        l_s = tl_sched.CosineAnnealingWarmRestarts(l_opt, T_0=5, T_mult=2)
        for e in epoch_seq:
            t_s.step(e)
            l_s.step(e)
            assert l_s.get_last_lr() == pytest.approx(t_s.get_last_lr())
    t_opt, l_opt = _pair()
    t_s = torch.optim.lr_scheduler.StepLR(t_opt, 3)
    l_s = tl_sched.StepLR(l_opt, 3)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        l_s.step(10)
    assert any("epoch parameter" in str(x.message) for x in w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_s.step(10)
    assert l_s.get_last_lr() == pytest.approx(t_s.get_last_lr())


def _warning_messages(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [str(x.message) for x in w]


def test_warns_when_scheduler_steps_before_optimizer():
    msgs = {}
    for lib, m in (("torch", torch.optim.lr_scheduler), ("tl", tl_sched)):
        t_opt, l_opt = _pair()
        opt = t_opt if lib == "torch" else l_opt
        s = m.StepLR(opt, 2)
        msgs[lib] = _warning_messages(s.step)
    assert msgs["tl"] == msgs["torch"]
    assert any("before `optimizer.step()`" in msg for msg in msgs["tl"])
    # In the right order, no warning.
    t_opt, l_opt = _pair()
    s = tl_sched.StepLR(l_opt, 2)
    l_opt.step()
    assert _warning_messages(s.step) == []


def test_get_lr_outside_step_warns():
    _, l_opt = _pair()
    s = tl_sched.StepLR(l_opt, 2)
    assert any("get_last_lr()" in m for m in _warning_messages(s.get_lr))


def test_state_dict_round_trip_and_keys():
    t_opt, l_opt = _pair("SGD", lr=0.1, momentum=0.9)
    t_s = torch.optim.lr_scheduler.OneCycleLR(t_opt, max_lr=0.3, total_steps=50)
    l_s = tl_sched.OneCycleLR(l_opt, max_lr=0.3, total_steps=50)
    for _ in range(10):
        l_opt.step()
        l_s.step()
    sd = l_s.state_dict()
    assert sd.keys() == t_s.state_dict().keys()
    _, l_opt2 = _pair("SGD", lr=0.1, momentum=0.9)
    l_s2 = tl_sched.OneCycleLR(l_opt2, max_lr=0.3, total_steps=50)
    l_s2.load_state_dict(sd)
    for _ in range(5):
        l_s.step()
        l_s2.step()
        assert l_s2.get_last_lr() == l_s.get_last_lr()


def test_lambda_state_dict_keys_match_torch():
    t_opt, l_opt = _pair()
    t_s = torch.optim.lr_scheduler.LambdaLR(t_opt, _lambda)
    l_s = tl_sched.LambdaLR(l_opt, _lambda)
    assert l_s.state_dict().keys() == t_s.state_dict().keys()
    assert l_s.state_dict()["lr_lambdas"] == [None, None]


def test_tensor_lr_is_filled_in_place():
    p = _tl_param()
    lr = wrap(jnp.asarray(0.1, jnp.float32))
    opt = tl_optim.SGD([p], lr=lr)
    s = tl_sched.StepLR(opt, step_size=1, gamma=0.5)
    opt.step()
    s.step()
    assert opt.param_groups[0]["lr"] is lr
    np.testing.assert_allclose(float(lr._data), 0.05)


def test_errors_match_torch():
    t_opt, l_opt = _pair()
    for make in (
        lambda m, o: m.ConstantLR(o, factor=2.0),
        lambda m, o: m.LinearLR(o, start_factor=0),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0),
        lambda m, o: m.OneCycleLR(o, max_lr=1.0),
        lambda m, o: m.LambdaLR(o, [_lambda]),
        lambda m, o: m.ReduceLROnPlateau(o, factor=1.0),
        lambda m, o: m.SequentialLR(o, [m.StepLR(o, 2)], milestones=[3]),
    ):
        with pytest.raises(Exception) as t_err:
            make(torch.optim.lr_scheduler, t_opt)
        with pytest.raises(type(t_err.value)) as l_err:
            make(tl_sched, l_opt)
        assert str(l_err.value) == str(t_err.value)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        tl_sched.StepLR(object(), 2)
