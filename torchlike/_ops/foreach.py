"""torch._foreach_*: an op applied to every tensor of a list (PyTorch's multi-tensor API).

Custom optimizers, weight EMAs (timm's ModelEma) and gradient utilities call these to
update many tensors at once. Each is the per-tensor op in a loop, as PyTorch's own fallback
for lists it cannot fuse: the same values, dtype rules, autograd and errors as the op.
Out-of-place forms return a tuple; in-place forms (`_`) update the tensors and return the
list itself, as PyTorch's do.
"""

import numbers

from .._core.tensor import Tensor

__all__ = []


def _check_list(name, tensors):
    if not isinstance(tensors, (list, tuple)) or not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError(f"{name}(): argument 'self' must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError("Tensor list must have at least one tensor.")


_SCALAR_TENSOR = frozenset({"add", "mul", "div"})  # ops with a form for one 0-d tensor


def _spread(name, tensors, other, op=None):
    """`other` as one argument per tensor: a number, a list of numbers, a list of tensors or
    (add, mul, div) one 0-d tensor for every tensor; elsewhere a 0-d tensor is a number."""
    n = len(tensors)
    if isinstance(other, (list, tuple)):
        if all(isinstance(o, Tensor) for o in other):
            if len(other) != n:
                raise RuntimeError(f"Tensor lists must have the same number of tensors, got {n} "
                                   f"and {len(other)}")
            return list(other)
        if all(isinstance(o, numbers.Number) for o in other):
            if len(other) != n:
                raise RuntimeError("Tensor list must have same number of elements as scalar "
                                   "list.")
            return list(other)
        raise TypeError(f"{name}(): expected a list of Tensors or of numbers, got "
                        f"{[type(o).__name__ for o in other]}")
    if isinstance(other, Tensor):
        if op in _SCALAR_TENSOR:
            if other.dim() != 0:
                raise RuntimeError(f"scalar tensor expected to be 0 dim but it has {other.dim()}"
                                   f" dimensions and {other.numel()} elements.")
            return [other] * n
        if other.dim() == 0:  # PyTorch converts it to a Scalar
            return [other.item()] * n
    elif isinstance(other, numbers.Number):
        return [other] * n
    raise TypeError(f"{name}() received an invalid combination of arguments - got "
                    f"({type(tensors).__name__}, {type(other).__name__})")


# maximum/minimum take tensors only; with a number PyTorch's foreach forms clamp
_WITH_NUMBER = {"maximum": "clamp_min", "minimum": "clamp_max"}


def _apply(t, op, o, inplace, kwargs):
    if not isinstance(o, Tensor):
        op = _WITH_NUMBER.get(op, op)
    if not inplace:
        return getattr(t, op)(o, **kwargs)
    if op in _WITH_NUMBER:  # no Tensor.maximum_: the same values written in place
        return t.copy_(getattr(t, op)(o))
    return getattr(t, op + "_")(o, **kwargs)


def _binary(op, with_alpha):
    name = "_foreach_" + op

    def check_kwargs(name, others, kwargs):
        # alpha belongs to the tensor-list forms (and add's 0-d tensor form) only
        if kwargs and (not with_alpha or set(kwargs) != {"alpha"} or
                       not isinstance(others[0], Tensor)):
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            f"unexpected keyword arguments {sorted(kwargs)}")

    def out_of_place(self, other, **kwargs):
        _check_list(name, self)
        others = _spread(name, self, other, op)
        check_kwargs(name, others, kwargs)
        return tuple(_apply(t, op, o, False, kwargs) for t, o in zip(self, others))

    def in_place(self, other, **kwargs):
        _check_list(name + "_", self)
        others = _spread(name + "_", self, other, op)
        check_kwargs(name + "_", others, kwargs)
        for t, o in zip(self, others):
            _apply(t, op, o, True, kwargs)
        return self

    return out_of_place, in_place


def _unary(op):
    name = "_foreach_" + op

    def out_of_place(self):
        _check_list(name, self)
        return tuple(getattr(t, op)() for t in self)

    def in_place(self):
        _check_list(name + "_", self)
        for t in self:
            getattr(t, op + "_")()
        return self

    return out_of_place, in_place


def _value(name, args, kwargs):
    """addcmul/addcdiv's fourth argument: `value` (a number, also by keyword) or `scalars`
    (numbers or a tensor of them, positional or by keyword), as PyTorch's overloads."""
    if len(args) > 1 or set(kwargs) - {"value", "scalars"} or len(args) + len(kwargs) > 1:
        raise TypeError(f"{name}() received an invalid combination of arguments")
    if args:
        return args[0]
    if "value" in kwargs:
        if not isinstance(kwargs["value"], numbers.Number):
            raise TypeError(f"{name}(): argument 'value' must be Number, not "
                            f"{type(kwargs['value']).__name__}")
        return kwargs["value"]
    return kwargs.get("scalars", 1)


def _ternary(op):
    """addcmul / addcdiv: self + value * t1 (*|/) t2, `value` a number, numbers or a tensor
    of numbers (one per tensor)."""
    name = "_foreach_" + op

    def values(self, scalars):
        if isinstance(scalars, Tensor):  # one number per tensor, read on the host
            if scalars.dim() != 1 or scalars.numel() != len(self):
                raise RuntimeError("Expected length of scalars to match input of length "
                                   f"{len(self)} but got {scalars.numel()} instead.")
            return [float(v) for v in scalars.tolist()]
        if isinstance(scalars, Tensor):
            raise TypeError(f"{name}(): scalars must be numbers or a 1-D tensor")
        return _spread(name, self, scalars)

    def out_of_place(self, tensor1, tensor2, *args, **kwargs):
        value = _value(name, args, kwargs)
        _check_list(name, self)
        t1, t2 = _spread(name, self, tensor1, op), _spread(name, self, tensor2, op)
        return tuple(getattr(t, op)(a, b, value=v)
                     for t, a, b, v in zip(self, t1, t2, values(self, value)))

    def in_place(self, tensor1, tensor2, *args, **kwargs):
        value = _value(name + "_", args, kwargs)
        _check_list(name + "_", self)
        t1, t2 = _spread(name, self, tensor1, op), _spread(name, self, tensor2, op)
        for t, a, b, v in zip(self, t1, t2, values(self, value)):
            getattr(t, op + "_")(a, b, value=v)
        return self

    return out_of_place, in_place


def _export(name, fn):
    fn.__name__ = fn.__qualname__ = name
    globals()[name] = fn
    __all__.append(name)


for _op in ("add", "sub"):
    for _suffix, _fn in zip(("", "_"), _binary(_op, True)):
        _export(f"_foreach_{_op}{_suffix}", _fn)
for _op in ("mul", "div", "maximum", "minimum", "clamp_min", "clamp_max", "pow"):
    for _suffix, _fn in zip(("", "_"), _binary(_op, False)):
        _export(f"_foreach_{_op}{_suffix}", _fn)
for _op in ("abs", "acos", "asin", "atan", "ceil", "cos", "cosh", "erf", "erfc", "exp",
            "expm1", "floor", "frac", "lgamma", "log", "log10", "log1p", "log2", "neg",
            "reciprocal", "round", "rsqrt", "sigmoid", "sign", "sin", "sinh", "sqrt", "tan",
            "tanh", "trunc"):
    for _suffix, _fn in zip(("", "_"), _unary(_op)):
        _export(f"_foreach_{_op}{_suffix}", _fn)
for _op in ("addcmul", "addcdiv"):
    for _suffix, _fn in zip(("", "_"), _ternary(_op)):
        _export(f"_foreach_{_op}{_suffix}", _fn)

_pow_list = globals()["_foreach_pow"]


def _foreach_pow(self, exponent):
    """Also a number raised to each tensor: _foreach_pow(2.0, tensors)."""
    if isinstance(self, numbers.Number):
        from .pointwise import pow as _pow
        _check_list("_foreach_pow", exponent)
        return tuple(_pow(self, e) for e in exponent)
    return _pow_list(self, exponent)


_export("_foreach_pow", _foreach_pow)
__all__.remove("_foreach_pow")  # (listed twice)


def _foreach_lerp(self, tensors1, weight):
    _check_list("_foreach_lerp", self)
    ends, ws = _spread("_foreach_lerp", self, tensors1), _spread("_foreach_lerp", self, weight)
    return tuple(t.lerp(e, w) for t, e, w in zip(self, ends, ws))


def _foreach_lerp_(self, tensors1, weight):
    _check_list("_foreach_lerp_", self)
    ends, ws = _spread("_foreach_lerp_", self, tensors1), _spread("_foreach_lerp_", self, weight)
    for t, e, w in zip(self, ends, ws):
        t.lerp_(e, w)
    return self


def _foreach_zero_(self):
    _check_list("_foreach_zero_", self)
    for t in self:
        t.zero_()
    return self


def _foreach_copy_(self, src, non_blocking=False):
    _check_list("_foreach_copy_", self)
    for t, s in zip(self, _spread("_foreach_copy_", self, src)):
        t.copy_(s, non_blocking=non_blocking)
    return self


def _foreach_clone(self):
    _check_list("_foreach_clone", self)
    return tuple(t.clone() for t in self)


def _foreach_norm(self, ord=2, dtype=None):
    """The vector norm of each tensor (0-d results), as torch.linalg.vector_norm."""
    from ..linalg import vector_norm
    _check_list("_foreach_norm", self)
    return tuple(vector_norm(t, ord, dtype=dtype) for t in self)


def _foreach_powsum(self, ord=2, dtype=None):
    """sum(|x| ** ord) of each tensor: the norm before its root."""
    _check_list("_foreach_powsum", self)
    out = []
    for t in self:
        x = t if dtype is None else t.to(dtype)
        out.append(x.abs().pow(ord).sum())
    return tuple(out)


def _foreach_max(self):
    _check_list("_foreach_max", self)
    return tuple(t.max() for t in self)


def _foreach_mm(self, mat2):
    _check_list("_foreach_mm", self)
    return tuple(a.mm(b) for a, b in zip(self, _spread("_foreach_mm", self, mat2)))


for _name in ("_foreach_lerp", "_foreach_lerp_", "_foreach_zero_", "_foreach_copy_",
              "_foreach_clone", "_foreach_norm", "_foreach_powsum", "_foreach_max",
              "_foreach_mm"):
    __all__.append(_name)
del _op, _suffix, _fn, _name
