"""PyTorch's argument and dtype rules of binary pointwise ops: which operands each op accepts,
the dtype it computes in, and the exception (type and message) for the ones it rejects.

Found by running every binary op over every dtype pairing and Python-number operand against
PyTorch; each case here is one rule that had differed."""

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()
import torchlike as tl

F = "m.tensor([[0.5, -1.5, 2.0], [3.0, -0.0, 4.5]])"  # float32
L = "m.tensor([[1, -2, 3], [4, 0, 6]])"  # int64
B = "m.tensor([[True, False, True], [False, True, True]])"
U8 = "m.tensor([[0, 1, 2], [3, 4, 5]], dtype=m.uint8)"
C = f"({F} * (1 + 0.5j))"

CASES = [
    # true division divides in the default float type: -1 is not first cast to uint8
    f"{U8} / -1", f"m.div({U8}, -1)", f"m.div({U8}, -1, rounding_mode='floor')",
    f"{L}.div_(2)", f"{B}.div_(True)", f"{L}.div_(2, rounding_mode='trunc')",
    # ordering comparisons and clamp have no complex kernels
    f"{F} < 1j", f"{C}.lt({F})", f"{C} == 1", f"{F}.clamp_min(1j)", f"{C}.clamp(0)",
    f"{F}.clamp_min_(1j)",
    # clamp_ with a Python bound names the output type as C++ does
    f"{L}.clamp_(min=1.5)", f"{U8}.clamp_(max=1.5)", f"{L}.clamp_(max=m.tensor(1.5))",
    f"{B} - True", f"{B} - 1", f"{L} - True",
    # `other` must be a Tensor
    f"m.atan2({F}, 2)", f"{F}.atan2_(2)", f"m.arctan2({F}, {F})", f"m.fmax({F}, 1.5)",
    f"m.fmin({L}, 1)", f"m.ldexp({F}, 2)", f"m.logical_and({B}, True)", f"m.logical_or({F}, 1)",
    f"m.hypot({F}, 2.0)", f"m.nextafter({F}, 1.0)", f"m.logaddexp({F}, 1.0)",
    f"m.logaddexp2({F}, 1.0)", f"m.heaviside({F}, 0.5)", f"m.igamma({F}, 2.0)",
    f"m.igammac({F}, 2.0)", f"m.lerp({F}, 2.0, 0.5)",
    # kernels for floating types only
    f"m.hypot({L}, {L})", f"m.hypot({B}, {B})", f"m.hypot({C}, {C})", f"{L}.hypot_({L})",
    f"m.logaddexp({L}, {L})", f"m.logaddexp({C}, {C})", f"m.logaddexp2({C}, {C})",
    f"m.nextafter({L}, {L})", f"m.igamma({L}, {L})", f"m.igammac({B}, {B})",
    f"m.lerp({L}, {L}, 0.5)", f"m.lerp({B}, {B}, m.tensor(0.5))", f"m.lerp({F}, {F}, 0.25)",
    f"m.lerp({F}, {F}.double(), 0.5)", f"m.lerp({C}, {C}, 0.5)",
    f"m.copysign({C}, {F})", f"m.xlogy({C}, {C})", f"m.copysign({L}, 2)", f"m.xlogy(2, {F})",
    f"{B} << {B}", f"m.bitwise_right_shift({B}, True)", f"{B} << 1",
    # heaviside: same dtypes, no complex, the input's dtype
    f"m.heaviside({B}, {B})", f"m.heaviside({L}, {F})", f"m.heaviside({C}, {C})",
    f"m.heaviside({F}, {F})",
    # float_power_ needs a double (or complex double) base
    f"{F}.float_power_(2)", f"{F}.double().float_power_(2)", f"{F}.double().float_power_(1j)",
]


TYPE_ONLY = ("m.einsum(",)  # (jax's own wording of the same error)


def _run(expr, m):
    try:
        r = eval(expr, {"m": m})
    except (RuntimeError, TypeError, NotImplementedError, ValueError, IndexError) as e:
        if expr.startswith(TYPE_ONLY):
            return type(e).__name__, "", None
        return type(e).__name__, str(e).split("\n")[0][:70], None
    return "ok", str(r.dtype), np.asarray(r.tolist())


@pytest.mark.parametrize("expr", CASES)
def test_binary_op_rules_match_torch(expr):
    want = _run(expr, torch)
    got = _run(expr, tl)
    assert got[:2] == want[:2]
    if want[2] is not None:
        np.testing.assert_allclose(got[2], want[2], rtol=1e-6, equal_nan=True)


LERP = [
    f"m.lerp({F}, {F}.double(), m.tensor(0.5))", f"m.lerp({L}, {L}, m.tensor(0.5))",
    f"m.lerp({L}, {L}, m.tensor(1))", f"m.lerp({F}, {F}, m.ones(3).double())",
    f"m.lerp({B}, {B}, m.tensor(0.5).double())", f"{L}.lerp_({L}, m.tensor(0.5))",
    f"m.lerp({F}.half(), {F}.half(), m.tensor(0.5))", f"m.lerp({F}, {F}.half(), m.tensor(0.5))",
    f"m.lerp({F}, {F}.flip(0), m.tensor([0.2, 0.7, 0.9]))",
]


@pytest.mark.parametrize("expr", LERP)
def test_lerp_weight_rules_match_torch(expr):
    test_binary_op_rules_match_torch(expr)


E = "m.zeros(0, 3)"
UNARY = [
    # complex inputs PyTorch has no kernel for
    f"m.amax({C})", f"m.amin({C}, 0)", f"m.max({C})", f"m.min({C}, 1)", f"m.argmax({C})",
    f"m.argmin({C}, 0)", f"m.sort({C})", f"m.argsort({C})", f"m.msort({C})", f"m.median({C})",
    f"m.unique({C})", f"m.nansum({C})", f"m.nanmean({C})", f"m.deg2rad({C})", f"m.rad2deg({C})",
    f"m.isposinf({C})", f"m.isneginf({C})", f"m.softmax({C}, -1)", f"m.log_softmax({C}, 0)",
    # bool inputs
    f"m.median({B})", f"m.nanmedian({B}, 0)", f"m.trace({B})", f"m.softmax({B}, 0)",
    # empty inputs: the reduction-dim error first, no kernel error on nothing
    f"m.amax({E}.to(m.complex64))", f"m.max({E}.to(m.complex64))",
    f"m.median({E}.bool(), 0)", f"m.softmax({E}.long(), 0)",
    # angle of real numbers: pi below zero, 0 for -0.0, the default float type for integers
    f"m.angle({F})", f"m.angle(m.tensor(True))", f"m.angle(m.tensor(3))", f"m.angle({L})",
    f"m.angle({F}.half())", f"m.angle({C})",
    "m.diff(m.tensor(2.0))",
]


@pytest.mark.parametrize("expr", UNARY)
def test_unary_and_reduction_rules_match_torch(expr):
    test_binary_op_rules_match_torch(expr)


X = "m.arange(12.).reshape(3, 4)"
SHAPES = [
    # index_add / index_copy / index_fill: source and index checks, PyTorch's exception types
    f"{X}.index_add(0, m.tensor([0]), m.ones(2, 4))", f"{X}.index_add(0, m.tensor([0]), m.ones(1, 5))",
    f"{X}.index_copy(0, m.tensor([0, 1]), m.ones(1, 4))", f"{X}.index_copy(0, m.tensor([0]), m.ones(1, 5))",
    f"{X}.index_copy(0, m.tensor([5]), m.ones(1, 4))", f"{X}.clone().index_copy_(0, m.tensor([5]), m.ones(1, 4))",
    f"{X}.index_fill(0, m.tensor([5]), 1.)", f"{X}.clone().index_fill_(0, m.tensor([-4]), 1.)",
    f"{X}.index_add(0, m.tensor([1, 0]), m.ones(2, 4))", f"{X}.index_copy(1, m.tensor([3]), m.zeros(3, 1))",
    f"{X}.masked_fill(m.ones(2, 2).bool(), 0)", f"{X}.masked_scatter(m.ones(3, 4).bool(), m.ones(2))",
    f"{X}.masked_scatter(m.ones(3, 4), m.ones(12))", f"{X}.masked_scatter({X} > 5, m.ones(12) * 7)",
    f"{X}.scatter_add(0, m.tensor([[0]]), m.ones(1, 1).long())", f"{X}.scatter(0, m.tensor([[0]]), m.ones(1, 1).double())",
    # operand checks of shape and search ops
    f"{X}.flip(0, 0)", f"{X}.flip(0, 1)", f"{X}.flip([1])", f"{X}.tile(0)", f"{X}.tile(2, 1)", f"{X}.tile((2,))",
    "m.tensor('a')", "m.tensor([1, 'a'])", "m.tensor(['a', 1])", "m.tensor([[1], ['a']])", f"{X}['a']",
    f"m.einsum('ij,jk', {X}, {X})", f"m.einsum('ij->k', {X})", f"m.tensordot({X}, {X}, 1)",
    "m.cross(m.ones(3, 2), m.ones(3, 2), dim=1)", "m.cross(m.ones(2, 3), m.ones(2, 3), dim=1)",
    "m.searchsorted(m.tensor([3., 1.]).unsqueeze(0), m.tensor([[1.], [2.]]))",
    "m.bucketize(m.tensor([1.]), m.ones(2, 2))", "m.bincount(m.tensor([1.5]))", "m.histc(m.tensor([1, 2]))",
    f"m.repeat_interleave({X}, m.tensor([1, 2]), 0)", f"m.repeat_interleave({X}, m.tensor([1, 2, 0]), 0)",
]


@pytest.mark.parametrize("expr", SHAPES)
def test_indexing_and_shape_rules_match_torch(expr):
    test_binary_op_rules_match_torch(expr)


ZERO = [
    f"{L} // 0", f"{L} % 0", f"m.fmod({L}, 0)", f"{L} // m.tensor([1, 0, 1])",
    f"m.div({L}, 0, rounding_mode='trunc')", f"m.div({L}, 0, rounding_mode='floor')",
    f"{L} / 0", f"{F} // 0", f"m.remainder(5, m.tensor([0]))", f"{L}.clone().floor_divide_(0)",
    f"{B} // {B}", f"m.tensor([], dtype=m.long) // 0", f"{L} // 2", f"{L}.div(2, rounding_mode='floor')",
    f"{U8} % m.tensor(0, dtype=m.uint8)", f"{L}[0] // m.ones(3, dtype=m.long)",
]


@pytest.mark.parametrize("expr", ZERO)
def test_integer_division_by_zero_raises_like_torch(expr):
    test_binary_op_rules_match_torch(expr)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("divisor", ["number", "column", "0-d", "int"])
def test_division_by_a_broadcast_operand_is_correctly_rounded(dtype, divisor):
    """Bit for bit PyTorch's quotients: XLA would multiply by the divisor's reciprocal."""
    x = np.random.RandomState(0).rand(16, 33) * 100
    y = np.random.RandomState(1).rand(16, 1) + 0.5
    got = []
    for L in (torch, tl):
        a = L.tensor(x, dtype=getattr(L, dtype))
        b = {"number": 7.0, "column": L.tensor(y, dtype=a.dtype), "int": 7,
             "0-d": L.tensor(3.3, dtype=a.dtype)}[divisor]
        c = a.clone()
        c /= b
        got.append([(a / b).double().numpy(), c.double().numpy(),
                    a.div(b, rounding_mode="trunc").double().numpy(),
                    a.div(b, rounding_mode="floor").double().numpy()])
    for w, g in zip(*got):
        np.testing.assert_array_equal(g, w)
