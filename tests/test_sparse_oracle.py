"""Sparse COO tensors compared with real PyTorch: construction, conversions, metadata, repr,
the ops PyTorch runs on sparse tensors, products, gradients, save/load, and the exception type
(and message, where torchlike matches it) of what PyTorch refuses."""

import io
import pickle
import warnings

import numpy as np
import pytest

from tests._oracle import assert_same_error, import_torch, same_result_or_error

torch = import_torch()

import torchlike as tl  # noqa: E402

I = [[0, 1, 1, 2, 0], [2, 0, 2, 1, 2]]
V = [1.5, -2.0, 3.0, 4.0, 0.5]


def sp(T, coalesced=False):
    s = T.sparse_coo_tensor(T.tensor(I), T.tensor(V), (3, 3))
    return s.coalesce() if coalesced else s


def hyb(T):
    return T.sparse_coo_tensor([[0, 2]], [[1.0, 2.0], [3.0, 4.0]], (3, 2))


def dense(T):
    return T.tensor([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])


def _desc(r, lib, exact=True):
    """What a call returned, in library-neutral terms (exact: also the COO structure)."""
    if isinstance(r, lib.Tensor) and r.is_sparse:
        d = [str(r.layout), str(r.dtype), tuple(r.shape), r.sparse_dim(), r.dense_dim(),
             r.requires_grad, r.detach().to_dense().tolist()]
        if exact:
            d += [r.is_coalesced(), r._nnz(), r._indices().tolist(),
                  r._values().detach().tolist(), repr(r)]
        return d
    if isinstance(r, lib.Tensor):
        return ["dense", str(r.dtype), tuple(r.shape), r.requires_grad, r.detach().tolist()]
    if isinstance(r, (tuple, list)):
        return [_desc(x, lib, exact) for x in r]
    return repr(r)


def _same(call, exact=True, message=True):
    """call(torch) and call(torchlike) agree: the same result, or the same error (and
    message, unless message=False: PyTorch's 'Could not run' texts list its backends)."""
    if not message:
        same_result_or_error(call, torch, tl, lambda r, lib: _desc(r, lib, exact),
                             lambda a, b: _close(b, a))
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = call(torch)
        except Exception:  # noqa: BLE001 (the oracle's exception is the expectation)
            assert_same_error(call, torch, tl)
            return
        got = call(tl)
    _close(_desc(got, tl, exact), _desc(want, torch, exact))


def _close(got, want):
    if isinstance(want, list) and isinstance(got, list) and len(got) == len(want):
        for g, w in zip(got, want):
            _close(g, w)
    elif isinstance(want, float) or (isinstance(want, list) and want and
                                     not isinstance(want[0], str)):
        np.testing.assert_allclose(np.asarray(got, float), np.asarray(want, float), rtol=1e-6,
                                   atol=1e-7)
    else:
        assert got == want


CONSTRUCT = {
    "basic": lambda T: sp(T),
    "lists": lambda T: T.sparse_coo_tensor(I, V, (3, 3)),
    "inferred_size": lambda T: T.sparse_coo_tensor(T.tensor(I), T.tensor(V)),
    "int_values": lambda T: T.sparse_coo_tensor(I, [1, 2, 3, 4, 5], (3, 3)),
    "dtype": lambda T: T.sparse_coo_tensor(I, V, (3, 3), dtype=T.float64),
    "requires_grad": lambda T: T.sparse_coo_tensor(I, V, (3, 3), requires_grad=True),
    "float_indices": lambda T: T.sparse_coo_tensor(T.tensor([[0.0, 1.0]]), [1.0, 2.0], (3,)),
    "int32_indices": lambda T: T.sparse_coo_tensor(T.tensor([[0, 1]], dtype=T.int32),
                                                   [1.0, 2.0], (3,)),
    "hybrid": hyb,
    "scalar_values": lambda T: T.sparse_coo_tensor([[0]], 1.0, (3,)),
    "empty": lambda T: T.sparse_coo_tensor(T.zeros(2, 0, dtype=T.long), T.zeros(0), (2, 3)),
    "empty_no_size": lambda T: T.sparse_coo_tensor(T.zeros(2, 0, dtype=T.long), T.zeros(0)),
    "size_only": lambda T: T.sparse_coo_tensor(size=(2, 3)),
    "torch_size": lambda T: T.sparse_coo_tensor([[0, 2]], [1.0, 2.0], T.Size([3])),
    "is_coalesced_flag": lambda T: T.sparse_coo_tensor([[0, 2]], [1.0, 2.0], (3,),
                                                       is_coalesced=True),
    "one_entry": lambda T: T.sparse_coo_tensor([[1], [0]], [1.0], (2, 2)),
    # bad input
    "bad_index_checked": lambda T: T.sparse_coo_tensor([[0, 5]], [1.0, 2.0], (3,),
                                                       check_invariants=True),
    "negative_index_checked": lambda T: T.sparse_coo_tensor([[0, -1]], [1.0, 2.0], (3,),
                                                            check_invariants=True),
    "nnz_mismatch": lambda T: T.sparse_coo_tensor([[0, 1]], [1.0, 2.0, 3.0], (3,)),
    "size_too_short": lambda T: T.sparse_coo_tensor([[0, 1], [0, 1]], [1.0, 2.0], (3,)),
    "values_wrong_size": lambda T: T.sparse_coo_tensor([[0, 2]], [[1.0, 2.0], [3.0, 4.0]],
                                                       (3, 3)),
    "negative_size": lambda T: T.sparse_coo_tensor([[0, 2]], [1.0, 2.0], (-3,)),
    "indices_3d": lambda T: T.sparse_coo_tensor(T.zeros(2, 1, 1, dtype=T.long), T.zeros(1),
                                                (2, 2)),
}


@pytest.mark.parametrize("name", CONSTRUCT)
def test_sparse_coo_tensor(name):
    _same(CONSTRUCT[name])


CONVERT = {
    "to_sparse": lambda T: dense(T).to_sparse(),
    "to_sparse_1": lambda T: dense(T).to_sparse(1),
    "to_sparse_kw": lambda T: dense(T).to_sparse(sparse_dim=2),
    "to_sparse_coo": lambda T: dense(T).to_sparse_coo(),
    "to_sparse_layout": lambda T: dense(T).to_sparse(layout=T.sparse_coo),
    "to_sparse_3d_2": lambda T: T.tensor([[[0.0, 1.0], [0, 0]], [[2.0, 0], [0, 0]]]).to_sparse(2),
    "to_sparse_int": lambda T: T.tensor([[0, 1], [2, 0]]).to_sparse(),
    "to_sparse_bool": lambda T: T.tensor([[False, True]]).to_sparse(),
    "to_sparse_0d": lambda T: T.tensor(2.0).to_sparse(),
    "to_sparse_0d_zero": lambda T: T.tensor(0.0).to_sparse(),
    "to_sparse_bad_dim": lambda T: dense(T).to_sparse(3),
    "to_sparse_0": lambda T: dense(T).to_sparse(0),
    "sparse_to_sparse": lambda T: sp(T).to_sparse(),
    "sparse_to_sparse_dim": lambda T: sp(T).to_sparse(1),
    "sparse_to_sparse_coo": lambda T: sp(T).to_sparse_coo(),
    "to_dense": lambda T: sp(T).to_dense(),
    "hybrid_to_dense": lambda T: hyb(T).to_dense(),
    "to_dense_dtype": lambda T: sp(T).to_dense(T.float64),
    "dense_to_dense": lambda T: dense(T).to_dense(),
    "dense_to_dense_dtype": lambda T: dense(T).to_dense(T.float64),
    "coalesce": lambda T: sp(T).coalesce(),
    "coalesce_cancel": lambda T: T.sparse_coo_tensor([[0, 0]], [1.0, -1.0], (2,)).coalesce(),
    "coalesce_hybrid": lambda T: T.sparse_coo_tensor([[2, 0, 2]], T.ones(3, 2), (3, 2)).coalesce(),
    "clone": lambda T: sp(T).clone(),
    "clone_coalesced": lambda T: sp(T, True).clone(),
    "detach": lambda T: sp(T, True).detach(),
    "to_float64": lambda T: sp(T).to(T.float64),
    "to_int64": lambda T: sp(T).to(T.int64),
    "double": lambda T: sp(T).double(),
    "half": lambda T: sp(T).half(),
    "int": lambda T: sp(T).int(),
    "to_cpu": lambda T: sp(T).to("cpu"),
    "to_tensor": lambda T: sp(T).to(T.ones(1, dtype=T.float64)),
    "requires_grad_": lambda T: sp(T).requires_grad_(),
    "sparse_mask": lambda T: T.ones(3, 3).sparse_mask(sp(T, True)),
    "sparse_mask_uncoalesced": lambda T: (T.arange(9.0).reshape(3, 3)).sparse_mask(sp(T)),
    "sparse_mask_sparse_self": lambda T: sp(T).sparse_mask(sp(T, True)),
    "sparse_mask_dense_mask": lambda T: dense(T).sparse_mask(dense(T)),
    "sparse_mask_bad_size": lambda T: dense(T).sparse_mask(sp(T)),
}


@pytest.mark.parametrize("name", CONVERT)
def test_conversions(name):
    _same(CONVERT[name], message="dense_mask" not in name)


META = {
    "layout": lambda T: (sp(T).layout, dense(T).layout),
    "is_sparse": lambda T: (sp(T).is_sparse, dense(T).is_sparse),
    "is_coalesced": lambda T: (sp(T).is_coalesced(), sp(T, True).is_coalesced()),
    "dims": lambda T: (sp(T).sparse_dim(), sp(T).dense_dim(), hyb(T).sparse_dim(),
                       hyb(T).dense_dim(), dense(T).sparse_dim(), dense(T).dense_dim()),
    "shape": lambda T: (tuple(sp(T).shape), tuple(sp(T).size()), sp(T).size(0), sp(T).dim(),
                        sp(T).ndim, sp(T).numel(), len(sp(T))),
    "dtype_device": lambda T: (sp(T).dtype, str(sp(T).device)),
    "nnz": lambda T: (sp(T)._nnz(), sp(T, True)._nnz()),
    "type": lambda T: (sp(T).type(), sp(T).double().type()),
    "is_tensor": lambda T: (isinstance(sp(T), T.Tensor), T.is_tensor(sp(T))),
    "leaf": lambda T: (sp(T).is_leaf, sp(T).grad_fn),
    "stride": lambda T: sp(T).stride(),
    "is_contiguous": lambda T: sp(T).is_contiguous(),
    "indices_values": lambda T: (sp(T, True).indices(), sp(T, True).values()),
    "_indices_values": lambda T: (sp(T)._indices(), sp(T)._values()),
    "indices_uncoalesced": lambda T: sp(T).indices(),
    "values_uncoalesced": lambda T: sp(T).values(),
    "dense_indices": lambda T: dense(T).indices(),
    "dense_values": lambda T: dense(T).values(),
    "dense_coalesce": lambda T: dense(T).coalesce(),
    "dense_is_coalesced": lambda T: dense(T).is_coalesced(),
    "item": lambda T: T.sparse_coo_tensor([[0, 0]], [1.0, 2.0], (1,)).item(),
    "item_many": lambda T: sp(T).item(),
    "bool": lambda T: bool(sp(T)),
    "len_0d": lambda T: len(T.tensor(1.0).to_sparse()),
    "numpy": lambda T: sp(T).numpy(),
    "tolist": lambda T: sp(T).tolist(),
    "storage": lambda T: sp(T).untyped_storage(),
    "contiguous": lambda T: sp(T).contiguous(),
    "reshape": lambda T: sp(T).reshape(9),
}


@pytest.mark.parametrize("name", META)
def test_metadata(name):
    _same(META[name])


UNSUPPORTED_IN_TORCH = {  # PyTorch's NotImplementedError (its message lists its backends)
    "dense_nnz": lambda T: dense(T)._nnz(),
    "dense__indices": lambda T: dense(T)._indices(),
    "exp": lambda T: sp(T).exp(),
    "cos": lambda T: T.cos(sp(T)),
    "eq": lambda T: sp(T) == sp(T),
    "clamp": lambda T: sp(T).clamp(0, 2),
    "mean": lambda T: sp(T).mean(),
    "view": lambda T: sp(T).view(9),
    "exp_": lambda T: sp(T).exp_(),
    "reciprocal": lambda T: 2 / sp(T),
    "sparse_softmax_dense": lambda T: T.sparse.softmax(T.ones(2, 2), 1),
}


@pytest.mark.parametrize("name", UNSUPPORTED_IN_TORCH)
def test_unsupported_ops_raise_as_torch(name):
    _same(UNSUPPORTED_IN_TORCH[name], message=False)


S2 = {"s2": lambda T: T.sparse_coo_tensor([[0, 1], [1, 1]], [1.0, 2.0], (3, 3))}

OPS = {
    "neg": lambda T: -sp(T),
    "torch_neg": lambda T: T.neg(sp(T)),
    "abs": lambda T: sp(T).abs(),
    "torch_abs": lambda T: T.abs(sp(T)),
    "sin": lambda T: sp(T).sin(),
    "sqrt": lambda T: sp(T, True).abs().sqrt(),
    "tanh": lambda T: T.tanh(sp(T)),
    "sign": lambda T: sp(T).sign(),
    "floor": lambda T: sp(T).floor(),
    "relu": lambda T: sp(T).relu(),
    "square": lambda T: sp(T).square(),
    "log1p": lambda T: sp(T).abs().log1p(),
    "isnan": lambda T: sp(T).isnan(),
    "round": lambda T: sp(T).round(),
    "pow2": lambda T: sp(T).pow(2),
    "pow_neg": lambda T: sp(T) ** -1,
    "pow0": lambda T: sp(T).pow(0),
    "mul_scalar": lambda T: sp(T) * 2,
    "rmul_scalar": lambda T: 2 * sp(T),
    "mul_0d": lambda T: sp(T) * T.tensor(2.0),
    "int_mul_float": lambda T: T.sparse_coo_tensor(I, [1, 2, 3, 4, 5], (3, 3)) * 1.5,
    "int_div": lambda T: T.sparse_coo_tensor(I, [1, 2, 3, 4, 5], (3, 3)) / 2,
    "div_scalar": lambda T: sp(T) / 2,
    "div_0d": lambda T: sp(T) / T.tensor(2.0),
    "floordiv": lambda T: sp(T) // 2,
    "div_floor": lambda T: T.div(sp(T), 2, rounding_mode="floor"),
    "div_dense": lambda T: sp(T) / T.ones(3, 3),
    "add_same": lambda T: sp(T) + sp(T),
    "add_alpha": lambda T: T.add(sp(T), sp(T), alpha=2),
    "sub_same": lambda T: sp(T) - sp(T),
    "add_coalesced": lambda T: sp(T, True) + S2["s2"](T).coalesce(),
    "add_float64": lambda T: sp(T) + sp(T).double(),
    "add_bad_size": lambda T: sp(T) + T.sparse_coo_tensor([[0]], [1.0], (3,)),
    "add_scalar": lambda T: sp(T) + 1,
    "sub_dense": lambda T: sp(T) - T.ones(3, 3),
    "add_sparse_dense": lambda T: sp(T) + T.ones(3, 3),
    "dense_add_sparse": lambda T: T.ones(3, 3) + sp(T),
    "dense_sub_sparse": lambda T: T.ones(3, 3) - sp(T),
    "dense_add_alpha": lambda T: T.add(T.ones(3, 3), sp(T), alpha=3),
    "mul_dense": lambda T: sp(T) * T.arange(9.0).reshape(3, 3),
    "dense_mul": lambda T: T.arange(9.0).reshape(3, 3) * sp(T),
    "mul_broadcast": lambda T: sp(T) * T.arange(3.0),
    "t": lambda T: sp(T).t(),
    "t_coalesced": lambda T: sp(T, True).t(),
    "torch_t": lambda T: T.t(sp(T)),
    "transpose": lambda T: sp(T).transpose(0, 1),
    "torch_transpose": lambda T: T.transpose(sp(T), 1, 0),
    "permute": lambda T: sp(T).permute(1, 0),
    "transpose_hybrid_bad": lambda T: hyb(T).transpose(0, 1),
    "t_3d": lambda T: T.zeros(2, 2, 2).to_sparse().t(),
    "sum": lambda T: sp(T).sum(),
    "torch_sum": lambda T: T.sum(sp(T)),
    "sum_dtype": lambda T: sp(T).sum(dtype=T.float64),
    "sum_dim0": lambda T: sp(T).sum(0),
    "sum_dim_neg": lambda T: sp(T).sum(-1),
    "sum_dims": lambda T: sp(T).sum((0, 1)),
    "sum_hybrid0": lambda T: hyb(T).sum(0),
    "sum_hybrid1": lambda T: hyb(T).sum(1),
    "sum_1d": lambda T: T.sparse_coo_tensor([[0, 2]], [1.0, 2.0], (3,)).sum(0),
    "sparse_sum": lambda T: T.sparse.sum(sp(T)),
    "sparse_sum_dim": lambda T: T.sparse.sum(sp(T), 0),
    "sparse_sum_dim1": lambda T: T.sparse.sum(sp(T), dim=1),
    "sparse_sum_dims": lambda T: T.sparse.sum(sp(T), (0, 1)),
    "sparse_sum_dtype": lambda T: T.sparse.sum(sp(T), dtype=T.float64),
    "sparse_sum_bad_dim": lambda T: T.sparse.sum(sp(T), 2),
    "sparse_sum_dense": lambda T: T.sparse.sum(T.ones(2, 2)),
    "mul_inplace": lambda T: sp(T).mul_(2),
    "div_inplace": lambda T: sp(T).div_(2),
    "neg_inplace": lambda T: sp(T).neg_(),
    "add_inplace": lambda T: sp(T).add_(sp(T)),
    "abs_inplace_uncoalesced": lambda T: sp(T).abs_(),
    "abs_inplace": lambda T: sp(T, True).abs_(),
    "zero_": lambda T: sp(T).zero_(),
}

# the COO structure (order, nnz) of these differs from PyTorch's; their values agree
_VALUES_ONLY = {"add_coalesced"}


@pytest.mark.parametrize("name", OPS)
def test_ops(name):
    _same(OPS[name], exact=name not in _VALUES_ONLY)


def test_mul_sparse_sparse_values():
    _same(lambda T: sp(T) * sp(T), exact=False)
    _same(lambda T: sp(T) * S2["s2"](T), exact=False)
    _same(lambda T: sp(T, True) * S2["s2"](T).coalesce())


PRODUCTS = {
    "sparse_mm": lambda T: T.sparse.mm(sp(T), T.arange(6.0).reshape(3, 2)),
    "torch_mm": lambda T: T.mm(sp(T), T.arange(6.0).reshape(3, 2)),
    "mm_dense_sparse": lambda T: T.mm(T.arange(6.0).reshape(2, 3), sp(T)),
    "sparse_mm_dense_sparse": lambda T: T.sparse.mm(T.arange(6.0).reshape(2, 3), sp(T)),
    "matmul": lambda T: sp(T) @ T.arange(6.0).reshape(3, 2),
    "torch_matmul": lambda T: T.matmul(sp(T), T.arange(6.0).reshape(3, 2)),
    "matmul_vector": lambda T: sp(T) @ T.arange(3.0),
    "dense_matmul_sparse": lambda T: T.arange(6.0).reshape(2, 3) @ sp(T),
    "sparse_sparse": lambda T: sp(T) @ sp(T),
    "mm_sparse_sparse": lambda T: T.mm(sp(T), S2["s2"](T)),
    "addmm": lambda T: T.sparse.addmm(T.ones(3, 2), sp(T), T.ones(3, 2)),
    "addmm_beta_alpha": lambda T: T.sparse.addmm(T.ones(3, 2), sp(T), T.ones(3, 2), beta=0.5,
                                                 alpha=2),
    "addmm_broadcast": lambda T: T.sparse.addmm(T.ones(2), sp(T), T.ones(3, 2)),
    "torch_addmm": lambda T: T.addmm(T.ones(3, 2), sp(T), T.ones(3, 2)),
    "torch_addmm_beta_alpha": lambda T: T.addmm(T.ones(3, 2), sp(T), T.ones(3, 2), beta=2,
                                                alpha=0.5),
    "mm_int": lambda T: T.sparse.mm(T.sparse_coo_tensor(I, [1, 2, 3, 4, 5], (3, 3)),
                                    T.ones(3, 2, dtype=T.long)),
    "mm_bad_shape": lambda T: T.sparse.mm(sp(T), T.ones(2, 2)),
    "mm_3d": lambda T: T.sparse.mm(T.ones(2, 2, 2).to_sparse(), T.ones(2, 2)),
    "mm_dtype_mix": lambda T: T.sparse.mm(sp(T), T.ones(3, 2, dtype=T.float64)),
    "softmax": lambda T: T.sparse.softmax(sp(T), 1),
    "softmax_dim0": lambda T: T.sparse.softmax(sp(T), 0),
    "softmax_neg": lambda T: T.sparse.softmax(sp(T), -1),
    "softmax_dtype": lambda T: T.sparse.softmax(sp(T), 1, dtype=T.float64),
    "softmax_hybrid": lambda T: T.sparse.softmax(hyb(T), 1),
    "softmax_hybrid0": lambda T: T.sparse.softmax(hyb(T), 0),
    "log_softmax": lambda T: T.sparse.log_softmax(sp(T), 0),
    "log_softmax1": lambda T: T.sparse.log_softmax(sp(T), 1),
}


@pytest.mark.parametrize("name", PRODUCTS)
def test_products(name):
    _same(PRODUCTS[name])


def _grads(T, fn):
    v = T.tensor(V, requires_grad=True)
    d = T.arange(6.0).reshape(3, 2).requires_grad_()
    s = T.sparse_coo_tensor(T.tensor(I), v, (3, 3))
    out = fn(T, s, d)
    (out.to_dense() if out.is_sparse else out).pow(2).sum().backward()
    return out, v.grad, d.grad


GRADS = {
    "sparse_mm": lambda T, s, d: T.sparse.mm(s, d),
    "torch_mm": lambda T, s, d: T.mm(s, d),
    "matmul": lambda T, s, d: s @ d,
    "addmm": lambda T, s, d: T.sparse.addmm(d * 2, s, d, beta=0.5, alpha=2.0),
    "to_dense": lambda T, s, d: s.to_dense() * 3,
    "sum": lambda T, s, d: s.sum() + d.sum(),
    "sparse_sum_dim": lambda T, s, d: T.sparse.sum(s, 1),
    "mul_scalar": lambda T, s, d: (s * 2).to_dense(),
    "abs": lambda T, s, d: s.abs(),
    "add": lambda T, s, d: s + s,
    "dense_add": lambda T, s, d: d.sum(1, keepdim=True) + s,
    "mul_dense": lambda T, s, d: s * (d @ d.T),
    "softmax": lambda T, s, d: T.sparse.softmax(s, 1) * 3,
    "log_softmax": lambda T, s, d: T.sparse.log_softmax(s, 0),
    "t_mm": lambda T, s, d: T.sparse.mm(s.t(), d),
}


@pytest.mark.parametrize("name", GRADS)
def test_gradients(name):
    _same(lambda T: _grads(T, GRADS[name]), exact=False)


def test_sparse_leaf_gradient_is_sparse():
    def call(T):
        s = T.sparse_coo_tensor(T.tensor(I), T.tensor(V), (3, 3), requires_grad=True)
        d = T.arange(6.0).reshape(3, 2)
        y = T.sparse.mm(s, d)
        y.sum().backward()
        s2 = T.sparse_coo_tensor(T.tensor(I), T.tensor(V), (3, 3), requires_grad=True)
        s2.to_dense().mul(T.arange(9.0).reshape(3, 3)).sum().backward()
        return s.grad, s2.grad, y.requires_grad, s.is_leaf, s.requires_grad
    _same(call, exact=False)


def test_values_requiring_grad_make_a_non_leaf():
    def call(T):
        v = T.tensor(V, requires_grad=True)
        s = T.sparse_coo_tensor(T.tensor(I), v, (3, 3))
        return s.is_leaf, s.requires_grad, s.grad_fn is None, repr(s).splitlines()[-1]
    _same(call)


def test_repr_with_grad():
    _same(lambda T: sp(T).requires_grad_() * 2)
    _same(lambda T: T.sparse_coo_tensor(I, V, (3, 3), dtype=T.float64, requires_grad=True))


def _roundtrip(save, load, make):
    buf = io.BytesIO()
    save(make, buf)
    buf.seek(0)
    return load(buf)


@pytest.mark.parametrize("coalesced", [False, True])
def test_save_load(coalesced):
    want = _desc(sp(torch, coalesced), torch)
    for save_lib, load_lib in [(tl, tl), (tl, torch), (torch, tl)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = _roundtrip(save_lib.save, load_lib.load, sp(save_lib, coalesced))
        assert _desc(got, load_lib) == want
    assert _desc(pickle.loads(pickle.dumps(sp(tl, coalesced))), tl) == want
