"""Loss functionals and modules against real PyTorch: values, dtypes, gradients, errors."""

import warnings

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()
import torchlike as tl  # noqa: E402
import torchlike.nn.functional as F  # noqa: E402
from torchlike.nn.modules import loss as L  # noqa: E402

TF = torch.nn.functional
rng = np.random.default_rng(0)


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def _pair(a, grad):
    if not isinstance(a, np.ndarray):
        return a, a
    rg = grad and a.dtype.kind == "f"
    return torch.tensor(a, requires_grad=rg), tl.tensor(a, requires_grad=rg)


def check(name, args, kwargs=None, grad=(0,), tol=1e-5):
    """Call torch's and torchlike's F.<name>; compare values, dtype and gradients."""
    kwargs = kwargs or {}
    pairs = [_pair(a, i in grad) for i, a in enumerate(args)]
    tkw, lkw = {}, {}
    for k, v in kwargs.items():
        tkw[k], lkw[k] = _pair(v, False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out_t = getattr(TF, name)(*[p[0] for p in pairs], **tkw)
        out_l = getattr(F, name)(*[p[1] for p in pairs], **lkw)
    assert tuple(out_l.shape) == tuple(out_t.shape)
    assert str(out_l.dtype) == str(out_t.dtype)
    np.testing.assert_allclose(out_l.detach().numpy(), out_t.detach().numpy(), rtol=tol, atol=tol)
    if not out_t.requires_grad:
        return
    ct = r(*out_t.shape)
    out_t.backward(torch.tensor(ct))
    out_l.backward(tl.tensor(ct))
    for pt, pl in pairs:
        if isinstance(pt, torch.Tensor) and pt.requires_grad:
            np.testing.assert_allclose(pl.grad.numpy(), pt.grad.numpy(), rtol=tol, atol=tol)


X, Y = r(3, 4), r(3, 4)
T = np.array([1, 0, 3])
W4 = np.abs(r(4)) + 0.1
P = np.abs(r(3, 4))
P /= P.sum(1, keepdims=True)
PROB = 1 / (1 + np.exp(-X))
U = rng.random((3, 4)).astype(np.float32)
SIGN = np.sign(Y)
RED = ["none", "mean", "sum"]


@pytest.mark.parametrize("reduction", RED)
def test_regression_losses(reduction):
    kw = {"reduction": reduction}
    check("l1_loss", [X, Y], kw, grad=(0, 1))
    check("mse_loss", [X, Y], kw, grad=(0, 1))
    check("mse_loss", [X, Y], dict(kw, weight=np.abs(Y)), grad=(0, 1))
    check("smooth_l1_loss", [X, Y], dict(kw, beta=0.5), grad=(0, 1))
    check("huber_loss", [X, Y], dict(kw, delta=0.3), grad=(0, 1))
    check("soft_margin_loss", [X, SIGN], kw)
    check("poisson_nll_loss", [X, np.abs(Y) * 3], dict(kw, full=True), grad=(0, 1))
    check("gaussian_nll_loss", [X, Y, np.abs(r(3, 1))], dict(kw, full=True), grad=(0, 1, 2))


def test_l1_loss_gradient_zero_where_input_equals_target():
    # PyTorch's gradient is sgn(input - target): 0 at exact matches (jnp.abs's would be 1)
    y = Y.copy()
    y[0, :2] = X[0, :2]
    check("l1_loss", [X, y], {}, grad=(0, 1))
    check("l1_loss", [X, y], {"reduction": "sum"}, grad=(0, 1))


def test_regression_options():
    check("l1_loss", [X, Y], {"weight": np.abs(Y)}, grad=(0, 1))
    check("mse_loss", [X, r(4)], {}, grad=(0, 1))  # broadcasting target
    check("smooth_l1_loss", [X, Y], {"beta": 0.0})
    check("huber_loss", [X, Y], {"weight": np.abs(Y)})
    check("poisson_nll_loss", [np.abs(X), np.abs(Y)], {"log_input": False, "eps": 1e-3})
    check("gaussian_nll_loss", [X, Y, np.abs(r(3))], {}, grad=(0, 1, 2))
    check("gaussian_nll_loss", [X, Y, 1e-9 + np.abs(r(3, 4)) * 1e-7], {}, grad=(0, 1, 2))
    check("gaussian_nll_loss", [X, Y, 0.5], {})
    for reduction in ["batchmean", "sum", "mean"]:
        check("kl_div", [X, np.abs(Y)], {"reduction": reduction}, grad=(0, 1))
    check("kl_div", [X, Y], {"reduction": "none", "log_target": True}, grad=(0, 1))


@pytest.mark.parametrize("reduction", RED)
def test_classification_losses(reduction):
    kw = {"reduction": reduction}
    check("cross_entropy", [X, T], dict(kw, weight=W4, ignore_index=0, label_smoothing=0.2))
    check("cross_entropy", [X, P], dict(kw, weight=W4, label_smoothing=0.1), grad=(0, 1))
    check("nll_loss", [X, T], dict(kw, weight=W4, ignore_index=3))
    check("binary_cross_entropy", [PROB, U], dict(kw, weight=W4), grad=(0, 1))
    check(
        "binary_cross_entropy_with_logits", [X, U], dict(kw, weight=W4, pos_weight=W4), grad=(0, 1)
    )
    check("multilabel_soft_margin_loss", [X, (U > 0.5) * np.float32(1)], dict(kw, weight=W4))
    mt = np.array([[3, 0, -1, 1], [1, 2, 3, 0], [-1, 1, 2, 0]])
    check("multilabel_margin_loss", [X, mt], kw)
    check("multi_margin_loss", [X, T], dict(kw, p=2, margin=0.7, weight=W4))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_derivatives_match_torch(reduction):
    """Class-index cross entropy has a closed-form derivative (softmax - one-hot): first
    order over weights, ignored classes and extra dims, second order and forward mode."""
    x = rng.standard_normal((4, 3, 2))
    t = np.array([[0, 2], [1, 1], [2, 0], [1, 2]])
    w = np.array([0.5, 2.0, 1.5])
    for kw in ({}, {"weight": w, "ignore_index": 1}):
        for xs, ts in ((x, t), (x[:, :, 0], t[:, 0]), (x[0, :, 0], t[0, 0])):
            outs = []
            for m in (torch, tl):
                xm = m.tensor(xs, requires_grad=True)
                kwm = {k: m.tensor(v) if k == "weight" else v for k, v in kw.items()}
                loss = m.nn.functional.cross_entropy(xm, m.tensor(ts), reduction=reduction,
                                                     **kwm)
                g, = m.autograd.grad(loss.sum(), xm, create_graph=True)
                gg, = m.autograd.grad((g * g).sum(), xm)  # second order
                vec = m.tensor(np.cos(np.arange(xs.size)).reshape(xs.shape))
                _, jv = m.func.jvp(lambda a, m=m, kwm=kwm: m.nn.functional.cross_entropy(
                    a, m.tensor(ts), reduction=reduction, **kwm), (xm.detach(),), (vec,))
                outs.append([v.detach().numpy() for v in (loss, g, gg, jv)])
            for a, b in zip(*outs):
                np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)


def test_cross_entropy_shapes_and_options():
    check("cross_entropy", [X, T], {})
    check("cross_entropy", [X, T], {"label_smoothing": 0.3})
    check("cross_entropy", [r(4), np.array(2)], {"label_smoothing": 0.1})
    t3 = rng.integers(0, 4, (2, 3, 2))
    check("cross_entropy", [r(2, 4, 3, 2), t3], {"ignore_index": 1, "label_smoothing": 0.1})
    check("cross_entropy", [r(2, 4, 3), P[:2, :, None].repeat(3, 2)], {}, grad=(0, 1))
    check("nll_loss", [r(2, 4, 3, 2), t3], {"reduction": "none"})
    check("cross_entropy", [X.astype(np.float64), T], {"weight": W4.astype(np.float64)})
    check("multi_margin_loss", [r(4), np.array(1)], {})
    check("multilabel_margin_loss", [r(4), np.array([2, -1, 0, 0])], {})


def test_embedding_and_ranking_losses():
    y3 = np.array([1.0, -1.0, 1.0], np.float32)
    for reduction in RED:
        check(
            "cosine_embedding_loss",
            [X, Y, y3],
            {"margin": 0.1, "reduction": reduction},
            grad=(0, 1),
        )
        check(
            "margin_ranking_loss",
            [r(3), r(3), y3],
            {"margin": 0.2, "reduction": reduction},
            grad=(0, 1),
        )
        check("hinge_embedding_loss", [X, SIGN], {"margin": 0.5, "reduction": reduction})
        check(
            "triplet_margin_loss",
            [X, Y, r(3, 4)],
            {"swap": True, "reduction": reduction},
            grad=(0, 1, 2),
        )
    check(
        "cosine_embedding_loss",
        [r(4), r(4), np.array(-1.0, np.float32)],
        {"margin": -0.5},
        grad=(0, 1),
    )
    for p in [1, 3, float("inf")]:
        check("triplet_margin_loss", [X, Y, r(3, 4)], {"p": p, "margin": 0.5}, grad=(0, 1, 2))
    check("triplet_margin_with_distance_loss", [X, Y, r(3, 4)], {"swap": True}, grad=(0, 1, 2))


def test_triplet_with_custom_distance():
    a, p, n = r(3, 4), r(3, 4), r(3, 4)

    def dist(lib):
        return lambda x, y: (x - y).abs().sum(-1)

    ta, tp, tn = (torch.tensor(v, requires_grad=True) for v in (a, p, n))
    la, lp, ln = (tl.tensor(v, requires_grad=True) for v in (a, p, n))
    ot = TF.triplet_margin_with_distance_loss(
        ta, tp, tn, distance_function=dist(torch), swap=True, margin=2.0
    )
    ol = F.triplet_margin_with_distance_loss(
        la, lp, ln, distance_function=dist(tl), swap=True, margin=2.0
    )
    np.testing.assert_allclose(ol.item(), ot.item(), rtol=1e-6)
    ot.backward()
    ol.backward()
    for x, y in ((la, ta), (lp, tp), (ln, tn)):
        np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("concat", [False, True])
def test_ctc_loss(concat):
    T_, N, C = 6, 3, 5
    logits = r(T_, N, C)
    tg = np.array([[1, 2, 2], [3, 4, 1], [2, 1, 1]])
    il, tlen = np.array([6, 5, 1]), np.array([3, 2, 2])  # the last one is infeasible
    targets = np.concatenate([tg[i, : tlen[i]] for i in range(N)]) if concat else tg
    for reduction in RED:
        for zero_infinity in [False, True]:
            xt = torch.tensor(logits, requires_grad=True)
            xl = tl.tensor(logits, requires_grad=True)
            lt = TF.ctc_loss(
                xt.log_softmax(2),
                torch.tensor(targets),
                torch.tensor(il),
                torch.tensor(tlen),
                reduction=reduction,
                zero_infinity=zero_infinity,
            )
            ll = F.ctc_loss(
                xl.log_softmax(2),
                tl.tensor(targets),
                tl.tensor(il),
                tl.tensor(tlen),
                reduction=reduction,
                zero_infinity=zero_infinity,
            )
            np.testing.assert_allclose(ll.detach().numpy(), lt.detach().numpy(), rtol=1e-5)
            if zero_infinity:
                lt.sum().backward()
                ll.sum().backward()
                np.testing.assert_allclose(xl.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_ctc_loss_grad_wrt_log_probs():
    # torch's gradient for log_probs already includes the log_softmax term.
    lp = np.log(np.abs(r(5, 2, 4)) + 0.1)
    tg, il, tlen = np.array([[1, 2], [3, 3]]), [5, 4], [2, 2]
    xt = torch.tensor(lp, requires_grad=True)
    xl = tl.tensor(lp, requires_grad=True)
    TF.ctc_loss(xt, torch.tensor(tg), il, tlen).backward()
    F.ctc_loss(xl, tl.tensor(tg), il, tlen).backward()
    np.testing.assert_allclose(xl.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-6)


def _modules():
    w = W4
    yield "L1Loss", (X, Y), {}
    yield "MSELoss", (X, Y), {"reduction": "sum"}
    yield "CrossEntropyLoss", (X, T), {"weight": w, "label_smoothing": 0.1, "ignore_index": 1}
    yield "NLLLoss", (X, T), {"weight": w}
    yield "BCELoss", (PROB, U), {"weight": w}
    yield "BCEWithLogitsLoss", (X, U), {"weight": w, "pos_weight": w}
    yield "KLDivLoss", (X, Y), {"reduction": "batchmean", "log_target": True}
    yield "SmoothL1Loss", (X, Y), {"beta": 0.5}
    yield "HuberLoss", (X, Y), {"delta": 0.5}
    yield "SoftMarginLoss", (X, SIGN), {}
    yield "MultiLabelSoftMarginLoss", (X, (U > 0.5) * np.float32(1)), {"weight": w}
    yield "MultiMarginLoss", (X, T), {"p": 2, "weight": w}
    yield "PoissonNLLLoss", (X, np.abs(Y)), {"full": True}
    yield "GaussianNLLLoss", (X, Y, np.abs(Y)), {"full": True}
    yield "HingeEmbeddingLoss", (X, SIGN), {"margin": 2.0}
    yield "CosineEmbeddingLoss", (X, Y, np.array([1.0, -1.0, 1.0], np.float32)), {}
    yield "MarginRankingLoss", (r(3), r(3), np.array([1.0, -1.0, 1.0], np.float32)), {}
    yield "TripletMarginLoss", (X, Y, r(3, 4)), {"p": 1.0}
    yield "TripletMarginWithDistanceLoss", (X, Y, r(3, 4)), {"margin": 0.5}


@pytest.mark.parametrize("name,args,kwargs", list(_modules()), ids=lambda v: str(v)[:20])
def test_loss_modules(name, args, kwargs):
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    lkw = {k: tl.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    mt, ml = getattr(torch.nn, name)(**tkw), getattr(L, name)(**lkw)
    sd_t, sd_l = mt.state_dict(), ml.state_dict()
    assert list(sd_l) == list(sd_t)
    for k in sd_t:
        np.testing.assert_array_equal(sd_l[k].numpy(), sd_t[k].numpy())
    ml.load_state_dict({k: tl.tensor(v.numpy()) for k, v in sd_t.items()})
    pairs = [_pair(a, i == 0) for i, a in enumerate(args)]
    out_t = mt(*[p[0] for p in pairs])
    out_l = ml(*[p[1] for p in pairs])
    np.testing.assert_allclose(out_l.detach().numpy(), out_t.detach().numpy(), rtol=1e-5, atol=1e-6)
    out_t.sum().backward()
    out_l.sum().backward()
    for pt, pl in pairs:
        if pt.requires_grad and pt.grad is not None:
            np.testing.assert_allclose(pl.grad.numpy(), pt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_legacy_reduction_args():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for sa, rd in [(False, None), (None, False), (True, True)]:
            check("mse_loss", [X, Y], {"size_average": sa, "reduce": rd})
            check("nll_loss", [X, T], {"size_average": sa, "reduce": rd})
            assert (
                L.MSELoss(size_average=sa, reduce=rd).reduction
                == torch.nn.MSELoss(size_average=sa, reduce=rd).reduction
            )


def _errors():
    yield "nll_loss", (r(3, 4), np.array([1, 2])), {}
    yield "nll_loss", (r(3, 4), np.array([1, 2, 7])), {}
    yield "nll_loss", (r(3, 4), np.array([1, 2, 1], np.int32)), {}
    yield "nll_loss", (r(3, 4), np.array([1.0, 2.0, 1.0], np.float32)), {}
    yield "cross_entropy", (r(3, 4, 5), np.array([1, 2, 1])), {}
    yield "cross_entropy", (r(3, 4), r(3, 5)), {}
    yield "cross_entropy", (r(3, 4), np.array([1, 2, 1])), {"weight": np.ones(3, np.float32)}
    yield "mse_loss", (r(3), r(4)), {}
    yield "l1_loss", (r(3), r(3)), {"reduction": "foo"}
    yield "binary_cross_entropy", (PROB, U * 2), {}
    yield "binary_cross_entropy", (PROB * 2, U), {}
    yield "binary_cross_entropy", (PROB, U[:2]), {}
    yield "binary_cross_entropy_with_logits", (X, U[:2]), {}
    yield "kl_div", (r(3), r(3)), {"reduction": "bad"}
    yield "multi_margin_loss", (r(3, 4), np.array([1, 2, 9])), {}
    yield "multi_margin_loss", (r(3, 4), np.array([1, 2, 3])), {"p": 3}
    yield "margin_ranking_loss", (r(3), r(3, 1), r(3)), {}
    yield "triplet_margin_loss", (r(3, 4), r(3, 4), r(3, 4)), {"margin": -1.0}
    yield "triplet_margin_loss", (r(3, 4), r(3, 4), r(4)), {}
    yield "gaussian_nll_loss", (X, Y, -np.abs(Y)), {}
    yield "gaussian_nll_loss", (X, Y, np.abs(r(2))), {}
    yield "cosine_embedding_loss", (X, Y, np.array(1.0, np.float32)), {}


# Errors that depend on tensor values: checked where values live on the host (CPU), as torch's
# CPU kernels do; on an accelerator torchlike skips the host sync (and gives NaN instead).
_ON_ACCELERATOR = tl.tensor([0.0]).device.type != "cpu"


def _is_value_error(name, args):
    if name == "nll_loss":
        return int(np.max(args[1])) >= args[0].shape[1] and args[1].dtype == np.int64
    if name == "binary_cross_entropy":
        return args[0].shape == args[1].shape and (np.max(args[0]) > 1 or np.max(args[1]) > 1)
    if name == "multi_margin_loss":
        return int(np.max(args[1])) >= args[0].shape[1]
    if name == "gaussian_nll_loss":
        return args[2].shape == args[0].shape and np.min(args[2]) < 0
    return False


@pytest.mark.parametrize("name,args,kwargs", list(_errors()), ids=lambda v: str(v)[:20])
def test_errors_match_torch(name, args, kwargs):
    if _ON_ACCELERATOR and _is_value_error(name, args):
        pytest.skip("value checks run on the host only")
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    lkw = {k: tl.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as et:
            getattr(TF, name)(*[torch.tensor(a) for a in args], **tkw)
        with pytest.raises(Exception) as el:
            getattr(F, name)(*[tl.tensor(a) for a in args], **lkw)
    assert el.type is et.type, (el.value, et.value)


def test_module_constructor_errors():
    for name, kw in [
        ("MultiMarginLoss", {"p": 3}),
        ("TripletMarginLoss", {"margin": 0}),
        ("TripletMarginWithDistanceLoss", {"margin": -1}),
        ("HuberLoss", {"delta": "x"}),
    ]:
        with pytest.raises(Exception) as et:
            getattr(torch.nn, name)(**kw)
        with pytest.raises(Exception) as el:
            getattr(L, name)(**kw)
        assert el.type is et.type


def test_bce_saturated_inputs_give_torchs_finite_gradients():
    x, t = np.array([0.0, 1.0, 0.3, 1e-30], np.float32), np.array([1.0, 0.0, 0.5, 0.2], np.float32)
    check("binary_cross_entropy", [x, t], {"reduction": "sum"}, grad=(0, 1))


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_cross_entropy_half_precision(dtype):
    x, t = r(4, 50) * 5, rng.integers(0, 50, 4)
    xt = torch.tensor(x).to(getattr(torch, dtype)).requires_grad_()
    xl = tl.tensor(x).to(getattr(tl, dtype)).requires_grad_()
    ot = TF.cross_entropy(xt, torch.tensor(t), label_smoothing=0.1)
    ol = F.cross_entropy(xl, tl.tensor(t), label_smoothing=0.1)
    assert str(ol.dtype) == str(ot.dtype)
    np.testing.assert_allclose(float(ol.float().item()), float(ot.float().item()), rtol=1e-2)
    ot.backward()
    ol.backward()
    np.testing.assert_allclose(xl.grad.float().numpy(), xt.grad.float().numpy(), atol=1e-2)


def test_ctc_loss_errors():
    lp = np.log(np.full((4, 2, 3), 1 / 3, np.float32))
    for targets, il, tlen, blank in [
        ([[1, 2], [1, 1]], [4, 4], [2, 2], 5),
        ([[1, 2], [1, 1]], [5, 4], [2, 2], 0),
        ([[1, 2], [1, 1]], [4], [2, 2], 0),
        ([[1, 2], [1, 1]], [4, 4], [3, 2], 0),
        ([1, 2, 1], [4, 4], [2, 2], 0),
    ]:
        for lib, f in ((torch, TF), (tl, F)):
            with pytest.raises(RuntimeError):
                f.ctc_loss(
                    lib.tensor(lp),
                    lib.tensor(targets),
                    lib.tensor(il),
                    lib.tensor(tlen),
                    blank=blank,
                )
