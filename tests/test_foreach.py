"""torch._foreach_* against PyTorch: values, result types, in-place updates, autograd, errors."""

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()

UNARY = ["abs", "acos", "asin", "atan", "ceil", "cos", "cosh", "erf", "erfc", "exp", "expm1",
         "floor", "frac", "lgamma", "log", "log10", "log1p", "log2", "neg", "reciprocal",
         "round", "rsqrt", "sigmoid", "sign", "sin", "sinh", "sqrt", "tan", "tanh", "trunc"]
A = [np.array([0.25, 0.5, 0.75], np.float32), np.array([[0.1, 0.9], [0.3, 0.6]], np.float32)]
B = [np.array([0.5, 0.2, 0.4], np.float32), np.array([[0.7, 0.2], [0.4, 0.8]], np.float32)]


def lists(m, *arrays):
    return [[m.tensor(a) for a in arr] for arr in arrays]


def check(got, want):
    if isinstance(want, (list, tuple)):
        assert type(got) is type(want), (type(got), type(want))
        assert len(got) == len(want)
        for g, w in zip(got, want):
            check(g, w)
    elif isinstance(want, torch.Tensor):
        assert str(got.dtype) == str(want.dtype) and tuple(got.shape) == tuple(want.shape)
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)
    else:
        assert got == want


def both(fn, *arrays, **kw):
    """fn(module, *lists) under PyTorch and torchlike: same result, same in-place effects."""
    tw, lw = lists(torch, *arrays), lists(tl, *arrays)
    want = fn(torch, *tw, **kw)
    got = fn(tl, *lw, **kw)
    if want is tw[0]:  # an in-place form returns its list
        assert got is lw[0]
    else:
        check(got, want)
    check(lw, tw)


@pytest.mark.parametrize("op", UNARY)
def test_unary(op):
    both(lambda m, a: getattr(m, f"_foreach_{op}")(a), A)
    both(lambda m, a: getattr(m, f"_foreach_{op}_")(a), A)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "maximum", "minimum", "clamp_min",
                                "clamp_max", "pow"])
@pytest.mark.parametrize("form", ["scalar", "scalar_list", "list", "tensor"])
@pytest.mark.parametrize("inplace", [False, True])
def test_binary(op, form, inplace):
    # "tensor": one 0-d tensor (add, mul, div have a form for it; others take it as a number)
    name = f"_foreach_{op}" + ("_" if inplace else "")

    def call(m, a, b):
        other = {"scalar": 0.5, "scalar_list": [0.5, 2.0], "list": b,
                 "tensor": m.tensor(1.5)}[form]
        return getattr(m, name)(a, other)

    both(call, A, B)


@pytest.mark.parametrize("inplace", [False, True])
def test_alpha_forms(inplace):
    sfx = "_" if inplace else ""
    both(lambda m, a, b: getattr(m, "_foreach_add" + sfx)(a, b, alpha=0.5), A, B)
    both(lambda m, a, b: getattr(m, "_foreach_sub" + sfx)(a, b, alpha=3), A, B)
    both(lambda m, a, b: getattr(m, "_foreach_add" + sfx)(a, m.tensor(2.0), alpha=3), A, B)


@pytest.mark.parametrize("op", ["addcmul", "addcdiv"])
@pytest.mark.parametrize("value", ["default", "scalar", "scalar_list", "tensor"])
@pytest.mark.parametrize("inplace", [False, True])
def test_ternary(op, value, inplace):
    name = f"_foreach_{op}" + ("_" if inplace else "")

    def call(m, a, b):
        # a number may be given as `value=`; lists and tensors are the positional `scalars`
        args, kw = {"default": ((), {}), "scalar": ((), {"value": 0.5}),
                    "scalar_list": (([0.5, -1.0],), {}),
                    "tensor": ((m.tensor([0.5, -1.0]),), {})}[value]
        return getattr(m, name)(a, b, b, *args, **kw)

    both(call, A, B)


@pytest.mark.parametrize("inplace", [False, True])
def test_lerp_zero_copy_clone_norm_max(inplace):
    sfx = "_" if inplace else ""
    both(lambda m, a, b: getattr(m, "_foreach_lerp" + sfx)(a, b, 0.25), A, B)
    both(lambda m, a, b: getattr(m, "_foreach_lerp" + sfx)(a, b, [0.25, 0.75]), A, B)
    both(lambda m, a, b: getattr(m, "_foreach_lerp" + sfx)(a, b, b), A, B)
    both(lambda m, a: m._foreach_zero_(a), A)
    both(lambda m, a, b: m._foreach_copy_(a, b), A, B)
    both(lambda m, a: m._foreach_clone(a), A)
    for ord_ in (2, 1, float("inf")):
        both(lambda m, a: m._foreach_norm(a, ord_), A)
    both(lambda m, a: m._foreach_norm(a, dtype=m.float64), A)
    both(lambda m, a: m._foreach_powsum(a, 2), A)
    both(lambda m, a: m._foreach_max(a), A)
    both(lambda m, a: m._foreach_pow(2.0, a), A)
    both(lambda m, a: m._foreach_mm([x.reshape(-1, 1) @ x.reshape(1, -1) for x in a],
                                    [x.reshape(-1, 1) @ x.reshape(1, -1) for x in a]), A)


def test_autograd_through_foreach():
    grads = []
    for m in (torch, tl):
        xs = [m.tensor(a, requires_grad=True) for a in A]
        ys = m._foreach_mul(m._foreach_exp(xs), 3.0)
        sum(y.sum() for y in ys).backward()
        grads.append([x.grad for x in xs])
    check(grads[1], grads[0])


@pytest.mark.parametrize("case", [
    lambda m, a: m._foreach_add(a, [m.ones(2)]),
    lambda m, a: m._foreach_add([], 1),
    lambda m, a: m._foreach_add(a, [1.0]),
    lambda m, a: m._foreach_add(a, 1, alpha=2),
    lambda m, a: m._foreach_add(a, "x"),
    lambda m, a: m._foreach_add([m.ones(2)], [m.ones(3)]),
    lambda m, a: m._foreach_sub([m.tensor([True])], 1),
    lambda m, a: m._foreach_add_([m.ones(2, dtype=m.int64)], 1.5),
    lambda m, a: m._foreach_sub(a, m.tensor(2.0), alpha=3),
    lambda m, a: m._foreach_add(a, m.ones(2)),
    lambda m, a: m._foreach_maximum(a, m.ones(2)),
    lambda m, a: m._foreach_addcmul(a, a, a, value=[1.0, 2.0]),
])
def test_errors_match_pytorch(case):
    errors = []
    for m in (torch, tl):
        with pytest.raises(Exception) as info:
            case(m, [m.tensor(a) for a in A])
        errors.append(info.type)
    assert errors[1] is errors[0], errors
