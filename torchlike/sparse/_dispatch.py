"""Registered ops called with a sparse COO operand (torch.neg(s), s * 2, s.sum(1), dense + s).

The kernel runner hands any op with a sparse operand here (kernel.run); the op's arguments are
rebuilt from its kernel and leaves, and the op runs on the values where PyTorch has a sparse
kernel for it, or raises PyTorch's NotImplementedError where it has none.
"""

import numpy as np

from .._core import dtypes as _dt
from .._core.tensor import Tensor, wrap
from .._ops.kernel import run
from .._ops.registry import REGISTRY, _PY_SCALAR, _unstatic
from ._coo import SparseCOOTensor, _flat, _gather_at, _host, _make, _to_dense, unsupported

# zero-preserving ops PyTorch runs on the values: linear ones on the values as they are,
# the others on the coalesced values (f(a) + f(b) is not f(a + b))
_LINEAR = {"neg", "positive", "conj_physical"}
_COALESCING = set("""abs sin sinh tan tanh asin asinh atan atanh sqrt square sign sgn ceil floor
    round trunc frac expm1 log1p relu erf erfinv isnan isinf isposinf isneginf signbit nan_to_num
    deg2rad rad2deg""".split())


def run_sparse(kernel, leaves):
    """The op `kernel` on `leaves`, one of them a sparse COO tensor."""
    name = kernel.name
    h = _HANDLERS.get(name)
    if h is None:
        if name in _LINEAR or name in _COALESCING:
            return _unary(kernel, leaves, name in _COALESCING)
        raise unsupported(name.lstrip("_"))
    return h(kernel, leaves, _bound(kernel, leaves))


def _bound(kernel, leaves):
    """The op's arguments by name, rebuilt from its kernel's key and the call's leaves."""
    d = REGISTRY[kernel.name]
    key = next(k for k, v in d.kernels.items() if v is kernel)
    it = iter(leaves)
    args = {}
    for name, sp in zip(d.params, key):
        if sp is None:
            args[name] = None
        elif sp == "T":
            args[name] = next(it)
        elif sp in _PY_SCALAR:
            args[name] = sp(np.asarray(next(it)).item())
        elif sp[0] == "L":
            args[name] = [next(it) if s == "T" else s(np.asarray(next(it)).item())
                          for s in sp[1]]
        else:
            args[name] = _unstatic(sp[1])
    return args


def _is_sparse(x):
    return type(x) is SparseCOOTensor


def _unary(kernel, leaves, coalesce):
    s = leaves[0]
    if not _is_sparse(s) or any(_is_sparse(x) for x in leaves[1:]):
        raise unsupported(kernel.name)
    if coalesce:
        s = s.coalesce()
    v = run(kernel, [s._sp_values] + list(leaves[1:]))
    return _make(s._sp_indices, v, s._sp_shape, s._coalesced)


def _pow(kernel, leaves, args):
    s, e = args["input"], args["exponent"]
    if not _is_sparse(s) or isinstance(e, Tensor):
        raise unsupported("pow")
    if e == 0:
        raise RuntimeError("pow: cannot raise to zeroth power on sparse tensor; it would make "
                           "the result tensor dense")
    return _unary(kernel, leaves, True)


def _scalar_like(x):
    return not isinstance(x, Tensor) or x.dim() == 0 and not _is_sparse(x)


def _dense_at(dense, s):
    """The dense operand's entries at the sparse tensor's indices ([nnz, *dense dims])."""
    return _gather_at(dense.expand(*s._sp_shape), s._sp_indices)


def _mul(kernel, leaves, args):
    a, b = args["input"], args["other"]
    if _is_sparse(a) and _is_sparse(b):
        return _intersect(a, b)
    s, other = (a, b) if _is_sparse(a) else (b, a)
    if _scalar_like(other):
        v = run(kernel, [s._sp_values, leaves[1]] if s is a else [leaves[0], s._sp_values])
        return _make(s._sp_indices, v, s._sp_shape, s._coalesced)
    if other.dim() > s.dim():
        raise unsupported("mul.Tensor")
    g = _dense_at(other, s)
    v = s._sp_values * g if s is a else g * s._sp_values
    return _make(s._sp_indices, v, s._sp_shape, s._coalesced)


def _intersect(a, b):
    if tuple(a.shape) != tuple(b.shape):
        raise RuntimeError(f"mul(sparse, sparse): expected sizes of 'self' and 'other' to "
                           f"match, but {list(a.shape)} != {list(b.shape)}")
    if a.sparse_dim() != b.sparse_dim():
        raise unsupported("mul.Tensor")
    a, b = a.coalesce(), b.coalesce()
    k = a.sparse_dim()
    fa = _flat(_host(a._sp_indices), a._sp_shape[:k])
    fb = _flat(_host(b._sp_indices), b._sp_shape[:k])
    common, ia, ib = np.intersect1d(fa, fb, return_indices=True)
    ia, ib = wrap(np.asarray(ia, np.int64)), wrap(np.asarray(ib, np.int64))
    v = a._sp_values.index_select(0, ia) * b._sp_values.index_select(0, ib)
    return _make(a._sp_indices.index_select(1, ia), v, a._sp_shape, True)


def _div(kernel, leaves, args):
    s, other, mode = args["input"], args["other"], args["rounding_mode"]
    if not _is_sparse(s):
        raise unsupported("reciprocal" if _scalar_like(s) else "div.Tensor")
    if _is_sparse(other):
        raise unsupported("div.Tensor")
    if not _scalar_like(other):
        raise RuntimeError(f"Sparse division requires a scalar or zero-dim dense tensor divisor "
                           f"(got shape {list(other.shape)} for divisor)")
    if mode is not None:
        s = s.coalesce()
    v = run(kernel, [s._sp_values] + list(leaves[1:]))
    return _make(s._sp_indices, v, s._sp_shape, s._coalesced)


def _floor_divide(kernel, leaves, args):
    s, other = args["input"], args["other"]
    if not _is_sparse(s) or not _scalar_like(other):
        raise unsupported("floor_divide")
    return _unary(kernel, leaves, True)


def _add(kernel, leaves, args, sign=1):
    a, b, alpha = args["input"], args["other"], args["alpha"]
    alpha = 1 if alpha is None else alpha
    if not _is_sparse(a):
        if not isinstance(a, Tensor) or not _is_sparse(b):
            raise unsupported("add.Tensor")
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(f"add: expected 'self' and 'other' to have same size, but self "
                               f"has size {list(a.shape)} while other has size "
                               f"{list(b.shape)} (FYI: dense-sparse addition does not currently "
                               f"support broadcasting)")
        v = b._sp_values if alpha * sign == 1 else b._sp_values * (alpha * sign)
        return a + _to_dense(b._sp_indices, v, tuple(b._sp_shape))
    if not _is_sparse(b):
        raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) "
                           "instead.")
    if tuple(a.shape) != tuple(b.shape):
        raise RuntimeError(f"add: expected sizes of 'self' and 'other' to match, but "
                           f"{list(a.shape)} != {list(b.shape)}")
    if a.sparse_dim() != b.sparse_dim():
        raise unsupported("add.Tensor")
    from .. import cat
    dt = _dt.promote_types(a.dtype, b.dtype)
    vb = b._sp_values if alpha * sign == 1 else b._sp_values * (alpha * sign)
    if a._sp_indices is b._sp_indices or tuple(a._sp_indices.shape) == tuple(
            b._sp_indices.shape) and np.array_equal(_host(a._sp_indices), _host(b._sp_indices)):
        # (one pattern: PyTorch adds the values entry by entry)
        return _make(a._sp_indices, a._sp_values.to(dt) + vb.to(dt), a._sp_shape,
                     a._coalesced)
    out = _make(cat([a._sp_indices, b._sp_indices], 1),
                cat([a._sp_values.to(dt), vb.to(dt)]), a._sp_shape, False)
    return out.coalesce() if a._coalesced and b._coalesced else out


def _sub(kernel, leaves, args):
    return _add(kernel, leaves, args, -1)


def sparse_sum(s, dim=None, keepdim=False, dtype=None):
    """Sum of a sparse tensor: over all dims a dense 0-d tensor, over some dims a sparse one
    (dense where no sparse dim is left), as PyTorch's sum and torch.sparse.sum."""
    from .._ops.reduction import _norm_dims
    v = s._sp_values if dtype is None else s._sp_values.to(dtype)
    dims = _norm_dims(dim, s.dim())
    if dims is None:
        return v.sum()
    k = s.sparse_dim()
    sd = sorted(d for d in dims if d < k)
    dd = [d - k + 1 for d in dims if d >= k]
    if dd:
        v = v.sum(dd, keepdim=keepdim)
    shape = list(s._sp_shape)
    if len(sd) == k:
        out = v.sum(0)
        return out.reshape([1] * k + list(out.shape)) if keepdim else out
    keep = [d for d in range(k) if d not in sd]
    idx = s._sp_indices
    if keepdim:
        from .. import zeros_like
        rows = [idx[d] if d in keep else zeros_like(idx[d]) for d in range(k)]
        from .. import stack
        idx = stack(rows)
        new_shape = [1 if (d in sd or d in dims) else n for d, n in enumerate(shape)]
    else:
        idx = idx.index_select(0, wrap(np.asarray(keep, np.int64)))
        new_shape = [n for d, n in enumerate(shape) if d not in dims]
    out = _make(idx, v, new_shape, False).coalesce()
    return out._coalesced_(not keepdim)


def _sum(kernel, leaves, args):
    s = args["input"]
    if not _is_sparse(s):
        raise unsupported("sum")
    return sparse_sum(s, args["dim"], args["keepdim"], args["dtype"])


def _matmul(kernel, leaves, args):
    from . import mm
    a, b = args["input"], args["other"]
    if _is_sparse(a) and not _is_sparse(b) and a.dim() == 2 and b.dim() == 1:
        return mm(a, b.unsqueeze(1)).squeeze(1)
    if a.dim() == 2 and b.dim() == 2:
        return mm(a, b)
    raise unsupported("matmul")


def _addmm(kernel, leaves, args):
    from . import addmm
    if _is_sparse(args["input"]) or _is_sparse(args["mat2"]) and not _is_sparse(args["mat1"]):
        raise unsupported("addmm")
    beta, alpha = args["beta"], args["alpha"]
    return addmm(args["input"], args["mat1"], args["mat2"], beta=1 if beta is None else beta,
                 alpha=1 if alpha is None else alpha)


_HANDLERS = {
    "pow": _pow, "mul": _mul, "div": _div, "floor_divide": _floor_divide, "add": _add,
    "sub": _sub, "_sum": _sum, "matmul": _matmul, "addmm": _addmm,
}


def _inplace(name):
    def f(self, *args, **kwargs):
        if (name in _COALESCING or name == "pow") and not self._coalesced:
            raise RuntimeError(f"{name}_ requires coalesced input")
        if self.requires_grad and self.is_leaf:
            from .._core import grad_mode
            if grad_mode.is_grad_enabled():
                raise RuntimeError("a leaf Variable that requires grad is being used in an "
                                   "in-place operation.")
        import torchlike
        r = getattr(torchlike, name)(self, *args, **kwargs)
        if r.dtype is not self.dtype:
            from .._ops.registry import _scalar_type_name as n
            raise RuntimeError(f"result type {n(r.dtype)} can't be cast to the desired output "
                               f"type {n(self.dtype)}")
        self._sp_indices, self._sp_values = r._sp_indices, r._sp_values
        self._sp_shape, self._coalesced = r._sp_shape, r._coalesced
        return self
    f.__name__ = name + "_"
    return f


for _n in sorted(_LINEAR | _COALESCING | {"mul", "div", "add", "sub", "pow"}):
    if _n != "conj_physical" and hasattr(Tensor, _n + "_"):
        setattr(SparseCOOTensor, _n + "_", _inplace(_n))
del _n
