"""Every layer against real PyTorch: same state_dict layout, outputs and gradients after loading
PyTorch's weights, in train and eval mode; running statistics; PyTorch's exception types."""

import numpy as np
import pytest

import torchlike.nn as tnn
import torchlike.random
from tests.nn_helpers import (
    assert_close,
    assert_same_state_dict_layout,
    compare_module,
    copy_state,
    randn,
    t2np,
    tl,
    torch,
)

X1 = (2, 3, 7)
X2 = (2, 4, 6, 5)
X3 = (1, 2, 4, 5, 3)


def idx(*shape, high=10):
    return np.random.default_rng(1).integers(0, high, shape).astype(np.int64)


# (id, constructor taking the nn namespace, input arrays)
CASES = [
    ("Linear", lambda nn: nn.Linear(5, 3), [randn(4, 5)]),
    ("Linear-nobias-3d", lambda nn: nn.Linear(5, 3, bias=False), [randn(2, 4, 5)]),
    ("Bilinear", lambda nn: nn.Bilinear(3, 4, 2), [randn(5, 3), randn(5, 4)]),
    ("Identity", lambda nn: nn.Identity(3, k=1), [randn(2, 3)]),
    ("Conv1d", lambda nn: nn.Conv1d(3, 4, 3, stride=2, padding=1), [randn(*X1)]),
    (
        "Conv1d-same-reflect",
        lambda nn: nn.Conv1d(3, 4, 4, padding="same", padding_mode="reflect", dilation=2),
        [randn(*X1)],
    ),
    (
        "Conv2d",
        lambda nn: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), groups=2),
        [randn(*X2)],
    ),
    (
        "Conv2d-circular",
        lambda nn: nn.Conv2d(4, 2, 3, padding=1, padding_mode="circular", bias=False),
        [randn(*X2)],
    ),
    (
        "Conv2d-replicate-valid",
        lambda nn: nn.Conv2d(4, 2, 2, padding="valid", padding_mode="replicate"),
        [randn(*X2)],
    ),
    ("Conv2d-unbatched", lambda nn: nn.Conv2d(4, 2, 3, padding=1), [randn(4, 6, 5)]),
    ("Conv3d", lambda nn: nn.Conv3d(2, 3, 2, padding=(1, 0, 1)), [randn(*X3)]),
    (
        "ConvTranspose1d",
        lambda nn: nn.ConvTranspose1d(3, 2, 3, stride=2, output_padding=1),
        [randn(*X1)],
    ),
    (
        "ConvTranspose2d",
        lambda nn: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2, dilation=2),
        [randn(*X2)],
    ),
    ("ConvTranspose3d", lambda nn: nn.ConvTranspose3d(2, 2, 2, stride=2), [randn(*X3)]),
    ("MaxPool1d", lambda nn: nn.MaxPool1d(3, 2, padding=1), [randn(*X1)]),
    ("MaxPool2d-ceil", lambda nn: nn.MaxPool2d(2, ceil_mode=True), [randn(*X2)]),
    (
        "MaxPool2d-idx",
        lambda nn: nn.MaxPool2d(3, 2, 1, dilation=1, return_indices=True),
        [randn(*X2)],
    ),
    ("MaxPool3d", lambda nn: nn.MaxPool3d(2, padding=1), [randn(*X3)]),
    ("AvgPool1d", lambda nn: nn.AvgPool1d(3, 2, 1, count_include_pad=False), [randn(*X1)]),
    ("AvgPool2d", lambda nn: nn.AvgPool2d(3, 2, 1, ceil_mode=True), [randn(*X2)]),
    ("AvgPool2d-divisor", lambda nn: nn.AvgPool2d(2, divisor_override=3), [randn(*X2)]),
    ("AvgPool3d", lambda nn: nn.AvgPool3d(2, 1), [randn(*X3)]),
    ("LPPool2d", lambda nn: nn.LPPool2d(2, 2), [randn(*X2)]),
    ("LPPool1d", lambda nn: nn.LPPool1d(3, 2), [randn(*X1)]),
    ("AdaptiveAvgPool1d", lambda nn: nn.AdaptiveAvgPool1d(4), [randn(*X1)]),
    ("AdaptiveAvgPool2d", lambda nn: nn.AdaptiveAvgPool2d((4, None)), [randn(*X2)]),
    ("AdaptiveAvgPool3d", lambda nn: nn.AdaptiveAvgPool3d(2), [randn(*X3)]),
    (
        "AdaptiveMaxPool2d",
        lambda nn: nn.AdaptiveMaxPool2d((4, 3), return_indices=True),
        [randn(*X2)],
    ),
    ("AdaptiveMaxPool1d", lambda nn: nn.AdaptiveMaxPool1d(3), [randn(*X1)]),
    ("BatchNorm1d", lambda nn: nn.BatchNorm1d(3), [randn(*X1)]),
    ("BatchNorm1d-2d", lambda nn: nn.BatchNorm1d(5, momentum=None), [randn(4, 5)]),
    ("BatchNorm2d", lambda nn: nn.BatchNorm2d(4, affine=False), [randn(*X2)]),
    ("BatchNorm2d-notrack", lambda nn: nn.BatchNorm2d(4, track_running_stats=False), [randn(*X2)]),
    ("BatchNorm3d", lambda nn: nn.BatchNorm3d(2, momentum=0.3), [randn(*X3)]),
    ("SyncBatchNorm", lambda nn: nn.SyncBatchNorm(4), [randn(*X2)]),
    ("InstanceNorm1d", lambda nn: nn.InstanceNorm1d(3, affine=True), [randn(*X1)]),
    (
        "InstanceNorm2d-track",
        lambda nn: nn.InstanceNorm2d(4, track_running_stats=True),
        [randn(*X2)],
    ),
    ("InstanceNorm3d-unbatched", lambda nn: nn.InstanceNorm3d(2), [randn(2, 4, 5, 3)]),
    ("LayerNorm", lambda nn: nn.LayerNorm((6, 5)), [randn(*X2)]),
    ("LayerNorm-nobias", lambda nn: nn.LayerNorm(5, bias=False), [randn(3, 5)]),
    ("GroupNorm", lambda nn: nn.GroupNorm(2, 4), [randn(*X2)]),
    ("RMSNorm", lambda nn: nn.RMSNorm(5), [randn(3, 4, 5)]),
    (
        "RMSNorm-eps",
        lambda nn: nn.RMSNorm([4, 5], eps=1e-3, elementwise_affine=False),
        [randn(3, 4, 5)],
    ),
    ("LocalResponseNorm", lambda nn: nn.LocalResponseNorm(3), [randn(*X2)]),
    ("LocalResponseNorm-3d", lambda nn: nn.LocalResponseNorm(2, k=2.0), [randn(*X1)]),
    ("Embedding", lambda nn: nn.Embedding(10, 3, padding_idx=2), [idx(2, 5)]),
    ("Embedding-freq", lambda nn: nn.Embedding(10, 3, scale_grad_by_freq=True), [idx(3, 4)]),
    ("EmbeddingBag-mean", lambda nn: nn.EmbeddingBag(10, 3), [idx(3, 4)]),
    ("EmbeddingBag-max", lambda nn: nn.EmbeddingBag(10, 3, mode="max"), [idx(3, 4)]),
    (
        "EmbeddingBag-sum-offsets",
        lambda nn: nn.EmbeddingBag(10, 3, mode="sum", padding_idx=1),
        [idx(8), np.array([0, 3, 3, 5])],
    ),
    ("Flatten", lambda nn: nn.Flatten(), [randn(*X2)]),
    ("Unflatten", lambda nn: nn.Unflatten(1, (2, 2)), [randn(*X2)]),
    ("Upsample-nearest", lambda nn: nn.Upsample(scale_factor=2), [randn(*X2)]),
    ("Upsample-bilinear", lambda nn: nn.Upsample(size=(7, 9), mode="bilinear"), [randn(*X2)]),
    (
        "Upsample-bicubic",
        lambda nn: nn.Upsample(scale_factor=1.5, mode="bicubic", align_corners=True),
        [randn(*X2)],
    ),
    ("Upsample-trilinear", lambda nn: nn.Upsample(size=(3, 6, 4), mode="trilinear"), [randn(*X3)]),
    ("UpsamplingNearest2d", lambda nn: nn.UpsamplingNearest2d(size=(9, 7)), [randn(*X2)]),
    ("UpsamplingBilinear2d", lambda nn: nn.UpsamplingBilinear2d(scale_factor=2), [randn(*X2)]),
    ("PixelShuffle", lambda nn: nn.PixelShuffle(2), [randn(2, 8, 3, 2)]),
    ("PixelUnshuffle", lambda nn: nn.PixelUnshuffle(2), [randn(2, 1, 4, 6)]),
    ("ChannelShuffle", lambda nn: nn.ChannelShuffle(2), [randn(*X2)]),
    ("ZeroPad2d", lambda nn: nn.ZeroPad2d((1, 0, 2, 1)), [randn(*X2)]),
    ("ConstantPad1d", lambda nn: nn.ConstantPad1d(2, 3.5), [randn(*X1)]),
    ("ConstantPad3d", lambda nn: nn.ConstantPad3d((1, 0, 0, 1, 1, 1), -1.0), [randn(*X3)]),
    ("ReflectionPad1d", lambda nn: nn.ReflectionPad1d((2, 1)), [randn(*X1)]),
    ("ReflectionPad2d", lambda nn: nn.ReflectionPad2d(2), [randn(*X2)]),
    ("ReflectionPad3d", lambda nn: nn.ReflectionPad3d(1), [randn(*X3)]),
    ("ReplicationPad1d", lambda nn: nn.ReplicationPad1d(3), [randn(*X1)]),
    ("ReplicationPad2d", lambda nn: nn.ReplicationPad2d((1, 2, 0, 3)), [randn(*X2)]),
    ("ReplicationPad3d", lambda nn: nn.ReplicationPad3d(1), [randn(*X3)]),
    ("CircularPad1d", lambda nn: nn.CircularPad1d((1, 2)), [randn(*X1)]),
    ("CircularPad2d", lambda nn: nn.CircularPad2d(1), [randn(*X2)]),
    ("CircularPad3d", lambda nn: nn.CircularPad3d(1), [randn(*X3)]),
    ("Fold", lambda nn: nn.Fold((4, 5), (2, 2)), [randn(2, 12, 12)]),
    ("Unfold", lambda nn: nn.Unfold((2, 3), padding=1, stride=2), [randn(*X2)]),
    ("CosineSimilarity", lambda nn: nn.CosineSimilarity(dim=1), [randn(4, 5), randn(4, 5)]),
    (
        "PairwiseDistance",
        lambda nn: nn.PairwiseDistance(p=1.5, keepdim=True),
        [randn(4, 5), randn(4, 5)],
    ),
    ("Dropout-eval-only", lambda nn: nn.Dropout(0.0), [randn(3, 4)]),
    (
        "Sequential-MLP",
        lambda nn: nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.BatchNorm1d(4), nn.Linear(4, 2)),
        [randn(6, 5)],
    ),
]

ACTIVATIONS = [
    ("Threshold", lambda nn: nn.Threshold(0.1, 20.0)),
    ("ReLU", lambda nn: nn.ReLU()),
    ("RReLU-eval", lambda nn: nn.RReLU()),
    ("Hardtanh", lambda nn: nn.Hardtanh(-0.5, 0.7)),
    ("ReLU6", lambda nn: nn.ReLU6()),
    ("Sigmoid", lambda nn: nn.Sigmoid()),
    ("Hardsigmoid", lambda nn: nn.Hardsigmoid()),
    ("Tanh", lambda nn: nn.Tanh()),
    ("SiLU", lambda nn: nn.SiLU()),
    ("Mish", lambda nn: nn.Mish()),
    ("Hardswish", lambda nn: nn.Hardswish()),
    ("ELU", lambda nn: nn.ELU(0.7)),
    ("CELU", lambda nn: nn.CELU(1.3)),
    ("SELU", lambda nn: nn.SELU()),
    ("GLU", lambda nn: nn.GLU(1)),
    ("GELU", lambda nn: nn.GELU()),
    ("GELU-tanh", lambda nn: nn.GELU("tanh")),
    ("Hardshrink", lambda nn: nn.Hardshrink(0.3)),
    ("LeakyReLU", lambda nn: nn.LeakyReLU(0.2)),
    ("LogSigmoid", lambda nn: nn.LogSigmoid()),
    ("Softplus", lambda nn: nn.Softplus(2.0, 1.0)),
    ("Softshrink", lambda nn: nn.Softshrink(0.3)),
    ("PReLU", lambda nn: nn.PReLU()),
    ("PReLU-channels", lambda nn: nn.PReLU(4, 0.1)),
    ("Softsign", lambda nn: nn.Softsign()),
    ("Tanhshrink", lambda nn: nn.Tanhshrink()),
    ("Softmin", lambda nn: nn.Softmin(1)),
    ("Softmax", lambda nn: nn.Softmax(-1)),
    ("Softmax2d", lambda nn: nn.Softmax2d()),
    ("LogSoftmax", lambda nn: nn.LogSoftmax(2)),
]


@pytest.mark.parametrize("name,ctor,inputs", CASES, ids=[c[0] for c in CASES])
def test_layer_matches_torch(name, ctor, inputs):
    tmod, lmod = ctor(torch.nn), ctor(tnn)
    assert repr(lmod) == repr(tmod)
    if name.startswith("Dropout"):
        compare_module(tmod, lmod, inputs, train=False)
        return
    mode_dependent = any(k in name for k in ("Norm", "Sequential"))
    compare_module(
        tmod, lmod, inputs, train=True, atol=1e-4, rtol=1e-4, steps=2 if mode_dependent else 1
    )
    if mode_dependent:
        compare_module(tmod, lmod, inputs, train=False, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("name,ctor", ACTIVATIONS, ids=[c[0] for c in ACTIVATIONS])
def test_activation_matches_torch(name, ctor):
    tmod, lmod = ctor(torch.nn), ctor(tnn)
    assert repr(lmod) == repr(tmod)
    x = randn(*X2) * 3
    compare_module(tmod, lmod, [x], train=False, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", ["ReLU", "LeakyReLU", "ELU", "Hardtanh", "SiLU", "Threshold"])
def test_inplace_activation(name):
    args = {"Threshold": (0.1, 2.0)}.get(name, ())
    tmod = getattr(torch.nn, name)(*args, inplace=True)
    lmod = getattr(tnn, name)(*args, inplace=True)
    assert repr(lmod) == repr(tmod)
    x = randn(3, 4)
    ta = torch.tensor(x, requires_grad=True)
    la = tl.tensor(x, requires_grad=True)
    tb, lb = ta * 2, la * 2
    tout, lout = tmod(tb), lmod(lb)
    assert lout is lb
    assert_close(lb, tb)
    tout.sum().backward()
    lout.sum().backward()
    assert_close(la.grad, ta.grad)


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_running_stats_over_steps(momentum):
    tmod, lmod = torch.nn.BatchNorm2d(3, momentum=momentum), tnn.BatchNorm2d(3, momentum=momentum)
    copy_state(tmod, lmod)
    for step in range(3):
        x = randn(4, 3, 2, 2) + step
        tmod(torch.tensor(x))
        lmod(tl.tensor(x))
    for k, v in tmod.state_dict().items():
        assert_close(lmod.state_dict()[k], v, what=k)
    assert int(lmod.num_batches_tracked) == 3
    tmod.eval()
    lmod.eval()
    x = randn(2, 3, 2, 2)
    assert_close(lmod(tl.tensor(x)), tmod(torch.tensor(x)))


def test_batchnorm_buffers_updated_in_place():
    m = tnn.BatchNorm1d(3)
    rm, nbt = m.running_mean, m.num_batches_tracked
    m(tl.tensor(randn(4, 3)))
    assert m.running_mean is rm and m.num_batches_tracked is nbt
    assert float(rm.abs().sum()) > 0


def test_state_dict_dtypes_and_double():
    for ctor in (
        lambda nn: nn.Conv2d(2, 3, 3),
        lambda nn: nn.BatchNorm1d(3),
        lambda nn: nn.Embedding(4, 2),
    ):
        tmod, lmod = ctor(torch.nn).double(), ctor(tnn).double()
        assert_same_state_dict_layout(tmod, lmod)


def test_float64_layer():
    tmod, lmod = torch.nn.Linear(3, 2).double(), tnn.Linear(3, 2).double()
    compare_module(tmod, lmod, [randn(4, 3, dtype=np.float64)], atol=1e-12, rtol=1e-12)


def test_conv_transpose_output_size():
    tmod, lmod = torch.nn.ConvTranspose2d(4, 2, 3, stride=2), tnn.ConvTranspose2d(4, 2, 3, stride=2)
    x = randn(*X2)
    call = lambda m, a: m(a, output_size=[14, 12])
    _t_out, l_out = compare_module(tmod, lmod, [x], call=call)
    assert tuple(l_out[0].shape) == (2, 2, 14, 12)
    with pytest.raises(ValueError):
        lmod(tl.tensor(x), output_size=[20, 20])


def test_max_unpool():
    tp, lp = torch.nn.MaxPool2d(2, return_indices=True), tnn.MaxPool2d(2, return_indices=True)
    tu, lu = torch.nn.MaxUnpool2d(2), tnn.MaxUnpool2d(2)
    x = randn(2, 3, 6, 4)
    to, ti = tp(torch.tensor(x))
    lo, li = lp(tl.tensor(x))
    assert_close(li, ti)
    assert_close(lu(lo, li), tu(to, ti))
    assert_close(lu(lo, li, output_size=(7, 5)), tu(to, ti, output_size=(7, 5)))
    assert repr(lu) == repr(tu)


def test_embedding_from_pretrained_and_max_norm():
    w = randn(6, 3) * 3
    te = torch.nn.Embedding.from_pretrained(torch.tensor(w), max_norm=1.0)
    le = tnn.Embedding.from_pretrained(tl.tensor(w), max_norm=1.0)
    assert not le.weight.requires_grad
    assert repr(le) == repr(te)
    i = idx(2, 3, high=6)
    assert_close(le(tl.tensor(i)), te(torch.tensor(i)))
    assert_close(le.weight, te.weight)  # renormalised in place
    tb = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), freeze=False, mode="sum")
    lb = tnn.EmbeddingBag.from_pretrained(tl.tensor(w), freeze=False, mode="sum")
    assert lb.weight.requires_grad and repr(lb) == repr(tb)


def test_embedding_padding_row_zero_and_no_grad():
    m = tnn.Embedding(5, 2, padding_idx=0)
    assert float(m.weight[0].abs().sum()) == 0
    out = m(tl.tensor(np.array([0, 1, 0])))
    out.sum().backward()
    assert float(m.weight.grad[0].abs().sum()) == 0
    assert float(m.weight.grad[1].abs().sum()) == 2


def test_lazy_linear_and_conv():
    m = tnn.LazyLinear(3)
    assert repr(m) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    y = m(tl.tensor(randn(2, 5)))
    assert type(m) is tnn.Linear and tuple(m.weight.shape) == (3, 5) and tuple(y.shape) == (2, 3)
    assert isinstance(m.weight, tnn.Parameter) and [n for n, _ in m.named_parameters()] == [
        "weight",
        "bias",
    ]
    c = tnn.LazyConv2d(2, 3)
    c(tl.tensor(randn(*X2)))
    assert type(c) is tnn.Conv2d and tuple(c.weight.shape) == (2, 4, 3, 3)
    b = tnn.LazyBatchNorm1d()
    b(tl.tensor(randn(4, 3)))
    assert type(b) is tnn.BatchNorm1d and tuple(b.running_mean.shape) == (3,)
    t = torch.nn.BatchNorm1d(3)
    assert_same_state_dict_layout(t, b)


@pytest.mark.parametrize(
    "make,exc",
    [
        (lambda nn: nn.Conv2d(4, 3, 3, groups=2), ValueError),
        (lambda nn: nn.Conv2d(4, 4, 3, padding="foo"), ValueError),
        (lambda nn: nn.Conv2d(4, 4, 3, stride=2, padding="same"), ValueError),
        (lambda nn: nn.Conv2d(4, 4, 3, padding_mode="bad"), ValueError),
        (lambda nn: nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"), ValueError),
        (lambda nn: nn.Dropout(1.5), ValueError),
        (lambda nn: nn.GroupNorm(3, 4), ValueError),
        (lambda nn: nn.Embedding(4, 2, padding_idx=7), AssertionError),
        (lambda nn: nn.Hardtanh(1.0, 0.0), AssertionError),
        (lambda nn: nn.Unflatten(1, (2, 2.0)), TypeError),
    ],
)
def test_bad_configuration_raises(make, exc):
    with pytest.raises(exc):
        make(torch.nn)
    with pytest.raises(exc):
        make(tnn)


@pytest.mark.parametrize(
    "make,x",
    [
        (lambda nn: nn.Conv2d(4, 2, 3), randn(2, 3, 5, 5)),
        (lambda nn: nn.Conv2d(4, 2, 3), randn(5, 5)),
        (lambda nn: nn.Conv2d(4, 2, 7), randn(1, 4, 5, 5)),
        (lambda nn: nn.Linear(3, 2), randn(2, 4)),
        (lambda nn: nn.BatchNorm2d(3), randn(2, 3, 4)),
        (lambda nn: nn.BatchNorm1d(3), randn(1, 3)),
        (lambda nn: nn.LayerNorm(4), randn(2, 3)),
        (lambda nn: nn.GLU(), randn(2, 3)),
        (lambda nn: nn.Softmax2d(), randn(2, 3)),
        (lambda nn: nn.MaxPool2d(3, padding=2), randn(1, 1, 5, 5)),
        (lambda nn: nn.ReflectionPad1d(3), randn(1, 2, 3)),
        (lambda nn: nn.InstanceNorm1d(3, affine=True), randn(2, 4, 5)),
        (lambda nn: nn.Embedding(4, 2), np.array([1, 4])),
        (lambda nn: nn.PixelShuffle(2), randn(1, 3, 2, 2)),
    ],
)
def test_bad_input_raises_torch_exception_type(make, x):
    tmod, lmod = make(torch.nn), make(tnn)
    with pytest.raises(Exception) as te:
        tmod.train()(torch.tensor(x))
    with pytest.raises(type(te.value)):
        lmod.train()(tl.tensor(x))


@pytest.mark.parametrize(
    "make,x",
    [
        (lambda nn: nn.ConvTranspose1d(4, 2, 3, stride=2, output_padding=2), randn(1, 4, 5)),
        (lambda nn: nn.ConvTranspose2d(4, 2, 3, stride=(2, 3), output_padding=(0, 3)),
         randn(1, 4, 5, 5)),
        (lambda nn: nn.ConvTranspose3d(2, 2, 3, stride=2, output_padding=2), randn(1, 2, 3, 3, 3)),
        (lambda nn: nn.BatchNorm1d(4), randn(1, 4)),
    ],
)
def test_bad_input_message_is_torchs(make, x):
    tmod, lmod = make(torch.nn), make(tnn)
    with pytest.raises(Exception) as te:
        tmod.train()(torch.tensor(x))
    with pytest.raises(type(te.value)) as le:
        lmod.train()(tl.tensor(x))
    assert str(le.value) == str(te.value)


def test_default_init_statistics():
    m = tnn.Linear(100, 50)
    w = t2np(m.weight)
    bound = 1 / np.sqrt(100)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    b = t2np(m.bias)
    assert np.abs(b).max() <= bound
    c = tnn.Conv2d(4, 8, 3)
    assert np.abs(t2np(c.weight)).max() <= 1 / np.sqrt(36)
    e = tnn.Embedding(100, 20)
    assert abs(t2np(e.weight).std() - 1) < 0.1


def test_adaptive_log_softmax_with_loss():
    tmod = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 12], div_value=2.0)
    lmod = tnn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 12], div_value=2.0)
    assert repr(lmod) == repr(tmod)
    y = np.array([0, 4, 5, 11, 12, 19])
    call = lambda m, x: m(x, (torch if m is tmod else tl).tensor(y))
    compare_module(tmod, lmod, [randn(6, 8)], call=call)
    x = randn(6, 8)
    assert_close(lmod.log_prob(tl.tensor(x)), tmod.log_prob(torch.tensor(x)))
    assert_close(lmod.predict(tl.tensor(x)), tmod.predict(torch.tensor(x)))
    with pytest.raises(RuntimeError):
        lmod(tl.tensor(x), tl.tensor(np.array([0, 1, 2, 3, 4, 20])))
    with pytest.raises(ValueError):
        tnn.AdaptiveLogSoftmaxWithLoss(8, 20, [12, 5])


def test_fractional_max_pool_module_seeded():
    x = randn(2, 3, 9, 8)
    torch.manual_seed(3)
    t = torch.nn.FractionalMaxPool2d(3, output_ratio=0.5)(torch.tensor(x))
    getattr(tl, "manual_seed", torchlike.random.manual_seed)(3)
    m = tnn.FractionalMaxPool2d(3, output_ratio=0.5)(tl.tensor(x))
    assert_close(m, t)
    with pytest.raises(ValueError):
        tnn.FractionalMaxPool2d(3)
    with pytest.raises(ValueError):
        tnn.FractionalMaxPool3d(2, output_ratio=1.5)


@pytest.mark.parametrize(
    "name,shape",
    [
        ("Dropout", (4, 6)),
        ("Dropout1d", (3, 4, 5)),
        ("Dropout2d", (3, 4, 2, 2)),
        ("Dropout3d", (2, 3, 2, 2, 2)),
        ("AlphaDropout", (4, 6)),
        ("FeatureAlphaDropout", (3, 4, 2)),
        ("RReLU", (4, 6)),
    ],
)
def test_dropout_modules_seeded_train_and_eval(name, shape):
    args = (0.1, 0.4) if name == "RReLU" else (0.4,)
    tmod, lmod = getattr(torch.nn, name)(*args), getattr(tnn, name)(*args)
    assert repr(lmod) == repr(tmod)
    x = randn(*shape)
    torch.manual_seed(11)
    getattr(tl, "manual_seed", torchlike.random.manual_seed)(11)
    compare_module(tmod, lmod, [x], train=True, steps=2)
    compare_module(tmod, lmod, [x], train=False)
