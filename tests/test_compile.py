"""torchlike.compile: compiled steps equal eager steps; caching, graph breaks, fullgraph."""

import warnings

import numpy as np
import pytest

import torchlike as tl


def _params():
    rs = np.random.RandomState(0)
    w1 = tl.tensor(rs.randn(8, 4).astype(np.float32) * 0.3, requires_grad=True)
    w2 = tl.tensor(rs.randn(1, 8).astype(np.float32) * 0.3, requires_grad=True)
    x = tl.tensor(rs.randn(16, 4).astype(np.float32))
    y = tl.tensor(rs.randn(16, 1).astype(np.float32))
    return w1, w2, x, y


def _make_step(w1, w2, probe=None):
    state = {"calls": 0}

    def step(x, y, lr):
        state["calls"] += 1  # a Python side effect: must happen on every call
        for p in (w1, w2):
            p.grad = None
        h = (x @ w1.t()).tanh()
        h[:, 0] = 0.0  # in-place write through a view
        loss = ((h @ w2.t() - y) ** 2).mean()
        if probe is not None:
            probe(loss)
        loss.backward()
        with tl.no_grad():
            for p in (w1, w2):
                p.sub_(p.grad * lr)
        return loss

    return step, state


def _run(compiled, lrs, probe=None):
    w1, w2, x, y = _params()
    step, state = _make_step(w1, w2, probe)
    f = tl.compile(step) if compiled else step
    losses = [float(f(x, y, lr).item()) for lr in lrs]
    return losses, w1.detach().numpy(), w2.grad.numpy(), state["calls"], f


def test_compiled_equals_eager_over_steps():
    lrs = [0.1, 0.05, 0.2, 0.1, 0.07, 0.3]
    le, w1e, g2e, _, _ = _run(False, lrs)
    lc, w1c, g2c, calls, f = _run(True, lrs)
    np.testing.assert_allclose(lc, le, rtol=1e-5)
    np.testing.assert_allclose(w1c, w1e, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(g2c, g2e, rtol=1e-5, atol=1e-7)
    assert calls == len(lrs)
    # a new learning rate is a new input value, not a new program (nor do the gradients the
    # step sets to None from the second call on make one: see the next test)
    assert f.compile_count == 1


def test_recompiles_on_new_shape():
    f = tl.compile(lambda a: (a * 2).sum())
    f(tl.ones(3))
    f(tl.ones(3))
    assert f.compile_count == 1
    f(tl.ones(4))
    assert f.compile_count == 2
    assert float(f(tl.ones(5)).item()) == 10.0


def test_graph_break_warns_and_stays_correct():
    le, *_ = _run(False, [0.1, 0.1])
    seen = []
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        lc, *_ = _run(True, [0.1, 0.1], probe=lambda loss: seen.append(loss.item()))
    np.testing.assert_allclose(lc, le, rtol=1e-5)
    np.testing.assert_allclose(seen, le, rtol=1e-5)
    msgs = [str(x.message) for x in w if "graph break" in str(x.message)]
    assert len(msgs) == 1 and "Tensor.item()" in msgs[0] and "test_compile.py" in msgs[0]


def test_fullgraph_refuses_graph_breaks():
    f = tl.compile(lambda a: a * a.sum().item(), fullgraph=True)
    with pytest.raises(RuntimeError, match="fullgraph"):
        f(tl.ones(2))


def test_state_consistent_after_exception():
    w = tl.ones(2, requires_grad=True)

    def bad(a):
        with tl.no_grad():
            w.add_(a)
        raise ValueError("boom")

    f = tl.compile(bad)
    with pytest.raises(ValueError):
        f(tl.ones(2))
    np.testing.assert_allclose(w.detach().numpy(), [2.0, 2.0])


def _train(compiled, steps=4):
    tl.manual_seed(0)
    nn = tl.nn
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3),
                          nn.Linear(8, 3))
    opt = tl.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    net = tl.compile(model) if compiled else model
    x, y = tl.randn(16, 4), tl.randint(0, 3, (16,))
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    net.eval()
    return losses, net(x).detach().numpy(), model[1].running_mean.numpy(), net


def test_compiled_module_in_eager_loop():
    le, oe, rme, _ = _train(False)
    with tl._inductor.config.patch(fallback_random=True):  # eager mode's dropout masks
        lc, oc, rmc, net = _train(True)
    np.testing.assert_allclose(lc, le, rtol=1e-5)
    np.testing.assert_allclose(oc, oe, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rmc, rme, rtol=1e-5, atol=1e-7)
    assert list(net.state_dict())[0].startswith("_orig_mod.")
    # forward (train and eval) and backward: a handful of programs, reused across steps
    assert net._compiled_call.compile_count <= 4


def test_compiled_step_with_optimizer_scheduler_and_dropout_matches_eager():
    def run(compiled):
        tl.manual_seed(0)
        nn = tl.nn
        m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 3))
        opt = tl.optim.Adam(m.parameters(), lr=0.01)
        sched = tl.optim.lr_scheduler.StepLR(opt, 2, 0.5)
        x, y = tl.randn(16, 4), tl.randint(0, 3, (16,))

        def step(x, y):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(m(x), y)
            loss.backward()
            opt.step()
            sched.step()
            return loss

        f = tl.compile(step) if compiled else step
        losses = [f(x, y).item() for _ in range(6)]
        return losses, opt.state_dict()["state"][0]["exp_avg"].numpy(), sched.get_last_lr(), f

    le, se, lre, _ = run(False)
    # as in PyTorch, compiled code draws its own random numbers unless fallback_random asks
    # for eager mode's
    with tl._inductor.config.patch(fallback_random=True):
        lc, sc, lrc, f = run(True)
    np.testing.assert_allclose(lc, le, rtol=1e-6)
    np.testing.assert_allclose(sc, se, rtol=1e-5, atol=1e-8)
    assert lrc == lre  # the scheduler's Python state advanced on every compiled call
    assert f.compile_count == 1  # new lrs from the scheduler did not recompile


def _sgd_step(w1, w2, opt):
    """A two-layer regression step with `opt` over (w1, w2), as a function of (x, y)."""
    def step(x, y):
        opt.zero_grad()
        loss = ((x @ w1.t()).tanh() @ w2.t() - y).pow(2).mean()
        loss.backward()
        opt.step()
        return loss

    return step


def test_compiled_step_donates_only_unreferenced_buffers():
    """Old parameter/momentum buffers nothing else refers to are donated to the program; a
    tensor that may share a parameter's array (clone, detach, .data) never loses its values."""
    w1, w2, x, y = _params()
    opt = tl.optim.SGD([w1, w2], lr=0.1, momentum=0.9)

    cstep = tl.compile(_sgd_step(w1, w2, opt))
    ew1 = tl.tensor(w1.detach().numpy(), requires_grad=True)
    ew2 = tl.tensor(w2.detach().numpy(), requires_grad=True)
    eopt = tl.optim.SGD([ew1, ew2], lr=0.1, momentum=0.9)
    snapshot = w1.clone().detach()  # PyTorch: a copy, keeps the initial values
    snapshot_values = snapshot.numpy().copy()
    held, data_alias = w1.detach(), w2.data  # PyTorch: share storage, follow the updates
    for i in range(4):
        loss = cstep(x, y)
        eopt.zero_grad()
        eloss = ((x @ ew1.t()).tanh() @ ew2.t() - y).pow(2).mean()
        eloss.backward()
        eopt.step()
        np.testing.assert_allclose(loss.item(), eloss.item(), rtol=1e-6)
        snapshot2 = w2.clone()
        snapshot2_values = snapshot2.detach().numpy().copy()
    np.testing.assert_array_equal(snapshot.numpy(), snapshot_values)
    np.testing.assert_array_equal(snapshot2.detach().numpy(), snapshot2_values)
    np.testing.assert_array_equal(held.numpy(), w1.detach().numpy())
    np.testing.assert_array_equal(data_alias.numpy(), w2.detach().numpy())
    np.testing.assert_allclose(w1.detach().numpy(), ew1.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w2.detach().numpy(), ew2.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert any(len(k[3]) > 0 for k in cstep.programs)  # something was donated


def test_compiled_step_gives_each_parameter_its_own_old_buffer():
    """A donated input's buffer goes to the output that replaced it (the parameter's new
    value into its old buffer, the momentum's into its old one): given another output of the
    same shape (the gradient, say), XLA must copy the input first, since the program still
    reads it after that output is written."""
    w1, w2, x, y = _params()
    w3 = tl.tensor(np.ones((8, 4), np.float32), requires_grad=True)  # same shape as w1
    opt = tl.optim.SGD([w3, w2, w1], lr=0.1, momentum=0.9)

    def step(x, y):
        opt.zero_grad()
        loss = (((x @ w1.t()).tanh() + (x @ w3.t())) @ w2.t() - y).pow(2).mean()
        loss.backward()
        opt.step()
        return loss

    cstep = tl.compile(step)
    for _ in range(2):  # the momentum buffers exist from the second step on
        cstep(x, y)
    tensors = [w1, w2, w3] + [opt.state[p]["momentum_buffer"] for p in (w1, w2, w3)]
    for _ in range(2):
        old = [t._data.unsafe_buffer_pointer() for t in tensors]
        cstep(x, y)
        assert [t._data.unsafe_buffer_pointer() for t in tensors] == old


def test_compiled_step_reuses_the_buffers_of_gradients_set_to_none():
    """zero_grad inside a compiled step hands the old gradients' buffers to the new ones (a
    freed large buffer costs the CPU an unmap, a fresh one page faults) unless something else
    still holds the old gradient, which then keeps its values. Only where a program is
    compiled anyway (here: SGD's momentum buffers appear at the second call)."""
    w1, w2, x, y = _params()
    opt = tl.optim.SGD([w1, w2], lr=0.1, momentum=0.9)

    cstep = tl.compile(_sgd_step(w1, w2, opt))
    ew1 = tl.tensor(w1.detach().numpy(), requires_grad=True)
    ew2 = tl.tensor(w2.detach().numpy(), requires_grad=True)
    estep = _sgd_step(ew1, ew2, tl.optim.SGD([ew1, ew2], lr=0.1, momentum=0.9))
    cstep(x, y)
    estep(x, y)
    for i in range(4):
        old = [p.grad._data for p in (w1, w2)]
        kept = w2.grad if i == 2 else None  # a reference the user holds: not reused
        kept_values = None if kept is None else kept.numpy().copy()
        ptr = [a.unsafe_buffer_pointer() for a in old]
        del old
        cstep(x, y)
        estep(x, y)
        assert w1.grad._data.unsafe_buffer_pointer() == ptr[0]
        if kept is None:
            assert w2.grad._data.unsafe_buffer_pointer() == ptr[1]
        else:
            np.testing.assert_array_equal(kept.numpy(), kept_values)
        for p, e in ((w1, ew1), (w2, ew2)):
            np.testing.assert_allclose(p.grad.numpy(), e.grad.numpy(), rtol=1e-5, atol=1e-7)
            np.testing.assert_allclose(p.detach().numpy(), e.detach().numpy(), rtol=1e-5,
                                       atol=1e-7)
    # first call, steady state, the call that kept w2.grad
    assert cstep.compile_count == 3


def test_compiled_step_compiles_no_program_only_to_reuse_gradient_buffers():
    """Where the second call records the first call's program (no optimizer state appears),
    the old gradients are freed as in eager mode rather than compiling a second program."""
    w1, w2, x, y = _params()
    opt = tl.optim.SGD([w1, w2], lr=0.1)

    cstep = tl.compile(_sgd_step(w1, w2, opt))
    for _ in range(4):
        cstep(x, y)
    assert cstep.compile_count == 1


def test_compiled_dropout_draws_fresh_reproducible_masks():
    """Default (fallback_random=False): masks come from JAX keys taken from the generator —
    fresh on every call, the same after the same seed, keep rate 1 - p, scale 1 / (1 - p), one
    program for all calls; the generator advances as for any draw."""
    x = tl.ones(200, 500)
    f = tl.compile(lambda x: tl.nn.functional.dropout(x, 0.25))
    tl.manual_seed(3)
    a, b = f(x).numpy(), f(x).numpy()
    after = tl.rand(4).numpy()
    tl.manual_seed(3)
    a2 = f(x).numpy()
    assert f.compile_count == 1
    np.testing.assert_array_equal(a, a2)
    assert (a != b).any()
    assert set(np.unique(a)) == {0.0, np.float32(1 / 0.75)}
    kept = (a != 0).mean()
    assert abs(kept - 0.75) < 0.01  # 100000 draws: the standard error is 0.0014
    tl.manual_seed(3)
    assert not np.array_equal(tl.rand(4).numpy(), after)  # the compiled draws advanced it


@pytest.mark.parametrize("dtype", [tl.float32, tl.float64])
def test_compiled_dropout_is_bernoulli_noise_divided(dtype):
    """Compiled dropout draws its noise in one step, and it is what PyTorch's definition gives
    from the same stream: noise.bernoulli_(1 - p).div_(1 - p), then input * noise (values
    and gradient)."""
    x = tl.arange(1, 601, dtype=dtype).reshape(20, 30).requires_grad_()
    drop = tl.compile(lambda x: tl.nn.functional.dropout(x, 0.3))
    by_def = tl.compile(lambda x: tl.empty_like(x).bernoulli_(0.7).div_(0.7))
    tl.manual_seed(5)
    out = drop(x)
    tl.manual_seed(5)
    noise = by_def(x.detach())
    np.testing.assert_array_equal(out.detach().numpy(), (x.detach() * noise).numpy())
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), noise.numpy())
    assert out.dtype == dtype


def test_compiled_samplers_draw_from_keys():
    """rand/randn/rand_like/randn_like/uniform_/normal_ inside a compiled step: fresh on every
    call, the same after the same seed, the right distribution and dtype, one program."""
    def step(x):
        return (tl.rand(4000), tl.randn(4000), tl.rand_like(x), tl.randn_like(x, dtype=tl.float64),
                x.clone().uniform_(-2.0, 3.0), x.clone().normal_(5.0, 0.5))

    f = tl.compile(step)
    x = tl.zeros(1000, 4)
    tl.manual_seed(7)
    a, b = f(x), f(x)
    tl.manual_seed(7)
    a2 = f(x)
    assert f.compile_count == 1 and f.graph_breaks == 0
    for u, v, w in zip(a, b, a2):
        np.testing.assert_array_equal(u.numpy(), w.numpy())
        assert (u.numpy() != v.numpy()).any()
    assert [t.dtype for t in a] == [tl.float32] * 3 + [tl.float64] + [tl.float32] * 2
    r, n, u, nm = a[0].numpy(), a[1].numpy(), a[4].numpy(), a[5].numpy()
    # 4000 draws: the tolerances are > 4 standard errors
    assert r.min() >= 0 and r.max() < 1 and abs(r.mean() - 0.5) < 0.02
    assert abs(n.mean()) < 0.07 and abs(n.std() - 1) < 0.05
    assert u.min() >= -2 and u.max() < 3 and abs(u.mean() - 0.5) < 0.12
    assert abs(nm.mean() - 5) < 0.04 and abs(nm.std() - 0.5) < 0.03


def test_is_compiling_inside_compiled_code_as_torch():
    """torch.compiler.is_compiling() is True while a compiled function runs, False outside it
    and inside torch.compiler.disable'd functions."""
    from _oracle import import_torch

    torch = import_torch()
    for lib in (torch, tl):
        @lib.compiler.disable
        def eager_part(x):
            return x * (2 if lib.compiler.is_compiling() else 3)

        def f(x):
            return x + (1 if lib.compiler.is_compiling() else 0), eager_part(x)

        cf = lib.compile(f, backend="eager") if lib is torch else lib.compile(f)
        a, b = cf(lib.ones(2))
        assert a.tolist() == [2.0, 2.0] and b.tolist() == [3.0, 3.0]
        assert f(lib.ones(1))[1].item() == 3.0
        assert not lib.compiler.is_compiling() and not lib._dynamo.is_compiling()
