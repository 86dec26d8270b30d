"""Differential checks of torchlike.optim against torch.optim: the flag checks PyTorch makes at
step time (capturable, fused, differentiable), state_dicts exchanged in both directions,
swa_utils' grouped multi-tensor averaging, and schedulers resumed from PyTorch's state."""

import warnings

import numpy as np
import pytest

from tests._oracle import assert_same_error, import_torch

torch = import_torch()

import torchlike as tl
import torchlike.optim  # noqa: F401 (tl.optim)
from torchlike.optim import swa_utils


def _params(lib, *values, dtype=np.float32):
    return [lib.tensor(np.asarray(v, dtype), requires_grad=True) for v in values]


def _step(lib, name, kw, params, steps=1):
    opt = getattr(lib.optim, name)(params, **kw)
    for _ in range(steps):
        for p in params:
            p.grad = lib.ones_like(p)
        opt.step()
    return opt


# --- capturable=True: PyTorch's CPU update refuses it (its own message per optimizer/path)

_CAPTURABLE = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adadelta", "ASGD", "Rprop"]


@pytest.mark.parametrize("foreach", [None, True])
@pytest.mark.parametrize("name", _CAPTURABLE)
def test_capturable_on_cpu_raises_like_torch(name, foreach):
    kw = {"capturable": True, "foreach": foreach}
    assert_same_error(lambda lib: _step(lib, name, kw, _params(lib, [1.0, 2.0])), torch, tl)


def test_capturable_error_leaves_params_unchanged_and_state_created():
    p = _params(tl, [1.0, 2.0])
    opt = tl.optim.Adam(p, capturable=True)
    p[0].grad = tl.ones(2)
    with pytest.raises(AssertionError):
        opt.step()
    tp = _params(torch, [1.0, 2.0])
    t_opt = torch.optim.Adam(tp, capturable=True)
    tp[0].grad = torch.ones(2)
    with pytest.raises(AssertionError):
        t_opt.step()
    np.testing.assert_array_equal(p[0].detach().numpy(), tp[0].detach().numpy())
    assert list(opt.state[p[0]]) == list(t_opt.state[tp[0]])


# --- fused=True: the device/dtype check and the kernels' refusals


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
@pytest.mark.parametrize("kind", ["int", "complex", "float_then_complex"])
def test_fused_refuses_non_float_params_like_torch(name, kind):
    def call(lib):
        if kind == "int":
            ps = [lib.tensor([1, 2, 3])]
        elif kind == "complex":
            ps = _params(lib, [1 + 1j, 2], dtype=np.complex64)
        else:
            ps = _params(lib, [1.0, 2.0]) + _params(lib, [1 + 1j, 2], dtype=np.complex64)
        return _step(lib, name, {"lr": 0.1, "fused": True}, ps)

    assert_same_error(call, torch, tl)


@pytest.mark.parametrize("name", ["SGD", "Adagrad"])
def test_fused_float_params_match_torch(name):
    kw = {"lr": 0.1, "fused": True}
    t_opt = _step(torch, name, kw, tp := _params(torch, [1.0, -2.0], [0.5]), steps=2)
    l_opt = _step(tl, name, kw, lp := _params(tl, [1.0, -2.0], [0.5]), steps=2)
    for t, l in zip(tp, lp):
        np.testing.assert_allclose(l.detach().numpy(), t.detach().numpy(), rtol=1e-6)
    assert l_opt.state_dict()["param_groups"] == t_opt.state_dict()["param_groups"]


def test_fused_adagrad_refuses_sparse_grads_like_torch():
    def call(lib):
        emb = lib.nn.Embedding(4, 2, sparse=True)
        opt = lib.optim.Adagrad(emb.parameters(), fused=True)
        emb(lib.tensor([0, 2])).sum().backward()
        opt.step()

    assert_same_error(call, torch, tl)


# --- differentiable=True: step() runs with grad enabled, so a leaf that requires grad fails


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_differentiable_step_on_a_leaf_raises_like_torch(name):
    assert_same_error(
        lambda lib: _step(lib, name, {"lr": 0.1, "differentiable": True}, _params(lib, [1.0])),
        torch,
        tl,
    )


def test_differentiable_step_on_a_tensor_without_grad_matches_torch():
    def run(lib):
        p = lib.tensor([1.0, 2.0])
        opt = lib.optim.Adam([p], lr=0.1, differentiable=True)
        for _ in range(2):
            p.grad = lib.tensor([1.0, -0.5])
            opt.step()
        return p.numpy(), opt.state_dict()["param_groups"]

    (lp, lg), (tp, tg) = run(tl), run(torch)
    # PyTorch's differentiable Adam forms its bias corrections from the float32 step tensor
    np.testing.assert_allclose(lp, tp, rtol=1e-5)
    assert lg == tg


# --- state_dicts exchanged with real PyTorch, in both directions

_EXCHANGE = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    ("Adamax", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01, "decoupled_weight_decay": True, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("Adadelta", {"lr": 0.5}),
    ("ASGD", {"lr": 0.01, "t0": 1}),
    ("Rprop", {"lr": 0.01}),
    ("Adafactor", {"lr": 0.05}),
]


def _convert(value, to_torch):
    if isinstance(value, dict):
        return {k: _convert(v, to_torch) for k, v in value.items()}
    if isinstance(value, list):
        return [_convert(v, to_torch) for v in value]
    if to_torch and isinstance(value, tl.Tensor):
        return torch.tensor(value.numpy())
    if not to_torch and isinstance(value, torch.Tensor):
        return tl.tensor(value.numpy())
    return value


@pytest.mark.parametrize("name,kw", _EXCHANGE, ids=[n for n, _ in _EXCHANGE])
def test_state_dict_exchange_with_torch_both_ways(name, kw):
    rng = np.random.default_rng(0)
    shapes = [(3, 2), (4,)]
    init = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(5)]

    def train(lib, params, opt, gs):
        for step in gs:
            for p, g in zip(params, step):
                p.grad = lib.tensor(g)
            opt.step()

    # the reference: PyTorch trains all five steps
    ref = [torch.tensor(x, requires_grad=True) for x in init]
    ref_opt = getattr(torch.optim, name)(ref, **kw)
    train(torch, ref, ref_opt, grads)

    # torchlike trains 2 steps, PyTorch continues 2 from its state, torchlike finishes from that
    lp = [tl.tensor(x, requires_grad=True) for x in init]
    l_opt = getattr(tl.optim, name)(lp, **kw)
    train(tl, lp, l_opt, grads[:2])
    tp = [torch.tensor(p.detach().numpy(), requires_grad=True) for p in lp]
    t_opt = getattr(torch.optim, name)(tp, **kw)
    t_opt.load_state_dict(_convert(l_opt.state_dict(), to_torch=True))
    train(torch, tp, t_opt, grads[2:4])
    lp2 = [tl.tensor(p.detach().numpy(), requires_grad=True) for p in tp]
    l_opt2 = getattr(tl.optim, name)(lp2, **kw)
    l_opt2.load_state_dict(_convert(t_opt.state_dict(), to_torch=False))
    train(tl, lp2, l_opt2, grads[4:])

    for r, p in zip(ref, lp2):
        np.testing.assert_allclose(p.detach().numpy(), r.detach().numpy(), rtol=1e-5, atol=1e-6)
    got, ref_sd = l_opt2.state_dict(), ref_opt.state_dict()
    assert got["param_groups"] == ref_sd["param_groups"]
    for i, state in ref_sd["state"].items():
        assert list(got["state"][i]) == list(state)
        for k, v in state.items():
            assert str(got["state"][i][k].dtype) == str(v.dtype), k
            np.testing.assert_allclose(got["state"][i][k].numpy(), v.numpy(), rtol=1e-5, atol=1e-6)


# --- swa_utils: a multi-tensor average runs once per (device, dtype) group, as PyTorch's


def _bn_models():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    lm = tl.nn.Sequential(tl.nn.Linear(3, 2), tl.nn.BatchNorm1d(2))
    lm.load_state_dict({k: tl.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    return tm, lm


def _average(lib, model, averaged, steps=3):
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    for _ in range(steps):
        with lib.no_grad():
            for p in model.parameters():
                p.mul_(0.5).add_(0.25)
        model(lib.tensor(x))
        averaged.update_parameters(model)
    return {k: v.numpy() for k, v in averaged.state_dict().items()}


def test_ema_multi_avg_fn_with_integer_buffers_matches_torch():
    tm, lm = _bn_models()
    want = _average(torch, tm, torch.optim.swa_utils.AveragedModel(
        tm, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(0.7), use_buffers=True))
    got = _average(tl, lm, swa_utils.AveragedModel(
        lm, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.7), use_buffers=True))
    assert list(got) == list(want)
    for k, v in want.items():
        assert got[k].dtype == v.dtype, k
        np.testing.assert_allclose(got[k], v, rtol=1e-6, atol=1e-7, err_msg=k)


def test_swa_multi_avg_fn_refuses_integer_buffers_like_torch():
    # PyTorch's integer branch divides with addcdiv_, which refuses integer tensors
    tm, lm = _bn_models()
    with pytest.raises(RuntimeError) as want:
        _average(torch, tm, torch.optim.swa_utils.AveragedModel(
            tm, multi_avg_fn=torch.optim.swa_utils.get_swa_multi_avg_fn(), use_buffers=True))
    with pytest.raises(RuntimeError) as got:
        _average(tl, lm, swa_utils.AveragedModel(
            lm, multi_avg_fn=swa_utils.get_swa_multi_avg_fn(), use_buffers=True))
    assert str(want.value).startswith("Integer division with addcdiv is no longer supported")
    assert str(got.value).startswith("Integer division with addcdiv is no longer supported")


# --- schedulers resumed from PyTorch's state_dict, and from last_epoch

_SCHEDULERS = {
    "CosineAnnealingWarmRestarts": lambda m, o: m.CosineAnnealingWarmRestarts(o, 3, 2, 1e-3),
    "CyclicLR": lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=4, mode="triangular2"),
    "OneCycleLR": lambda m, o: m.OneCycleLR(o, 0.5, total_steps=150, three_phase=True),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=60, power=0.5),
}


def _sched_opt(lib):
    groups = [{"params": [lib.zeros(2, requires_grad=True)], "lr": lr} for lr in (0.1, 0.05)]
    return lib.optim.SGD(groups, momentum=0.9)


@pytest.mark.parametrize("name", sorted(_SCHEDULERS))
def test_scheduler_resumed_from_torch_state_dict(name):
    t_opt = _sched_opt(torch)
    t_s = _SCHEDULERS[name](torch.optim.lr_scheduler, t_opt)
    for _ in range(20):
        t_opt.step()
        t_s.step()
    l_opt = _sched_opt(tl)
    l_s = _SCHEDULERS[name](tl.optim.lr_scheduler, l_opt)
    l_opt.load_state_dict(_convert(t_opt.state_dict(), to_torch=False))
    l_s.load_state_dict(t_s.state_dict())
    for _ in range(110):
        t_opt.step()
        l_opt.step()
        t_s.step()
        l_s.step()
        assert l_s.get_last_lr() == pytest.approx(t_s.get_last_lr(), rel=1e-12, abs=0)
        for lg, tg in zip(l_opt.param_groups, t_opt.param_groups):
            assert lg["momentum"] == pytest.approx(tg["momentum"], rel=1e-12)
    assert l_s.state_dict().keys() == t_s.state_dict().keys()


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "LinearLR", "MultiStepLR"])
def test_scheduler_constructed_with_last_epoch_matches_torch(name):
    make = {
        "StepLR": lambda m, o, e: m.StepLR(o, 3, 0.5, last_epoch=e),
        "CosineAnnealingLR": lambda m, o, e: m.CosineAnnealingLR(o, 10, last_epoch=e),
        "LinearLR": lambda m, o, e: m.LinearLR(o, 0.1, total_iters=10, last_epoch=e),
        "MultiStepLR": lambda m, o, e: m.MultiStepLR(o, [5, 12], last_epoch=e),
    }[name]

    def run(lib):
        opt = _sched_opt(lib)
        # without initial_lr in the groups PyTorch refuses to resume
        with pytest.raises(KeyError) as err:
            make(lib.optim.lr_scheduler, opt, 7)
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
        sched = make(lib.optim.lr_scheduler, opt, 7)
        lrs = [sched.get_last_lr()]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(30):
                opt.step()
                sched.step()
                lrs.append(sched.get_last_lr())
        return str(err.value), lrs

    (l_err, l_lrs), (t_err, t_lrs) = run(tl), run(torch)
    assert l_err == t_err
    np.testing.assert_allclose(l_lrs, t_lrs, rtol=1e-12, atol=0)


# --- LBFGS on complex parameters: PyTorch optimizes their real view


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_complex_params_match_torch(line_search_fn):
    target = np.array([1 + 1j, 2 - 1j, 0.5j], np.complex64)
    scale = np.array([1.0, 3.0, 0.5], np.float32)

    def run(lib):
        w = lib.zeros(3, dtype=lib.complex64, requires_grad=True)
        unused = lib.zeros(2, dtype=lib.complex64, requires_grad=True)  # grad stays None
        opt = lib.optim.LBFGS([w, unused], max_iter=4, history_size=3,
                              line_search_fn=line_search_fn)
        t, s = lib.tensor(target), lib.tensor(scale)

        def closure():
            opt.zero_grad()
            loss = (((w - t).abs() ** 2) * s).sum()
            loss.backward()
            return loss

        losses = [float(opt.step(closure).detach()) for _ in range(2)]
        state = opt.state[w]
        return (w.detach().numpy(), losses, state["func_evals"], state["n_iter"],
                tuple(state["d"].shape))

    got, want = run(tl), run(torch)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-5, atol=1e-6)
    assert got[2:] == want[2:]


def test_lbfgs_sparse_grad_matches_torch():
    def run(lib):
        w = lib.tensor(np.arange(8, dtype=np.float32).reshape(4, 2) / 8, requires_grad=True)
        opt = lib.optim.LBFGS([w], max_iter=3)
        idx = lib.tensor([0, 2])

        def closure():
            opt.zero_grad()
            loss = (lib.nn.functional.embedding(idx, w, sparse=True) ** 2).sum()
            loss.backward()
            return loss

        return float(opt.step(closure).detach()), w.detach().numpy()

    (l_loss, l_w), (t_loss, t_w) = run(tl), run(torch)
    assert l_loss == pytest.approx(t_loss, rel=1e-6)
    np.testing.assert_allclose(l_w, t_w, rtol=1e-5, atol=1e-6)
