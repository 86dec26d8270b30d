"""The autograd API's semantics against PyTorch: each case runs the same small program under
both libraries and compares results, gradients, requires_grad flags, warning categories and
exception types (not messages)."""

import importlib
import warnings

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()


def _norm(x):
    if isinstance(x, (torch.Tensor, tl.Tensor)):
        a = x.detach()
        return ("T", str(x.dtype).split(".")[-1], tuple(x.shape), bool(x.requires_grad),
                np.asarray(a.resolve_conj().numpy() if hasattr(a, "resolve_conj") else a.numpy()))
    if isinstance(x, (list, tuple)):
        return type(x).__name__, [_norm(y) for y in x]
    if isinstance(x, dict):
        return {k: _norm(v) for k, v in x.items()}
    if isinstance(x, (torch.dtype, tl.dtype)):
        return str(x).split(".")[-1]
    return x


def _outcome(fn, lib):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            r = ("ok", _norm(fn(lib)))
        except Exception as e:  # noqa: BLE001
            r = ("raise", type(e).__name__)
    # (PyTorch's own imports may emit unrelated DeprecationWarnings, e.g. torch.jit.script's)
    cats = sorted({x.category.__name__ for x in w if "jax" not in str(x.filename) and (
        x.category is not DeprecationWarning or "instantiated" in str(x.message))})
    return r, cats


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-7, equal_nan=True)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def check(fn, warn=True):
    want, want_w = _outcome(fn, torch)
    got, got_w = _outcome(fn, tl)
    assert got[0] == want[0], (got, want)
    assert _same(got[1], want[1]), f"\ntorchlike: {got}\npytorch:   {want}"
    if warn:
        assert got_w == want_w, (got_w, want_w)


CASES = {}


def case(f):
    CASES[f.__name__] = f
    return f


def X(lib, rg=True):
    return lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=rg)


def fwd_ad(lib):
    return importlib.import_module(lib.__name__ + ".autograd.forward_ad")


# ---------------------------------------------------------------- torch.autograd.grad
@case
def grad_materialize_with_allow_unused_false(lib):
    x, z = X(lib), X(lib)
    return lib.autograd.grad((x ** 2).sum(), [x, z], materialize_grads=True, allow_unused=False)


@case
def grad_materialize_and_allow_unused(lib):
    x, z = X(lib), X(lib)
    return (lib.autograd.grad((x ** 2).sum(), [x, z], allow_unused=True, retain_graph=True),
            lib.autograd.grad((x ** 2).sum(), [x, z], materialize_grads=True))


@case
def grad_unused_raises(lib):
    x, z = X(lib), X(lib)
    return lib.autograd.grad((x ** 2).sum(), [x, z])


@case
def grad_only_inputs_false_warns(lib):
    x = X(lib)
    return lib.autograd.grad((x ** 2).sum(), x, only_inputs=False)


@case
def grad_is_grads_batched(lib):
    x = X(lib)
    y = (x.sin() * x).sum(0, keepdim=True) + x
    v = lib.arange(6.0, dtype=lib.float64).reshape(2, 3)
    return lib.autograd.grad(y, x, grad_outputs=v, is_grads_batched=True)


@case
def grad_is_grads_batched_bad_shape(lib):
    x = X(lib)
    return lib.autograd.grad(x * 2, x, grad_outputs=lib.ones(2, 2, dtype=lib.float64),
                             is_grads_batched=True)


@case
def grad_complex_scalar_needs_grad_outputs(lib):
    z = lib.tensor([1 + 1j], requires_grad=True)
    return lib.autograd.grad((z * z).sum(), z)


@case
def backward_complex_scalar_needs_gradient(lib):
    z = lib.tensor([1 + 1j], requires_grad=True)
    (z * 2).sum().backward()


@case
def grad_extra_grad_outputs_ignored(lib):
    x = X(lib)
    return lib.autograd.grad([(x * 2).sum()], x, grad_outputs=[lib.tensor(1.0, dtype=lib.float64),
                                                              lib.tensor(1.0, dtype=lib.float64)])


@case
def grad_grad_outputs_checks(lib):
    x = X(lib)
    out = []
    for go in (lib.tensor([1.0, 2.0], dtype=lib.float64), lib.ones(3, dtype=lib.complex128), 2.0):
        try:
            lib.autograd.grad(x * 2, x, grad_outputs=go, retain_graph=True)
            out.append("ok")
        except (RuntimeError, TypeError) as e:
            out.append(type(e).__name__)
    return out


@case
def grad_nonscalar_without_grad_outputs(lib):
    x = X(lib)
    return lib.autograd.grad(x * 2, x)


@case
def grad_create_graph_higher_order(lib):
    x = X(lib)
    (g,) = lib.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (h,) = lib.autograd.grad(g.sum(), x, create_graph=True)
    return g, h, lib.autograd.grad(h.sum(), x)


@case
def grad_of_linear_fn_does_not_require_grad(lib):
    x = X(lib)
    (g,) = lib.autograd.grad((x * 2).sum(), x, create_graph=True)
    r = (g.requires_grad, g.grad_fn is None)
    try:
        lib.autograd.grad(g.sum(), x, allow_unused=True)
        return r, "ok"
    except RuntimeError:
        return r, "raise"


@case
def grad_dict_inputs(lib):
    x, z = X(lib), X(lib)
    return lib.autograd.grad((x * z).sum(), {"x": x, "z": z})


@case
def grad_input_not_requiring_grad(lib):
    x, z = X(lib), X(lib, rg=False)
    return lib.autograd.grad((x * z).sum(), [x, z], allow_unused=True)


@case
def grad_output_not_requiring_grad(lib):
    x, z = X(lib), X(lib, rg=False)
    return lib.autograd.grad((z * 2).sum(), x)


@case
def grad_retain_graph_error_and_retained(lib):
    x = X(lib)
    y = x.exp().sum()
    a = lib.autograd.grad(y, x, retain_graph=True)
    b = lib.autograd.grad(y, x)
    try:
        lib.autograd.grad(y, x)
    except RuntimeError:
        return a, b, "raise"


@case
def second_backward_through_nodes_saving_nothing(lib):
    x = X(lib)
    out = []
    for f in (lambda: (x + 1).sum(), lambda: x.mean(), lambda: lib.cat([x, -x]).sum(),
              lambda: (x * 2).sum(), lambda: (x * x).sum(), lambda: x.exp().sum()):
        y = f()
        y.backward()
        try:
            y.backward()
            out.append("ok")
        except RuntimeError:
            out.append("raise")
    return out, x.grad


# ---------------------------------------------------------------- Tensor.backward
@case
def backward_inputs_nonleaf_retains_and_accumulates(lib):
    x = X(lib)
    y = x * 2
    z = (y * y).sum()
    z.backward(inputs=[y], retain_graph=True)
    r = (y.retains_grad, x.grad)
    z.backward(inputs=[y, x])
    return r, y.grad, x.grad


@case
def backward_inputs_not_requiring_grad(lib):
    x, z = X(lib), X(lib, rg=False)
    (x * x).sum().backward(inputs=[z])


@case
def backward_inputs_prunes_other_hooks(lib):
    x, z = X(lib), X(lib)
    w = z * 2
    seen = []
    w.register_hook(lambda g: seen.append("w"))
    z.register_hook(lambda g: seen.append("z"))
    (x * w).sum().backward(inputs=[x])
    lib.autograd.grad((x * w).sum(), x)
    return seen, x.grad, z.grad


@case
def nonleaf_grad_read_warns(lib):
    x = X(lib)
    y = x * 2
    y.sum().backward()
    return y.grad


@case
def retain_grad_requires_grad(lib):
    X(lib, rg=False).retain_grad()


@case
def retain_grad_follows_inplace(lib):
    x = X(lib)
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    y.sum().backward()
    return y.grad, x.grad


@case
def accumulate_into_grad_with_history(lib):
    x = X(lib)
    (x * x).sum().backward(create_graph=True)
    r = (x.grad.requires_grad,)
    (x * x).sum().backward()
    return r, x.grad


@case
def accumulation_and_leaf_rules(lib):
    x = X(lib)
    for _ in range(2):
        (x * x).sum().backward()
    g = x.grad
    (x * 3).sum().backward()
    out = [g is x.grad, x.grad]
    for f in (lambda: x.add_(1), lambda: x[0:2].mul_(2), lambda: (x * 2).requires_grad_(False),
              lambda: lib.tensor([1, 2]).requires_grad_()):
        try:
            f()
            out.append("ok")
        except RuntimeError:
            out.append("raise")
    return out


@case
def copyslices_and_version_counter(lib):
    leaf = lib.arange(6.0, dtype=lib.float64).reshape(2, 3).requires_grad_()
    yv = lib.ones(3, dtype=lib.float64, requires_grad=True)
    x = leaf.clone()
    x[1] = yv.exp()
    x[:, 0] *= 3
    (x ** 2).sum().backward()
    a = leaf * 1
    b = a * a
    a.add_(1)
    try:
        b.sum().backward()
        err = "ok"
    except RuntimeError:
        err = "raise"
    return leaf.grad, yv.grad, err


# ---------------------------------------------------------------- hooks
@case
def tensor_hook_return_checks(lib):
    out = []
    for h in (lambda g: g[:2], lambda g: g.float(), lambda g: 3.0, lambda g: g * 10):
        x = X(lib)
        x.register_hook(h)
        try:
            (x * x).sum().backward()
            out.append(x.grad)
        except (RuntimeError, TypeError) as e:
            out.append(type(e).__name__)
    return out


@case
def tensor_hook_inplace_change(lib):
    def hook(g):
        g.mul_(2)  # changes the gradient in place, returns None

    x = X(lib)
    x.register_hook(hook)
    (x * 3).sum().backward()
    return x.grad


@case
def tensor_hooks_order_and_removal(lib):
    x = X(lib)
    log = []
    x.register_hook(lambda g: (log.append(("a", g.tolist())), g * 2)[1])
    h = x.register_hook(lambda g: (log.append(("b", g.tolist())), g + 1)[1])
    y = x * 2
    y.register_hook(lambda g: g * 3)
    (y * y).sum().backward()
    h.remove()
    (x * 1).sum().backward()
    return log, x.grad


@case
def post_accumulate_grad_hook_rules(lib):
    x = X(lib)
    seen = []
    x.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.clone()))
    (x * x).sum().backward()
    lib.autograd.grad((x * x).sum(), x)
    out = [seen]
    for f in (lambda: X(lib, rg=False).register_post_accumulate_grad_hook(lambda p: None),
              lambda: (X(lib) * 2).register_post_accumulate_grad_hook(lambda p: None)):
        try:
            f()
        except RuntimeError:
            out.append("raise")
    z = X(lib)
    z.register_post_accumulate_grad_hook(lambda p: p.grad * 2)
    try:
        (z * z).sum().backward()
    except RuntimeError:
        out.append("raise")
    return out


@case
def grad_fn_hooks(lib):
    x = X(lib)
    y = x.exp()
    log = []
    y.grad_fn.register_prehook(lambda go: log.append(("pre", len(go))))
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 2,))
    acc = (x * 2).grad_fn.next_functions[0][0]
    acc.register_hook(lambda gi, go: log.append(("acc", len(gi), len(go))))
    y.sum().backward()
    return log, x.grad


@case
def grad_fn_called_directly(lib):
    x = X(lib)
    y = x * 2
    e = x.exp()
    return y.grad_fn(lib.ones(3, dtype=lib.float64)), e.grad_fn(lib.ones(3, dtype=lib.float64))


# ---------------------------------------------------------------- autograd.Function
def _fn(lib, backward, forward=None, **extra):
    attrs = {"forward": staticmethod(forward or (lambda ctx, a: a * 2)),
             "backward": staticmethod(backward), **extra}
    return type("F", (lib.autograd.Function,), attrs)


@case
def function_grad_fn_class(lib):
    F = _fn(lib, lambda ctx, g: g)
    y = F.apply(X(lib))
    return type(y.grad_fn).__name__, y.grad_fn.name(), type(y.grad_fn) is F._backward_cls


@case
def function_gradient_count_and_type_checks(lib):
    out = []
    for bw in (lambda ctx, g: (g, g), lambda ctx, g: (g, None, None), lambda ctx, g: 1.0,
               lambda ctx, g: g[:2], lambda ctx, g: g.sum(), lambda ctx, g: g.expand(2, 3),
               lambda ctx, g: g.float()):
        F = _fn(lib, bw)
        a = X(lib)
        try:
            F.apply(a).sum().backward()
            out.append(a.grad)
        except (RuntimeError, TypeError) as e:
            out.append(type(e).__name__)
    return out


@case
def function_gradient_for_non_tensor_input(lib):
    F = _fn(lib, lambda ctx, g: (g, g), forward=lambda ctx, a, k: a * k)
    a = X(lib)
    F.apply(a, 2.0).sum().backward()
    return a.grad


@case
def function_mark_dirty(lib):
    def fwd(ctx, a):
        a.mul_(2)
        ctx.mark_dirty(a)
        return a
    F = _fn(lib, lambda ctx, g: g * 2, forward=fwd)
    x = X(lib)
    y = x * 1
    z = F.apply(y)
    r = (z is y, y._version)
    z.sum().backward()
    try:
        F.apply(X(lib))
        leaf = "ok"
    except RuntimeError:
        leaf = "raise"
    return r, x.grad, leaf


@case
def function_saved_tensor_version_check(lib):
    def fwd(ctx, a):
        y = a.exp()
        ctx.save_for_backward(a, y)
        return y

    def bwd(ctx, g):
        a, y = ctx.saved_tensors
        return g * y
    F = _fn(lib, bwd, forward=fwd)
    out = []
    for modify in ("input", "output", None):
        x = X(lib)
        b = x * 1
        y = F.apply(b)
        if modify == "input":
            b.add_(1)
        elif modify == "output":
            y.mul_(2)
        try:
            y.sum().backward()
            out.append(x.grad)
        except RuntimeError:
            out.append("raise")
    return out


@case
def function_saved_output_double_backward(lib):
    def fwd(ctx, a):
        y = a.exp()
        ctx.save_for_backward(y)
        return y
    F = _fn(lib, lambda ctx, g: g * ctx.saved_tensors[0], forward=fwd)
    a = X(lib)
    (g,) = lib.autograd.grad(F.apply(a).sum(), a, create_graph=True)
    return g, lib.autograd.grad(g.sum(), a)


@case
def function_save_non_tensor(lib):
    def fwd(ctx, a):
        ctx.save_for_backward(a, 3)
        return a * 2
    _fn(lib, lambda ctx, g: g, forward=fwd).apply(X(lib))


@case
def function_legacy_instance(lib):
    F = _fn(lib, lambda ctx, g: g)
    f = F()
    return f(X(lib))


@case
def function_vjp_only_and_both(lib):
    F = type("F", (lib.autograd.Function,), {"forward": staticmethod(lambda ctx, a: a * 2),
                                             "vjp": staticmethod(lambda ctx, g: g * 5)})
    a = X(lib)
    F.apply(a).sum().backward()
    G = _fn(lib, lambda ctx, g: g, vjp=staticmethod(lambda ctx, g: g))
    try:
        G.apply(X(lib)).sum().backward()
        both = "ok"
    except RuntimeError:
        both = "raise"
    return a.grad, both


@case
def function_backward_twice_without_saved(lib):
    F = _fn(lib, lambda ctx, g: g * 2)
    a = X(lib)
    y = F.apply(a).sum()
    y.backward()
    y.backward()
    return a.grad


@case
def function_features_that_agree(lib):
    seen = []

    def fwd(ctx, a, b, k):
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(a)
        i = a.argmax()
        ctx.mark_non_differentiable(i)
        return a * b * k, a * 3, i

    def bwd(ctx, g1, g2, gi):
        seen.append((ctx.needs_input_grad, g2 is None, gi is None))
        (a,) = ctx.saved_tensors
        return g1 * 2 * a, None, None
    F = _fn(lib, bwd, forward=fwd)
    a = X(lib)
    y, _, i = F.apply(a, X(lib, rg=False), 2.0)
    y.sum().backward()

    def fwd2(x):
        return x * x

    def setup(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])
    G = _fn(lib, lambda ctx, g: 2 * ctx.saved_tensors[0] * g, forward=fwd2,
            setup_context=staticmethod(setup))
    b = X(lib)
    (g,) = lib.autograd.grad(G.apply(b).sum(), b, create_graph=True)
    return seen, a.grad, i.requires_grad, g, lib.autograd.grad(g.sum(), b)


# ---------------------------------------------------------------- grad modes
@case
def set_grad_enabled_decorator_has_no_lasting_effect(lib):
    @lib.set_grad_enabled(False)
    def f(x):
        return x * 2
    r = lib.is_grad_enabled()
    return r, f(X(lib)).requires_grad, lib.is_grad_enabled()


@case
def set_grad_enabled_rejects_non_bool(lib):
    out = []
    for v in ("yes", 0, None, True):
        try:
            with lib.set_grad_enabled(v):
                out.append(lib.is_grad_enabled())
        except TypeError:
            out.append("TypeError")
    return out


@case
def no_grad_decorates_generators(lib):
    @lib.no_grad()
    def gen():
        yield lib.is_grad_enabled()
        yield lib.is_grad_enabled()
    return [(v, lib.is_grad_enabled()) for v in gen()]


@case
def grad_mode_contexts(lib):
    x = X(lib)
    with lib.no_grad():
        a = x * 2
        with lib.enable_grad():
            b = x * 2
    lib.set_grad_enabled(False)
    c = x * 2
    lib.set_grad_enabled(True)
    with lib.inference_mode():
        d = x * 2
        e = lib.is_inference_mode_enabled()
    return [t.requires_grad for t in (a, b, c, d)], e, lib.is_grad_enabled()


@case
def grad_mode_module_names(lib):
    m = importlib.import_module(lib.__name__ + ".autograd.grad_mode")
    with m.set_multithreading_enabled(False):
        pass
    return [hasattr(m, n) for n in ("no_grad", "enable_grad", "set_grad_enabled",
                                    "inference_mode", "set_multithreading_enabled",
                                    "_DecoratorContextManager")]


@case
def set_detect_anomaly_warns_on_error(lib):
    x = lib.tensor([0.0, 1.0], requires_grad=True)
    lib.autograd.set_detect_anomaly(True)
    try:
        (x.sqrt() * 0).sum().backward()
    finally:
        lib.autograd.set_detect_anomaly(False)


@case
def detect_anomaly_agrees(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    with lib.autograd.detect_anomaly():
        x.sqrt().sum().backward()
        e = lib.is_anomaly_enabled()
    return x.grad, e, lib.is_anomaly_enabled()


# ---------------------------------------------------------------- grad_fn / complex
@case
def graph_structure_that_agrees(lib):
    x = X(lib)
    z = X(lib, rg=False)
    y = (x * z + 1).exp().sum()
    names = []
    fn = y.grad_fn
    while fn is not None:
        names.append(fn.name())
        fn = next((f for f, _ in fn.next_functions if f is not None), None)
    acc = (x * 2).grad_fn.next_functions[0][0]
    return (names, acc.variable is x, [t.requires_grad for t in (x.argmax(), x > 0, x.long(),
                                                                x.sort()[1], x.max(0)[1])])


@case
def complex_wirtinger_gradients(lib):
    out = []
    for f in (lambda z: z.abs().sum(), lambda z: z.real.sum(), lambda z: z.imag.sum(),
              lambda z: z.angle().sum(), lambda z: (z * z.conj()).real.sum(),
              lambda z: (z * (2 - 1j)).real.sum(), lambda z: (1 / z).imag.sum()):
        z = lib.tensor([1 + 2j, -0.5 + 0.3j], dtype=lib.complex128, requires_grad=True)
        f(z).backward()
        out.append(z.grad)
    return out


# ---------------------------------------------------------------- autograd.functional
def _F(lib):
    return lib.autograd.functional


def _A(lib):
    return lib.tensor([[0.5, -1.0], [2.0, 0.3]], dtype=lib.float64)


def _B(lib):
    return lib.tensor([0.7, -0.2], dtype=lib.float64)


@case
def functional_values(lib):
    F = _F(lib)

    def f(x, y):
        return (x @ y).exp(), (x * y).sum()

    def s(x, y):
        return (x @ y).pow(2).sum() + (y ** 3).sum()
    A, B = _A(lib), _B(lib)
    return (F.jacobian(f, (A, B)), F.jacobian(f, (A, B), vectorize=True),
            F.jacobian(lambda t: t.sin() * 2, B, strategy="forward-mode", vectorize=True),
            F.hessian(s, (A, B)), F.vjp(f, (A, B), (B, lib.tensor(2.0, dtype=lib.float64))),
            F.jvp(f, (A, B), (A, B)), F.hvp(s, (A, B), (A, B)), F.vhp(s, (A, B), (A, B)))


@case
def functional_create_graph_flags(lib):
    F = _F(lib)
    x = _B(lib).requires_grad_()
    out = []
    for name in ("vjp", "jvp"):
        o, r = getattr(F, name)(lambda t: t ** 2, x, _B(lib), create_graph=True)
        out.append((o.requires_grad, r.requires_grad))
        o, r = getattr(F, name)(lambda t: t * 2, _B(lib), _B(lib), create_graph=True)
        out.append((o.requires_grad, r.requires_grad))
    for name in ("hvp", "vhp"):
        o, r = getattr(F, name)(lambda t: (t ** 3).sum(), x, _B(lib), create_graph=True)
        out.append((o.requires_grad, r.requires_grad))
        o, r = getattr(F, name)(lambda t: t.sum() * 2, _B(lib), _B(lib), create_graph=True)
        out.append((o.requires_grad, r.requires_grad, r))
    J = F.jacobian(lambda t: t ** 3, x, create_graph=True)
    out.append((J.requires_grad, lib.autograd.grad(J.sum(), x)))
    return out, x.grad


@case
def functional_independent_inputs(lib):
    F = _F(lib)
    B = _B(lib)
    return (F.jacobian(lambda t: lib.ones(2, dtype=lib.float64), B),
            F.jacobian(lambda t: t.argmax(), B),
            F.jacobian(lambda x, y: x.sum() * 1.0, (B, B), create_graph=True),
            F.hvp(lambda x, y: (x ** 2).sum(), (B, B), (B, B)),
            F.vhp(lambda x, y: (x ** 2).sum(), (B, B), (B, B)))


@case
def functional_errors(lib):
    F = _F(lib)
    B = _B(lib)
    calls = [lambda: F.jvp(lambda t: t * 2, B), lambda: F.hvp(lambda t: (t ** 2).sum(), B),
             lambda: F.vjp(lambda t: t * 2, B), lambda: F.vjp(lambda t: t * 2, B, lib.ones(3)),
             lambda: F.jacobian(lambda a, b: a * b, [B, B]),
             lambda: F.jacobian(lambda t: t, B, strategy="foo"),
             lambda: F.jacobian(lambda t: t, B, strategy="forward-mode"),
             lambda: F.jacobian(lambda t: t, B, strict=True, vectorize=True),
             lambda: F.hvp(lambda t: t * 2, B, B),
             lambda: F.vjp(lambda x, y: x * 2, (B, B), B, strict=True),
             lambda: F.jvp(lambda x, y: x * 2, (B, B), (B, B), strict=True),
             lambda: F.hvp(lambda t: t.sum() * 2, B, B, strict=True),
             lambda: F.jacobian(lambda x, y: x * 1.0, (B, B), strict=True),
             lambda: F.hessian(lambda t: t.sum() * 2, B, strict=True)]
    out = []
    for c in calls:
        try:
            c()
            out.append("ok")
        except Exception as e:  # noqa: BLE001
            out.append(type(e).__name__)
    return out, F.jvp(lambda t: t * 2, lib.tensor(3.0, dtype=lib.float64))


# ---------------------------------------------------------------- gradcheck
@case
def gradcheck_cases(lib):
    G = lib.autograd
    B = _B(lib)
    W = _fn(lib, lambda ctx, g: g * 3)
    z = lib.tensor([1 + 2j, 0.5 - 1j], dtype=lib.complex128, requires_grad=True)
    Wc = _fn(lib, lambda ctx, g: g, forward=lambda ctx, t: t * t)

    def fwd3(ctx, t):
        ctx.save_for_backward(t)
        return t ** 3
    W3 = _fn(lib, lambda ctx, g: g * 3 * ctx.saved_tensors[0].detach() ** 2, forward=fwd3)
    out = [G.gradcheck(lambda a, b: (a * b, a + b.sin()), (B.clone().requires_grad_(),
                                                            B.clone().requires_grad_())),
           G.gradcheck(W.apply, (B.clone().requires_grad_(),), raise_exception=False),
           G.gradcheck(lambda t: t * t.conj() + t.exp(), (z,)),
           G.gradcheck(Wc.apply, (z,), raise_exception=False),
           G.gradcheck(lambda t: (t * (1 + 2j)).exp(), (B.clone().requires_grad_(),)),
           G.gradgradcheck(lambda t: t.sin() * t, (B.clone().requires_grad_(),)),
           G.gradgradcheck(W3.apply, (B.clone().requires_grad_(),), raise_exception=False)]
    for c in (lambda: G.gradcheck(lambda t: t * 2, (B,)),
              lambda: G.gradcheck(W.apply, (B.clone().requires_grad_(),))):
        try:
            c()
        except (ValueError, RuntimeError) as e:
            out.append(type(e).__name__)
    return out


@case
def gradcheck_float32_warns(lib):
    return lib.autograd.gradcheck(lambda t: t * 2, (lib.tensor([1.0, 2.0], requires_grad=True),),
                                  raise_exception=False)


@pytest.mark.parametrize("name", list(CASES))
def test_autograd_against_torch(name):
    check(CASES[name])


def test_backward_create_graph_warns_once_per_process():
    # PyTorch warns once per process (its flag cannot be reset here): torchlike's matches
    from torchlike import autograd as ag
    ag._WARNED_CREATE_GRAPH[0] = False
    for lib in (torch, tl):
        x = X(lib)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            (x * x).sum().backward(create_graph=True)
            (x * x).sum().backward(create_graph=True)
        n = [issubclass(i.category, UserWarning) and "create_graph=True" in str(i.message)
             for i in w].count(True)
        assert n <= 1
        if lib is tl:
            assert n == 1
