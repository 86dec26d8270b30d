"""torch.autocast compared with real PyTorch: the per-op policy (which ops run in the lower
precision, which in float32, which promote) on the CPU in bfloat16 and float16 and, through
emulated CUDA devices against PyTorch's fake CUDA tensors, on CUDA; values, gradients and nn
modules under autocast; and the autocast API (state functions, warnings, errors, nesting,
decorators, custom_fwd/custom_bwd)."""

import json
import logging
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()

import torchlike as tl  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def _data(*shape, kind="u"):
    """Fixed float64 values of a shape, in (0.1, 0.9): every op's domain fits."""
    n = int(np.prod(shape)) if shape else 1
    v = ((np.arange(n) * 0.618) % 1.0 * 0.8 + 0.1).reshape(shape)
    if kind == "s":
        v = v * 2 - 1
    if kind == "spd":
        v = v @ v.swapaxes(-1, -2) + np.eye(shape[-1])
    return v


class Maker:
    """The inputs of one case: float tensors of the variant's dtypes, made in a fixed order."""

    def __init__(self, T, dtypes, device="cpu", make=None):
        self.T, self.dtypes, self.device, self.i, self.make = T, dtypes, device, 0, make

    def __call__(self, *shape, kind="u"):
        v = _data(*shape, kind=kind)
        dt = self.dtypes[self.i % len(self.dtypes)]
        self.i += 1
        if self.make is not None:
            return self.make(v, dt)
        return self.T.tensor(v, dtype=getattr(self.T, dt), device=self.device)

    def long(self, data):
        if self.make is not None:
            return self.make(np.asarray(data), "int64")
        return self.T.tensor(data, dtype=self.T.int64, device=self.device)


def _F(T):
    return T.nn.functional


# name -> f(lib, make): one call of an op (convolutions are covered by the module tests)
CASES = {
    # matmul family
    "mm": lambda T, t: T.mm(t(3, 4), t(4, 2)),
    "matmul_op": lambda T, t: t(3, 4) @ t(4),
    "tensor_matmul": lambda T, t: t(3, 4).matmul(t(4, 2)),
    "bmm": lambda T, t: T.bmm(t(2, 3, 4), t(2, 4, 2)),
    "addmm": lambda T, t: T.addmm(t(3, 2), t(3, 4), t(4, 2), beta=0.5),
    "addbmm": lambda T, t: T.addbmm(t(3, 2), t(2, 3, 4), t(2, 4, 2)),
    "baddbmm": lambda T, t: T.baddbmm(t(2, 3, 2), t(2, 3, 4), t(2, 4, 2)),
    "addmv": lambda T, t: T.addmv(t(3), t(3, 4), t(4)),
    "addr": lambda T, t: T.addr(t(3, 4), t(3), t(4)),
    "mv": lambda T, t: T.mv(t(3, 4), t(4)),
    "dot": lambda T, t: T.dot(t(4), t(4)),
    "vdot": lambda T, t: T.vdot(t(4), t(4)),
    "inner": lambda T, t: T.inner(t(3, 4), t(2, 4)),
    "inner_1d": lambda T, t: T.inner(t(4), t(4)),
    "outer": lambda T, t: T.outer(t(3), t(4)),
    "einsum": lambda T, t: T.einsum("ij,jk->ik", t(3, 4), t(4, 2)),
    "einsum_outer": lambda T, t: T.einsum("i,j->ij", t(3), t(2)),
    "einsum_transpose": lambda T, t: T.einsum("ij->ji", t(3, 2)),
    "tensordot": lambda T, t: T.tensordot(t(3, 4), t(4, 2), dims=1),
    "kron": lambda T, t: T.kron(t(2, 2), t(2, 2)),
    "multi_dot": lambda T, t: T.linalg.multi_dot([t(3, 4), t(4, 2), t(2, 2)]),
    "matrix_power": lambda T, t: T.linalg.matrix_power(t(3, 3), 2),
    "matrix_power_1": lambda T, t: T.linalg.matrix_power(t(3, 3), 1),
    "vecdot": lambda T, t: T.linalg.vecdot(t(3, 4), t(3, 4)),
    "linear": lambda T, t: _F(T).linear(t(3, 4), t(2, 4), t(2)),
    "bilinear": lambda T, t: _F(T).bilinear(t(3, 4), t(3, 2), t(5, 4, 2), t(5)),
    "prelu": lambda T, t: _F(T).prelu(t(2, 3, kind="s"), t(3)),
    "sdpa": lambda T, t: _F(T).scaled_dot_product_attention(t(1, 3, 4), t(1, 3, 4), t(1, 3, 4)),
    "affine_grid": lambda T, t: _F(T).affine_grid(t(1, 2, 3), [1, 1, 2, 2], align_corners=False),
    # pointwise: CUDA's float32 list, then others
    "exp": lambda T, t: T.exp(t(3)),
    "log": lambda T, t: t(3).log(),
    "log10": lambda T, t: T.log10(t(3)),
    "log2": lambda T, t: T.log2(t(3)),
    "log1p": lambda T, t: T.log1p(t(3)),
    "expm1": lambda T, t: T.expm1(t(3)),
    "pow_ts": lambda T, t: T.pow(t(3), 2.5),
    "pow_tt": lambda T, t: T.pow(t(3), t(3)),
    "pow_op": lambda T, t: t(3) ** 2,
    "rsqrt": lambda T, t: T.rsqrt(t(3)),
    "reciprocal": lambda T, t: T.reciprocal(t(3)),
    "acos": lambda T, t: T.acos(t(3)),
    "asin": lambda T, t: T.asin(t(3)),
    "cosh": lambda T, t: T.cosh(t(3)),
    "sinh": lambda T, t: T.sinh(t(3)),
    "tan": lambda T, t: T.tan(t(3)),
    "erfinv": lambda T, t: T.erfinv(t(3)),
    "softplus": lambda T, t: _F(T).softplus(t(3)),
    "sin": lambda T, t: T.sin(t(3)),
    "tanh": lambda T, t: T.tanh(t(3)),
    "sigmoid": lambda T, t: T.sigmoid(t(3)),
    "relu": lambda T, t: _F(T).relu(t(3)),
    "gelu": lambda T, t: _F(T).gelu(t(3)),
    "silu": lambda T, t: _F(T).silu(t(3)),
    "sqrt": lambda T, t: T.sqrt(t(3)),
    "add": lambda T, t: t(3) + t(3),
    "mul_scalar": lambda T, t: t(3) * 0.1,
    "div": lambda T, t: t(3) / t(3),
    "addcdiv": lambda T, t: T.addcdiv(t(3), t(3), t(3)),
    "addcmul": lambda T, t: T.addcmul(t(3), t(3), t(3)),
    "atan2": lambda T, t: T.atan2(t(3), t(3)),
    "where": lambda T, t: T.where(t(3) > 0.5, t(3), t(3)),
    "cross": lambda T, t: T.linalg.cross(t(2, 3), t(2, 3)),
    "cat": lambda T, t: T.cat([t(2), t(2)]),
    "stack": lambda T, t: T.stack([t(2), t(2)]),
    "index_copy": lambda T, t: t(3, 2).index_copy(0, t.long([2, 0]), t(2, 2)),
    "scatter_add": lambda T, t: t(2, 3).scatter_add(1, t.long([[0, 1], [2, 0]]), t(2, 2)),
    "clamp": lambda T, t: T.clamp(t(3), 0.2, 0.5),
    # reductions
    "sum": lambda T, t: t(3, 2).sum(),
    "sum_dim": lambda T, t: T.sum(t(3, 2), 1),
    "mean": lambda T, t: t(3, 2).mean(),
    "prod": lambda T, t: T.prod(t(3, 2)),
    "prod_dim": lambda T, t: t(3, 2).prod(0),
    "cumsum": lambda T, t: T.cumsum(t(4), 0),
    "cumprod": lambda T, t: T.cumprod(t(4), 0),
    "logsumexp": lambda T, t: T.logsumexp(t(3, 2), 1),
    "var": lambda T, t: t(3, 2).var(),
    "std": lambda T, t: T.std(t(3, 2), 0),
    "amax": lambda T, t: T.amax(t(3, 2), 1),
    "norm": lambda T, t: T.norm(t(3, 2)),
    "norm_p": lambda T, t: t(3, 2).norm(p=1, dim=1),
    "vector_norm": lambda T, t: T.linalg.vector_norm(t(3, 2)),
    "matrix_norm": lambda T, t: T.linalg.matrix_norm(t(3, 2)),
    "dist": lambda T, t: T.dist(t(3), t(3)),
    "cdist": lambda T, t: T.cdist(t(2, 3), t(4, 3)),
    "pdist": lambda T, t: _F(T).pdist(t(3, 2)),
    "renorm": lambda T, t: T.renorm(t(3, 2), 2, 0, 0.5),
    "trace": lambda T, t: T.trace(t(3, 3)),
    "trapezoid": lambda T, t: T.trapezoid(t(4)),
    "quantile": lambda T, t: T.quantile(t(5), 0.3),
    "sort": lambda T, t: T.sort(t(4))[0],
    # softmax and normalisation
    "softmax": lambda T, t: T.softmax(t(2, 3), -1),
    "tensor_softmax": lambda T, t: t(2, 3).softmax(-1),
    "log_softmax": lambda T, t: _F(T).log_softmax(t(2, 3), 1),
    "tensor_log_softmax": lambda T, t: t(2, 3).log_softmax(-1),
    "softmin": lambda T, t: _F(T).softmin(t(2, 3), 1),
    "layer_norm": lambda T, t: _F(T).layer_norm(t(2, 3), (3,), t(3), t(3)),
    "group_norm": lambda T, t: _F(T).group_norm(t(2, 4, 2), 2, t(4), t(4)),
    "batch_norm": lambda T, t: _F(T).batch_norm(t(3, 2), t(2), t(2), t(2), t(2), True),
    "instance_norm": lambda T, t: _F(T).instance_norm(t(2, 2, 3)),
    "rms_norm": lambda T, t: _F(T).rms_norm(t(2, 3), (3,), t(3)),
    "normalize": lambda T, t: _F(T).normalize(t(2, 3)),
    "local_response_norm": lambda T, t: _F(T).local_response_norm(t(1, 3, 4), 2),
    "cosine_similarity": lambda T, t: _F(T).cosine_similarity(t(2, 3), t(2, 3)),
    "pairwise_distance": lambda T, t: _F(T).pairwise_distance(t(2, 3), t(2, 3)),
    # losses
    "mse_loss": lambda T, t: _F(T).mse_loss(t(2, 3), t(2, 3)),
    "l1_loss": lambda T, t: _F(T).l1_loss(t(2, 3), t(2, 3)),
    "smooth_l1_loss": lambda T, t: _F(T).smooth_l1_loss(t(2, 3), t(2, 3)),
    "huber_loss": lambda T, t: _F(T).huber_loss(t(2, 3), t(2, 3)),
    "cross_entropy": lambda T, t: _F(T).cross_entropy(t(2, 3), t.long([0, 2])),
    "cross_entropy_probs": lambda T, t: _F(T).cross_entropy(t(2, 3), t(2, 3)),
    "nll_loss": lambda T, t: _F(T).nll_loss(t(2, 3), t.long([0, 2])),
    "bce": lambda T, t: _F(T).binary_cross_entropy(t(3), t(3)),
    "bce_logits": lambda T, t: _F(T).binary_cross_entropy_with_logits(t(3), t(3)),
    "kl_div": lambda T, t: _F(T).kl_div(t(2, 3), t(2, 3), reduction="batchmean"),
    "poisson_nll_loss": lambda T, t: _F(T).poisson_nll_loss(t(3), t(3)),
    "gaussian_nll_loss": lambda T, t: _F(T).gaussian_nll_loss(t(3), t(3), t(3)),
    "cosine_embedding_loss": lambda T, t: _F(T).cosine_embedding_loss(
        t(2, 3), t(2, 3), t.long([1, -1])),
    "hinge_embedding_loss": lambda T, t: _F(T).hinge_embedding_loss(t(3), t.long([1, -1, 1])),
    "margin_ranking_loss": lambda T, t: _F(T).margin_ranking_loss(t(3), t(3),
                                                                  t.long([1, -1, 1])),
    "soft_margin_loss": lambda T, t: _F(T).soft_margin_loss(t(3), t.long([1, -1, 1])),
    "multilabel_soft_margin_loss": lambda T, t: _F(T).multilabel_soft_margin_loss(t(2, 3),
                                                                                  t(2, 3)),
    "multilabel_margin_loss": lambda T, t: _F(T).multilabel_margin_loss(
        t(2, 3), t.long([[0, 2, -1], [1, -1, 0]])),
    "multi_margin_loss": lambda T, t: _F(T).multi_margin_loss(t(2, 3), t.long([0, 2])),
    "triplet_margin_loss": lambda T, t: _F(T).triplet_margin_loss(t(2, 3), t(2, 3), t(2, 3)),
    # pooling, padding, resampling, embedding
    "avg_pool2d": lambda T, t: _F(T).avg_pool2d(t(1, 1, 4, 4), 2),
    "max_pool2d": lambda T, t: _F(T).max_pool2d(t(1, 1, 4, 4), 2),
    "avg_pool3d": lambda T, t: _F(T).avg_pool3d(t(1, 1, 2, 2, 2), 2),
    "max_pool3d": lambda T, t: _F(T).max_pool3d(t(1, 1, 2, 2, 2), 2),
    "adaptive_avg_pool3d": lambda T, t: _F(T).adaptive_avg_pool3d(t(1, 1, 2, 2, 2), 1),
    "adaptive_max_pool3d": lambda T, t: _F(T).adaptive_max_pool3d(t(1, 1, 2, 2, 2), 1),
    "max_unpool1d": lambda T, t: _F(T).max_unpool1d(t(1, 1, 2), t.long([[[0, 3]]]), 2),
    "lp_pool1d": lambda T, t: _F(T).lp_pool1d(t(1, 1, 4), 2, 2),
    "reflect_pad1d": lambda T, t: _F(T).pad(t(1, 1, 4), (1, 1), mode="reflect"),
    "replicate_pad1d": lambda T, t: _F(T).pad(t(1, 1, 3), (1, 1), mode="replicate"),
    "circular_pad": lambda T, t: _F(T).pad(t(1, 1, 3), (1, 1), mode="circular"),
    "constant_pad": lambda T, t: _F(T).pad(t(1, 3), (1, 1)),
    "interp_nearest": lambda T, t: _F(T).interpolate(t(1, 1, 3), scale_factor=2),
    "interp_linear": lambda T, t: _F(T).interpolate(t(1, 1, 3), scale_factor=2, mode="linear"),
    "grid_sample": lambda T, t: _F(T).grid_sample(t(1, 1, 3, 3), t(1, 2, 2, 2, kind="s"),
                                                  align_corners=False),
    "embedding": lambda T, t: _F(T).embedding(t.long([0, 2]), t(3, 2)),
    # linear algebra and spectral ops (on the CPU's float32 list)
    "cholesky_solve": lambda T, t: T.cholesky_solve(t(3, 1), t(3, 3, kind="spd")),
    "eigh": lambda T, t: T.linalg.eigh(t(3, 3, kind="spd"))[0],
    "svd": lambda T, t: T.linalg.svd(t(3, 3))[1],
    "lstsq": lambda T, t: T.linalg.lstsq(t(3, 3, kind="spd"), t(3, 1))[0],
    "householder": lambda T, t: T.linalg.householder_product(t(3, 2), t(2)),
    "det": lambda T, t: T.linalg.det(t(3, 3, kind="spd")),
    "matrix_exp": lambda T, t: T.linalg.matrix_exp(t(3, 3)),
    "fft": lambda T, t: T.fft.fft(t(4)),
    "irfft": lambda T, t: T.fft.irfft(t(4)),
    "stft": lambda T, t: T.stft(t(8), 4, return_complex=True),
    # in-place ops are not autocast
    "addmm_": lambda T, t: t(3, 2).addmm_(t(3, 4), t(4, 2)),
    "exp_": lambda T, t: t(3).exp_(),
}

# variants: the dtypes of the inputs in turn ("L": the autocast dtype). "lowfirst" tells the
# lists apart in one call for most ops: a lower-precision op returns L from (L, float32), a
# float32 op float32 from L, a promoting op float32; "f32" and "low" are run where it cannot.
VARIANTS = {"lowfirst": ("L", "float32"), "f32": ("float32",), "low": ("L",),
            "f64": ("float64",)}
F32 = set("""mm linear sdpa affine_grid einsum_transpose matrix_power matrix_power_1 addmm_
    exp_""".split())
LOW = set("""mse_loss l1_loss smooth_l1_loss huber_loss cross_entropy_probs bce bce_logits
    kl_div poisson_nll_loss gaussian_nll_loss cosine_embedding_loss margin_ranking_loss
    multilabel_soft_margin_loss triplet_margin_loss layer_norm group_norm batch_norm rms_norm
    cosine_similarity pairwise_distance dist cdist grid_sample""".split())
F16 = set("""mm linear einsum exp softmax cross_entropy prod cat avg_pool3d reflect_pad1d
    fft""".split())

# where we differ from PyTorch, out of autocast's reach: these functions check their inputs'
# dtypes in Python before the op (and its autocast cast) runs
_EARLY_CHECK = "the function refuses a lower-precision input before autocast casts it"
KNOWN = {("vecdot", "lowfirst"): _EARLY_CHECK, ("index_copy", "lowfirst"): _EARLY_CHECK,
         ("cdist", "low"): _EARLY_CHECK, ("cdist", "lowfirst"): _EARLY_CHECK,
         ("eigh", "lowfirst"): _EARLY_CHECK,
         ("svd", "lowfirst"): _EARLY_CHECK, ("householder", "lowfirst"): _EARLY_CHECK,
         ("lstsq", "lowfirst"): _EARLY_CHECK, ("cholesky_solve", "lowfirst"): _EARLY_CHECK,
         ("matrix_exp", "lowfirst"): "matrix_exp of a bfloat16/float16 input raises TypeError"}
# ops that autocast leaves alone, whose PyTorch kernels refuse mixed bfloat16/float32 inputs
# (m1 and m2 of one dtype, ...) where torchlike's promote them and compute
_MIXED_OK = "torchlike promotes mixed floating inputs where PyTorch's kernel raises"
KNOWN.update({(n, "lowfirst"): _MIXED_OK for n in (
    "addmv", "mv", "inner", "inner_1d", "tensordot", "bilinear", "cross", "pdist",
    "layer_norm", "group_norm", "batch_norm")})


def _sweep():
    for name in CASES:
        todo = [("bfloat16", "lowfirst")]
        todo += [("bfloat16", "f32")] if name in F32 else []
        todo += [("bfloat16", "low")] if name in LOW else []
        todo += [("float16", "lowfirst")] if name in F16 else []
        for low, variant in todo:
            why = KNOWN.get((name, variant))
            marks = [pytest.mark.xfail(reason=why, strict=True)] if why else []
            yield pytest.param(name, low, variant, marks=marks, id=f"{name}-{low}-{variant}")


def _run(T, fn, variant, low, device="cpu", make=None):
    dts = tuple(low if d == "L" else d for d in VARIANTS[variant])
    return fn(T, Maker(T, dts, device, make))


def _host(r, T):
    """(dtype name, values) of a result; ('error', type name) of an exception."""
    if isinstance(r, BaseException):
        return ("error", type(r).__name__)
    kind = complex if r.is_complex() else float if r.is_floating_point() else None
    return (str(r.dtype).split(".")[-1], np.array(r.detach().tolist(), dtype=kind))


def _call(T, dev, low, fn, variant):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with T.autocast(dev, dtype=getattr(T, low)):
                return _run(T, fn, variant, low, dev)
        except Exception as e:  # noqa: BLE001 (an error is compared as a result)
            return e


def _same(want, got, low, name):
    assert got[0] == want[0], (name, got, want)
    if want[0] == "error":
        return
    w, g = want[1], got[1]
    assert g.shape == w.shape, name
    # results rounded to the low dtype, or computed from inputs that were, can differ by a few
    # of its units in the last place (bfloat16: 8 bits of mantissa)
    tol = 3e-2 if low == "bfloat16" else 4e-3
    scale = max(1.0, float(np.abs(w).max(initial=0)))
    np.testing.assert_allclose(g, w, rtol=tol, atol=tol * scale, err_msg=name)


@pytest.mark.parametrize("name,low,variant", list(_sweep()))
def test_cpu_policy(name, low, variant):
    fn = CASES[name]
    want = _host(_call(torch, "cpu", low, fn, variant), torch)
    got = _host(_call(tl, "cpu", low, fn, variant), tl)
    _same(want, got, low, name)  # (where PyTorch raises, torchlike must raise too)


def test_float64_inputs_are_not_cast():
    # float64 is never eligible: a sample of each list
    for name in ("mm", "linear", "exp", "softmax", "mse_loss", "prod", "cat", "addcmul"):
        want = _host(_call(torch, "cpu", "bfloat16", CASES[name], "f64"), torch)
        got = _host(_call(tl, "cpu", "bfloat16", CASES[name], "f64"), tl)
        _same(want, got, "float64", name)


# ---- gradients and modules ----

def _leaves(T, shapes, dtype="float32"):
    return [T.tensor(_data(*s) - 0.4, dtype=getattr(T, dtype),
                     requires_grad=True) for s in shapes]


GRAD_CASES = {
    "mm_softmax": ([(3, 4), (4, 2)], lambda T, a, b: T.softmax(a @ b, -1)[:, 0].sum()),
    "linear_mse": ([(3, 4), (2, 4), (3, 2)],
                   lambda T, x, w, y: _F(T).mse_loss(_F(T).linear(x, w), y)),
    "bmm_exp_sum": ([(2, 2, 3), (2, 3, 2)], lambda T, a, b: (T.bmm(a, b).exp() * 0.5).sum()),
    "layer_norm_ce": ([(2, 3), (3,)], lambda T, x, w: _F(T).cross_entropy(
        _F(T).layer_norm(x @ x.t() @ x, (3,), w), T.tensor([0, 2]))),
    "cat_mul": ([(2,), (2,)], lambda T, a, b: (T.cat([(a[None] @ b[:, None]).reshape(1), b])
                                              * 3).sum()),
}


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
@pytest.mark.parametrize("name", GRAD_CASES)
def test_gradients(name, dtype):
    # a leaf's gradient keeps the leaf's dtype, whatever dtype autocast ran its ops in
    shapes, fn = GRAD_CASES[name]

    def run(T):
        xs = _leaves(T, shapes, dtype)
        with T.autocast("cpu"):
            out = fn(T, *xs)
        out.float().backward()
        return [out] + [x.grad for x in xs]

    for w, g in zip(run(torch), run(tl)):
        _same(_host(w, torch), _host(g, tl), "bfloat16", name)


def _module_pair(make):
    torch.manual_seed(0)
    m = make(torch)
    ours = make(tl)
    ours.load_state_dict({k: tl.tensor(v.detach().numpy()) for k, v in m.state_dict().items()})
    return m, ours


def _out(r):
    if isinstance(r, (tuple, list)):
        return [_out(x) for x in r if x is not None]
    return r


MODULES = {
    "linear": (lambda T: T.nn.Linear(4, 3), (2, 4), None),
    "conv1d": (lambda T: T.nn.Conv1d(2, 3, 3), (1, 2, 6), None),
    "conv2d_bn_relu": (lambda T: T.nn.Sequential(T.nn.Conv2d(2, 3, 3), T.nn.BatchNorm2d(3),
                                                 T.nn.ReLU()), (2, 2, 4, 4), None),
    "lstm": (lambda T: T.nn.LSTM(3, 4, batch_first=True), (2, 3, 3), ("bfloat16",)),
    "gru": (lambda T: T.nn.GRU(3, 4), (2, 3, 3), ("bfloat16",)),
    "rnn": (lambda T: T.nn.RNN(3, 4), (2, 3, 3), None),
    "mha": (lambda T: T.nn.MultiheadAttention(4, 2), (3, 2, 4), None),
    "layer_norm": (lambda T: T.nn.Sequential(T.nn.Linear(3, 3), T.nn.LayerNorm(3)), (2, 3),
                   None),
    "batch_norm_eval": (lambda T: T.nn.Sequential(T.nn.Linear(3, 3),
                                                  T.nn.BatchNorm1d(3)).eval(), (2, 3), None),
    "embedding_linear": (lambda T: T.nn.Sequential(T.nn.Embedding(5, 3), T.nn.Linear(3, 2)),
                         None, None),
    "encoder_layer": (lambda T: T.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), (3, 2, 4),
                      ("bfloat16",)),
}


@pytest.mark.parametrize("name,low", [(n, low) for n in MODULES for low in ("bfloat16", "float16")
                                      if MODULES[n][2] is None or low in MODULES[n][2]])
def test_modules(name, low):
    # (modules whose PyTorch CPU kernel does not run in a dtype are not tried in it)
    make, shape, lows = MODULES[name]
    m, ours = _module_pair(make)
    for T, mod in ((torch, m), (tl, ours)):
        x = (T.tensor([[0, 3, 4], [1, 2, 0]]) if shape is None else
             T.tensor(_data(*shape), dtype=T.float32))
        with T.autocast("cpu", dtype=getattr(T, low)):
            r = mod(x, x, x) if name == "mha" else mod(x)
            r = _out(r)
            if T is torch:
                want = r
            else:
                got = r

    def flat(r):
        return [y for x in r for y in flat(x)] if isinstance(r, list) else [r]

    for w, g in zip(flat(want), flat(got), strict=True):
        _same(_host(w, torch), _host(g, tl), low, name)


LOSS_MODULES = ["CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "BCEWithLogitsLoss",
                "SmoothL1Loss", "KLDivLoss"]


def test_loss_modules_run_in_float32():
    def run(T):
        lin = T.nn.Linear(3, 3)
        with T.no_grad():
            lin.weight.copy_(T.tensor(_data(3, 3), dtype=T.float32))
            lin.bias.zero_()
        x = T.tensor(_data(2, 3), dtype=T.float32)
        out = []
        with T.autocast("cpu"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (KLDivLoss's reduction='mean' warning)
            h = lin(x)
            for name in LOSS_MODULES:
                target = T.tensor([0, 2]) if name in ("CrossEntropyLoss", "NLLLoss") else x
                out.append(getattr(T.nn, name)()(h, target))
        return out

    for name, w, g in zip(LOSS_MODULES, run(torch), run(tl)):
        _same(_host(w, torch), _host(g, tl), "bfloat16", name)


# ---- the autocast API ----

def _outcome(thunk, lib):
    """What a call did: its result (repr, with the library's name neutralised), its warnings
    (category and message) or its exception (type and message)."""
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            r = thunk()
            res = ("ok", repr(r) if not isinstance(r, lib.autocast) else type(r).__name__)
        except Exception as e:  # noqa: BLE001
            res = ("raise", type(e).__name__, str(e))
    msgs = [(w.category.__name__, str(w.message).split(" (Triggered internally")[0])
            for w in ws]
    return res, msgs


def _restore(T):
    T.set_autocast_enabled("cpu", False)
    T.set_autocast_enabled("cuda", False)
    T.set_autocast_dtype("cpu", T.bfloat16)
    T.set_autocast_dtype("cuda", T.float16)
    T.set_autocast_cache_enabled(True)
    while T.autocast_decrement_nesting() > 0:
        pass
    T.autocast_increment_nesting()  # (back to 0)


API = [
    "T.is_autocast_enabled()", "T.is_autocast_enabled('cpu')", "T.is_autocast_enabled('xla')",
    "T.is_autocast_enabled('foo')", "T.is_autocast_enabled(1)", "T.is_autocast_enabled('cpu', 1)",
    "T.is_autocast_enabled('cuda:0')",
    "T.get_autocast_dtype('cpu')", "T.get_autocast_dtype('cuda')", "T.get_autocast_dtype('xpu')",
    "T.get_autocast_dtype('hpu')", "T.get_autocast_dtype('meta')", "T.get_autocast_dtype('foo')",
    "T.get_autocast_cpu_dtype()", "T.get_autocast_gpu_dtype()", "T.is_autocast_cpu_enabled()",
    "T.is_autocast_cache_enabled()",
    "(T.set_autocast_cpu_dtype(T.float16), T.get_autocast_dtype('cpu'))",
    "(T.set_autocast_cpu_enabled(True), T.is_autocast_enabled('cpu'), "
    "T.is_autocast_cpu_enabled())",
    "(T.set_autocast_enabled(True), T.is_autocast_enabled(), T.is_autocast_enabled('cuda'))",
    "(T.set_autocast_enabled('cpu', True), T.is_autocast_enabled('cpu'), "
    "(T.ones(2, 2) @ T.ones(2, 2)).dtype)",
    "(T.set_autocast_enabled('cpu', True), T.set_autocast_dtype('cpu', T.float16), "
    "(T.ones(2, 2) @ T.ones(2, 2)).dtype)",
    "(T.set_autocast_dtype('cpu', T.float32), T.get_autocast_dtype('cpu'))",
    "(T.set_autocast_gpu_dtype(T.bfloat16), T.get_autocast_dtype('cuda'))",
    "[T.autocast_increment_nesting(), T.autocast_increment_nesting(), "
    "T.autocast_decrement_nesting(), T.autocast_decrement_nesting()]",
    "(T.set_autocast_cache_enabled(False), T.is_autocast_cache_enabled())",
    "T.clear_autocast_cache()",
    "T.set_autocast_enabled('foo', True)", "T.set_autocast_dtype('foo', T.float16)",
    "T.set_autocast_enabled(1, True)", "T.set_autocast_enabled('cpu')",
    "T.set_autocast_enabled()", "T.set_autocast_enabled('cpu', 1)",
    "T.amp.is_autocast_available('cpu')", "T.amp.is_autocast_available('cuda')",
    "T.amp.is_autocast_available('mps')", "T.amp.is_autocast_available('meta')",
    "T.amp.is_autocast_available('foo')",
    "T.autocast('cuda')", "T.autocast('cpu', dtype=T.float32)",
    "T.autocast('cpu', dtype=T.float64, enabled=False)", "T.autocast(T.device('cpu'))",
    "T.autocast('meta')", "T.autocast('foo')", "T.autocast('xpu')._enabled",
    "T.autocast('cpu', dtype=T.int32)._enabled", "T.cpu.amp.autocast()",
    "T.cuda.amp.autocast()", "T.cpu.amp.autocast(dtype=T.float32)._enabled",
    "T.autocast('cpu')(3)",
    "[T.autocast('cpu').fast_dtype, T.autocast('cpu')._enabled, T.autocast('cpu').device, "
    "T.autocast('cpu')._cache_enabled, T.autocast('cpu', cache_enabled=False)._cache_enabled]",
    "[T.autocast('cuda').fast_dtype, T.autocast('cuda')._enabled]",
    "[T.cpu.amp.autocast().fast_dtype, T.cpu.amp.autocast(enabled=False)._enabled]",
    "isinstance(T.cuda.amp.autocast(), T.autocast)",
    "T.amp.custom_fwd(device_type=1)", "T.amp.custom_fwd()", "T.amp.custom_bwd()",
    "T.amp.custom_bwd(device_type=None)",
    "T.cuda.amp.custom_fwd(lambda ctx, x: x).__name__",
    "T.cuda.amp.custom_bwd(lambda ctx, x: x).__name__",
    "type(T.cuda.amp.custom_fwd(cast_inputs=T.float32)).__name__",
]


@pytest.mark.parametrize("expr", API)
def test_api(expr):
    outcomes = []
    for T in (torch, tl):
        _restore(T)
        try:
            outcomes.append(_outcome(lambda: eval(expr, {"T": T}), T))
        finally:
            _restore(T)
    assert outcomes[1] == outcomes[0]


def _scenario(T):
    """Autocast state seen through nesting, enabled=False inside, decorators and exceptions."""
    log = []

    def state():
        return (T.is_autocast_enabled("cpu"), str(T.get_autocast_dtype("cpu")),
                T.is_autocast_cache_enabled(), str((T.ones(2, 2) @ T.ones(2, 2)).dtype))

    log.append(state())
    with T.autocast("cpu"):
        log.append(state())
        with T.autocast("cpu", dtype=T.float16, cache_enabled=False):
            log.append(state())
            with T.autocast("cpu", enabled=False):
                log.append(state())
            log.append(state())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with T.autocast("cpu", dtype=T.float32):  # unsupported: warns, disables
                log.append(state())
        log.append(state())
    log.append(state())
    try:
        with T.autocast("cpu", dtype=T.float16):
            raise KeyError("x")
    except KeyError:
        log.append(state())

    @T.autocast("cpu")
    def f(x):
        return state(), (x @ x).dtype

    log.append(f(T.ones(2, 2)))
    log.append(state())
    ac = T.autocast("cpu", dtype=T.float16)

    @ac
    def g():
        return state()

    log.append((g(), g()))
    with ac:
        log.append(state())
    log.append(state())
    # one autocast object entered twice, nested (its saved state is overwritten, as in PyTorch)
    with ac:
        with ac:
            log.append(state())
        log.append(state())
    log.append(state())
    _restore(T)
    return [repr(x).replace("torch.", "") for x in log]


def test_nesting_and_decorators():
    assert _scenario(tl) == _scenario(torch)


def _custom_function(T, device_type, cast_inputs):
    class F(T.autograd.Function):
        @staticmethod
        @T.amp.custom_fwd(device_type=device_type, cast_inputs=cast_inputs)
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a @ b, T.is_autocast_enabled("cpu")

        @staticmethod
        @T.amp.custom_bwd(device_type=device_type)
        def backward(ctx, grad, _):
            a, b = ctx.saved_tensors
            return (grad @ b.t()) * T.is_autocast_enabled("cpu"), grad.t() @ a

    return F


@pytest.mark.parametrize("cast_inputs", [None, "float32"])
@pytest.mark.parametrize("enabled", [True, False])
def test_custom_fwd_bwd(cast_inputs, enabled):
    def run(T):
        F = _custom_function(T, "cpu", cast_inputs and getattr(T, cast_inputs))
        a = T.tensor([[0.5, 1.5], [2.0, -1.0]], requires_grad=True)
        b = T.tensor([[1.0, 0.25], [-0.5, 2.0]], requires_grad=True)
        with T.autocast("cpu", enabled=enabled):
            out, on = F.apply(a, b.to(T.bfloat16) if enabled else b)
        out.float().sum().backward()
        return [str(out.dtype), on, str(a.grad.dtype), a.grad.tolist(), str(b.grad.dtype),
                b.grad.tolist()]

    assert run(tl) == run(torch)


def test_inplace_and_out_of_region_results():
    # in-place ops are not autocast; a lower-precision result mixes with float32 after the
    # region by ordinary promotion
    def run(T):
        a = T.tensor([[1.0, 2.0], [3.0, 4.0]]) / 3
        with T.autocast("cpu"):
            h = a @ a
            c = a.clone().addmm_(a, a)
        return [str(h.dtype), str((h + a).dtype), str(c.dtype), c.tolist()]

    assert run(tl) == run(torch)


def test_autocast_inside_compile():
    w = tl.tensor(_data(4, 3), dtype=tl.float32, requires_grad=True)

    def step(x):
        with tl.autocast("cpu"):
            h = x @ w
            loss = tl.nn.functional.mse_loss(h, tl.zeros(2, 3))
        return h, loss

    x = tl.tensor(_data(2, 4), dtype=tl.float32)
    eager = step(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compiled = tl.compile(step)(x)
    assert [str(t.dtype) for t in compiled] == [str(t.dtype) for t in eager] == \
        ["torch.bfloat16", "torch.float32"]
    for c, e in zip(compiled, eager):
        np.testing.assert_allclose(c.float().detach().numpy(), e.float().detach().numpy(),
                                   rtol=1e-2)


# ---- CUDA: PyTorch's policy read from fake CUDA tensors, ours on emulated CUDA devices ----

# (PyTorch's fake CUDA tensors cannot run these; bce is refused under CUDA autocast)
# (PyTorch's fake tensors cannot run some; for others their meta functions skip the dtype
# checks the CUDA kernels make, so they give a dtype where CUDA raises)
_CUDA_SKIP = {"bce", "batch_norm", "grid_sample", "gaussian_nll_loss", "lstsq", "stft", "cross",
              "index_copy", "eigh", "svd", "det", "matrix_exp", "householder",
              "cholesky_solve"}
# where we differ from PyTorch's CUDA autocast, out of autocast's reach
CUDA_KNOWN = {"float16/lowfirst/multi_dot": _EARLY_CHECK,
              "float16/lowfirst/vecdot": _EARLY_CHECK,
              "float16/lowfirst/scatter_add": _EARLY_CHECK,
              "float16/lowfirst/cdist": _EARLY_CHECK, "bfloat16/low/cdist": _EARLY_CHECK,
              "float16/lowfirst/fft": "no complex32 (PyTorch's half-precision FFT)",
              "float16/lowfirst/irfft": "no complex32 (PyTorch's half-precision FFT)",
              "float16/lowfirst/addmm_": "addmm refuses mixed dtypes as PyTorch's CPU kernel "
                                         "does; PyTorch's CUDA in-place addmm_ accepts them"}


def _cuda_sweep():
    for name in CASES:
        if name not in _CUDA_SKIP:
            yield "float16", "lowfirst", name
            if name in F32:
                yield "float16", "f32", name
            if name in LOW:
                yield "bfloat16", "low", name


def _dtype_names(r):
    if isinstance(r, BaseException):
        return "error"
    return str(r.dtype).split(".")[-1]


def _torch_cuda_dtypes():
    """PyTorch's CUDA autocast output dtypes, from FakeTensors on a 'cuda' device (their
    dispatch keys are CUDA's, so the CUDA autocast kernels run on a CPU-only build)."""
    from torch._subclasses.fake_tensor import FakeTensor, FakeTensorMode

    mode = FakeTensorMode(allow_non_fake_inputs=True)

    def make(v, dt):
        return FakeTensor(mode, torch.tensor(v, dtype=getattr(torch, dt), device="meta"),
                          torch.device("cuda"))

    out = {}
    logging.disable(logging.CRITICAL)  # (fake tensors log the errors they re-raise)
    prev = torch.is_autocast_enabled("cuda"), torch.get_autocast_dtype("cuda")
    try:
        for low, variant, name in _cuda_sweep():
            torch.set_autocast_enabled("cuda", True)
            torch.set_autocast_dtype("cuda", getattr(torch, low))
            try:
                with mode, warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    r = _run(torch, CASES[name], variant, low, make=make)
            except Exception as e:  # noqa: BLE001
                r = e
            out[f"{low}/{variant}/{name}"] = _dtype_names(r)
        torch.set_autocast_dtype("cuda", torch.float16)
        try:
            with mode:
                _run(torch, CASES["bce"], "f32", "float16", make=make)
        except RuntimeError as e:
            out["bce"] = str(e)
    finally:
        torch.set_autocast_enabled("cuda", prev[0])
        torch.set_autocast_dtype("cuda", prev[1])
        logging.disable(logging.NOTSET)
    return out


def _emulated_cuda_main():
    """Run in a subprocess with emulated CUDA: our output dtypes of the CUDA sweep, as JSON."""
    out = {}
    for low, variant, name in _cuda_sweep():
        out[f"{low}/{variant}/{name}"] = _dtype_names(_call(tl, "cuda", low, CASES[name],
                                                            variant))
    with tl.autocast("cuda"):  # binary_cross_entropy is refused under CUDA autocast
        try:
            CASES["bce"](tl, Maker(tl, ("float32",), "cuda"))
        except RuntimeError as e:
            out["bce"] = str(e)
    print("RESULT" + json.dumps(out))


_PROC = []


@pytest.fixture(scope="module", autouse=True)
def _start_emulated_cuda(request):
    # the emulated CUDA sweep runs in a subprocess alongside this module's other tests
    if any(item.name == "test_cuda_policy_on_emulated_devices" for item in
           request.session.items):
        _PROC.append(_spawn_emulated_cuda())
    yield
    for p in _PROC:
        if p.poll() is None:
            p.kill()


def _spawn_emulated_cuda():
    env = dict(os.environ, TORCHLIKE_EMULATE_CUDA="1",
               XLA_FLAGS="--xla_force_host_platform_device_count=2", JAX_PLATFORMS="cpu")
    code = ("import jax, os; jax.config.update('jax_compilation_cache_dir', os.path.join("
            "os.path.expanduser('~'), '.cache', 'torchlike', 'jax')); "
            "jax.config.update('jax_persistent_cache_min_compile_time_secs', 0.2); "
            "import tests.test_autocast_oracle as m; m._emulated_cuda_main()")
    return subprocess.Popen([sys.executable, "-c", code], cwd=os.path.dirname(HERE), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_cuda_policy_on_emulated_devices():
    proc = _PROC.pop() if _PROC else _spawn_emulated_cuda()
    want = _torch_cuda_dtypes()
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-5000:]
    got = json.loads(out[out.index("RESULT") + 6:])
    assert got.pop("bce") == want.pop("bce")
    diffs = {k: (got[k], w) for k, w in want.items() if w != "error" and got[k] != w}
    assert set(CUDA_KNOWN) <= set(diffs), f"now as PyTorch: {set(CUDA_KNOWN) - set(diffs)}"
    diffs = {k: v for k, v in diffs.items() if k not in CUDA_KNOWN}
    assert not diffs, "\n".join(f"{k}: ours {g}, PyTorch {w}" for k, (g, w) in diffs.items())
