"""Matrix products: matmul, mm, bmm, addmm, einsum, ..."""

import builtins

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core.tensor import Tensor
from .pointwise import _abs
from .registry import op

_MM = ("input", "mat2")


class _Flags:
    # PyTorch computes float32 matmuls in full precision unless TF32 is allowed
    precision = None  # follows jax_default_matmul_precision (torch.backends.cuda.matmul.allow_tf32)


flags = _Flags()


def _shape_err(a, b):
    raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a[0]}x{a[1]} and "
                       f"{b[0]}x{b[1]})")


def _check_dtypes(a, b, name="expected"):
    if a.dtype != b.dtype:
        from .._core.dtypes import from_np
        from .registry import c_type_name
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{c_type_name(from_np(a.dtype))} != {c_type_name(from_np(b.dtype))}")


def _tname(a):
    from .._core.dtypes import from_np
    from .registry import _scalar_type_name
    return _scalar_type_name(from_np(a.dtype))


def _check_scalar_type(a, b):
    """PyTorch's message where a kernel expects its operands in one dtype."""
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_tname(a)} but found {_tname(b)}")


def check_addmm_dtypes(input, mat1, mat2):
    """addmm's (and linear's with a bias) operand dtype checks, in PyTorch's order."""
    if input.dtype != mat2.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_tname(input)} "
                           f"and {_tname(mat2)}")
    if mat1.dtype != mat2.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_tname(mat1)} "
                           f"and {_tname(mat2)}")


def _no_bool(kernel, a, b, always=False):
    """PyTorch's CPU matrix-product kernels have no bool version (none runs on empty input,
    except dot's)."""
    if a.dtype == jnp.bool_ and b.dtype == jnp.bool_ and (always or (a.size and b.size)):
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


class _Shape:
    def __init__(self, shape):
        self.shape = tuple(shape)


@op(tensor_args=("input", "other"))
def matmul(input, other):
    _check_dtypes(input, other)
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{input.ndim}D and {other.ndim}D")
    ka = input.shape[-1]
    kb = other.shape[-2] if other.ndim > 1 else other.shape[0]
    if ka != kb:
        if input.ndim <= 2 and other.ndim <= 2:
            a = input.shape if input.ndim == 2 else (1, input.shape[0])
            b = other.shape if other.ndim == 2 else (other.shape[0], 1)
            _shape_err(a, b)
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{other.shape[0] if other.ndim > 2 else 1}, {ka}] but got: "
                           f"[{other.shape[0] if other.ndim > 2 else 1}, {kb}].")
    if input.ndim > 2 and other.ndim > 2:  # (the batch dims broadcast)
        from .pointwise import broadcast_check
        broadcast_check(_Shape(input.shape[:-2]), _Shape(other.shape[:-2]))
    if input.dtype == jnp.bool_:
        na, nb = input.ndim, other.ndim
        _no_bool("dot" if na == nb == 1 else "addmv_impl_cpu" if nb == 1 else
                 "addmm_impl_cpu_" if nb == 2 else "bmm", input, other, na == nb == 1)
    return jnp.matmul(input, other, precision=flags.precision)


@op(tensor_args=_MM, name="mm", method=False)
def _mm(input, mat2):
    _check_dtypes(input, mat2)
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if input.shape[1] != mat2.shape[0]:
        _shape_err(input.shape, mat2.shape)
    _no_bool("addmm_impl_cpu_", input, mat2)
    return jnp.matmul(input, mat2, precision=flags.precision)


def mm(input, mat2, *, out=None):
    """torch.mm (a sparse COO operand goes through torch.sparse.mm)."""
    if input.is_sparse or mat2.is_sparse:
        from ..sparse import mm as sparse_mm
        return sparse_mm(input, mat2)
    return _mm(input, mat2, out=out)


Tensor.mm = mm


@op(tensor_args=_MM)
def bmm(input, mat2):
    _check_scalar_type(input, mat2)
    if input.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: "
                           f"[{mat2.shape[0]}, {mat2.shape[1]}].")
    _no_bool("bmm", input, mat2)
    return jnp.matmul(input, mat2, precision=flags.precision)


def _scaled(x, s):
    return x if s is None else x * s.astype(x.dtype)


def _beta(x, beta):
    # PyTorch ignores the input entirely when beta == 0 (NaN and inf in it do not propagate)
    if beta is None:
        return x
    return jnp.where(beta == 0, jnp.zeros_like(x), x * beta.astype(x.dtype))


_ADD = ("input", "mat1", "mat2", "beta", "alpha")


@op(tensor_args=_ADD, inplace=True)
def addmm(input, mat1, mat2, beta=None, alpha=None):
    check_addmm_dtypes(input, mat1, mat2)
    if mat1.shape[1] != mat2.shape[0]:
        _shape_err(mat1.shape, mat2.shape)
    _no_bool("addmm_impl_cpu_", mat1, mat2)
    return _beta(input, beta) + _scaled(jnp.matmul(mat1, mat2, precision=flags.precision), alpha)


@op(tensor_args=("input", "mat", "vec", "beta", "alpha"), inplace=True)
def addmv(input, mat, vec, beta=None, alpha=None):
    _no_bool("addmv_impl_cpu", mat, vec)
    return _beta(input, beta) + _scaled(jnp.matmul(mat, vec, precision=flags.precision), alpha)


@op(tensor_args=("input", "batch1", "batch2", "beta", "alpha"), inplace=True)
def baddbmm(input, batch1, batch2, beta=None, alpha=None):
    _check_scalar_type(input, batch2)
    _check_scalar_type(batch1, batch2)
    _no_bool("baddbmm", batch1, batch2)
    return _beta(input, beta) + _scaled(jnp.matmul(batch1, batch2, precision=flags.precision), alpha)


@op(tensor_args=("input", "batch1", "batch2", "beta", "alpha"), inplace=True)
def addbmm(input, batch1, batch2, beta=None, alpha=None):
    _no_bool("addmm_impl_cpu_", batch1, batch2)
    return _beta(input, beta) + _scaled(
        jnp.einsum("bij,bjk->ik", batch1, batch2, precision=flags.precision), alpha)


@op(tensor_args=("input", "vec1", "vec2", "beta", "alpha"), inplace=True)
def addr(input, vec1, vec2, beta=None, alpha=None):
    return _beta(input, beta) + _scaled(jnp.outer(vec1, vec2), alpha)


@op(tensor_args=("input", "vec"))
def mv(input, vec):
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {vec.ndim}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x"
                           f"{input.shape[1]}), vec ({vec.shape[0]})")
    _no_bool("addmv_impl_cpu", input, vec)
    return jnp.matmul(input, vec, precision=flags.precision)


@op(tensor_args=("input", "tensor"))
def dot(input, tensor):
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{tensor.shape[0]}] to have the same number of elements, but got "
                           f"{input.shape[0]} and {tensor.shape[0]} elements respectively")
    _check_dtypes(input, tensor)
    _no_bool("dot", input, tensor, True)
    return jnp.dot(input, tensor, precision=flags.precision)


@op(tensor_args=("input", "other"))
def vdot(input, other):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.dtype != other.dtype:
        from .._core.dtypes import from_np
        from .registry import _scalar_type_name as n
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{n(from_np(input.dtype))} and {n(from_np(other.dtype))}")
    _no_bool("dot", input, other, True)
    return jnp.vdot(input, other, precision=flags.precision)


@op(tensor_args=("input", "other"), promote="default")
def inner(input, other):
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(input.shape)} and {list(other.shape)}")
    if input.ndim == other.ndim == 1:
        _no_bool("dot", input, other, True)
    else:
        _no_bool("addmm_impl_cpu_", input, other)
    return jnp.inner(input, other, precision=flags.precision)


@op(tensor_args=("input", "vec2"), promote="default")
def outer(input, vec2):
    for name, v in (("self", input), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.ndim}-D")
    return jnp.outer(input, vec2)


ger = outer
Tensor.ger = Tensor.outer


@op(tensor_args=("operands",), method=False)
def _einsum(equation, operands):
    summed = _einsum_summed(equation, operands)
    if summed:  # (a contraction: PyTorch's bmm path wants one dtype; products alone promote)
        for o in operands[1:]:
            _check_scalar_type(operands[0], o)
    if summed and builtins.all(o.dtype == jnp.bool_ for o in operands) and len(operands) > 1 \
            and builtins.all(o.size for o in operands) and builtins.max(summed.values()) > 1:
        # an index summed over that two operands share: PyTorch contracts it with bmm
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    if summed and builtins.min(summed.values()) == 1 and builtins.all(
            o.dtype == jnp.bool_ or jnp.issubdtype(o.dtype, jnp.integer) for o in operands):
        # an index summed out of a single operand: PyTorch sums it first, in int64 (sum's rule)
        operands = [o.astype(jnp.int64) for o in operands]
    return jnp.einsum(equation, *operands, precision=flags.precision)


def _einsum_summed(equation, operands):
    """{index: how many operands hold it} for the indices einsum sums over."""
    ins, arrow, out = equation.partition("->")
    subs = [t.replace("...", "") for t in ins.split(",")]
    if not arrow:  # implicit output: the indices that appear once
        allc = "".join(subs)
        out = "".join(c for c in allc if allc.count(c) == 1)
    return {c: builtins.sum(c in t for t in subs) for c in set("".join(subs)) if c not in out}


def _sublist_equation(args):
    """einsum's sublist form (op, [0, 1], op, [1, 2], [0, 2]) as an equation string."""
    args = list(args)
    out = args.pop() if len(args) % 2 == 1 else None
    ops, subs = args[0::2], args[1::2]

    def letters(sub):
        return "".join("..." if s is Ellipsis else "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[s]
                       for s in sub)
    eq = ",".join(letters(sb) for sb in subs)
    if out is not None:
        eq += "->" + letters(out)
    return eq, ops


def einsum(equation, *operands):
    if not isinstance(equation, str):
        equation, operands = _sublist_equation((equation,) + operands)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    try:
        return _einsum(equation.replace(" ", ""), list(operands))
    except ValueError as e:  # jax's message, PyTorch's exception type
        raise RuntimeError(f"einsum(): {e}") from None


@op(tensor_args=("a", "b"), method=False)
def _tensordot(a, b, dims):
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    return jnp.tensordot(a, b, dims, precision=flags.precision)


def tensordot(a, b, dims=2, out=None):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int) and dims < 0:
        raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
    if isinstance(dims, (list, tuple)):
        dims = tuple(tuple(d) if isinstance(d, (list, tuple)) else (d,) for d in dims)
    da, db = (tuple(range(a.dim() - dims, a.dim())), tuple(range(dims))) \
        if isinstance(dims, int) else dims
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[i]} in dim {i - a.dim() if isinstance(dims, int) else i}"
                               f" and second has size {b.shape[j]} in dim {j}")
    if a.dtype is _dt.bool and b.dtype is _dt.bool:  # (contracted as a matrix product)
        full = len(da) == a.dim() and len(db) == b.dim()
        _no_bool("dot" if full else "addmm_impl_cpu_", a._data, b._data, full)
    return _tensordot(a, b, dims)


@op(tensor_args=("input", "other"), promote="default")
def kron(input, other):
    if input.dtype == jnp.bool_ and other.dtype == jnp.bool_:  # (a logical and, as PyTorch's)
        return jnp.kron(input.astype(jnp.uint8), other.astype(jnp.uint8)).astype(jnp.bool_)
    return jnp.kron(input, other)


@op(tensor_args=("x1", "x2"), method=False)
def _cdist(x1, x2, p):
    d = x1[..., :, None, :] - x2[..., None, :, :]
    a = _abs(d)  # gradient sgn(d): 0 between equal points
    if p == 2:
        s = jnp.sum(a * a, -1)
        z = s == 0
        return jnp.where(z, 0, jnp.sqrt(jnp.where(z, 1, s)))
    if p == float("inf"):
        return jnp.max(a, -1)
    if p == 0:
        return jnp.sum((a != 0).astype(a.dtype), -1)
    if p == 1:
        return jnp.sum(a, -1)
    s = jnp.sum(a ** p, -1)
    z = s == 0
    return jnp.where(z, 0, jnp.where(z, 1, s) ** (1 / p))


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    from .registry import _scalar_type_name
    for name, x in (("X1", x1), ("X2", x2)):
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{_scalar_type_name(x.dtype)}")
    if x1.dtype in (_dt.float16, _dt.bfloat16):
        raise NotImplementedError(f"\"cdist\" not implemented for '{_scalar_type_name(x1.dtype)}'")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} "
                           f"X2: {x2.shape[-1]}")
    return _cdist(x1, x2, float(p))


def chain_matmul(*matrices):
    out = matrices[0]
    for m in matrices[1:]:
        out = mm(out, m)
    return out


_matmul_op = matmul.__wrapped_op__.binary  # the dispatcher itself: `a @ b` skips a frame
_matmul_tensors = matmul.__wrapped_op__.dunder()


def _matmul_dunder(self, other):
    if type(other) is Tensor:
        return _matmul_tensors(self, other)
    if type(other) is not Tensor and getattr(other, "is_sparse", False):
        from ..sparse import mm as sparse_mm
        return sparse_mm(self, other)
    if isinstance(other, np.ndarray):  # (t @ ndarray works in PyTorch: the array as a tensor)
        from .creation import as_tensor
        other = as_tensor(other)
    return _matmul_op(self, other)


Tensor.__matmul__ = _matmul_dunder
Tensor.__rmatmul__ = lambda self, other: matmul(other, self)
Tensor.__imatmul__ = lambda self, other: self.copy_(matmul(self, other))
