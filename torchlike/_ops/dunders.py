"""Tensor operator dunders, in terms of the registered ops."""

from .._core.tensor import Tensor
from . import pointwise as P
from .registry import numpy_operand

_OPERANDS = (Tensor, int, float, bool, complex)


def _dispatcher(f):
    """The op's dispatcher when `f` is the registry's plain public function (not a wrapper
    with checks of its own, such as sub's bool rule)."""
    d = getattr(f, "__wrapped_op__", None)
    return d if d is not None and getattr(d, "public", None) is f else f


def _binary(f, reflected=False):
    # the op's dispatcher itself, not its public wrapper: `a + b` is the commonest eager op,
    # and a Python frame is a fifth of its dispatch cost
    f = _dispatcher(f)
    if not reflected and hasattr(f, "dunder"):
        return f.dunder()
    f = getattr(f, "binary", f)
    if reflected:
        def m(self, other):
            if type(other) is not Tensor and not isinstance(other, _OPERANDS):
                other = numpy_operand(other)
                if other is NotImplemented:
                    return NotImplemented
            return f(other, self)
    else:
        def m(self, other):
            if type(other) is not Tensor and not isinstance(other, _OPERANDS):
                other = numpy_operand(other)
                if other is NotImplemented:
                    return NotImplemented
            return f(self, other)
    return m


def _inplace(name):
    def m(self, other):
        return getattr(self, name)(other)
    return m


_TABLE = {
    # (true division has no rounding mode: the op itself, without div's integer zero check)
    # (add's own check is of `alpha`, which operators never pass: its dispatcher directly)
    "add": P.add.__wrapped_op__, "sub": P.sub, "mul": P.mul, "truediv": P.div.__wrapped_op__,
    "floordiv": P.floor_divide,
    "mod": P.remainder, "pow": P.pow, "and": P.bitwise_and, "or": P.bitwise_or,
    "xor": P.bitwise_xor, "lshift": P.bitwise_left_shift, "rshift": P.bitwise_right_shift,
}
_INPLACE = {"add": "add_", "sub": "sub_", "mul": "mul_", "truediv": "div_",
            "floordiv": "floor_divide_", "mod": "remainder_", "pow": "pow_",
            "and": "bitwise_and_", "or": "bitwise_or_", "xor": "bitwise_xor_",
            "lshift": "bitwise_left_shift_", "rshift": "bitwise_right_shift_"}

for _n, _f in _TABLE.items():
    setattr(Tensor, f"__{_n}__", _binary(_f))
    setattr(Tensor, f"__r{_n}__", _binary(_f, reflected=True))
    setattr(Tensor, f"__i{_n}__", _inplace(_INPLACE[_n]))


def _logical_bool(f, bitwise):
    def m(self, other):
        return bitwise(self, other)
    return m


def _cmp(f):
    f = _dispatcher(f)
    if hasattr(f, "dunder"):
        return f.dunder()
    f = getattr(f, "binary", f)

    def m(self, other):
        if other is None or not isinstance(other, (Tensor, int, float, bool, complex)):
            other = numpy_operand(other)
            if other is NotImplemented:
                return NotImplemented
        return f(self, other)
    return m


for _n, _f in {"eq": P.eq, "ne": P.ne, "lt": P.lt, "le": P.le, "gt": P.gt, "ge": P.ge}.items():
    setattr(Tensor, f"__{_n}__", _cmp(_f))

Tensor.__neg__ = lambda self: P.neg(self)
Tensor.__pos__ = lambda self: P.positive(self)
Tensor.__abs__ = lambda self: P.abs(self)
def _invert(self):
    if self.dtype._cat > 1:  # (PyTorch checks in the operator, before bitwise_not's own error)
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return P.bitwise_not(self) if self.dtype._cat > 0 else P.logical_not(self)


def _contains(self, element):
    """`x in t`: (t == x).any(), for a tensor or a number."""
    if not isinstance(element, (Tensor, int, float, bool, complex)):
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed "
                           f"in a {type(element)}.")
    return bool((self == element).any())


# numpy scalars and arrays on the left defer to the tensor's reflected operators, as PyTorch's
Tensor.__array_priority__ = 1000
Tensor.__invert__ = _invert
Tensor.__contains__ = _contains
