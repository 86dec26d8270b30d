"""torch.nn.functional against real PyTorch: values and gradients of every functional, seeded
random functionals, in-place variants and PyTorch's exception types."""

import numpy as np
import pytest

import torchlike.nn.functional as LF
import torchlike.random
from tests.nn_helpers import NoGrad, assert_close, compare_fn, randn, t2np, tl, torch

TF = torch.nn.functional

X = randn(2, 4, 7, 6)
X1 = randn(2, 3, 9)
X3 = randn(1, 2, 5, 4, 6)
A = randn(3, 5)


def seed(n, lib):
    (
        torch.manual_seed
        if lib is torch
        else getattr(tl, "manual_seed", torchlike.random.manual_seed)
    )(n)


def ints(*shape, high=10):
    return np.random.default_rng(2).integers(0, high, shape).astype(np.int64)


# (id, function name, arrays, args, kwargs)
CASES = [
    ("linear", "linear", [A, randn(4, 5), randn(4)], (), {}),
    ("bilinear", "bilinear", [A, randn(3, 2), randn(4, 5, 2)], (), {}),
    ("conv1d", "conv1d", [X1, randn(4, 3, 3)], (), {"stride": 2, "padding": 1}),
    (
        "conv2d-groups",
        "conv2d",
        [X, randn(6, 2, 3, 2), randn(6)],
        (),
        {"groups": 2, "padding": (1, 2)},
    ),
    ("conv2d-same", "conv2d", [X, randn(3, 4, 2, 3)], (), {"padding": "same", "dilation": 2}),
    ("conv3d", "conv3d", [X3, randn(3, 2, 2, 3, 2)], (), {"padding": 1, "stride": (1, 2, 1)}),
    (
        "conv_transpose1d",
        "conv_transpose1d",
        [X1, randn(3, 2, 3)],
        (),
        {"stride": 2, "output_padding": 1},
    ),
    (
        "conv_transpose2d",
        "conv_transpose2d",
        [X, randn(4, 3, 3, 2), randn(6)],
        (),
        {"stride": (2, 3), "padding": 1, "groups": 2},
    ),
    (
        "conv_transpose3d",
        "conv_transpose3d",
        [X3, randn(2, 3, 2, 3, 2)],
        (),
        {"stride": 2, "padding": 1},
    ),
    (
        "max_pool2d-dil",
        "max_pool2d",
        [X],
        ((3, 2),),
        {"stride": (2, 1), "dilation": (2, 1), "padding": (1, 0)},
    ),
    ("max_pool2d-idx-ceil", "max_pool2d", [X], (2,), {"ceil_mode": True, "return_indices": True}),
    ("max_pool1d-idx", "max_pool1d", [X1], (3, 2, 1), {"return_indices": True}),
    ("max_pool3d-idx", "max_pool3d", [X3], (2,), {"return_indices": True}),
    ("avg_pool2d-ceil-nopad", "avg_pool2d", [X], (3, 2, 1, True, False), {}),
    ("avg_pool3d", "avg_pool3d", [X3], (2,), {"divisor_override": 3}),
    ("adaptive_avg_pool2d", "adaptive_avg_pool2d", [X], ((5, 4),), {}),
    ("adaptive_max_pool2d", "adaptive_max_pool2d", [X], ((4, 5),), {"return_indices": True}),
    ("adaptive_max_pool3d", "adaptive_max_pool3d", [X3], (2,), {}),
    ("lp_pool1d", "lp_pool1d", [np.abs(X1) + 0.1], (2.0, 3), {"stride": 2}),
    ("lp_pool3d", "lp_pool3d", [np.abs(X3) + 0.1], (1.5, 2), {}),
    (
        "batch_norm-eval",
        "batch_norm",
        [X],
        (NoGrad(randn(4)), NoGrad(np.abs(randn(4)) + 0.5), randn(4), randn(4)),
        {},
    ),
    ("instance_norm", "instance_norm", [X1], (), {"eps": 1e-3}),
    ("layer_norm", "layer_norm", [X], ((7, 6), randn(7, 6), randn(7, 6)), {}),
    ("group_norm", "group_norm", [X], (2, randn(4), randn(4)), {}),
    ("rms_norm", "rms_norm", [X], ((6,), randn(6)), {}),
    ("local_response_norm", "local_response_norm", [X], (3,), {"alpha": 0.1, "beta": 0.5}),
    ("normalize", "normalize", [A], (), {"p": 3.0, "dim": 0}),
    ("embedding", "embedding", [ints(2, 3), randn(10, 3)], (), {"padding_idx": -1}),
    (
        "embedding_bag",
        "embedding_bag",
        # the last offset covers every index: PyTorch's CPU backward leaves the weight
        # gradient of rows only indices past it select uninitialised (garbage, now and then)
        [ints(7), randn(10, 3), np.array([0, 2, 2, 7])],
        (),
        {"mode": "sum", "include_last_offset": True, "per_sample_weights": randn(7)},
    ),
    ("embedding_bag-max-2d", "embedding_bag", [ints(3, 4), randn(10, 3)], (), {"mode": "max"}),
    ("pad-constant", "pad", [X], ((1, -1, 2, 0),), {"value": 2.5}),
    ("pad-reflect", "pad", [X], ((2, 1, 1, 3),), {"mode": "reflect"}),
    ("pad-replicate-3d", "pad", [X3], ((1, 0, 2, 1, 0, 1),), {"mode": "replicate"}),
    ("pad-circular", "pad", [X1], ((3, 2),), {"mode": "circular"}),
    ("interp-nearest", "interpolate", [X], (), {"scale_factor": 1.7}),
    ("interp-nearest-exact", "interpolate", [X], (), {"size": (10, 4), "mode": "nearest-exact"}),
    ("interp-nearest-1d", "interpolate", [X1], (), {"size": 4}),
    ("interp-linear", "interpolate", [X1], (), {"scale_factor": 2.5, "mode": "linear"}),
    ("interp-bilinear", "interpolate", [X], (), {"size": (9, 11), "mode": "bilinear"}),
    (
        "interp-bilinear-ac",
        "interpolate",
        [X],
        (),
        {"scale_factor": 0.6, "mode": "bilinear", "align_corners": True},
    ),
    (
        "interp-bilinear-recompute",
        "interpolate",
        [X],
        (),
        {"scale_factor": (1.5, 2.5), "mode": "bilinear", "recompute_scale_factor": True},
    ),
    ("interp-bicubic", "interpolate", [X], (), {"size": (9, 11), "mode": "bicubic"}),
    (
        "interp-bicubic-ac",
        "interpolate",
        [X],
        (),
        {"size": (5, 3), "mode": "bicubic", "align_corners": True},
    ),
    ("interp-trilinear", "interpolate", [X3], (), {"scale_factor": 1.5, "mode": "trilinear"}),
    (
        "interp-bilinear-aa",
        "interpolate",
        [X],
        (),
        {"size": (3, 4), "mode": "bilinear", "antialias": True},
    ),
    (
        "interp-bicubic-aa",
        "interpolate",
        [X],
        (),
        {"scale_factor": (0.5, 1.7), "mode": "bicubic", "antialias": True, "align_corners": True},
    ),
    ("interp-area", "interpolate", [X], (), {"size": (3, 4), "mode": "area"}),
    (
        "grid_sample-bilinear-zeros",
        "grid_sample",
        [X, np.random.default_rng(3).uniform(-1.2, 1.2, (2, 3, 5, 2)).astype(np.float32)],
        (),
        {"align_corners": False},
    ),
    (
        "grid_sample-nearest-border",
        "grid_sample",
        [X, np.random.default_rng(4).uniform(-1.2, 1.2, (2, 3, 5, 2)).astype(np.float32)],
        (),
        {"mode": "nearest", "padding_mode": "border", "align_corners": True},
    ),
    (
        "grid_sample-reflection",
        "grid_sample",
        [X, np.random.default_rng(5).uniform(-1.5, 1.5, (2, 3, 5, 2)).astype(np.float32)],
        (),
        {"padding_mode": "reflection", "align_corners": False},
    ),
    (
        "grid_sample-3d",
        "grid_sample",
        [X3, np.random.default_rng(6).uniform(-1, 1, (1, 2, 3, 4, 3)).astype(np.float32)],
        (),
        {"align_corners": True},
    ),
    (
        "grid_sample-bicubic",
        "grid_sample",
        [X, np.random.default_rng(7).uniform(-1.3, 1.3, (2, 3, 5, 2)).astype(np.float32)],
        (),
        {"mode": "bicubic", "padding_mode": "reflection", "align_corners": False},
    ),
    ("conv_tbc", "conv_tbc", [randn(7, 2, 3), randn(3, 3, 4), randn(4)], (1,), {}),
    ("affine_grid", "affine_grid", [randn(2, 2, 3)], ((2, 4, 5, 6),), {"align_corners": False}),
    (
        "affine_grid-3d",
        "affine_grid",
        [randn(1, 3, 4)],
        ((1, 2, 3, 4, 2),),
        {"align_corners": True},
    ),
    ("unfold", "unfold", [X], ((2, 3),), {"dilation": (1, 2), "padding": 1, "stride": (2, 1)}),
    ("fold", "fold", [randn(2, 12, 12)], ((4, 5), (2, 2)), {}),
    ("pixel_shuffle", "pixel_shuffle", [X], (2,), {}),
    ("pixel_unshuffle", "pixel_unshuffle", [randn(2, 1, 4, 6)], (2,), {}),
    ("channel_shuffle", "channel_shuffle", [X], (2,), {}),
    ("cosine_similarity", "cosine_similarity", [A, randn(1, 5)], (), {"dim": 1}),
    ("pairwise_distance", "pairwise_distance", [A, randn(3, 5)], (), {"p": 1.0}),
    ("pdist", "pdist", [A], (), {"p": 3}),
    ("softmax-dtype", "softmax", [A], (1,), {"dtype": None}),
    ("log_softmax", "log_softmax", [X], (), {"dim": -1}),
    ("softmin", "softmin", [X], (), {"dim": 1}),
    ("glu", "glu", [X], (), {"dim": 1}),
    ("gelu-tanh", "gelu", [X], (), {"approximate": "tanh"}),
    ("prelu", "prelu", [X, randn(4)], (), {}),
    ("rrelu-eval", "rrelu", [X], (), {}),
    ("hardtanh", "hardtanh", [X * 2], (-0.5, 1.5), {}),
    ("threshold", "threshold", [X], (0.1, -3.0), {}),
    ("softplus", "softplus", [X * 10], (), {"beta": 2, "threshold": 5}),
    ("elu", "elu", [X], (), {"alpha": 0.5}),
    ("celu", "celu", [X], (), {"alpha": 2.0}),
]

ELEMENTWISE = [
    "relu",
    "relu6",
    "selu",
    "silu",
    "mish",
    "softsign",
    "hardsigmoid",
    "hardswish",
    "logsigmoid",
    "tanhshrink",
    "softshrink",
    "hardshrink",
    "leaky_relu",
    "gelu",
    "sigmoid",
    "tanh",
]


@pytest.mark.parametrize("name,fn,arrays,args,kwargs", CASES, ids=[c[0] for c in CASES])
def test_functional_matches_torch(name, fn, arrays, args, kwargs):
    compare_fn(fn, arrays, *args, atol=1e-4, rtol=1e-4, **kwargs)


@pytest.mark.parametrize("fn", ELEMENTWISE)
def test_elementwise_activation(fn):
    compare_fn(fn, [X * 3])


def test_softmax_dtype_and_float64():
    compare_fn("softmax", [A], 0, dtype=None)
    t = TF.log_softmax(torch.tensor(A), 1, dtype=torch.float64)
    m = LF.log_softmax(tl.tensor(A), 1, dtype=tl.float64)
    assert m.dtype == tl.float64
    assert_close(m, t, 1e-12, 1e-12)
    compare_fn("gelu", [randn(3, 4, dtype=np.float64)], atol=1e-12, rtol=1e-12)


def test_implicit_softmax_dim_warns():
    with pytest.warns(UserWarning):
        LF.softmax(tl.tensor(A))


def test_batch_norm_training_updates_running_stats():
    rm_t, rv_t = torch.zeros(4), torch.ones(4)
    rm_l, rv_l = tl.zeros(4), tl.ones(4)
    w = randn(4)
    out_t = TF.batch_norm(torch.tensor(X), rm_t, rv_t, torch.tensor(w), training=True, momentum=0.2)
    out_l = LF.batch_norm(tl.tensor(X), rm_l, rv_l, tl.tensor(w), training=True, momentum=0.2)
    assert_close(out_l, out_t)
    assert_close(rm_l, rm_t)
    assert_close(rv_l, rv_t)
    ri_t, vi_t, ri_l, vi_l = torch.zeros(3), torch.ones(3), tl.zeros(3), tl.ones(3)
    TF.instance_norm(torch.tensor(X1), ri_t, vi_t, momentum=0.3)
    LF.instance_norm(tl.tensor(X1), ri_l, vi_l, momentum=0.3)
    assert_close(ri_l, ri_t)
    assert_close(vi_l, vi_t)


def test_one_hot():
    i = ints(2, 3, high=4)
    assert_close(LF.one_hot(tl.tensor(i)), TF.one_hot(torch.tensor(i)))
    assert_close(LF.one_hot(tl.tensor(i), 6), TF.one_hot(torch.tensor(i), 6))
    with pytest.raises(RuntimeError):
        LF.one_hot(tl.tensor(np.array([-1, 2])))
    with pytest.raises(RuntimeError):
        LF.one_hot(tl.tensor(np.array([1, 5])), 3)


@pytest.mark.parametrize(
    "fn,shape,kw",
    [
        ("dropout", (4, 6), {"p": 0.3}),
        ("dropout", (3, 5), {"p": 1.0}),
        ("dropout1d", (3, 4, 5), {"p": 0.5}),
        ("dropout2d", (3, 4, 2, 2), {"p": 0.5}),
        ("dropout3d", (4, 2, 2, 2), {"p": 0.4}),
        ("alpha_dropout", (4, 6), {"p": 0.3, "training": True}),
        ("feature_alpha_dropout", (3, 4, 2), {"p": 0.3, "training": True}),
    ],
)
def test_dropout_seeded_matches_torch(fn, shape, kw):
    x = randn(*shape)
    seed(5, torch)
    tx = torch.tensor(x, requires_grad=True)
    t = getattr(TF, fn)(tx, **kw)
    seed(5, tl)
    lx = tl.tensor(x, requires_grad=True)
    m = getattr(LF, fn)(lx, **kw)
    assert_close(m, t, 1e-6, 1e-6)
    t.sum().backward()
    m.sum().backward()
    assert_close(lx.grad, tx.grad, 1e-6, 1e-6)


def test_dropout_eval_and_inplace():
    x = tl.tensor(randn(3, 4))
    assert LF.dropout(x, 0.5, training=False) is x
    y = x.clone()
    seed(2, torch)
    ty = torch.tensor(t2np(x))
    TF.dropout(ty, 0.5, inplace=True)
    seed(2, tl)
    assert LF.dropout(y, 0.5, inplace=True) is y
    assert_close(y, ty)
    with pytest.raises(ValueError):
        LF.dropout(x, 1.5)


def test_gumbel_softmax_seeded():
    for hard in (False, True):
        seed(4, torch)
        t = TF.gumbel_softmax(torch.tensor(A), tau=0.5, hard=hard)
        seed(4, tl)
        m = LF.gumbel_softmax(tl.tensor(A), tau=0.5, hard=hard)
        assert_close(m, t, 1e-5, 1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rrelu_training_seeded(dtype):
    x = randn(6, 7).astype(dtype)
    seed(8, torch)
    tx = torch.tensor(x, requires_grad=True)
    t = TF.rrelu(tx, 0.1, 0.3, training=True)
    seed(8, tl)
    lx = tl.tensor(x, requires_grad=True)
    m = LF.rrelu(lx, 0.1, 0.3, training=True)
    assert_close(m, t, 0, 0)
    t.sum().backward()
    m.sum().backward()
    assert_close(lx.grad, tx.grad, 0, 0)


@pytest.mark.parametrize(
    "fn", ["relu_", "elu_", "leaky_relu_", "hardtanh_", "threshold_", "selu_", "celu_", "rrelu_"]
)
def test_inplace_functionals(fn):
    args = (0.5, 1.0) if fn == "threshold_" else ()
    x = randn(3, 4)
    tx, lx = torch.tensor(x), tl.tensor(x)
    tr = getattr(TF, fn)(tx, *args)
    lr = getattr(LF, fn)(lx, *args)
    assert lr is lx
    assert_close(lx, tx)
    assert_close(lr, tr)


@pytest.mark.parametrize(
    "call",
    [
        lambda F, lib: F.conv2d(lib.ones(1, 3, 5, 5), lib.ones(2, 4, 3, 3)),
        lambda F, lib: F.conv2d(
            lib.ones(1, 4, 5, 5), lib.ones(2, 4, 3, 3), stride=2, padding="same"
        ),
        lambda F, lib: F.conv2d(lib.ones(1, 4, 5, 5), lib.ones(2, 4, 3, 3), padding="foo"),
        lambda F, lib: F.conv1d(lib.ones(2, 2, 2, 2, 2), lib.ones(2, 2, 3)),
        lambda F, lib: F.linear(lib.ones(2, 3), lib.ones(4, 5)),
        lambda F, lib: F.max_pool2d(lib.ones(1, 1, 4, 4), 2, padding=2),
        lambda F, lib: F.avg_pool2d(lib.ones(1, 1, 2, 2), 3),
        lambda F, lib: F.pad(lib.ones(1, 2, 3), (1,)),
        lambda F, lib: F.pad(lib.ones(1, 2, 3), (3, 3), mode="reflect"),
        lambda F, lib: F.pad(lib.ones(3), (1, 1), mode="reflect"),
        lambda F, lib: F.pad(lib.ones(1, 2, 3), (1, 1), mode="foo"),
        lambda F, lib: F.interpolate(lib.ones(1, 1, 4), mode="linear"),
        lambda F, lib: F.interpolate(lib.ones(1, 1, 4), size=3, scale_factor=2.0),
        lambda F, lib: F.interpolate(lib.ones(1, 1, 4), size=3, mode="nearest", align_corners=True),
        lambda F, lib: F.interpolate(lib.ones(1, 1, 4), size=3, mode="bilinear"),
        lambda F, lib: F.layer_norm(lib.ones(2, 3), (4,)),
        lambda F, lib: F.group_norm(lib.ones(2, 3, 4), 2),
        lambda F, lib: F.batch_norm(lib.ones(1, 3), lib.zeros(3), lib.ones(3), training=True),
        lambda F, lib: F.embedding(lib.tensor([0, 5]), lib.ones(4, 2)),
        lambda F, lib: F.embedding(lib.ones(2), lib.ones(4, 2)),
        lambda F, lib: F.embedding_bag(lib.tensor([0, 1]), lib.ones(4, 2)),
        lambda F, lib: F.embedding_bag(lib.tensor([[0, 1]]), lib.ones(4, 2), mode="foo"),
        lambda F, lib: F.glu(lib.ones(3, 3)),
        lambda F, lib: F.pixel_shuffle(lib.ones(1, 3, 2, 2), 2),
        lambda F, lib: F.affine_grid(lib.ones(1, 2, 2), (1, 1, 2, 2)),
        lambda F, lib: F.grid_sample(lib.ones(1, 1, 2, 2), lib.ones(1, 2, 2, 2), mode="foo"),
        lambda F, lib: F.fold(lib.ones(1, 5, 4), (3, 3), 2),
        lambda F, lib: F.dropout1d(lib.ones(2, 2, 2, 2)),
        lambda F, lib: F.max_unpool2d(
            lib.ones(1, 1, 2, 2), lib.zeros(1, 1, 2, 2, dtype=lib.int64), 2, output_size=(9, 9)
        ),
    ],
)
def test_errors_match_torch(call):
    with pytest.raises(Exception) as et:
        call(TF, torch)
    with pytest.raises(type(et.value)):
        call(LF, tl)


@pytest.mark.parametrize(
    "fn,shape,kw",
    [
        ("fractional_max_pool2d", (2, 3, 9, 8), {"kernel_size": 2, "output_size": (5, 4)}),
        ("fractional_max_pool2d", (3, 9, 8), {"kernel_size": 3, "output_ratio": (0.5, 0.7)}),
        ("fractional_max_pool3d", (1, 2, 7, 6, 8), {"kernel_size": (2, 3, 2), "output_ratio": 0.5}),
    ],
)
def test_fractional_max_pool_seeded(fn, shape, kw):
    x = randn(*shape)
    seed(9, torch)
    tx = torch.tensor(x, requires_grad=True)
    t_out, t_idx = getattr(TF, fn)(tx, return_indices=True, **kw)
    seed(9, tl)
    lx = tl.tensor(x, requires_grad=True)
    l_out, l_idx = getattr(LF, fn)(lx, return_indices=True, **kw)
    assert_close(l_out, t_out)
    assert_close(l_idx, t_idx)
    t_out.sum().backward()
    l_out.sum().backward()
    assert_close(lx.grad, tx.grad)


ZERO_ROW = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, -2.0]], np.float32)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, float("inf")])
def test_normalize_zero_row_gradient(p):
    # a zero norm has a zero gradient in PyTorch: the zero row gets grad / eps, not NaN
    compare_fn("normalize", [ZERO_ROW], p=p, dim=1, rtol=1e-5, atol=1)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0])
def test_pairwise_distance_zero_distance_gradient(p):
    compare_fn("pairwise_distance", [ZERO_ROW], NoGrad(ZERO_ROW * np.float32([[1], [0]])),
               p=p, eps=0.0)
    compare_fn("pdist", [np.concatenate([ZERO_ROW, ZERO_ROW[:1]])], p=p)


@pytest.mark.parametrize(
    "call",
    [
        lambda F, lib: F.normalize(lib.ones(2, 3), dim=3),
        lambda F, lib: F.cosine_similarity(lib.ones(2, 3), lib.ones(4, 3)),
        lambda F, lib: F.softmax(lib.ones(2, 3), 2),
        lambda F, lib: F.glu(lib.ones(2, 4), 2),
        lambda F, lib: F.pairwise_distance(lib.ones(2, 3), lib.ones(4, 3)),
        lambda F, lib: F.hardtanh(lib.ones(2), 1.0, 0.0),
        lambda F, lib: F.prelu(lib.ones(2, 3), lib.ones(2)),
        lambda F, lib: F.group_norm(lib.ones(2, 4), 3),
    ],
)
def test_dim_and_broadcast_errors_match_torch(call):
    with pytest.raises(Exception) as et:
        call(TF, torch)
    with pytest.raises(type(et.value)) as el:
        call(LF, tl)
    assert str(el.value).split("(")[0] == str(et.value).split("(")[0]


@pytest.mark.parametrize(
    "call",
    [
        lambda F, lib: F.avg_pool2d(lib.tensor(np.arange(32).reshape(1, 2, 4, 4)), 3, 1, 1),
        lambda F, lib: F.avg_pool1d(
            lib.tensor(-np.arange(12).reshape(1, 2, 6)), 4, 2, 1, False, False
        ),
        lambda F, lib: F.max_pool2d(lib.tensor(np.arange(32).reshape(1, 2, 4, 4)), 2),
        lambda F, lib: F.relu(lib.tensor(np.arange(-3, 3))),
        lambda F, lib: F.threshold(lib.tensor(np.arange(-3, 3)), 0, 7),
        lambda F, lib: F.softmax(lib.ones(2, 3, dtype=lib.int64), 1, dtype=lib.float32),
        lambda F, lib: F.interpolate(lib.ones(1, 1, 2, 2, dtype=lib.uint8), scale_factor=2),
        lambda F, lib: F.pad(lib.tensor(np.arange(6).reshape(1, 2, 3)), (1, 1), "reflect"),
    ],
)
def test_integer_inputs_match_torch(call):
    assert_close(call(LF, tl), call(TF, torch), 0, 0)


@pytest.mark.parametrize(
    "call",
    [
        lambda F, lib: F.softmax(lib.ones(2, 3, dtype=lib.int64), 1),
        lambda F, lib: F.gelu(lib.ones(2, 3, dtype=lib.int64)),
        lambda F, lib: F.silu(lib.ones(2, 3, dtype=lib.int64)),
        lambda F, lib: F.layer_norm(lib.ones(2, 3, dtype=lib.int64), (3,)),
        lambda F, lib: F.group_norm(lib.ones(1, 2, 4, dtype=lib.int64), 1),
        lambda F, lib: F.adaptive_avg_pool2d(lib.ones(1, 1, 4, 4, dtype=lib.int64), 2),
        lambda F, lib: F.glu(lib.ones(2, 4, dtype=lib.int64)),
        lambda F, lib: F.unfold(lib.ones(1, 1, 4, 4, dtype=lib.int64), 2),
        lambda F, lib: F.interpolate(lib.ones(1, 1, 2, 2, dtype=lib.int64), scale_factor=2),
    ],
)
def test_float_only_kernels_raise_not_implemented(call):
    with pytest.raises(NotImplementedError):
        call(TF, torch)
    with pytest.raises(NotImplementedError):
        call(LF, tl)


def test_uint8_resampling_is_refused_not_wrong():
    # torch resamples uint8 with its own fixed-point rounding; torchlike refuses rather than guess
    with pytest.raises(NotImplementedError):
        LF.interpolate(tl.ones(1, 1, 2, 2, dtype=tl.uint8), scale_factor=2, mode="bilinear")


# torch.* spellings of functional ops, with ATen's argument order and reduction enum
# (torch.<loss>'s Python binding defaults reduction to 0, "none")
_T4, _T3, _V = randn(2, 4, 6, 6), randn(2, 4, 9), randn(5, 4)
_AT_CALLS = {
    "conv": lambda m, x, w: m.conv2d(x, w, None, 1, 1)
    + m.conv_transpose2d(x, w.transpose(0, 1).contiguous(), None, 1, 1),
    "pools": lambda m, x: (m.avg_pool1d(x, 3, 2), m.max_pool1d(x, 2), m.adaptive_avg_pool1d(x, 4),
                           m.max_pool1d_with_indices(x, 3, 2)[0], m.adaptive_max_pool1d(x, 2)[0]),
    "shuffles": lambda m, x: m.pixel_unshuffle(m.pixel_shuffle(x, 2), 2) + m.channel_shuffle(x, 2),
    "distances": lambda m, a, b: (m.cosine_similarity(a, b, 1), m.pairwise_distance(a, b),
                                  m.pdist(a)),
    "norms": lambda m, x, w: (m.layer_norm(x, (6,), w, None, 1e-5, True), m.group_norm(x, 2),
                              m.rms_norm(x, (6,), w),
                              m.batch_norm(x, None, None, m.zeros(4), m.ones(4), False, 0.1, 1e-5,
                                           False),
                              m.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False)),
    "embedding": lambda m, w: m.embedding(w, m.tensor([[0, 2], [1, 2]]), 2)
    + m.embedding(w[:3], m.tensor([[0, 2], [1, 2]])),
    "activations": lambda m, x: (m.selu(x), m.celu(x, 0.5), m.threshold(x, 0.1, 3.0), m.rrelu(x),
                                 m.hardshrink(x, 0.3), m.prelu(x, m.tensor([0.2]))),
    "losses-enum": lambda m, a, b: m.stack([
        m.kl_div(a.log_softmax(1), b.softmax(1), 1), m.kl_div(a, b, 2, log_target=True),
        m.margin_ranking_loss(a[:, 0], b[:, 0], m.tensor([1.0, -1, 1, 1, -1]), 0.2, 1),
        m.hinge_embedding_loss(a, m.ones(5, 4), 1.0, 2),
        m.cosine_embedding_loss(a, b, m.tensor([1, -1, 1, 1, -1]), 0.1, 1),
        m.triplet_margin_loss(a, b, a.flip(0), 1.0, 2.0, 1e-6, False, 1),
        m.poisson_nll_loss(a, b.abs(), True, False, 1e-8, 1),
        m.binary_cross_entropy_with_logits(a, b.sigmoid(), None, None, 2)]),
    "losses-default-none": lambda m, a, b: (
        m.margin_ranking_loss(a[:, 0], b[:, 0], m.ones(5)), m.hinge_embedding_loss(a, m.ones(5, 4)),
        m.cosine_embedding_loss(a, b, m.ones(5)), m.kl_div(a, b),
        m.triplet_margin_loss(a, b, a.flip(0)), m.binary_cross_entropy_with_logits(a, b)),
    "dropout-eval-pad": lambda m, x: m.dropout(x, 0.5, False) + m.alpha_dropout(x, 0.3, False)
    + m.feature_dropout(x, 0.3, False) + m.feature_alpha_dropout(x, 0.2, False)
    + m.constant_pad_nd(x, [1, -1, 0, 0], 1.5),
    "inplace-functions": lambda m, x: (
        m.relu_(x * 1), m.clamp_(x * 1, -0.5, 0.7), m.exp_(x * 1), m.sigmoid_(x * 1),
        m.selu_(x * 1),
        m.celu_(x * 1, 0.7), m.rrelu_(m.threshold_(x * 1, 0.2, -1.0)), m.fill(x, 2.5),
        m.zero_(x[1] * 1)),
}
_AT_INPUTS = {"conv": [_T4[:, :, :5, :5], randn(3, 4, 3, 3)], "pools": [_T3], "shuffles": [_T4],
              "distances": [_V, randn(5, 4)], "norms": [_T4, randn(6)], "embedding": [randn(4, 3)],
              "activations": [_V], "losses-enum": [_V, randn(5, 4)],
              "losses-default-none": [_V, randn(5, 4)], "dropout-eval-pad": [_T4],
              "inplace-functions": [_V]}


@pytest.mark.parametrize("name", list(_AT_CALLS))
def test_torch_namespace_spellings(name):
    outs, grads = [], []
    for lib in (torch, tl):
        ins = [lib.tensor(a, requires_grad=True) for a in _AT_INPUTS[name]]
        out = _AT_CALLS[name](lib, *ins)
        out = list(out) if isinstance(out, tuple) else [out]
        (sum((o.double() * lib.arange(o.numel()).reshape(o.shape).cos()).sum() for o in out)
         ).backward()
        outs.append(out)
        grads.append([a.grad for a in ins])
    for a, b in zip(*outs):
        assert_close(b, a, what=name)
    for a, b in zip(*grads):
        assert_close(b, a, what=name + " grad")


def test_torch_vmap_is_torch_func_vmap():
    outs = [(lib.vmap(lambda r: r.sum(0))(lib.tensor(_V)),
             lib.vmap(lib.outer)(lib.tensor(_V), lib.tensor(_V))) for lib in (torch, tl)]
    for a, b in zip(*outs):
        assert_close(b, a)


def test_torch_dropout_spellings_draw_torchs_masks():
    x = randn(2, 4, 6, 6)
    outs = []
    for lib in (torch, tl):
        seed(0, lib)
        t = lib.tensor(x)
        outs.append([lib.dropout(t, 0.5, True), lib.feature_dropout(t, 0.5, True),
                     lib.alpha_dropout(t, 0.5, True), lib.dropout_(t.clone(), 0.3, True)])
    for a, b in zip(*outs):
        assert_close(b, a)
