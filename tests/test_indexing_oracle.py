"""Indexing and shape ops against the oracle (a differential sweep): __getitem__/__setitem__
index combinations, index_put_, take/put, masked_*, the gather/scatter and index_* families,
the *_scatter ops, split/chunk/unbind/movedim/squeeze and 0-d inputs. Values, shapes, dtypes,
exception types (and messages), gradients and aliasing all come from PyTorch."""

import warnings

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()


def _host(x, lib):
    if isinstance(x, lib.Tensor):
        if x.is_sparse:
            x = x.to_dense()
        if x.is_complex():
            x = x.resolve_conj()
        return ("T", str(x.dtype).split(".")[-1], tuple(x.shape), np.asarray(x.detach().numpy()))
    if isinstance(x, (tuple, list)):
        return (type(x).__name__, [_host(y, lib) for y in x])
    return x


def _same(want, got):
    if isinstance(want, tuple) and want and want[0] == "T":
        assert isinstance(got, tuple) and got[:3] == want[:3], (want[:3], got[:3])
        np.testing.assert_allclose(got[3], want[3], rtol=1e-5, atol=1e-6, equal_nan=True)
    elif isinstance(want, tuple) and len(want) == 2 and want[0] in ("tuple", "list"):
        assert isinstance(got, tuple) and got[0] == want[0] and len(got[1]) == len(want[1]), (
            want, got)
        for w, g in zip(want[1], got[1]):
            _same(w, g)
    else:
        assert got == want


def _check(call, msg=True):
    """call(lib) gives PyTorch's result, or raises PyTorch's exception type (and, with msg, the
    first line of its message)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = _host(call(torch), torch)
        except Exception as e:  # noqa: BLE001 (the oracle's exception is the expectation)
            with pytest.raises(type(e)) as got:
                call(tl)
            if msg:
                assert str(got.value).split("\n")[0] == str(e).split("\n")[0]
            return
        got = _host(call(tl), tl)
    _same(want, got)


def _raises(call, msg=True):
    """The oracle raises here (so the check cannot pass vacuously)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception):
            call(torch)
    _check(call, msg)


def _grads(fn, *makers):
    """call(lib) -> the inputs' gradients of a weighted sum of fn(lib, *inputs)."""
    def call(lib):
        xs = [m(lib).requires_grad_() for m in makers]
        out = fn(lib, *xs)
        w = lib.arange(out.numel()).reshape(out.shape).to(out.dtype) + 1
        (out * w).sum().backward()
        return [x.grad for x in xs]
    return call


def _alias(fn, maker):
    """call(lib) -> the base after an in-place add on fn's result (a view changes it)."""
    def call(lib):
        b = maker(lib)
        r = fn(lib, b)
        (r[0] if isinstance(r, (tuple, list)) else r).add_(100)
        return b
    return call


def _z(lib):
    return lib.tensor(3.0)


def _x23(lib):
    return lib.arange(6.0).reshape(2, 3)


def _x34(lib):
    return lib.arange(12.0).reshape(3, 4)


def _x345(lib):
    return lib.arange(60.0).reshape(3, 4, 5)


def _t(lib, v, dtype=None):
    return lib.tensor(v) if dtype is None else lib.tensor(v, dtype=getattr(lib, dtype))


# ----------------------------------------------------------------- shape ops on 0-d tensors
ZERO_D_SHAPE = {
    "chunk": lambda L: _z(L).chunk(2),
    "chunk_dim": lambda L: _z(L).chunk(1, -1),
    "split": lambda L: _z(L).split(1),
    "split_sizes": lambda L: _z(L).split([1]),
    "narrow": lambda L: _z(L).narrow(0, 0, 1),
    "movedim": lambda L: _z(L).movedim(0, -1),
    "movedim_oob": lambda L: _z(L).movedim(1, 0),
    "movedim_list": lambda L: _z(L).movedim([0], [0]),
    "flatten": lambda L: _z(L).flatten(0, -1),
    "flatten_oob": lambda L: _z(L).flatten(0, 1),
    "mT": lambda L: _z(L).mT,
    "mH": lambda L: _t(L, 1 + 2j).mH,
    "H": lambda L: _t(L, 1 + 2j).H,
    "T": lambda L: _z(L).T,
    "tensor_split": lambda L: _z(L).tensor_split(2),
    "unflatten": lambda L: _z(L).unflatten(0, (1,)),
    "unflatten_oob": lambda L: _z(L).unflatten(3, (1,)),
    "unbind": lambda L: _z(L).unbind(),
    "squeeze_dup": lambda L: _z(L).squeeze((0, -1)),
    "permute_none": lambda L: _z(L).permute(),
    "permute_empty": lambda L: _z(L).permute(()),
    "hsplit": lambda L: _z(L).hsplit(1),
    "vsplit": lambda L: _z(L).vsplit(1),
    "dsplit": lambda L: _z(L).dsplit(1),
    "diag_embed": lambda L: L.diag_embed(_z(L)),
    "unfold": lambda L: _z(L).unfold(0, 1, 1),
}


@pytest.mark.parametrize("name", list(ZERO_D_SHAPE))
def test_zero_d_shape_ops(name):
    _check(ZERO_D_SHAPE[name])


def test_zero_d_view_aliases():
    _check(_alias(lambda L, b: b.movedim(0, 0), _z))
    _check(_alias(lambda L, b: b.mT, _z))


# ------------------------------------------------- gather/scatter/index_* with 0-d operands
ZERO_D_INDEX = {
    "gather_0d_1d": lambda L: _z(L).gather(0, _t(L, [0, 0])),
    "gather_0d_0d": lambda L: _z(L).gather(-1, _t(L, 0)),
    "gather_1d_0d": lambda L: _t(L, [1.0, 2.0]).gather(0, _t(L, 1)),
    "gather_0d_2d": lambda L: _z(L).gather(0, _t(L, [[0]])),
    "gather_0d_oob": lambda L: _z(L).gather(0, _t(L, [1])),
    "take_along_dim_0d": lambda L: L.take_along_dim(_z(L), _t(L, 0), 0),
    "take_along_dim_none": lambda L: L.take_along_dim(_z(L), _t(L, 0)),
    "scatter_0d_1d": lambda L: _z(L).scatter(0, _t(L, [0]), _t(L, [5.0])),
    "scatter_0d_value": lambda L: _z(L).scatter(0, _t(L, [0]), 7.0),
    "scatter_0d_src_small": lambda L: _z(L).scatter(0, _t(L, [0, 0]), _t(L, 5.0)),
    "scatter_1d_0d_idx": lambda L: L.zeros(3).scatter(0, _t(L, 1), _t(L, [5.0, 6.0])),
    "scatter_add_0d": lambda L: _z(L).scatter_add(0, _t(L, [0, 0]), _t(L, [5.0, 1.0])),
    "scatter_reduce_0d": lambda L: _z(L).scatter_reduce(0, _t(L, [0, 0]), _t(L, [5.0, 2.0]),
                                                        "prod", include_self=False),
    "scatter_reduce_1d_0d_idx": lambda L: L.ones(3).scatter_reduce(0, _t(L, 1), _t(L, 5.0), "sum"),
    "index_select_0d": lambda L: _z(L).index_select(-1, _t(L, 0)),
    "index_add_0d": lambda L: _z(L).index_add(0, _t(L, [0]), _t(L, 2.0)),
    "index_add_0d_src_1d": lambda L: _z(L).index_add(0, _t(L, [0]), _t(L, [2.0])),
    "index_add_0d_two": lambda L: _z(L).index_add(0, _t(L, [0, 0]), _t(L, 2.0)),
    "index_add_0d_oob": lambda L: _z(L).index_add(0, _t(L, [1]), _t(L, 2.0)),
    "index_add_1d_0d_idx": lambda L: L.zeros(3).index_add(0, _t(L, 1), _t(L, [2.0])),
    "index_copy_0d": lambda L: _z(L).index_copy(0, _t(L, 0), _t(L, 2.0)),
    "index_copy_0d_two": lambda L: _z(L).index_copy(0, _t(L, [0, 0]), _t(L, 2.0)),
    "index_copy_1d_0d_idx": lambda L: L.zeros(3).index_copy(0, _t(L, 1), _t(L, [2.0])),
    "index_fill_0d": lambda L: _z(L).index_fill(0, _t(L, [0, 0]), 1.0),
    "index_reduce_0d": lambda L: _z(L).index_reduce(0, _t(L, [0]), _t(L, 2.0), "prod"),
    "index_reduce_0d_src_1d": lambda L: _z(L).index_reduce(0, _t(L, [0]), _t(L, [2.0]), "prod"),
    "index_reduce_1d_0d_idx": lambda L: L.ones(3).index_reduce(0, _t(L, 1), _t(L, [2.0]), "prod"),
    "index_reduce_1d_0d_src": lambda L: L.ones(3).index_reduce(0, _t(L, [1]), _t(L, 2.0), "prod"),
    "slice_scatter_0d": lambda L: L.slice_scatter(_z(L), _z(L)),
    "select_scatter_0d": lambda L: L.select_scatter(_z(L), _z(L), 0, 0),
    "take_0d": lambda L: _z(L).take(_t(L, 0)),
    "put_0d": lambda L: _z(L).put(_t(L, 0), _t(L, 1.0)),
    "masked_scatter_0d": lambda L: _z(L).masked_scatter(_t(L, True), _t(L, [7.0])),
    "nonzero_0d": lambda L: _z(L).nonzero(),
    "nonzero_0d_tuple": lambda L: _t(L, 0.0).nonzero(as_tuple=True),
}


@pytest.mark.parametrize("name", list(ZERO_D_INDEX))
def test_zero_d_index_ops(name):
    _check(ZERO_D_INDEX[name])


# ----------------------------------------------------------------- gather / scatter checks
GATHER_SCATTER = {
    "gather_empty_index": lambda L: _x23(L).gather(1, L.zeros(7, 0, dtype=L.long)),
    "gather_empty_1d_index": lambda L: _x23(L).gather(1, L.zeros(0, dtype=L.long)),
    "gather_too_big": lambda L: _x23(L).gather(0, _t(L, [[0, 1, 0, 1]])),
    "gather_neg": lambda L: _x23(L).gather(1, _t(L, [[-1]])),
    "gather_int32": lambda L: _x23(L).gather(1, _t(L, [[1]], "int32")),
    "gather_uint8": lambda L: _x23(L).gather(1, _t(L, [[1]], "uint8")),
    "scatter_value_too_big": lambda L: L.zeros(2, 2).scatter(0, _t(L, [[0, 1, 0]]), 1.0),
    "scatter_src_too_small": lambda L: L.zeros(2, 2).scatter(1, _t(L, [[0, 1]]), _t(L, [[1.0]])),
    "scatter_dims": lambda L: L.zeros(2, 2).scatter(0, _t(L, [1]), _t(L, [5.0])),
    "scatter_src_dims": lambda L: L.zeros(2, 2).scatter(0, _t(L, [[1]]), _t(L, 5.0)),
    "scatter_empty_index": lambda L: L.zeros(2, 2).scatter(1, L.zeros(0, dtype=L.long),
                                                           L.ones(3, 3)),
    "scatter_int32": lambda L: _x23(L).scatter(1, _t(L, [[1]], "int32"), 9.0),
    "scatter_uint8": lambda L: _x23(L).scatter(1, _t(L, [[1]], "uint8"), 9.0),
    "scatter_reduce_sum_arg": lambda L: _x23(L).scatter(1, _t(L, [[1, 1]]), _t(L, [[2.0, 3]]),
                                                        reduce="sum"),
    "scatter_reduce_dtype": lambda L: _x23(L).scatter_reduce(1, _t(L, [[1]]), _t(L, [[2]]), "sum"),
    "scatter_reduce_src_small": lambda L: _x23(L).scatter_reduce(1, _t(L, [[1, 1]]),
                                                                 L.ones(1, 1), "sum"),
    "take_along_dim_wraps": lambda L: L.take_along_dim(_x23(L), _t(L, [[-4], [3]]), 1),
    "take_along_dim_broadcast": lambda L: L.take_along_dim(L.ones(2, 3), _t(L, [[0], [1], [1]]), 1),
    "take_along_dim_int32": lambda L: L.take_along_dim(_x23(L), _t(L, [[0]], "int32"), 1),
    "take_along_dim_flat": lambda L: L.take_along_dim(_x23(L), _t(L, [[1, 0]])),
    "take_along_dim_flat_oob": lambda L: L.take_along_dim(_x23(L), _t(L, [[-1]])),
}


@pytest.mark.parametrize("name", list(GATHER_SCATTER))
def test_gather_scatter(name):
    _check(GATHER_SCATTER[name])


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_modes(reduce, include_self):
    idx = lambda L: _t(L, [[0, 0, 2], [1, 1, 1]])  # noqa: E731
    src = lambda L: _t(L, [[5.0, -1, 2], [3, 3, 7]])  # noqa: E731
    _check(lambda L: _x23(L).long().scatter_reduce(1, idx(L), src(L).long(), reduce,
                                                   include_self=include_self))
    _check(_grads(lambda L, a, s: a.scatter_reduce(1, idx(L), s, reduce,
                                                   include_self=include_self), _x23, src))
    # in place keeps the graph (it dropped it)
    _check(_grads(lambda L, a, s: (a * 1).scatter_reduce_(1, idx(L), s, reduce,
                                                          include_self=include_self), _x23, src))


# ----------------------------------------------------------------- index_add/copy/reduce
INDEX_OPS = {
    "index_add_self_1d_oob": lambda L: L.ones(3).index_add(0, _t(L, [5]), _t(L, [1.0])),
    "index_add_2d_dim0_oob": lambda L: L.ones(3, 2).index_add(0, _t(L, [5]), L.ones(1, 2)),
    "index_add_3d_mid_oob": lambda L: L.ones(2, 3, 2).index_add(1, _t(L, [5]), L.ones(2, 1, 2)),
    "index_add_empty_self": lambda L: L.ones(0, 3).index_add(1, _t(L, [5]), L.ones(0, 1)),
    "index_reduce_src_shape": lambda L: L.ones(2, 3).index_reduce(
        1, _t(L, [0, 0]), L.full((3, 2), 2.0), "prod"),
    "index_reduce_count": lambda L: L.ones(2, 3).index_reduce(
        1, _t(L, [0, 0]), L.full((2, 3), 2.0), "prod"),
    "index_reduce_oob": lambda L: L.ones(2, 3).index_reduce(
        1, _t(L, [0, -1]), L.full((2, 2), 2.0), "prod"),
    "index_reduce_dtype": lambda L: L.ones(2, 3).index_reduce(
        1, _t(L, [0, 0]), L.full((2, 2), 2.0, dtype=L.float64), "prod"),
    "index_reduce_index_2d": lambda L: L.ones(2, 3).index_reduce(
        1, _t(L, [[0, 0]]), L.full((2, 2), 2.0), "prod"),
    "index_reduce_index_dtype": lambda L: L.ones(3).index_reduce(
        0, _t(L, [0.0]), _t(L, [2.0]), "mean"),
    "index_reduce_bool": lambda L: L.ones(3, dtype=L.bool).index_reduce(
        0, _t(L, [0]), _t(L, [True]), "prod"),
    "index_reduce_sum": lambda L: L.ones(3).index_reduce(0, _t(L, [0]), _t(L, [2.0]), "sum"),
}


@pytest.mark.parametrize("name", list(INDEX_OPS))
def test_index_ops(name):
    _check(INDEX_OPS[name])


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_modes(reduce, include_self):
    src = lambda L: _t(L, [[5.0, -1, 2], [3, 3, 7]])  # noqa: E731
    _check(lambda L: _x23(L).long().index_reduce(1, _t(L, [0, 0, 2]), src(L).long(), reduce,
                                                 include_self=include_self))
    _check(_grads(lambda L, a, s: a.index_reduce(1, _t(L, [0, 0, 2]), s, reduce,
                                                 include_self=include_self), _x23, src))


# ----------------------------------------------------------------- index_put_
INDEX_PUT = {
    "dtype": lambda L: _x23(L).index_put((_t(L, [1]),), _t(L, 9, "float64")),
    "int_value": lambda L: _x23(L).index_put_((_t(L, [1]),), _t(L, 9)),
    "shape": lambda L: _x23(L).index_put((_t(L, [0, 1]),), _t(L, [1.0, 2.0])),
    "too_many": lambda L: _x23(L).index_put((_t(L, [0]),) * 3, _t(L, 1.0)),
    "scalar_value": lambda L: _x23(L).index_put((_t(L, [0]),), 1.0),
    "scalar_value_": lambda L: _x23(L).index_put_((_t(L, [0]),), 1.0),
    "accumulate_dup": lambda L: L.zeros(3).index_put_((_t(L, [0, 0, 2]),), _t(L, [1.0, 2, 3]),
                                                      accumulate=True),
    "accumulate_mask": lambda L: _x23(L).index_put(
        (_t(L, [[True, False, True], [False, False, True]]),), _t(L, 9.0), accumulate=True),
    "accumulate_bool": lambda L: L.zeros(3, dtype=L.bool).index_put(
        (_t(L, [1, 1]),), _t(L, True), accumulate=True),
    "empty_result_oob": lambda L: L.ones(2, 0).index_put_((_t(L, [5]),), _t(L, 1.0)),
}


@pytest.mark.parametrize("name", list(INDEX_PUT))
def test_index_put(name):
    _check(INDEX_PUT[name])


# ----------------------------------------------------------------- __getitem__
GETITEM = {
    "tuple_item": lambda L: _x345(L)[0, (0, 1)],
    "tuple_item_after_slice": lambda L: _x345(L)[:, (0, 1)],
    "tuple_item_after_ellipsis": lambda L: _x345(L)[..., (0, 1)],
    "false_after_slice": lambda L: _x345(L)[:, False],
    "false_after_ellipsis": lambda L: _x345(L)[..., False],
    "false_between_none": lambda L: _x345(L)[None, False, None],
    "false_with_index": lambda L: _x345(L)[[0], False],
    "false_index_mismatch": lambda L: _x345(L)[[0, 1], False],
    "true_with_index": lambda L: _x345(L)[[0, 1], True],
    "true_between": lambda L: _x345(L)[:, True, [0, 1]],
    "true_false": lambda L: _x345(L)[True, False],
    "tensor_false_after_slice": lambda L: _x345(L)[:, _t(L, False)],
    "bad_step_before_mask": lambda L: _x345(L)[::-1, _t(L, [True, False, True])],
    "zero_step_before_mask": lambda L: _x345(L)[::0, _t(L, [True, False, True])],
    "zero_step": lambda L: _x345(L)[::0],
    "str_before_bad_dtype": lambda L: _x345(L)[_t(L, [1], "int16"), "a"],
    "oob_in_empty_result": lambda L: _x345(L)[5:1, [4]],
    "oob_in_empty_dim": lambda L: L.ones(0, 3)[:, [5]],
    "oob_size_0": lambda L: L.ones(0, 3)[[5]],
    "oob_dim_name": lambda L: _x345(L)[:, [4]],
    "oob_dim_name_separated": lambda L: _x345(L)[[0], :, [7]],
    "index_broadcast": lambda L: _x345(L)[[0, 2], _t(L, [[True, False, True, False, True]] * 4)],
    "empty_list_broadcast": lambda L: _x345(L)[[], [0, 2]],
    "mixed_adv_order": lambda L: _x345(L)[[[0], [2]], :, [1, 0]],
    "uint8_mask": lambda L: _x345(L)[_t(L, [1, 0, 1], "uint8")],
    "int32_index": lambda L: _x345(L)[:, _t(L, [1, 2], "int32")],
}


@pytest.mark.parametrize("name", list(GETITEM))
def test_getitem(name):
    _check(GETITEM[name])


def test_getitem_bool_grads_and_copies():
    _check(_grads(lambda L, a: a[True], lambda L: L.ones(2)))
    _check(_grads(lambda L, a: a[:, False], lambda L: L.ones(2, 2)))
    _check(_alias(lambda L, b: b[True], lambda L: L.ones(2)))
    _check(_alias(lambda L, b: b[_t(L, 1)], _x34))  # a 0-d int tensor selects: a view


# ----------------------------------------------------------------- __setitem__
def _set(make, index, value):
    def call(L):
        x = make(L)
        x[index(L)] = value(L)
        return x
    return call


SETITEM = {
    "false_bad_value": (_x23, lambda L: False, lambda L: L.ones(7)),
    "oob_in_empty_result": (_x345, lambda L: (slice(5, 1), [4]), lambda L: 1.0),
    "index_broadcast": (_x345, lambda L: ([0, 1], [[0], [1], [2]], [0, 1, 2, 3]),
                        lambda L: 1.0),
    "value_shape": (_x23, lambda L: [0, 1], lambda L: L.ones(3, 3)),
}


@pytest.mark.parametrize("name", list(SETITEM))
def test_setitem(name):
    _check(_set(*SETITEM[name]))


# ----------------------------------------------------------------- shape ops
SHAPE = {
    "squeeze_dup": lambda L: L.ones(1, 3).squeeze((0, -2)),
    "permute_none": lambda L: L.ones(2).permute(),
    "unflatten_empty": lambda L: L.ones(3).unflatten(0, ()),
    "unflatten_two_inferred": lambda L: L.ones(2, 2).unflatten(1, [-1, -1]),
    "unflatten_bad_sizes": lambda L: L.ones(2, 2).unflatten(1, [3]),
    "vsplit_1d": lambda L: L.ones(3).vsplit(1),
    "dsplit_2d": lambda L: L.ones(3, 2).dsplit(1),
    "dsplit_indivisible": lambda L: L.ones(1, 1, 3).dsplit(2),
    "diag_embed_same_dims": lambda L: L.diag_embed(_t(L, [1.0, 2.0]), 0, 0, 0),
    "diag_embed_dim_oob": lambda L: L.diag_embed(_t(L, [1.0, 2.0]), 0, 0, 2),
}


@pytest.mark.parametrize("name", list(SHAPE))
def test_shape_ops(name):
    _check(SHAPE[name])


def test_T_deprecation_warnings():
    was = torch.is_warn_always_enabled()
    torch.set_warn_always(True)  # (PyTorch warns once per process otherwise)
    try:
        _T_deprecation_warnings()
    finally:
        torch.set_warn_always(was)


def _T_deprecation_warnings():
    for make in (lambda L: L.ones(3), _z):
        with warnings.catch_warnings(record=True) as want:
            warnings.simplefilter("always")
            make(torch).T
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            make(tl).T
        assert [str(w.message).split(" (Triggered")[0] for w in want] == \
            [str(w.message) for w in got]
        assert want  # (PyTorch warns here)


# ----------------------------------------------------------------- take / put_ / masked_*
FLAT_AND_MASKED = {
    "take_int32": lambda L: _x23(L).take(_t(L, [1], "int32")),
    "take_float": lambda L: _x23(L).take(_t(L, [1.0])),
    "take_empty_self": lambda L: L.take(L.ones(0), _t(L, [0])),
    "put_oob": lambda L: _x23(L).put_(_t(L, [-7]), _t(L, [9.0])),
    "put_count": lambda L: _x23(L).put_(_t(L, [0, 1]), _t(L, [9.0])),
    "put_dtype": lambda L: _x23(L).put_(_t(L, [0]), _t(L, [9])),
    "put_int32": lambda L: _x23(L).put_(_t(L, [0], "int32"), _t(L, [9.0])),
    "put_empty_self": lambda L: L.ones(0).put_(_t(L, [0]), _t(L, [9.0])),
    "masked_select_broadcast": lambda L: _x23(L).masked_select(_t(L, [True, False])),
    "masked_fill_uint8_mask": lambda L: _x23(L).masked_fill(_t(L, [1, 0, 1], "uint8"), 0.0),
    "masked_fill_long_mask": lambda L: _x23(L).masked_fill(_t(L, [1, 0, 1]), 0.0),
    "masked_scatter_mask_dims": lambda L: _t(L, [1.0, 2, 3]).masked_scatter_(
        _t(L, [[True], [False]]), _t(L, [10.0, 20, 30, 40, 50])),
    "expand_message": lambda L: L.ones(2, 1).long().expand(3),
}


@pytest.mark.parametrize("name", list(FLAT_AND_MASKED))
def test_flat_and_masked(name):
    _check(FLAT_AND_MASKED[name])


# ------------------------------------------- __setitem__: value dtypes, sequences, error order
SET_INDEX = {
    "int": lambda L: 0,
    "list": lambda L: [0],
    "tensor": lambda L: _t(L, [0]),
    "mask": lambda L: _t(L, [True, False]),
    "bool_0d": lambda L: _t(L, True),
    "mask_int": lambda L: (_t(L, [True, False]), 0),
    "int_0d": lambda L: _t(L, 0),
    "slice_list": lambda L: (slice(None), [0]),
    "uint8_mask": lambda L: _t(L, [1, 0], "uint8"),
}
SET_VALUE = {
    "long_0d": lambda L: _t(L, 1),
    "double_vec": lambda L: _t(L, [1.0, 2, 3], "float64"),
    "bool_0d": lambda L: _t(L, True),
}


@pytest.mark.parametrize("index", list(SET_INDEX))
@pytest.mark.parametrize("value", list(SET_VALUE))
def test_setitem_value_dtype(index, value):
    # advanced writes refuse another dtype (index_put_); basic ones and a lone mask with one
    # element (masked_fill_) cast
    _check(_set(lambda L: L.zeros(2, 3), SET_INDEX[index], SET_VALUE[value]))


@pytest.mark.parametrize("index", [lambda L: 0, lambda L: [0], lambda L: slice(None),
                                   lambda L: 3, lambda L: False, lambda L: (0, False)])
@pytest.mark.parametrize("value", [lambda L: [1.0, 2, 3], lambda L: (1.0, 2, 3),
                                   lambda L: 1e40, lambda L: L.ones(7)])
def test_setitem_value_checks(index, value):
    # a sequence is refused and a number must fit, before the index is read; a tensor must
    # broadcast (PyTorch's expand message)
    _check(_set(lambda L: L.zeros(2, 3), index, value))


def test_index_error_order():
    # PyTorch reads the items in order and checks a tensor index's dtype and a mask's shape last
    _check(lambda L: _x345(L)[3, "a"])
    _check(lambda L: _x345(L)[_t(L, [1.0]), [7]])
    _check(lambda L: _x345(L)[_t(L, [True, False]), ::0])


# ----------------------------------------------------------------- index_copy/fill/select, *_scatter
MORE_INDEX = {
    "index_copy_source_dtype": lambda L: _x23(L).index_copy(1, _t(L, [2]), _t(L, [[1], [3]])),
    "index_copy_index_2d": lambda L: _x23(L).index_copy(1, _t(L, [[2]]), _t(L, [[1.0], [3]])),
    "index_fill_index_2d": lambda L: _x23(L).index_fill(1, _t(L, [[2]]), -1.0),
    "index_select_float_index": lambda L: _x23(L).index_select(1, _t(L, [2.0])),
    "scatter_value_0d_tensor": lambda L: _x23(L).scatter(1, _t(L, [[0]]), value=_t(L, 3.0)),
    "select_scatter_shape": lambda L: L.select_scatter(_x23(L), _t(L, [7.0, 8, 9]), 1, -1),
    "select_scatter_no_broadcast": lambda L: L.select_scatter(_x23(L), _t(L, 7.0), 1, 0),
    "select_scatter_casts": lambda L: L.select_scatter(_x23(L), _t(L, [7, 8]), 1, 0),
    "slice_scatter_no_broadcast": lambda L: L.slice_scatter(_x34(L), L.zeros(1, 2), 1, 0, 4, 2),
    "diagonal_scatter_shape": lambda L: L.diagonal_scatter(_x34(L), L.ones(4)),
    "as_strided_scatter_shape": lambda L: L.as_strided_scatter(_x34(L), L.zeros(3, 2), (2, 2),
                                                               (1, 2), 1),
}


@pytest.mark.parametrize("name", list(MORE_INDEX))
def test_more_index_ops(name):
    _check(MORE_INDEX[name])


# ----------------------------------------------------------------- split / tensor_split
SPLITS = {
    "sizes_message_dim": lambda L: L.split(_x34(L), [1, 1], dim=-1),
    "negative_size": lambda L: _x34(L).split([5, -1], 1),
    "negative_split_size": lambda L: _x34(L).split(-1, 1),
    "tensor_sizes": lambda L: _x34(L).split(_t(L, [1, 3]), 1),
    "sizes": lambda L: _x34(L).split([1, 3, 0], 1),
    "tensor_split_2d_tensor": lambda L: _x34(L).tensor_split(_t(L, [[1, 2]]), 1),
    "tensor_split_indices_kw": lambda L: L.tensor_split(_x34(L), indices=[1], dim=1),
    "tensor_split_sections_kw": lambda L: L.tensor_split(_x34(L), sections=2, dim=1),
    "tensor_split_indices": lambda L: _x34(L).tensor_split([3, 1], 1),
}


@pytest.mark.parametrize("name", list(SPLITS))
def test_splits(name):
    _check(SPLITS[name])


def test_split_views_alias():
    _check(_alias(lambda L, b: b.split([1, 3], 1)[1], _x34))
    _check(_alias(lambda L, b: b.tensor_split([1], 1)[1], _x34))


def test_setitem_duplicate_index_grads():
    # every written position sends its gradient to the value, duplicates included
    def setter(index):
        def fn(L, a, v):
            c = a * 1
            c[index(L)] = v
            return c
        return fn
    _check(_grads(setter(lambda L: ([0, 0], slice(1, 3))), _x34, lambda L: _t(L, [5.0, 6.0])))
    _check(_grads(setter(lambda L: (0, [1, 1])), _x34, lambda L: _t(L, 5.0)))
    _check(_grads(lambda L, a, v: a.index_put((_t(L, [0, 0]),), v), _x23,
                  lambda L: _t(L, [1.0, 2.0, 3.0])))
