"""The per-op kernel cache keyed by argument kinds: calls that differ only in a Python number's
type, a static argument's value or type, or the default dtype must not share a kernel."""

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()
import torchlike as tl

CALLS = [
    ("add", lambda m, x: m.add(x, 2)),
    ("add", lambda m, x: m.add(x, 2.5)),
    ("add", lambda m, x: m.add(x, True)),
    ("add", lambda m, x: m.add(x, x, alpha=2)),
    ("pow", lambda m, x: m.pow(x, 2)),
    ("pow", lambda m, x: m.pow(x, 2.0)),
    ("sum", lambda m, x: m.sum(x, 0)),
    ("sum", lambda m, x: m.sum(x, 1)),
    ("sum", lambda m, x: m.sum(x, 1, True)),
    ("div", lambda m, x: m.div(x, 2)),
    ("div", lambda m, x: m.div(x, 2, rounding_mode="floor")),
    ("mul", lambda m, x: m.mul(x, 3)),
    ("mul", lambda m, x: m.mul(x, 3.0)),
]


@pytest.mark.parametrize("dtype", ["int64", "float32"])
def test_calls_differing_in_kinds_get_their_own_kernels(dtype):
    a = np.arange(6).reshape(2, 3).astype(dtype)
    for _ in range(2):  # the second round runs from the cache
        for name, call in CALLS:
            r_t = call(torch, torch.tensor(a))
            r_l = call(tl, tl.tensor(a))
            assert str(r_l.dtype) == str(r_t.dtype), name
            np.testing.assert_allclose(r_l.numpy(), r_t.numpy(), rtol=1e-6)


def test_default_dtype_change_is_seen_by_cached_calls():
    x = tl.tensor([1, 2, 3])
    assert (x / 2).dtype == tl.float32
    old = tl.get_default_dtype()
    tl.set_default_dtype(tl.float64)
    try:
        assert (x / 2).dtype == tl.float64
        assert tl.add(x, 0.5).dtype == tl.float64
    finally:
        tl.set_default_dtype(old)
    assert (x / 2).dtype == tl.float32


OPERATOR_CALLS = [
    ("a + b", lambda a, b: a + b),
    ("a * 2", lambda a, b: a * 2),
    ("a * 2.5", lambda a, b: a * 2.5),
    ("a + True", lambda a, b: a + True),
    ("3 - a", lambda a, b: 3 - a),
    ("2.0 * a", lambda a, b: 2.0 * a),
    ("a < b", lambda a, b: a < b),
    ("a == 2", lambda a, b: a == 2),
    ("a @ a.T", lambda a, b: a @ a.T),
    ("a.sum()", lambda a, b: a.sum()),
    ("a[1] + b[0]", lambda a, b: a[1] + b[0]),  # views take the general path
]


@pytest.mark.parametrize("dtypes", [("float32", "float32"), ("int64", "int64"),
                                    ("int32", "float64"), ("float16", "float32")])
def test_operator_fast_path_matches_torch(dtypes):
    """Operators on root tensors skip the general dispatch (kernel.run_roots); their dtypes
    and values are PyTorch's, with or without gradients, from the cache and before it."""
    a = np.arange(6).reshape(2, 3).astype(dtypes[0]) - 2
    b = np.arange(6).reshape(2, 3).astype(dtypes[1]) + 1
    for _ in range(2):  # the second round takes the cached kernels
        for name, call in OPERATOR_CALLS:
            r_t = call(torch.tensor(a), torch.tensor(b))
            r_l = call(tl.tensor(a), tl.tensor(b))
            assert str(r_l.dtype) == str(r_t.dtype), name
            assert r_l.device == tl.tensor(a).device and r_l.grad_fn is None, name
            np.testing.assert_allclose(r_l.numpy(), r_t.numpy(), rtol=1e-3, err_msg=name)
        if dtypes[0] != dtypes[1]:
            with pytest.raises(RuntimeError):
                torch.tensor(a) @ torch.tensor(b).T
            with pytest.raises(RuntimeError, match="same dtype"):
                tl.tensor(a) @ tl.tensor(b).T
    xl = tl.tensor(a.astype("float32"), requires_grad=True)
    yl = xl * 2 + xl @ tl.ones(3, 3) + xl.sum()  # gradients are recorded through the operators
    yl.sum().backward()
    xt = torch.tensor(a.astype("float32"), requires_grad=True)
    (xt * 2 + xt @ torch.ones(3, 3) + xt.sum()).sum().backward()
    np.testing.assert_allclose(xl.grad.numpy(), xt.grad.numpy())
    with tl.no_grad():
        assert (xl * 2).grad_fn is None and not (xl * 2).requires_grad


def test_operator_short_path_leaves_other_calls_to_the_dispatcher():
    """The operator methods' short path (OpDef.dunder) only takes plain root tensors with no
    gradient outside autocast and compile; every other call still gets PyTorch's result."""
    a = np.arange(6, dtype="float32").reshape(2, 3)
    for m in (torch, tl):
        m.ones(2, 3) * m.ones(2, 3)  # cache the kernels first
    # the second operand alone needs a gradient
    xt, yt = torch.tensor(a), torch.tensor(a, requires_grad=True)
    xl, yl = tl.tensor(a), tl.tensor(a, requires_grad=True)
    (xt * yt * 3).sum().backward()
    (xl * yl * 3).sum().backward()
    np.testing.assert_allclose(yl.grad.numpy(), yt.grad.numpy())
    # a Parameter (a Tensor subclass) on either side
    pt, pl = torch.nn.Parameter(torch.tensor(a)), tl.nn.Parameter(tl.tensor(a))
    (pt * torch.tensor(a)).sum().backward()
    (pl * tl.tensor(a)).sum().backward()
    np.testing.assert_allclose(pl.grad.numpy(), pt.grad.numpy())
    # autocast casts the operands of a matmul
    with torch.autocast("cpu", dtype=torch.bfloat16):
        rt = torch.tensor(a) @ torch.tensor(a).T
    with tl.autocast("cpu", dtype=tl.bfloat16):
        rl = tl.tensor(a) @ tl.tensor(a).T
    assert str(rl.dtype) == str(rt.dtype) == "torch.bfloat16"
    # comparisons with None and unsupported operands
    assert (tl.tensor(a) == None) is False and (tl.tensor(a) != None) is True  # noqa: E711
    for m in (torch, tl):
        with pytest.raises(TypeError):
            m.tensor(a) + "x"
    # inside a compiled step the operators are recorded, not run
    step = tl.compile(lambda x, y: x * y + x * 2.0)
    np.testing.assert_allclose(step(tl.tensor(a), tl.tensor(a)).numpy(), a * a + a * 2.0)


def test_bad_arguments_still_raise_after_caching():
    x = tl.ones(2, 2)
    x.sum(0)
    with pytest.raises(TypeError):
        tl.sum(x, 0, False, None, 5)
    with pytest.raises(TypeError):
        tl.add(x)


def test_inplace_checks_still_raise_after_a_passing_call_is_cached():
    x = tl.ones(2, 3)
    x.add_(1.5)
    y = tl.ones(2, 3, dtype=tl.int64)
    with pytest.raises(RuntimeError, match="can't be cast"):
        y.add_(1.5)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        x[0].add_(tl.ones(2, 3))
    x[0].add_(tl.ones(3))
    assert x.tolist() == [[3.5, 3.5, 3.5], [2.5, 2.5, 2.5]]


def test_inplace_calls_differing_in_kinds_match_torch():
    for _ in range(2):  # the second round runs from the caches
        res = []
        for m in (torch, tl):
            x = m.arange(6).reshape(2, 3)
            f = m.arange(6.0).reshape(2, 3)
            x.add_(2)
            x.mul_(True)
            x[0].sub_(1)
            f.add_(2)
            f.add_(1.5)
            f.add_(x)
            f[1].mul_(f[0])
            f.div_(2, rounding_mode="floor")
            res.append((x.tolist(), f.tolist(), str(x.dtype), str(f.dtype)))
        assert res[0] == res[1]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int64", "bool"])
def test_inplace_python_numbers_match_torch(dtype):
    """x.op_(number) skips the fit check for a real number into a floating tensor (it always
    fits); every other pairing still gets PyTorch's result or exception, through a view too
    (x.div_(2) on integers, ordering and clamping with complex numbers raise)."""
    ops = ["add_", "sub_", "mul_", "div_", "pow_", "remainder_", "lt_", "eq_", "clamp_min_"]
    for number in (2, 1.5, True, 1 + 1j):
        for name in ops:
            if dtype == "bool" and name == "clamp_min_" and number is True:
                continue  # PyTorch rejects bool bounds given as Python numbers only
            out = []
            for m in (torch, tl):
                x = m.arange(6).reshape(2, 3).to(getattr(m, dtype))
                for target in (x, x[1]):
                    try:
                        getattr(target, name)(number)
                        out.append((str(x.dtype), np.array(x.tolist(), dtype=float)))
                    except (RuntimeError, TypeError, NotImplementedError) as e:
                        out.append((type(e).__name__, str(e)))
            for got, want in zip(out[2:], out[:2]):
                assert got[0] == want[0], (name, number, got, want)
                if isinstance(want[1], str):
                    if "ComplexHalf" not in want[1]:  # (torchlike has no complex32)
                        assert got[1] == want[1]
                else:  # (XLA's float32 division may differ from PyTorch's in the last bit)
                    np.testing.assert_allclose(got[1], want[1], rtol=1e-3, err_msg=name)


def test_inplace_writes_into_large_buffers_keep_aliasing_semantics():
    """A large tensor's in-place write donates its buffer (XLA updates it where it lies); a
    clone keeps its values, views and detached aliases see the write, x.add_(x) reads x."""
    from torchlike._ops import registry

    base = np.arange(256 * 256, dtype=np.float32).reshape(256, 256)
    x = tl.tensor(base)
    before = len(registry._DONATING)
    x[3].add_(1.0)  # nothing else refers to x's buffer: donated
    assert len(registry._DONATING) > before
    expect = base.copy()
    expect[3] += 1
    np.testing.assert_array_equal(x.numpy(), expect)
    snapshot, alias, rows = x.clone(), x.detach(), x[2:5]
    x[3].mul_(2.0)
    x.add_(x)  # the other argument is x itself
    expect[3] *= 2
    np.testing.assert_array_equal(x.numpy(), expect * 2)
    np.testing.assert_array_equal(alias.numpy(), expect * 2)
    np.testing.assert_array_equal(rows.numpy(), (expect * 2)[2:5])
    expect_snapshot = base.copy()
    expect_snapshot[3] += 1
    np.testing.assert_array_equal(snapshot.numpy(), expect_snapshot)


_COMPILES = {"on": False, "events": []}


def _count_compile(name, secs, **kwargs):
    if _COMPILES["on"] and name.startswith("/jax/core/compile/"):
        _COMPILES["events"].append(name)


@pytest.mark.parametrize("opt", ["Adam", "RMSprop"])
def test_second_training_step_compiles_nothing(opt):
    """The optimizer's state must not change how the parameters are placed: committing them
    (jax.device_put) made every forward and backward kernel compile again on the 2nd step."""
    import jax.monitoring

    if not _COMPILES.get("registered"):
        jax.monitoring.register_event_duration_secs_listener(_count_compile)
        _COMPILES["registered"] = True
    nn = tl.nn
    m = nn.Sequential(nn.Linear(4, 7), nn.Tanh(), nn.Linear(7, 3))
    o = getattr(tl.optim, opt)(m.parameters(), lr=0.1)
    x, y = tl.randn(5, 4), tl.randint(0, 3, (5,))

    def step():
        o.zero_grad()
        loss = nn.functional.cross_entropy(m(x), y)
        loss.backward()
        o.step()
        return loss.item()

    step()
    _COMPILES["events"].clear()
    _COMPILES["on"] = True
    try:
        step()
    finally:
        _COMPILES["on"] = False
    assert _COMPILES["events"] == []


def test_view_writes_from_the_cache_match_torch_and_keep_their_errors():
    """x[i].add_(...) takes a per-chain cached kernel: values match PyTorch on each round,
    and the errors PyTorch raises are raised again on the cached path."""
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    for _ in range(2):
        xt, xl = torch.tensor(a), tl.tensor(a)
        for m, x in ((torch, xt), (tl, xl)):
            x[1].add_(2.5)
            x[:, 2].mul_(3)
            x[0, 1:3].sub_(m.tensor([1.0, 2.0]))
        np.testing.assert_array_equal(xl.numpy(), xt.numpy())
        for m in (torch, tl):
            with pytest.raises(RuntimeError, match="more than one element"):
                m.zeros(3).expand(2, 3).add_(1.0)
            with pytest.raises(RuntimeError, match="can't be cast"):
                m.zeros(2, 3, dtype=m.int64)[0].add_(2.5)


def test_fills_from_cached_values_match_torch():
    """zeros/ones/full/*_like reuse a converted fill value and a jitted broadcast per shape:
    values, dtypes, signed zeros, NaN and requires_grad are PyTorch's, on each round."""
    for _ in range(2):
        for shape in ((), (3,), (2, 3)):
            for value, dtype in ((0, None), (1, "int64"), (2.5, None), (-0.0, "float64"),
                                 (float("nan"), None), (True, "bool"), (3, "uint8"),
                                 (1 + 2j, "complex64"), (7, "float16")):
                outs = []
                for m in (torch, tl):
                    dt = getattr(m, dtype) if dtype else None
                    outs.append(m.full(shape, value, dtype=dt))
                    outs.append(m.zeros(shape, dtype=dt) + m.ones(shape, dtype=dt))
                for a, b in ((outs[0], outs[2]), (outs[1], outs[3])):
                    assert str(b.dtype) == str(a.dtype) and tuple(b.shape) == tuple(a.shape)
                    np.testing.assert_array_equal(b.numpy(), a.numpy())
                    assert np.array_equal(np.signbit(b.numpy().real), np.signbit(a.numpy().real))
    x = tl.zeros(2, 3, requires_grad=True)
    y = tl.zeros(2, 3)
    assert x.requires_grad and x.is_leaf and not y.requires_grad
    y.add_(1)  # a new tensor from the same cached value is a buffer of its own
    assert x.sum().item() == 0 and tl.zeros(2, 3).sum().item() == 0
    np.testing.assert_array_equal(tl.full_like(y, 4).numpy(), torch.full((2, 3), 4.0).numpy())


def test_tensor_and_eye_from_cached_paths_match_torch():
    """torch.tensor converts on the host and moves through a jitted identity; eye uses a
    jitted maker per shape and dtype. Values and dtypes are PyTorch's; data is copied."""
    cases = [([1.0, 2.5], None), ([[1, 2], [3, 4]], None), ([True, False], None), (3, None),
             ([1.7, -2.7], "int32"), ([1.5, 2.25], "float64"), ([1 + 2j], None),
             ([0.1, 1e-8], "float16"), ([0.1, 3.3], "bfloat16"), ([-0.0], None)]
    for data, dtype in cases:
        a = torch.tensor(data, dtype=getattr(torch, dtype) if dtype else None)
        b = tl.tensor(data, dtype=getattr(tl, dtype) if dtype else None)
        assert str(b.dtype) == str(a.dtype), data
        np.testing.assert_array_equal(b.float().numpy() if dtype == "bfloat16" else b.numpy(),
                                      a.float().numpy() if dtype == "bfloat16" else a.numpy())
    src = np.array([1.0, 2.0], np.float32)
    t = tl.tensor(src)
    src[0] = 9  # torch.tensor copies its data
    assert t.tolist() == [1.0, 2.0]
    for n, m, dtype in ((3, None, None), (2, 4, "int64"), (0, 2, None)):
        dims = (n,) if m is None else (n, m)
        a = torch.eye(*dims, dtype=getattr(torch, dtype) if dtype else None)
        b = tl.eye(*dims, dtype=getattr(tl, dtype) if dtype else None)
        assert str(b.dtype) == str(a.dtype)
        np.testing.assert_array_equal(b.numpy(), a.numpy())
    e = tl.eye(3)
    tl.eye(3).add_(1)  # each call's tensor is its own
    assert e.sum().item() == 3


def test_index_range_checks_and_host_results_match_torch():
    """Index tensors are range-checked on the host copy (one read on the CPU); bool masks,
    nonzero and arange/linspace come from host results: values and errors are PyTorch's."""
    a = np.arange(12).reshape(3, 4)
    cases = [lambda m, x: x[m.tensor([0, 2, -1])], lambda m, x: x.index_select(1, m.tensor([3, 0])),
             lambda m, x: m.take(x, m.tensor([11, 0])), lambda m, x: x[x > 4],
             lambda m, x: (x % 3 == 0).nonzero(), lambda m, x: m.arange(1, 2, 0.25),
             lambda m, x: m.linspace(-1, 1, 5), lambda m, x: m.from_numpy(a * 2)]
    for f in cases:
        r_t, r_l = f(torch, torch.tensor(a)), f(tl, tl.tensor(a))
        assert str(r_l.dtype) == str(r_t.dtype)
        np.testing.assert_array_equal(r_l.numpy(), r_t.numpy())
    bad = [lambda m, x: x[m.tensor([0, 3])], lambda m, x: x.index_select(0, m.tensor([3])),
           lambda m, x: m.take(x, m.tensor([12])), lambda m, x: x.gather(1, m.tensor([[4]]))]
    for f in bad:
        with pytest.raises(Exception) as e_t:
            f(torch, torch.tensor(a))
        with pytest.raises(e_t.type):
            f(tl, tl.tensor(a))


def test_copy_without_a_kernel_keeps_torch_semantics():
    """copy_ between tensors of one shape, dtype and device takes the source's array: later
    writes to either stay their own, version counters move, views and conversions still work."""
    for m in (torch, tl):
        a, b = m.ones(2, 3), m.arange(6.0).reshape(2, 3)
        a.copy_(b)
        b.add_(10)
        a.mul_(2)
        np.testing.assert_array_equal(a.numpy(), np.arange(6.0).reshape(2, 3) * 2)
        np.testing.assert_array_equal(b.numpy(), np.arange(6.0).reshape(2, 3) + 10)
        base = m.zeros(3, 4)
        base[1].copy_(m.arange(4.0))  # through a view
        base.copy_(base + m.tensor([1, 2, 3, 4]))  # broadcast from a computed tensor
        c = m.zeros(3, dtype=m.int64).copy_(m.tensor([1.7, -2.2, 3.0]))  # a conversion
        assert c.tolist() == [1, -2, 3]
        v0 = a._version
        a.copy_(b)
        assert a._version == v0 + 1
        x = m.tensor([1.0, 2.0], requires_grad=True)
        w = m.tensor([3.0, 4.0])
        y = x * w  # mul saves w for backward
        with m.no_grad():
            w.copy_(m.zeros(2))
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()
    np.testing.assert_array_equal(base.numpy(), [[1, 2, 3, 4], [1, 3, 5, 7], [1, 2, 3, 4]])


def test_small_random_samples_are_their_own_buffers_and_torch_bits():
    """Small CPU samples reach the device as private copies: a later draw (which reuses the
    generator's buffers) leaves earlier tensors alone; the numbers stay PyTorch's."""
    torch.manual_seed(7)
    tl.manual_seed(7)
    kept_t = [torch.rand(4, 4), torch.randint(0, 10, (8,)), torch.randn(16)]
    kept_l = [tl.rand(4, 4), tl.randint(0, 10, (8,)), tl.randn(16)]
    snap = [t.numpy().copy() for t in kept_l]
    for _ in range(3):
        tl.rand(4, 4), tl.randint(0, 10, (8,)), tl.randn(16)
    for a, b, s in zip(kept_t, kept_l, snap):
        np.testing.assert_array_equal(b.numpy(), s)
        np.testing.assert_array_equal(b.numpy(), a.numpy())
