"""nn.init against real PyTorch: after the same seed every initialiser gives PyTorch's values
(the RNG is bit-exact), and default layer weights equal PyTorch's; errors match."""

import math

import numpy as np
import pytest

import torchlike.nn as tnn
import torchlike.random
from tests.nn_helpers import assert_close, t2np, tl, torch


def seed(n=0, lib=None):
    if lib in (None, torch):
        torch.manual_seed(n)
    if lib in (None, tl):
        getattr(tl, "manual_seed", torchlike.random.manual_seed)(n)


INITS = [
    ("uniform_", (30, 40), (), {"a": -0.5, "b": 2.0}),
    ("normal_", (30, 40), (), {"mean": 1.0, "std": 0.1}),
    ("normal_-odd", (17,), (), {}),
    ("trunc_normal_", (30, 40), (), {}),
    ("trunc_normal_-narrow", (30, 40), (1.0, 0.5, 0.9, 1.1), {}),
    ("constant_", (3, 4), (0.25,), {}),
    ("ones_", (3, 4), (), {}),
    ("zeros_", (3, 4), (), {}),
    ("eye_", (3, 5), (), {}),
    ("dirac_", (4, 2, 3, 3), (), {}),
    ("dirac_-groups", (6, 2, 3), (2,), {}),
    ("xavier_uniform_", (20, 10, 3), (), {"gain": 2.0}),
    ("xavier_normal_", (20, 10), (), {}),
    ("kaiming_uniform_", (20, 10, 2, 2), (), {"a": math.sqrt(5)}),
    ("kaiming_uniform_-relu", (20, 10), (), {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", (20, 10), (), {"nonlinearity": "tanh"}),
    ("kaiming_normal_-leaky", (8, 4, 3), (0.2, "fan_out"), {}),
    ("orthogonal_", (30, 20), (), {}),
    ("orthogonal_-wide", (5, 4, 3), (), {"gain": 2.0}),
]


@pytest.mark.parametrize("name,shape,args,kwargs", INITS, ids=[c[0] for c in INITS])
def test_init_matches_torch_after_same_seed(name, shape, args, kwargs):
    fn = name.split("-")[0]
    seed(3, torch)
    tw = torch.empty(shape)
    getattr(torch.nn.init, fn)(tw, *args, **kwargs)
    seed(3, tl)
    lw = tl.empty(*shape)
    out = getattr(tnn.init, fn)(lw, *args, **kwargs)
    assert out is lw
    tol = 2e-6 if fn == "orthogonal_" else 0
    assert_close(lw, tw, atol=tol, rtol=tol, what=name)


def test_init_on_parameter_is_in_place_and_untracked():
    p = tnn.Parameter(tl.empty(4, 3))
    tnn.init.kaiming_uniform_(p, a=1.0)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert float(p.abs().sum()) > 0


@pytest.mark.skipif(not hasattr(tl, "randperm"), reason="torchlike.randperm not wired yet")
def test_sparse_matches_torch():
    seed(1)
    tw = torch.empty(6, 4)
    torch.nn.init.sparse_(tw, 0.5)
    seed(1)
    lw = tl.empty(6, 4)
    tnn.init.sparse_(lw, 0.5)
    assert_close(lw, tw)


@pytest.mark.parametrize(
    "nl,param",
    [
        ("linear", None),
        ("conv2d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
        ("conv_transpose3d", None),
    ],
)
def test_calculate_gain(nl, param):
    assert tnn.init.calculate_gain(nl, param) == torch.nn.init.calculate_gain(nl, param)


@pytest.mark.parametrize(
    "call",
    [
        lambda init, lib: init.calculate_gain("foo"),
        lambda init, lib: init.calculate_gain("leaky_relu", True),
        lambda init, lib: init.xavier_uniform_(lib.empty(3)),
        lambda init, lib: init.kaiming_normal_(lib.empty(3, 2), mode="fan_x"),
        lambda init, lib: init.eye_(lib.empty(2, 2, 2)),
        lambda init, lib: init.dirac_(lib.empty(2, 2)),
        lambda init, lib: init.dirac_(lib.empty(3, 2, 2), groups=2),
        lambda init, lib: init.orthogonal_(lib.empty(3)),
        lambda init, lib: init.sparse_(lib.empty(3), 0.1),
    ],
)
def test_errors_match_torch(call):
    with pytest.raises(Exception) as et:
        call(torch.nn.init, torch)
    with pytest.raises(type(et.value)):
        call(tnn.init, tl)


def test_fans():
    for shape in [(3, 4), (5, 2, 3, 3), (7, 1, 2)]:
        assert tnn.init._calculate_fan_in_and_fan_out(
            tl.empty(*shape)
        ) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


@pytest.mark.parametrize(
    "ctor",
    [
        lambda nn: nn.Linear(5, 3),
        lambda nn: nn.Bilinear(3, 2, 4),
        lambda nn: nn.Conv2d(3, 4, 3),
        lambda nn: nn.ConvTranspose1d(2, 4, 3, groups=2),
        lambda nn: nn.Embedding(6, 3, padding_idx=1),
        lambda nn: nn.EmbeddingBag(6, 3),
        lambda nn: nn.BatchNorm2d(3),
        lambda nn: nn.LayerNorm(4),
        lambda nn: nn.PReLU(3),
        lambda nn: nn.Sequential(
            nn.Linear(4, 4), nn.ReLU(), nn.Conv1d(4, 2, 2), nn.GroupNorm(1, 2)
        ),
    ],
)
def test_default_weights_equal_torch_after_same_seed(ctor):
    seed(7, torch)
    t = ctor(torch.nn)
    seed(7, tl)
    m = ctor(tnn)
    ts, ms = t.state_dict(), m.state_dict()
    assert list(ts) == list(ms)
    for k in ts:
        np.testing.assert_array_equal(t2np(ms[k]), t2np(ts[k]), err_msg=k)
    # and the generator is left in the same state
    assert_close(tl.empty(5).uniform_(), torch.empty(5).uniform_())
