"""torchlike.optim optimizers against torch.optim: params, state and state_dict after N steps."""

import copy
import io

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()
jax.config.update("jax_enable_x64", True)  # as `import torchlike` does

import torchlike as tl
import torchlike.optim as tl_optim
from torchlike._core.tensor import Tensor, wrap

STEPS = 4
SHAPES = [(3, 4), (5,)]


def _tl(x, requires_grad=False):
    t = wrap(jnp.asarray(np.asarray(x)))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _np(t):
    return np.asarray(t._data) if isinstance(t, Tensor) else t.detach().numpy()


def _data(dtype=np.float32, steps=STEPS, seed=0):
    rng = np.random.default_rng(seed)

    def draw(shape):
        x = rng.standard_normal(shape)
        if np.dtype(dtype).kind == "c":
            x = x + 1j * rng.standard_normal(shape)
        return x.astype(dtype)

    params = [draw(s) for s in SHAPES]
    grads = [[draw(s) for s in SHAPES] for _ in range(steps)]
    return params, grads


def _pair(name, kw, params):
    t_params = [torch.tensor(p, requires_grad=True) for p in params]
    l_params = [_tl(p, requires_grad=True) for p in params]
    return (
        getattr(torch.optim, name)(t_params, **kw),
        getattr(tl_optim, name)(l_params, **kw),
        t_params,
        l_params,
    )


def _step_both(t_opt, l_opt, t_params, l_params, grads):
    for gs in grads:
        for t, l, g in zip(t_params, l_params, gs):
            t.grad = torch.tensor(g)
            l.grad = _tl(g)
        t_opt.step()
        l_opt.step()


def _assert_state_dicts_match(l_sd, t_sd, rtol=1e-5, atol=1e-6):
    assert l_sd["param_groups"] == t_sd["param_groups"]
    assert list(l_sd["state"]) == list(t_sd["state"])
    for i, t_state in t_sd["state"].items():
        l_state = l_sd["state"][i]
        assert list(l_state) == list(t_state)
        for k, tv in t_state.items():
            lv = l_state[k]
            if isinstance(tv, torch.Tensor):
                assert isinstance(lv, Tensor), k
                assert str(lv.dtype) == str(tv.dtype), k
                assert tuple(lv.shape) == tuple(tv.shape), k
                np.testing.assert_allclose(_np(lv), tv.numpy(), rtol=rtol, atol=atol, err_msg=k)
            else:
                assert lv == tv, k


GRID = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.1, "momentum": 0.8, "nesterov": True, "maximize": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "foreach": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "fused": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-6, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adam", {"lr": 0.01, "foreach": True}),
    ("Adam", {"lr": 0.01, "fused": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.5}),
    ("Adamax", {"lr": 0.01}),
    ("Adamax", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
    ("NAdam", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.01}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "centered": True, "momentum": 0.5}),
    ("RMSprop", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    (
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.3, "weight_decay": 0.1},
    ),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1, "maximize": True}),
    ("ASGD", {"lr": 0.01}),
    ("ASGD", {"lr": 0.01, "t0": 2, "lambd": 0.01, "weight_decay": 0.1}),
    ("Rprop", {"lr": 0.01}),
    ("Rprop", {"lr": 0.01, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.05), "maximize": True}),
    ("Adafactor", {}),
    (
        "Adafactor",
        {"lr": 0.05, "eps": (1e-4, 1e-2), "d": 1.5, "weight_decay": 0.1, "maximize": True},
    ),
]


@pytest.mark.parametrize("name,kw", GRID, ids=[f"{n}-{i}" for i, (n, _) in enumerate(GRID)])
def test_steps_match_torch(name, kw):
    params, grads = _data()
    t_opt, l_opt, t_params, l_params = _pair(name, kw, params)
    _step_both(t_opt, l_opt, t_params, l_params, grads)
    for t, l in zip(t_params, l_params):
        assert str(l.dtype) == str(t.dtype)
        np.testing.assert_allclose(_np(l), _np(t), rtol=1e-5, atol=1e-6)
    _assert_state_dicts_match(l_opt.state_dict(), t_opt.state_dict())
    assert l_opt.defaults == t_opt.defaults


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
@pytest.mark.parametrize("dtype", [np.float64, np.complex64])
def test_other_dtypes(name, dtype):
    kw = {"lr": 0.01, "momentum": 0.9} if name in ("SGD", "RMSprop") else {"lr": 0.01}
    params, grads = _data(dtype)
    t_opt, l_opt, t_params, l_params = _pair(name, kw, params)
    _step_both(t_opt, l_opt, t_params, l_params, grads)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for t, l in zip(t_params, l_params):
        assert str(l.dtype) == str(t.dtype)
        np.testing.assert_allclose(_np(l), _np(t), rtol=tol, atol=tol)
    _assert_state_dicts_match(l_opt.state_dict(), t_opt.state_dict(), rtol=tol, atol=tol)


def test_param_groups_params_without_grad_and_lr_changes():
    params, grads = _data(steps=3)
    extra = np.ones(2, np.float32)
    t_params = [torch.tensor(p, requires_grad=True) for p in [*params, extra]]
    l_params = [_tl(p, requires_grad=True) for p in [*params, extra]]

    def groups(ps):
        return [{"params": [ps[0]], "lr": 0.05}, {"params": [ps[1], ps[2]], "weight_decay": 0.1}]

    t_opt = torch.optim.Adam(groups(t_params), lr=0.01)
    l_opt = tl_optim.Adam(groups(l_params), lr=0.01)
    for i, gs in enumerate(grads):
        for t, l, g in zip(t_params, l_params, gs):  # the extra param never gets a grad
            t.grad = torch.tensor(g)
            l.grad = _tl(g)
        if i == 1:
            for opt in (t_opt, l_opt):
                opt.param_groups[0]["lr"] = 0.2
                opt.param_groups[1]["betas"] = (0.5, 0.6)
        t_opt.step()
        l_opt.step()
    for t, l in zip(t_params, l_params):
        np.testing.assert_allclose(_np(l), _np(t), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(_np(l_params[2]), extra)
    assert l_params[2] not in l_opt.state
    _assert_state_dicts_match(l_opt.state_dict(), t_opt.state_dict())


def test_changing_lr_does_not_recompile():
    from torchlike.optim._functional import _CACHE

    p = _tl(np.ones(3, np.float32), requires_grad=True)
    opt = tl_optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = _tl(np.ones(3, np.float32))
    opt.step()
    opt.step()  # the first step traced without a momentum buffer, the second with one

    def traces():
        return sum(fn._cache_size() for fn in _CACHE.values())

    size = traces()
    for lr in (0.2, 0.3, 1e-4):
        opt.param_groups[0]["lr"] = lr
        opt.step()
    assert traces() == size


def test_load_torch_state_dict_and_continue():
    params, grads = _data(steps=6)
    for name, kw in [
        ("Adam", {"lr": 0.01, "amsgrad": True}),
        ("SGD", {"lr": 0.1, "momentum": 0.9}),
        ("NAdam", {}),
    ]:
        t_opt, l_opt, t_params, l_params = _pair(name, kw, params)
        # torch trains 3 steps; torchlike starts from torch's params and optimizer state.
        for gs in grads[:3]:
            for t, g in zip(t_params, gs):
                t.grad = torch.tensor(g)
            t_opt.step()
        for t, l in zip(t_params, l_params):
            l._set_data(jnp.asarray(_np(t)))
        t_sd = t_opt.state_dict()
        converted = {
            "state": {
                i: {k: (_tl(v.numpy()) if isinstance(v, torch.Tensor) else v) for k, v in s.items()}
                for i, s in t_sd["state"].items()
            },
            "param_groups": copy.deepcopy(t_sd["param_groups"]),
        }
        l_opt.load_state_dict(converted)
        _step_both(t_opt, l_opt, t_params, l_params, grads[3:])
        for t, l in zip(t_params, l_params):
            np.testing.assert_allclose(_np(l), _np(t), rtol=1e-5, atol=1e-6)
        _assert_state_dicts_match(l_opt.state_dict(), t_opt.state_dict())


def test_state_dict_round_trip_between_torchlike_optimizers():
    params, grads = _data(steps=4)
    _, a, _, a_params = _pair("RMSprop", {"centered": True, "momentum": 0.5}, params)
    for gs in grads[:2]:
        for p, g in zip(a_params, gs):
            p.grad = _tl(g)
        a.step()
    b_params = [_tl(_np(p), requires_grad=True) for p in a_params]
    b = tl_optim.RMSprop(b_params, centered=True, momentum=0.5)
    b.load_state_dict(a.state_dict())
    for gs in grads[2:]:
        for p, q, g in zip(a_params, b_params, gs):
            p.grad = _tl(g)
            q.grad = _tl(g)
        a.step()
        b.step()
    for p, q in zip(a_params, b_params):
        np.testing.assert_array_equal(_np(p), _np(q))


def test_zero_grad_and_hooks():
    p = _tl(np.ones(3, np.float32), requires_grad=True)
    opt = tl_optim.SGD([p], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    g = tl_optim.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: calls.append("gpre"))
    p.grad = _tl(np.ones(3, np.float32))
    opt.step()
    assert calls == ["gpre", "pre", "post"]
    h1.remove()
    g.remove()
    opt.step()
    assert calls == ["gpre", "pre", "post", "post"]
    opt.zero_grad()
    assert p.grad is None
    opt.step()  # no grad: skipped
    np.testing.assert_allclose(_np(p), 0.8, rtol=1e-6)


def test_add_param_group_and_constructor_errors_match_torch():
    def both(fn):
        with pytest.raises(Exception) as t_err:
            fn(torch.optim, torch.zeros(2, requires_grad=True))
        with pytest.raises(type(t_err.value)) as l_err:
            fn(tl_optim, _tl(np.zeros(2, np.float32), requires_grad=True))
        assert str(l_err.value) == str(t_err.value)

    both(lambda m, p: m.SGD([p], lr=-1.0))
    both(lambda m, p: m.SGD([p], lr=0.1, nesterov=True))
    both(lambda m, p: m.Adam([p], betas=(1.0, 0.9)))
    both(lambda m, p: m.Adam([p], betas=(0.9, 0.99), eps=-1.0))
    both(lambda m, p: m.Adam([p], fused=True, foreach=True))
    both(lambda m, p: m.Rprop([p], etas=(1.5, 1.2)))
    both(lambda m, p: m.Adadelta([p], rho=1.5))
    both(lambda m, p: m.SGD([], lr=0.1))
    both(lambda m, p: m.SGD(p, lr=0.1))
    both(lambda m, p: m.SGD([p], lr=0.1).add_param_group({"params": {p}}))

    def dup(m, p):
        o = m.SGD([p], lr=0.1)
        o.add_param_group({"params": [p]})

    both(dup)

    def no_lr(m, p):
        import importlib

        required = importlib.import_module(m.__name__ + ".optimizer").required

        class Custom(m.Optimizer):
            def __init__(self, params):
                super().__init__(params, {"lr": required})

        Custom([p])

    both(no_lr)
    p = _tl(np.zeros(2, np.float32), requires_grad=True)
    q = _tl(np.zeros(2, np.float32), requires_grad=True)
    opt = tl_optim.SGD([p], lr=0.1, momentum=0.5)
    opt.add_param_group({"params": q, "lr": 0.01})
    assert opt.param_groups[1]["lr"] == 0.01
    assert opt.param_groups[1]["momentum"] == 0.5


def test_named_parameters_are_saved_in_param_names():
    t_p = torch.zeros(2, requires_grad=True)
    l_p = _tl(np.zeros(2, np.float32), requires_grad=True)
    t_sd = torch.optim.SGD([("w", t_p)], lr=0.1).state_dict()
    l_sd = tl_optim.SGD([("w", l_p)], lr=0.1).state_dict()
    assert l_sd == t_sd


def test_repr_matches_torch():
    t = torch.optim.Adam([torch.zeros(2, requires_grad=True)], lr=0.1)
    l = tl_optim.Adam([_tl(np.zeros(2, np.float32), requires_grad=True)], lr=0.1)
    assert repr(l) == repr(t)


def test_adagrad_creates_state_for_every_param_at_construction():
    t = torch.optim.Adagrad([torch.zeros(2, requires_grad=True)], initial_accumulator_value=0.5)
    l = tl_optim.Adagrad(
        [_tl(np.zeros(2, np.float32), requires_grad=True)], initial_accumulator_value=0.5
    )
    _assert_state_dicts_match(l.state_dict(), t.state_dict())


def test_step_returns_closure_loss():
    p = _tl(np.ones(2, np.float32), requires_grad=True)
    opt = tl_optim.Adam([p])

    def closure():
        p.grad = _tl(np.ones(2, np.float32))
        return 3.5

    assert opt.step(closure) == 3.5
    assert float(opt.state[p]["step"]._data) == 1.0


@pytest.mark.parametrize(
    "kw,shape",
    [({}, (3, 4)), ({"nesterov": False, "adjust_lr_fn": "match_rms_adamw", "lr": 0.02}, (4, 3))],
)
def test_muon_matches_torch(kw, shape):
    rng = np.random.default_rng(0)
    params = [rng.standard_normal(shape).astype(np.float32)]
    grads = [[rng.standard_normal(shape).astype(np.float32)] for _ in range(STEPS)]
    t_opt, l_opt, t_params, l_params = _pair("Muon", kw, params)
    _step_both(t_opt, l_opt, t_params, l_params, grads)
    # The orthogonalisation runs in bfloat16: matmul rounding differs between backends.
    np.testing.assert_allclose(_np(l_params[0]), _np(t_params[0]), rtol=1e-3, atol=1e-3)
    _assert_state_dicts_match(l_opt.state_dict(), t_opt.state_dict(), rtol=1e-3, atol=1e-3)


def test_muon_errors():
    with pytest.raises(ValueError, match="only supports 2D parameters"):
        tl_optim.Muon([_tl(np.zeros(3, np.float32), requires_grad=True)])


def test_zero_grad_set_to_none_false_and_python_number_step():
    p = _tl(np.ones(3, np.float32), requires_grad=True)
    opt = tl_optim.Adam([p], lr=0.1)
    p.grad = _tl(np.ones(3, np.float32))
    opt.step()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(_np(p.grad), 0.0)
    sd = opt.state_dict()
    sd["state"][0]["step"] = 1.0  # as in checkpoints from old PyTorch versions
    opt.load_state_dict(sd)
    p.grad = _tl(np.ones(3, np.float32))
    opt.step()
    assert str(opt.state[p]["step"].dtype) == "torch.float32"
    assert float(opt.state[p]["step"]._data) == 2.0


def test_tensor_lr_and_betas_match_torch():
    t_p = torch.zeros(3, requires_grad=True)
    l_p = _tl(np.zeros(3, np.float32), requires_grad=True)
    t_opt = torch.optim.Adam(
        [t_p], lr=torch.tensor(0.01), betas=(torch.tensor(0.9), torch.tensor(0.99))
    )
    l_opt = tl_optim.Adam(
        [l_p],
        lr=_tl(np.float32(0.01)),
        betas=(_tl(np.float32(0.9)), _tl(np.float32(0.99))),
    )
    for _ in range(3):
        t_p.grad = torch.ones(3)
        l_p.grad = _tl(np.ones(3, np.float32))
        t_opt.step()
        l_opt.step()
    np.testing.assert_allclose(_np(l_p), _np(t_p), rtol=1e-5)


_FLAT_CASES = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.01}),
    ("Adamax", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01, "decoupled_weight_decay": True, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("Adadelta", {"lr": 1.0}),
    ("ASGD", {"lr": 0.01, "t0": 2}),
    ("Rprop", {"lr": 0.01}),
]


@pytest.mark.parametrize("name,kw", _FLAT_CASES, ids=[c[0] for c in _FLAT_CASES])
def test_packed_state_update_matches_pytorch(name, kw, monkeypatch):
    """A group whose state is packed into one vector per name (the GPU layout) gives PyTorch's
    numbers: tensors of several shapes, a 0-d parameter, per-tensor 'step' state, a step where
    one gradient is missing (the per-tensor update then writes through the packed views), an
    in-place change to a state entry, and a state_dict saved and loaded into a new optimizer."""
    import torchlike.optim.optimizer as opt_mod

    monkeypatch.setattr(opt_mod, "_FLAT", "1")
    packed_calls = []
    orig = opt_mod.compiled_packed_update
    monkeypatch.setattr(opt_mod, "compiled_packed_update",
                        lambda *a: packed_calls.append(1) or orig(*a))
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (5,), (), (2, 1, 3)]
    data = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    t_params = [torch.tensor(d, requires_grad=True) for d in data]
    l_params = [_tl(d, requires_grad=True) for d in data]
    t_opt = getattr(torch.optim, name)(t_params, **kw)
    l_opt = getattr(tl_optim, name)(l_params, **kw)

    def step():
        for i, (tp, lp) in enumerate(zip(t_params, l_params)):
            if n == 3 and i == 1:  # a parameter without a gradient is skipped
                tp.grad = lp.grad = None
                continue
            g = rng.standard_normal(tp.shape).astype(np.float32)
            tp.grad, lp.grad = torch.tensor(g), _tl(g)
        t_opt.step()
        l_opt.step()

    for n in range(5):
        step()
    assert packed_calls, "the packed layout was not used"
    # the state entries alias the packed buffers: an in-place change reaches the next step
    key = min(k for k, v in t_opt.state[t_params[0]].items() if v.dim() > 0)
    t_opt.state[t_params[0]][key].mul_(0.5)
    l_opt.state[l_params[0]][key].mul_(0.5)
    step()
    # a state_dict saved and loaded into a fresh optimizer continues identically
    buf = io.BytesIO()
    tl.save(l_opt.state_dict(), buf)
    buf.seek(0)
    l_opt = getattr(tl_optim, name)(l_params, **kw)
    l_opt.load_state_dict(tl.load(buf))
    step()
    for tp, lp in zip(t_params, l_params):
        np.testing.assert_allclose(lp.detach().numpy(), tp.detach().numpy(), rtol=1e-5, atol=1e-6)
    t_sd, l_sd = t_opt.state_dict(), l_opt.state_dict()
    assert t_sd["state"].keys() == l_sd["state"].keys()
    for k, ts in t_sd["state"].items():
        assert ts.keys() == l_sd["state"][k].keys()
        for name_, v in ts.items():
            lv = l_sd["state"][k][name_]
            assert tuple(lv.shape) == tuple(v.shape) and str(lv.dtype) == str(v.dtype)
            np.testing.assert_allclose(np.asarray(lv.numpy()), v.numpy(), rtol=1e-5, atol=1e-6)


def test_flat_group_skips_steps_with_inf_grads(monkeypatch):
    """GradScaler's skipped step keeps every tensor and its state in the flat layout too."""
    import torchlike.optim.optimizer as opt_mod

    monkeypatch.setattr(opt_mod, "_FLAT", "1")
    ps = [_tl(np.ones((2, 2), np.float32), requires_grad=True),
          _tl(np.ones(3, np.float32), requires_grad=True)]
    opt = tl_optim.Adam(ps, lr=0.1)
    scaler = tl.amp.GradScaler("cpu", init_scale=2.0)
    loss = sum((p * p).sum() for p in ps)
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    after_one = [p.detach().numpy().copy() for p in ps]
    assert not np.allclose(after_one[0], 1.0)
    ps[1].grad = _tl(np.array([np.inf, 0, 0], np.float32))
    ps[0].grad = _tl(np.ones((2, 2), np.float32))
    scaler.step(opt)
    for p, before in zip(ps, after_one):
        np.testing.assert_array_equal(p.detach().numpy(), before)
    assert float(opt.state[ps[0]]["step"]) == 1.0
