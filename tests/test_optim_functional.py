"""The pure update math (torchlike.optim._functional) against torch.optim, on numpy data."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()
jax.config.update("jax_enable_x64", True)

from torchlike.optim import _functional as F

STEPS = 5


def _data(dtype):
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (5,)]
    params = [rng.standard_normal(s).astype(dtype) for s in shapes]
    if np.dtype(dtype).kind == "c":
        params = [(p + 1j * rng.standard_normal(p.shape)).astype(dtype) for p in params]
    grads = []
    for _ in range(STEPS):
        gs = [rng.standard_normal(p.shape).astype(dtype) for p in params]
        if np.dtype(dtype).kind == "c":
            gs = [(g + 1j * rng.standard_normal(g.shape)).astype(dtype) for g in gs]
        grads.append(gs)
    return params, grads


def _scalar(value):
    return jnp.asarray(value, jnp.float32)


def _zeros(x):
    return jnp.zeros_like(x)


# name: (torch class, single, kwargs -> (options, hyper), initial state)
def _sgd(kw):
    h = {k: float(kw.get(k, 0.0)) for k in ("momentum", "dampening", "weight_decay")}
    h["lr"] = kw["lr"]
    o = {
        "maximize": kw.get("maximize", False),
        "nesterov": kw.get("nesterov", False),
        "momentum": h["momentum"] != 0,
        "weight_decay": h["weight_decay"] != 0,
    }
    return o, h, lambda p: {}


def _adam(kw):
    b1, b2 = kw.get("betas", (0.9, 0.999))
    h = {"lr": kw["lr"], "beta1": b1, "beta2": b2, "eps": 1e-8}
    h["weight_decay"] = kw.get("weight_decay", 0.0)
    amsgrad = kw.get("amsgrad", False)
    o = {
        "maximize": kw.get("maximize", False),
        "amsgrad": amsgrad,
        "decoupled_weight_decay": kw.get("decoupled_weight_decay", False),
        "weight_decay": h["weight_decay"] != 0,
    }

    def init(p):
        s = {"step": _scalar(0), "exp_avg": _zeros(p), "exp_avg_sq": _zeros(p)}
        if amsgrad:
            s["max_exp_avg_sq"] = _zeros(p)
        return s

    return o, h, init


def _adamax(kw):
    h = {"lr": kw["lr"], "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    h["weight_decay"] = kw.get("weight_decay", 0.0)
    o = {"maximize": kw.get("maximize", False), "weight_decay": h["weight_decay"] != 0}
    return o, h, lambda p: {"step": _scalar(0), "exp_avg": _zeros(p), "exp_inf": _zeros(p)}


def _nadam(kw):
    h = {"lr": kw["lr"], "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 4e-3}
    h["weight_decay"] = kw.get("weight_decay", 0.0)
    o = {
        "maximize": kw.get("maximize", False),
        "decoupled_weight_decay": kw.get("decoupled_weight_decay", False),
        "weight_decay": h["weight_decay"] != 0,
    }

    def init(p):
        return {
            "step": _scalar(0),
            "mu_product": _scalar(1),
            "exp_avg": _zeros(p),
            "exp_avg_sq": _zeros(p),
        }

    return o, h, init


def _radam(kw):
    o, h, _ = _nadam(kw)
    return o, h, lambda p: {"step": _scalar(0), "exp_avg": _zeros(p), "exp_avg_sq": _zeros(p)}


def _rmsprop(kw):
    h = {"lr": kw["lr"], "alpha": 0.99, "eps": 1e-8}
    h["weight_decay"] = kw.get("weight_decay", 0.0)
    h["momentum"] = kw.get("momentum", 0.0)
    o = {
        "maximize": kw.get("maximize", False),
        "centered": kw.get("centered", False),
        "momentum": h["momentum"] > 0,
        "weight_decay": h["weight_decay"] != 0,
    }

    def init(p):
        s = {"step": _scalar(0), "square_avg": _zeros(p)}
        if o["momentum"]:
            s["momentum_buffer"] = _zeros(p)
        if o["centered"]:
            s["grad_avg"] = _zeros(p)
        return s

    return o, h, init


def _adagrad(kw):
    h = {"lr": kw["lr"], "lr_decay": kw.get("lr_decay", 0.0), "eps": 1e-10}
    h["weight_decay"] = kw.get("weight_decay", 0.0)
    o = {"maximize": kw.get("maximize", False), "weight_decay": h["weight_decay"] != 0}
    iav = kw.get("initial_accumulator_value", 0.0)
    return (
        o,
        h,
        lambda p: {
            "step": _scalar(0),
            "sum": jnp.full_like(p, complex(iav, iav) if jnp.iscomplexobj(p) else iav),
        },
    )


def _adadelta(kw):
    h = {"lr": kw.get("lr", 1.0), "rho": 0.9, "eps": 1e-6}
    h["weight_decay"] = kw.get("weight_decay", 0.0)
    o = {"maximize": kw.get("maximize", False), "weight_decay": h["weight_decay"] != 0}
    return o, h, lambda p: {"step": _scalar(0), "square_avg": _zeros(p), "acc_delta": _zeros(p)}


def _asgd(kw):
    h = {"lr": kw["lr"], "lambd": 1e-4, "alpha": 0.75, "t0": kw.get("t0", 1e6)}
    h["weight_decay"] = kw.get("weight_decay", 0.0)
    o = {"maximize": kw.get("maximize", False), "weight_decay": h["weight_decay"] != 0}

    def init(p):
        return {"step": _scalar(0), "eta": _scalar(kw["lr"]), "mu": _scalar(1), "ax": _zeros(p)}

    return o, h, init


def _rprop(kw):
    h = {"etaminus": 0.5, "etaplus": 1.2, "step_size_min": 1e-6, "step_size_max": 50.0}
    o = {"maximize": kw.get("maximize", False)}
    lr = kw["lr"]
    return (
        o,
        h,
        lambda p: {
            "step": _scalar(0),
            "prev": _zeros(p),
            "step_size": jnp.full_like(p, complex(lr, lr) if jnp.iscomplexobj(p) else lr),
        },
    )


CASES = [
    ("SGD", F._sgd_single, _sgd, {"lr": 0.1}),
    (
        "SGD",
        F._sgd_single,
        _sgd,
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01},
    ),
    ("SGD", F._sgd_single, _sgd, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "maximize": True}),
    ("Adam", F._adam_single, _adam, {"lr": 0.01}),
    ("Adam", F._adam_single, _adam, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    (
        "Adam",
        F._adam_single,
        _adam,
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
    ),
    ("Adamax", F._adamax_single, _adamax, {"lr": 0.01, "weight_decay": 0.1}),
    ("NAdam", F._nadam_single, _nadam, {"lr": 0.01, "weight_decay": 0.1}),
    (
        "NAdam",
        F._nadam_single,
        _nadam,
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
    ),
    ("RAdam", F._radam_single, _radam, {"lr": 0.01, "weight_decay": 0.1}),
    (
        "RAdam",
        F._radam_single,
        _radam,
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
    ),
    ("RMSprop", F._rmsprop_single, _rmsprop, {"lr": 0.01}),
    (
        "RMSprop",
        F._rmsprop_single,
        _rmsprop,
        {"lr": 0.01, "weight_decay": 0.1, "momentum": 0.9, "centered": True},
    ),
    (
        "Adagrad",
        F._adagrad_single,
        _adagrad,
        {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
    ),
    ("Adadelta", F._adadelta_single, _adadelta, {"weight_decay": 0.1, "maximize": True}),
    ("ASGD", F._asgd_single, _asgd, {"lr": 0.01, "t0": 2.0, "weight_decay": 0.1}),
    ("Rprop", F._rprop_single, _rprop, {"lr": 0.01}),
    ("Rprop", F._rprop_single, _rprop, {"lr": 0.01, "maximize": True}),
]


def _run(name, single, spec, kw, dtype):
    params, grads = _data(dtype)
    tparams = [torch.tensor(p, requires_grad=True) for p in params]
    opt = getattr(torch.optim, name)(tparams, **kw)
    o, h, init = spec(kw)
    fn = F.compiled_update(single, tuple(sorted(o.items())))
    jp = [jnp.asarray(p) for p in params]
    states = [init(p) for p in jp]
    for gs in grads:
        for t, g in zip(tparams, gs):
            t.grad = torch.tensor(g)
        opt.step()
        jp, states = fn(jp, [jnp.asarray(g) for g in gs], states, h)
    return jp, states, tparams, opt


@pytest.mark.parametrize(
    "name,single,spec,kw", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_matches_torch_float32(name, single, spec, kw):
    jp, states, tparams, opt = _run(name, single, spec, kw, np.float32)
    for a, t in zip(jp, tparams):
        assert a.dtype == jnp.float32
        np.testing.assert_allclose(np.asarray(a), t.detach().numpy(), rtol=1e-5, atol=1e-6)
    for s, t in zip(states, tparams):
        ts = opt.state[t]
        assert set(s) == set(ts)
        for k, v in ts.items():
            assert s[k].dtype == np.dtype(str(v.dtype).replace("torch.", "")), k
            np.testing.assert_allclose(np.asarray(s[k]), v.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "name,single,spec,kw",
    [CASES[1], CASES[4], CASES[13], CASES[16]],
    ids=["SGD", "Adam", "Adagrad", "Rprop"],
)
@pytest.mark.parametrize("dtype", [np.float64, np.complex64])
def test_matches_torch_other_dtypes(name, single, spec, kw, dtype):
    jp, _, tparams, _ = _run(name, single, spec, kw, dtype)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for a, t in zip(jp, tparams):
        assert a.dtype == dtype
        np.testing.assert_allclose(np.asarray(a), t.detach().numpy(), rtol=tol, atol=tol)


def test_lerp_matches_torch_both_branches():
    a = np.linspace(-3, 3, 7, dtype=np.float32)
    b = np.linspace(5, -1, 7, dtype=np.float32)
    for w in (0.1, 0.49, 0.5, 0.9, 1.0, -0.2):
        ours = np.asarray(F.lerp(jnp.asarray(a), jnp.asarray(b), w))
        ref = torch.lerp(torch.tensor(a), torch.tensor(b), w).numpy()
        np.testing.assert_array_equal(ours, ref)


def test_hyperparameters_are_traced_not_baked_in():
    o, h, _ = _sgd({"lr": 0.1})
    fn = F.compiled_update(F._sgd_single, tuple(sorted(o.items())))
    p = [jnp.ones(3, jnp.float32)]
    g = [jnp.ones(3, jnp.float32)]
    fn(p, g, [{}], h)
    size = fn._cache_size()
    out, _ = fn(p, g, [{}], {**h, "lr": 0.5})
    assert fn._cache_size() == size
    np.testing.assert_allclose(np.asarray(out[0]), 0.5)


def test_found_inf_keeps_old_values_and_works_under_an_outer_jit():
    o, h, init = _adam({"lr": 0.1})
    fn = F.compiled_update(F._adam_single, tuple(sorted(o.items())))
    p = [jnp.ones(3, jnp.float32)]
    g = [jnp.ones(3, jnp.float32)]
    s = [init(p[0])]

    @jax.jit
    def outer(p, g, s, h, found_inf):
        return fn(p, g, s, h, found_inf)

    kept_p, kept_s = outer(p, g, s, h, jnp.float32(1))
    np.testing.assert_array_equal(np.asarray(kept_p[0]), 1.0)
    assert float(kept_s[0]["step"]) == 0.0
    new_p, new_s = outer(p, g, s, h, jnp.float32(0))
    assert float(new_s[0]["step"]) == 1.0
    np.testing.assert_allclose(np.asarray(new_p[0]), 0.9, rtol=1e-6)
