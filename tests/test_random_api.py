"""torchlike's public random API against real PyTorch: same seed, same numbers."""

import numpy as np
import pytest

import torchlike as tl
import torchlike._ops.random_ops as R
from tests._oracle import import_torch
from torchlike import random as tlrandom
from torchlike._random.generator import Generator

torch = import_torch()


def same(a, b):
    """A torchlike result equals a torch result: shape, dtype name and bits."""
    assert tuple(a.shape) == tuple(b.shape)
    assert str(a.dtype) == str(b.dtype)
    an, bn = np.asarray(a.detach()._data), b.detach().numpy()
    if bn.dtype.kind == "V" or str(b.dtype) == "torch.bfloat16":
        bn = b.detach().view(torch.int16).numpy()
        an = an.view(np.int16)
    assert np.array_equal(an, bn, equal_nan=True), (an.ravel()[:6], bn.ravel()[:6])


def seed(s):
    tlrandom.manual_seed(s)
    torch.manual_seed(s)


def states_equal():
    return np.array_equal(tlrandom.get_rng_state().numpy(), torch.get_rng_state().numpy())


def test_factories():
    seed(0)
    same(R.rand(3, 4), torch.rand(3, 4))
    same(R.rand((2, 9), dtype=tl.float64), torch.rand((2, 9), dtype=torch.float64))
    same(R.randn(5), torch.randn(5))
    same(R.randn(size=(4, 5)), torch.randn(size=(4, 5)))
    same(R.randn(2, 3, dtype=tl.float16), torch.randn(2, 3, dtype=torch.float16))
    same(R.randint(10, (5,)), torch.randint(10, (5,)))
    same(R.randint(-3, 2**40, (2, 2)), torch.randint(-3, 2**40, (2, 2)))
    same(R.randint(0, 7, (3,), dtype=tl.int32), torch.randint(0, 7, (3,), dtype=torch.int32))
    same(R.randint(low=1, high=4, size=(3,)), torch.randint(low=1, high=4, size=(3,)))
    same(R.randperm(10), torch.randperm(10))
    same(R.randperm(5, dtype=tl.float32), torch.randperm(5, dtype=torch.float32))
    assert states_equal()


def test_like_factories():
    seed(1)
    x, tx = tl.zeros(2, 3, dtype=tl.float64), torch.zeros(2, 3, dtype=torch.float64)
    same(R.rand_like(x), torch.rand_like(tx))
    same(R.randn_like(x), torch.randn_like(tx))
    same(R.randn_like(x, dtype=tl.float32), torch.randn_like(tx, dtype=torch.float32))
    same(R.randint_like(x, 5), torch.randint_like(tx, 5))
    same(R.randint_like(x, 2, 5), torch.randint_like(tx, 2, 5))
    assert states_equal()


def test_normal_overloads():
    seed(2)
    m = np.arange(6, dtype=np.float32).reshape(2, 3)
    s = np.full((3,), 0.5, np.float64)
    same(R.normal(tl.tensor(m), 2.0), torch.normal(torch.tensor(m), 2.0))
    same(R.normal(1.5, tl.tensor(s)), torch.normal(1.5, torch.tensor(s)))
    same(R.normal(tl.tensor(m), tl.tensor(s)), torch.normal(torch.tensor(m), torch.tensor(s)))
    same(R.normal(0.5, 2.0, (4, 5)), torch.normal(0.5, 2.0, (4, 5)))
    same(
        R.normal(0.5, 2.0, size=(3,), dtype=tl.float64),
        torch.normal(0.5, 2.0, size=(3,), dtype=torch.float64),
    )
    assert states_equal()


def test_bernoulli_multinomial_poisson():
    seed(3)
    p = np.random.default_rng(0).random((3, 4)).astype(np.float32)
    same(R.bernoulli(tl.tensor(p)), torch.bernoulli(torch.tensor(p)))
    same(R.bernoulli(tl.tensor(p), 0.25), torch.bernoulli(torch.tensor(p), 0.25))
    same(tl.tensor(p).bernoulli(), torch.tensor(p).bernoulli())
    same(R.multinomial(tl.tensor(p), 2), torch.multinomial(torch.tensor(p), 2))
    same(R.multinomial(tl.tensor(p), 6, True), torch.multinomial(torch.tensor(p), 6, True))
    same(tl.tensor(p[0]).multinomial(3), torch.tensor(p[0]).multinomial(3))
    rates = np.array([0.5, 4.0, 30.0], np.float32)
    same(R.poisson(tl.tensor(rates)), torch.poisson(torch.tensor(rates)))
    assert states_equal()


METHODS = [
    ("uniform_", (), {}),
    ("uniform_", (-1.0, 3.0), {}),
    ("normal_", (), {}),
    ("normal_", (2.0, 0.5), {}),
    ("random_", (), {}),
    ("random_", (10,), {}),
    ("random_", (-4, 9), {}),
    ("random_", (), {"to": 5}),
    ("bernoulli_", (0.3,), {}),
    ("exponential_", (1.5,), {}),
    ("geometric_", (0.2,), {}),
    ("log_normal_", (), {}),
    ("cauchy_", (), {}),
]


@pytest.mark.parametrize("name,args,kwargs", METHODS)
def test_inplace_methods(name, args, kwargs):
    seed(4)
    for shape in [(3,), (4, 5)]:
        x, tx = tl.zeros(*shape), torch.zeros(*shape)
        assert getattr(x, name)(*args, **kwargs) is x
        getattr(tx, name)(*args, **kwargs)
        same(x, tx)
    assert states_equal()


def test_inplace_integer_tensors():
    seed(5)
    x, tx = tl.zeros(6, dtype=tl.int64), torch.zeros(6, dtype=torch.int64)
    same(x.random_(), tx.random_())
    same(x.random_(3), tx.random_(3))
    same(x.geometric_(0.5), tx.geometric_(0.5))
    same(x.bernoulli_(0.5), tx.bernoulli_(0.5))
    b, tb = tl.zeros(4, dtype=tl.bool), torch.zeros(4, dtype=torch.bool)
    same(b.random_(), tb.random_())


def test_bernoulli_tensor_p_inplace():
    seed(6)
    p = np.random.default_rng(1).random((5,)).astype(np.float64)
    x, tx = tl.zeros(3, 5), torch.zeros(3, 5)
    same(x.bernoulli_(tl.tensor(p)), tx.bernoulli_(torch.tensor(p)))


def test_strided_tensors_fill_in_memory_order():
    seed(7)
    # A transposed tensor is walked in memory order; a strided one takes the scalar normal path.
    x, tx = tl.zeros(4, 5).t(), torch.zeros(4, 5).t()
    same(x.uniform_(), tx.uniform_())
    y, ty = tl.zeros(5, 8), torch.zeros(5, 8)
    y[:, ::2].normal_()
    ty[:, ::2].normal_()
    same(y, ty)
    z, tz = tl.zeros(4, 6).t(), torch.zeros(4, 6).t()
    p = np.random.default_rng(2).random((6, 4)).astype(np.float32)
    same(z.bernoulli_(tl.tensor(p)), tz.bernoulli_(torch.tensor(p)))
    assert states_equal()


def test_generator_argument():
    g, tg = Generator().manual_seed(11), torch.Generator().manual_seed(11)
    seed(0)
    same(R.rand(4, generator=g), torch.rand(4, generator=tg))
    same(R.randn(17, generator=g), torch.randn(17, generator=tg))
    same(R.randperm(7, generator=g), torch.randperm(7, generator=tg))
    same(tl.zeros(3).normal_(generator=g), torch.zeros(3).normal_(generator=tg))
    same(R.randint(0, 3, (4,), generator=g), torch.randint(0, 3, (4,), generator=tg))
    # the default generator was not touched
    assert states_equal()
    assert np.array_equal(g.get_state().numpy(), tg.get_state().numpy())
    with pytest.raises(TypeError):
        R.rand(2, generator=3)


def test_rng_state_interop_with_torch():
    torch.manual_seed(123)
    torch.randn(3)
    tlrandom.set_rng_state(tl.tensor(torch.get_rng_state().numpy()))
    same(R.randn(5), torch.randn(5))
    torch.set_rng_state(torch.tensor(tlrandom.get_rng_state().numpy()))
    same(R.rand(5), torch.rand(5))
    with pytest.raises(RuntimeError):
        tlrandom.set_rng_state(tl.zeros(10, dtype=tl.uint8))
    with pytest.raises(TypeError):
        tlrandom.set_rng_state(tl.zeros(5056))


def test_seed_functions():
    g = tlrandom.manual_seed(2**63 + 5)
    assert g is tlrandom.default_generator
    assert tlrandom.initial_seed() == torch.manual_seed(2**63 + 5).initial_seed()
    assert tlrandom.manual_seed("42").initial_seed() == 42
    s = tlrandom.seed()
    assert tlrandom.initial_seed() == s
    assert str(Generator().device) == "cpu"


def test_fork_rng():
    tlrandom.manual_seed(9)
    before = tlrandom.get_rng_state().numpy()
    with tlrandom.fork_rng():
        R.rand(10)
    assert np.array_equal(tlrandom.get_rng_state().numpy(), before)


def test_samples_have_zero_gradient():
    m = tl.zeros(3, requires_grad=True)
    s = tl.ones(3, requires_grad=True)
    out = R.normal(m, s)
    assert out.requires_grad
    out.sum().backward()
    assert np.array_equal(m.grad.numpy(), np.zeros(3)) and np.array_equal(
        s.grad.numpy(), np.zeros(3)
    )
    p = tl.full((3,), 0.5, requires_grad=True)
    assert R.bernoulli(p).requires_grad
    # In place on a non-leaf: the earlier history gets no gradient, as in PyTorch.
    w = tl.ones(3, requires_grad=True)
    h = w * 2
    h.uniform_()
    h.sum().backward()
    assert np.array_equal(w.grad.numpy(), np.zeros(3))
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w.normal_()
    with tl.no_grad():
        w.normal_()


def test_requires_grad_and_errors():
    assert R.rand(2, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError):
        R.randint(0, 5, (2,), requires_grad=True)
    with pytest.raises(NotImplementedError):
        R.rand(2, dtype=tl.int64)
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        R.normal(tl.zeros(2), -1.0)
    with pytest.raises(RuntimeError, match="Half"):
        R.randperm(3000, dtype=tl.float16)
    with pytest.raises(TypeError):
        R.normal(0.0, 1.0)
    with pytest.raises(TypeError):
        R.rand()
    assert R.rand(()).shape == torch.rand(()).shape
    with pytest.raises(RuntimeError):
        tl.zeros(3).random_(5, 2)


def test_next_jax_key():
    import jax

    g = Generator().manual_seed(0)
    k1 = g._next_jax_key()
    k2 = Generator().manual_seed(0)._next_jax_key()
    assert np.array_equal(jax.random.key_data(k1), jax.random.key_data(k2))
    assert not np.array_equal(jax.random.key_data(k1), jax.random.key_data(g._next_jax_key()))


def test_out_and_more_dtypes():
    seed(12)
    t, tt = tl.empty(5), torch.empty(5)
    assert R.rand(3, out=t) is t
    torch.rand(3, out=tt)
    same(t, tt)
    rates = np.array([0.5, 4.0, 30.0], np.float16)
    same(R.poisson(tl.tensor(rates)), torch.poisson(torch.tensor(rates)))
    same(R.randint(0, 2, (5,), dtype=tl.bool), torch.randint(0, 2, (5,), dtype=torch.bool))
    assert states_equal()
    with pytest.raises(NotImplementedError):
        R.bernoulli(tl.ones(3, dtype=tl.int64))
    with pytest.raises(RuntimeError):
        tl.empty(2, 3).bernoulli_(tl.ones(3, 3))
    with pytest.raises(RuntimeError):
        R.bernoulli(tl.tensor([1.5]))


def test_generator_pickles():
    import pickle

    g = Generator().manual_seed(3)
    g._random(5)
    g2 = pickle.loads(pickle.dumps(g))
    assert np.array_equal(g.get_state().numpy(), g2.get_state().numpy())


def test_gamma_binomial_api():
    seed(13)
    a = np.array([0.5, 2.0, 7.0], np.float32)
    same(R._standard_gamma(tl.tensor(a)), torch._standard_gamma(torch.tensor(a)))
    n, p = np.array([3.0, 40.0], np.float64), np.array([0.4, 0.8], np.float64)
    same(R.binomial(tl.tensor(n), tl.tensor(p)), torch.binomial(torch.tensor(n), torch.tensor(p)))
    assert states_equal()
    with pytest.raises(NotImplementedError):
        R._standard_gamma(tl.ones(2, requires_grad=True))


def test_compiled_step_draws_the_same_numbers():
    """Under torchlike.compile samplers need no concrete values and, with fallback_random (as
    in PyTorch, compiled dropout masks otherwise come from the compiled code's own stream),
    stay bit-exact."""

    def make(lib):
        def step(x, s):
            mu = x * 2
            return (
                lib.randn(x.shape),
                lib.empty(x.shape).bernoulli_(0.3),
                lib.normal(mu, 0.5),
                lib.normal(1.5, s * 3),
                lib.normal(mu, s + 1),
                lib.bernoulli(lib.sigmoid(x)),
                lib.zeros(7, 5).t().bernoulli_(lib.sigmoid(s)),
            )

        return step

    compiled, eager = tl.compile(make(tl)), make(torch)
    x = np.random.default_rng(0).normal(size=(5, 7)).astype(np.float32)
    s = np.abs(np.random.default_rng(1).normal(size=(7,))).astype(np.float32)
    seed(0)
    with tl._inductor.config.patch(fallback_random=True):
        for _ in range(2):
            for a, b in zip(
                compiled(tl.tensor(x), tl.tensor(s)), eager(torch.tensor(x), torch.tensor(s))
            ):
                same(a, b)
    assert compiled.graph_breaks == 0
    assert states_equal()


BOUND_CASES = [
    lambda L, d: L.empty(2, dtype=d).random_(-(2**40), 2**40),
    lambda L, d: L.empty(2, dtype=d).uniform_(-1e300, 1),
    lambda L, d: L.empty(2, dtype=d).random_(),
    lambda L, d: L.empty(2, dtype=d).random_(5, None),
    lambda L, d: L.empty(9, dtype=d).random_(-70000, 70000),
    lambda L, d: L.empty(9, dtype=d).random_(-(2**63), None),
]


@pytest.mark.parametrize(
    "name",
    ["int8", "uint8", "int16", "int32", "int64", "bool", "uint16", "uint32", "uint64",
     "float16", "float32", "float64"],
)  # fmt: skip
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_random_bounds_and_dtypes_like_torch(name):
    """Same values, or the same exception type and message, for every integer-range case."""
    for case in BOUND_CASES:
        seed(0)
        try:
            want = case(torch, getattr(torch, name)).numpy().tolist()
        except Exception as e:  # noqa: BLE001
            want = (type(e), str(e).split("\n")[0])
        try:
            got = case(tl, getattr(tl, name)).numpy().tolist()
        except Exception as e:  # noqa: BLE001
            got = (type(e), str(e))
        assert got == want


DTYPE_CASES = {
    "normal_": lambda L, d: L.empty(3, dtype=d).normal_(),
    "normal_16+": lambda L, d: L.empty(20, dtype=d).normal_(),
    "exponential_": lambda L, d: L.empty(3, dtype=d).exponential_(),
    "geometric_": lambda L, d: L.empty(3, dtype=d).geometric_(0.3),
    "cauchy_": lambda L, d: L.empty(3, dtype=d).cauchy_(),
    "log_normal_": lambda L, d: L.empty(3, dtype=d).log_normal_(),
    "bernoulli_": lambda L, d: L.empty(3, dtype=d).bernoulli_(0.4),
    "bernoulli_(tensor)": lambda L, d: L.empty(3, dtype=d).bernoulli_(L.full((3,), 0.4)),
    "bernoulli": lambda L, d: L.bernoulli(L.full((3,), 0.4, dtype=d)),
    "rand": lambda L, d: L.rand(3, dtype=d),
    "randn": lambda L, d: L.randn(3, dtype=d),
    "randint": lambda L, d: L.randint(0, 2, (3,), dtype=d),
    "random_": lambda L, d: L.empty(3, dtype=d).random_(),
    "randperm": lambda L, d: L.randperm(5, dtype=d),
    "poisson": lambda L, d: L.poisson(L.ones(3, dtype=d)),
    "multinomial": lambda L, d: L.multinomial(L.ones(3, dtype=d), 2),
    "normal(tensor)": lambda L, d: L.normal(L.ones(3, dtype=d), 1.0),
}


@pytest.mark.parametrize(
    "name",
    ["int8", "uint8", "int16", "int32", "int64", "bool", "uint16", "uint32", "uint64",
     "float16", "float32", "float64", "complex64"],
)  # fmt: skip
def test_every_sampler_on_every_dtype_like_torch(name):
    """Each sampler gives torch's values on a dtype, or torch's exception type and message."""
    for case in DTYPE_CASES.values():
        seed(0)
        try:
            want = case(torch, getattr(torch, name)).numpy().tolist()
        except Exception as e:  # noqa: BLE001
            want = (type(e), str(e).split("\n")[0])
        try:
            got = case(tl, getattr(tl, name)).numpy().tolist()
        except Exception as e:  # noqa: BLE001
            got = (type(e), str(e))
        assert got == want
