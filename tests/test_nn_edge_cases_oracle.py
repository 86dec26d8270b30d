"""nn.functional edge cases found by differential testing against real PyTorch: values,
gradients and exception types."""

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()

RNG = np.random.default_rng(7)


def randn(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def run(lib, fn, arrays, grad=(0,)):
    """fn(lib, *tensors): its output, and the gradients of sum(output * ramp) wrt arrays[grad]."""
    ts = [
        lib.tensor(a, requires_grad=(i in grad and a.dtype.kind == "f"))
        for i, a in enumerate(arrays)
    ]
    out = fn(lib, *ts)
    grads = []
    if any(t.requires_grad for t in ts):
        ramp = lib.arange(1.0, out.numel() + 1).reshape(out.shape)
        (out * ramp).sum().backward()
        grads = [t.grad.numpy() for t in ts if t.requires_grad]
    return out.detach().numpy(), grads


def compare(fn, arrays, grad=(0,), atol=1e-5):
    want, want_g = run(torch, fn, arrays, grad)
    got, got_g = run(tl, fn, arrays, grad)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=atol, equal_nan=True)
    assert len(got_g) == len(want_g)
    for g, w in zip(got_g, want_g):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=atol, equal_nan=True)


def same_error(fn):
    with pytest.raises(Exception) as want:
        fn(torch)
    with pytest.raises(type(want.value)):
        fn(tl)


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
@pytest.mark.parametrize("pad", [(-1, 2), (2, -1), (-2, -1), (1, -2, 2, -1), (-3, -3, 0, 0)])
def test_pad_negative_widths_crop(mode, pad):
    x = randn(1, 2, 4, 6) if len(pad) == 4 else randn(2, 4, 6)
    compare(lambda lib, x: lib.nn.functional.pad(x, pad, mode=mode), [x])


@pytest.mark.parametrize(
    "mode, pad",
    [("reflect", (-3, -3)), ("replicate", (-4, -3)), ("reflect", (-3, -3, -2, -2)),
     ("constant", (-7, 0))],
)
def test_pad_cropping_too_much_raises(mode, pad):
    same_error(lambda lib: lib.nn.functional.pad(lib.zeros(1, 2, 4, 6), pad, mode=mode))


@pytest.mark.parametrize("n, k, s", [(1, 2, 1), (1, 3, 2), (2, 3, 2), (2, 2, 1)])
def test_max_unpool_overlapping_windows_gradient(n, k, s):
    # an index shared by overlapping windows gets the gradient of each (aten gathers)
    def fn(lib, x):
        F = lib.nn.functional
        o, i = getattr(F, f"max_pool{n}d")(x, k, s, return_indices=True)
        return getattr(F, f"max_unpool{n}d")(o, i, k, s)

    compare(fn, [randn(2, 3, *(7,) * n)])


def test_max_unpool_invalid_index_raises():
    # 9x7 pooled by 2 unpools to 8x6: the indices of the 9x7 input do not fit
    def fn(lib):
        F = lib.nn.functional
        x = lib.arange(63.0).reshape(1, 1, 9, 7)
        o, i = F.max_pool2d(x, 2, return_indices=True)
        return F.max_unpool2d(o, i, 2)

    same_error(fn)


def test_smooth_l1_beta_zero_gradient_at_equal():
    compare(lambda lib, a, b: lib.nn.functional.smooth_l1_loss(a, b, beta=0.0),
            [np.array([0.5, -1.0, 2.0], np.float32), np.array([0.5, 0.0, 2.0], np.float32)])


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_all_targets_ignored_has_zero_gradient(smoothing, reduction):
    compare(
        lambda lib, x, t: lib.nn.functional.cross_entropy(
            x, t, label_smoothing=smoothing, reduction=reduction),
        [randn(2, 3, 4), np.full((2, 4), -100)],
    )


def test_nll_loss_all_ignored_and_ignored_minus_inf():
    compare(lambda lib, x, t: lib.nn.functional.nll_loss(x, t),
            [randn(3, 4), np.array([-100, -100, -100])])
    # an ignored position contributes 0 even where its log-probability is -inf
    compare(lambda lib, x, t: lib.nn.functional.nll_loss(x, t, reduction="none", ignore_index=0),
            [np.array([[-np.inf, 0.0], [0.0, -1.0]], np.float32), np.array([0, 1])])


def test_cross_entropy_weighted_ignored_row_gradient():
    compare(lambda lib, x, t, w: lib.nn.functional.cross_entropy(x, t, weight=w),
            [randn(2, 3), np.array([-100, 1]), np.array([1.0, 0.0, 1.0], np.float32)])


def test_margin_ranking_loss_size_mismatch_is_runtime_error():
    same_error(lambda lib: lib.nn.functional.margin_ranking_loss(
        lib.zeros(5), lib.zeros(4), lib.ones(5)))


def test_sdpa_mask_shape_mismatch_is_runtime_error():
    same_error(lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.zeros(1, 2, 5, 4), lib.zeros(1, 2, 6, 4), lib.zeros(1, 2, 6, 4),
        attn_mask=lib.zeros(5, 7)))


def test_cosine_similarity_zero_vector_gradient():
    compare(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b),
            [np.zeros((2, 3), np.float32), randn(2, 3)], grad=(0, 1), atol=1e-3)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_softmax_of_0d_tensor(name):
    compare(lambda lib, x: getattr(lib.nn.functional, name)(x, 0), [np.array(2.0, np.float32)])


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.functional.celu(lib.zeros(3), alpha=0.0),
        lambda lib: lib.nn.functional.unfold(lib.zeros(2, 3, 4, 5, 6), 2),
        lambda lib: lib.nn.functional.fold(lib.zeros(2, 3, 4, 5), (3, 3), 2),
        lambda lib: lib.nn.functional.affine_grid(lib.zeros(2, 2, 3), [3, 3, 4, 5]),
        lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 2, 5, 5), lib.zeros(3, 2, 3, 3),
                                             padding=-1),
        lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 2, 5, 5), lib.zeros(3, 2, 3, 3),
                                             stride=0),
        lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 2, 5, 5), lib.zeros(3, 2, 3, 3),
                                             dilation=0),
        lambda lib: lib.nn.functional.conv1d(lib.zeros(1, 2, 5, dtype=lib.float64),
                                             lib.zeros(3, 2, 3)),
        lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 2, 5, 5), lib.zeros(3, 2, 3, 3),
                                             lib.zeros(3, dtype=lib.float64)),
        lambda lib: lib.nn.functional.conv_transpose2d(lib.zeros(1, 2, 5, 5),
                                                       lib.zeros(2, 3, 3, 3), padding=-1),
        lambda lib: lib.nn.functional.conv_transpose2d(
            lib.zeros(1, 2, 5, 5), lib.zeros(2, 3, 3, 3), stride=2, output_padding=-1),
    ],
)
def test_invalid_arguments_raise_like_pytorch(call):
    same_error(call)
