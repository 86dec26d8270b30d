"""Dimension arguments, broadcasting and non-contiguous inputs against the oracle: negative and
out-of-range dims, dim tuples, dim=None vs dim=(), keepdim, 0-d / size-0 / size-1 dims, and
transposed, step-sliced and expanded inputs. Every expectation comes from PyTorch."""

import warnings

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch, same_result_or_error

torch = import_torch()


def _host(x, lib):
    if isinstance(x, lib.Tensor):
        return ("T", str(x.dtype).split(".")[-1], tuple(x.shape), np.asarray(x.detach().numpy()))
    if isinstance(x, tuple) and type(x) is not tuple:  # torch.return_types.*
        return ("NT", type(x).__name__, [_host(y, lib) for y in x])
    if isinstance(x, (tuple, list)):
        return (type(x).__name__, [_host(y, lib) for y in x])
    return x


def _same(want, got):
    if isinstance(want, tuple) and want and want[0] == "T":
        assert isinstance(got, tuple) and got[:3] == want[:3], (want, got)
        np.testing.assert_allclose(got[3], want[3], rtol=1e-5, atol=1e-6, equal_nan=True)
    elif isinstance(want, tuple) and want and want[0] == "NT":
        assert isinstance(got, tuple) and got[:2] == want[:2], (want, got)
        _same(("list", want[2]), ("list", got[2]))
    elif isinstance(want, tuple) and len(want) == 2 and want[0] in ("tuple", "list"):
        assert isinstance(got, tuple) and got[0] == want[0] and len(got[1]) == len(want[1])
        for w, g in zip(want[1], got[1]):
            _same(w, g)
    else:
        assert got == want


def _check(call):
    """call(lib) gives the same result in both libraries, or raises the same exception type."""
    same_result_or_error(call, torch, tl, _host, _same)


def _raises(call):
    """The oracle raises here (so the check below cannot pass vacuously)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception):
            call(torch)
    _check(call)


def _x(lib, shape, kind="c", dtype="float32", seed=0):
    """A tensor of the shape: c contiguous, t transposed, s step-sliced, e expanded."""
    rng = np.random.RandomState(seed)
    if kind == "t":
        t = lib.tensor(rng.randn(*reversed(shape)).astype(np.float32)).permute(
            *reversed(range(len(shape))))
    elif kind == "s":
        t = lib.tensor(rng.randn(*shape[:-1], 2 * shape[-1]).astype(np.float32))[..., ::2]
    elif kind == "e":
        t = lib.tensor(rng.randn(1, *shape[1:]).astype(np.float32)).expand(*shape)
    else:
        t = lib.tensor(np.asarray(rng.randn(*shape), np.float32))
    if dtype == "int64":
        t = (t * 3).round().to(lib.int64)
    elif dtype == "bool":
        t = t > 0
    return t


def _b(lib, *shape):
    return lib.ones(*shape, dtype=lib.bool)


KINDS = ["c", "t", "s", "e"]

# ----------------------------------------------------------------- fixed disagreements


@pytest.mark.parametrize("name", ["all", "any"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_all_any_empty_dim_tuple_reduces_nothing(name, keepdim):
    for dtype in ("float32", "int64"):
        _check(lambda L: getattr(L, name)(_x(L, (2, 3), dtype=dtype), dim=(), keepdim=keepdim))
    _check(lambda L: getattr(L, name)(L.tensor([[0, 2]], dtype=L.uint8), dim=[], keepdim=keepdim))
    _check(lambda L: getattr(L, name)(L.tensor([1j, 0]), dim=()))
    _check(lambda L: getattr(L, name)(L.tensor(2.0), dim=()))


@pytest.mark.parametrize("name", ["amax", "amin"])
def test_amax_empty_dim_checked_before_repeated_dims(name):
    _raises(lambda L: getattr(L, name)(L.ones(2, 0, 3), (1, -2)))
    _raises(lambda L: getattr(L, name)(L.ones(2, 0, 3), (1, 1)))
    _raises(lambda L: getattr(L, name)(L.ones(2, 0, 3), (0, 0)))
    _check(lambda L: getattr(L, name)(L.ones(2, 0, 3), (0, 2)))


def test_logsumexp_dim_none_is_a_type_error():
    _raises(lambda L: L.logsumexp(L.ones(2, 3), None))
    _raises(lambda L: L.logsumexp(L.tensor(1.0), None))
    _check(lambda L: L.logsumexp(L.tensor(1.0), ()))
    _check(lambda L: L.logsumexp(L.ones(0), ()))


@pytest.mark.parametrize("p", [float("inf"), float("-inf"), -1, -0.5])
def test_vector_norm_without_identity_on_empty(p):
    for dim in (None, (), 1, (1, -2), (0, 1)):
        _raises(lambda L: L.linalg.vector_norm(L.ones(2, 0, 3), p, dim))
    _raises(lambda L: L.norm(L.ones(0, 3), p))
    for dim in (0, (0, 2)):  # the empty dim is kept: no reduction over it
        _check(lambda L: L.linalg.vector_norm(L.ones(2, 0, 3), p, dim))
    _check(lambda L: L.norm(L.ones(0, 3), 2))


@pytest.mark.parametrize("dtype", ["int64", "bool", "float16", "float32"])
def test_median_of_empty(dtype):
    for f in (lambda L, x: L.median(x), lambda L, x: L.nanmedian(x)):
        _check(lambda L: f(L, L.ones(0, 3, dtype=getattr(L, dtype))))


def test_median_dims_on_empty():
    _check(lambda L: L.median(L.ones(2, 0, dtype=L.int64), 0))
    _check(lambda L: L.nanmedian(L.ones(0, 3), -1))
    _raises(lambda L: L.median(L.ones(0, 3, dtype=L.int64), 0))
    _raises(lambda L: L.nanmedian(L.ones(2, 0), 1))


def test_median_bool_out_of_range_dim_is_an_index_error():
    _raises(lambda L: L.median(_b(L, 2, 3), 2))
    _raises(lambda L: L.nanmedian(L.tensor(True), 1))


def test_cumulative_trapezoid_on_empty():
    _check(lambda L: L.cumulative_trapezoid(L.ones(0)))
    _check(lambda L: L.cumulative_trapezoid(L.ones(0, 3, dtype=L.int64)))
    _check(lambda L: L.cumulative_trapezoid(L.ones(0, 3), dim=0))
    _check(lambda L: L.cumulative_trapezoid(L.ones(2, 0), dim=0))
    _check(lambda L: L.cumulative_trapezoid(L.ones(3, 0, dtype=L.float16)))
    _check(lambda L: L.cumulative_trapezoid(L.ones(0), L.ones(0)))


def test_roll_dims_of_0d_and_empty():
    _raises(lambda L: L.roll(L.tensor(1.0), 1, 0))
    _raises(lambda L: L.roll(L.tensor(1.0), 1, -1))
    _raises(lambda L: L.roll(L.tensor(1.0), (1, 2), (0, 0)))
    _check(lambda L: L.roll(L.tensor(1.0), 3))
    _check(lambda L: L.roll(L.ones(0, 2), 1, 7))  # (returned before the dims are checked)
    _raises(lambda L: L.roll(L.ones(0, 2), (1, 2), (0,)))
    _raises(lambda L: L.roll(L.ones(3, 2), 1, 7))


def test_rot90_needs_two_dims():
    for shape in ((), (0,), (3,)):
        _raises(lambda L: L.rot90(L.ones(shape)))
    _raises(lambda L: L.rot90(L.ones(3), 1, (0,)))
    _raises(lambda L: L.rot90(L.ones(3, 3), 1, (0, 0)))
    _raises(lambda L: L.rot90(L.ones(3, 3), 1, (0, 2)))


def test_repeat_without_sizes_is_a_type_error():
    _raises(lambda L: L.ones(3).repeat())
    _check(lambda L: L.tensor(1.0).repeat(()))
    _raises(lambda L: L.ones(3).repeat(()))


@pytest.mark.parametrize("n", [0, 1, 3])
@pytest.mark.parametrize("r", [0, 1, 2, 3])
def test_combinations_empty_results(n, r):
    for w in (False, True):
        _check(lambda L: L.combinations(L.arange(n).float(), r, w))


_BOOL_PRODUCTS = {
    "dot": lambda L: L.dot(_b(L, 3), _b(L, 3)),
    "dot_empty": lambda L: L.dot(_b(L, 0), _b(L, 0)),
    "vdot": lambda L: L.vdot(_b(L, 3), _b(L, 3)),
    "vdot_empty": lambda L: L.vdot(_b(L, 0), _b(L, 0)),
    "mm": lambda L: L.mm(_b(L, 2, 3), _b(L, 3, 2)),
    "matmul_1_1": lambda L: L.matmul(_b(L, 3), _b(L, 3)),
    "matmul_0_0": lambda L: L.matmul(_b(L, 0), _b(L, 0)),
    "matmul_1_2": lambda L: L.matmul(_b(L, 3), _b(L, 3, 2)),
    "matmul_2_1": lambda L: L.matmul(_b(L, 2, 3), _b(L, 3)),
    "matmul_3_2": lambda L: L.matmul(_b(L, 2, 2, 3), _b(L, 3, 2)),
    "matmul_3_1": lambda L: L.matmul(_b(L, 2, 2, 3), _b(L, 3)),
    "matmul_3_3": lambda L: L.matmul(_b(L, 2, 2, 3), _b(L, 2, 3, 2)),
    "matmul_1_3": lambda L: L.matmul(_b(L, 3), _b(L, 2, 3, 2)),
    "dunder": lambda L: _b(L, 2, 3) @ _b(L, 3, 2),
    "inner_1": lambda L: L.inner(_b(L, 3), _b(L, 3)),
    "inner_2": lambda L: L.inner(_b(L, 2, 3), _b(L, 2, 3)),
    "tensordot_0": lambda L: L.tensordot(_b(L, 2), _b(L, 3), 0),
    "tensordot_1": lambda L: L.tensordot(_b(L, 2, 3), _b(L, 3, 2), 1),
    "tensordot_2": lambda L: L.tensordot(_b(L, 2, 3), _b(L, 2, 3), 2),
    "mv": lambda L: L.mv(_b(L, 2, 3), _b(L, 3)),
    "bmm": lambda L: L.bmm(_b(L, 1, 2, 3), _b(L, 1, 3, 2)),
    "addmm": lambda L: L.addmm(_b(L, 2, 2), _b(L, 2, 3), _b(L, 3, 2)),
    "addmv": lambda L: L.addmv(_b(L, 2), _b(L, 2, 3), _b(L, 3)),
    "baddbmm": lambda L: L.baddbmm(_b(L, 1, 2, 2), _b(L, 1, 2, 3), _b(L, 1, 3, 2)),
    "addbmm": lambda L: L.addbmm(_b(L, 2, 2), _b(L, 1, 2, 3), _b(L, 1, 3, 2)),
    "multi_dot": lambda L: L.linalg.multi_dot([_b(L, 2, 3), _b(L, 3, 2)]),
    "einsum_mm": lambda L: L.einsum("ij,jk", _b(L, 2, 3), _b(L, 3, 2)),
    "einsum_dot": lambda L: L.einsum("i,i", _b(L, 3), _b(L, 3)),
    "einsum_row": lambda L: L.einsum("ij,ij->i", _b(L, 2, 3), _b(L, 2, 3)),
    "linalg_cross": lambda L: L.linalg.cross(_b(L, 2, 3), _b(L, 2, 3)),
    "linalg_cross_empty": lambda L: L.linalg.cross(_b(L, 0, 3), _b(L, 0, 3)),
    "cross": lambda L: L.cross(_b(L, 2, 3), _b(L, 2, 3), dim=1),
}


@pytest.mark.parametrize("name", sorted(_BOOL_PRODUCTS))
def test_bool_matrix_products_are_not_implemented(name):
    _raises(_BOOL_PRODUCTS[name])


def test_bool_products_that_run_no_kernel():
    _check(lambda L: L.mm(_b(L, 0, 3), _b(L, 3, 2)))
    _check(lambda L: L.mm(_b(L, 2, 0), _b(L, 0, 2)))
    _check(lambda L: L.mv(_b(L, 0, 3), _b(L, 3)))
    _check(lambda L: L.bmm(_b(L, 0, 2, 3), _b(L, 0, 3, 2)))
    _check(lambda L: L.inner(_b(L, 3), L.tensor(True)))
    _check(lambda L: L.outer(_b(L, 2), _b(L, 3)))
    _check(lambda L: L.einsum("ij,ij->ij", _b(L, 2, 3), _b(L, 2, 3)))
    _check(lambda L: L.einsum("i,j", _b(L, 2), _b(L, 3)))
    _check(lambda L: L.kron(_b(L, 2), _b(L, 2)))


@pytest.mark.parametrize("dtype", ["bool", "int32", "uint8", "int8", "float16"])
def test_einsum_sums_a_single_operands_index_in_int64(dtype):
    for eq, n in (("ii", 1), ("ij->", 1), ("ii->i", 1), ("ij,jk->ij", 2)):
        _check(lambda L: L.einsum(eq, *[L.ones(3, 3, dtype=getattr(L, dtype))] * n))
    if dtype != "bool":
        _check(lambda L: L.einsum("ij,jk->ik", *[L.ones(3, 3, dtype=getattr(L, dtype))] * 2))


def test_vecdot_dtype_rules():
    _raises(lambda L: L.linalg.vecdot(_b(L, 3), _b(L, 3)))
    _raises(lambda L: L.linalg.vecdot(L.ones(3, dtype=L.int64), L.ones(3)))
    _raises(lambda L: L.linalg.vecdot(L.ones(3), L.ones(3, dtype=L.float64)))
    _check(lambda L: L.linalg.vecdot(_x(L, (2, 3)), _x(L, (3,), seed=1)))


def test_product_shape_errors():
    _raises(lambda L: L.matmul(L.ones(2, 3, 4), L.ones(3, 4, 5)))
    _raises(lambda L: L.inner(L.ones(2, 1, 3, 4), L.ones(5, 4, 2)))
    _raises(lambda L: L.inner(L.ones(4), L.ones(2, 4, 5)))
    _raises(lambda L: L.outer(L.ones(2, 2), L.ones(2)))
    _raises(lambda L: L.outer(L.ones(2), L.tensor(1.0)))
    _raises(lambda L: L.tensordot(L.ones(2), L.ones(2), -1))
    _raises(lambda L: L.mv(L.tensor(1.0), L.ones(3)))
    _raises(lambda L: L.mv(L.ones(3), L.tensor(1.0)))
    _raises(lambda L: L.vdot(L.ones(2, 2), L.ones(2, 2)))
    _raises(lambda L: L.vdot(L.ones(2), L.ones(2, dtype=L.float64)))
    _check(lambda L: L.vdot(L.tensor([1 + 2j, 3j]), L.tensor([2 - 1j, 1j])))
    _check(lambda L: L.vdot(L.ones(2, dtype=L.int64), L.ones(2, dtype=L.int64)))


def test_logcumsumexp_dim_none_and_integral_empty():
    _raises(lambda L: L.logcumsumexp(L.ones(2, 3, dtype=L.int64), None))
    _raises(lambda L: L.logcumsumexp(L.ones(0, dtype=L.int64), 0))
    _raises(lambda L: L.logcumsumexp(L.ones(0, dtype=L.bool), 0))
    _check(lambda L: L.logcumsumexp(L.ones(0, 3), 1))


def test_kthvalue_bool_refused_on_empty():
    _raises(lambda L: L.kthvalue(_b(L, 2, 0), 1, 0))
    _raises(lambda L: L.kthvalue(_b(L, 0, 3), 1, 0))


def test_unique_dim_of_0d_and_unselected_empty_dims():
    _raises(lambda L: L.unique(L.tensor(1.0), dim=0))
    _raises(lambda L: L.unique(L.ones(2, 0, 3), dim=0))
    _check(lambda L: L.unique(L.ones(2, 0, 3), dim=1, return_inverse=True, return_counts=True))


def test_quantile_of_0d():
    _check(lambda L: L.quantile(L.tensor(2.0), 0.5, 0))
    _check(lambda L: L.quantile(L.tensor(2.0), L.tensor([0.2, 0.5]), -1, True))
    _check(lambda L: L.nanquantile(L.tensor(2.0), 0.5, None, True))
    _raises(lambda L: L.quantile(L.tensor(2.0), 0.5, 1))


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 1, 3)])
def test_nanquantile_keepdim_without_dim(shape):
    _check(lambda L: L.nanquantile(_x(L, shape), L.tensor([0.2, 0.7]), None, True))
    _check(lambda L: L.nanquantile(_x(L, shape), 0.3, None, True))


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_of_empty_skips_the_dim_check(name):
    for shape, d in (((0,), 1), ((0,), -2), ((2, 0), 2), ((0,), 0)):
        _check(lambda L: getattr(L, name)(L.ones(shape), d))
    _raises(lambda L: getattr(L, name)(L.ones(3), 1))


# ----------------------------------------------------------------- coverage that agrees

_MULTI = {
    "sum": lambda L, x, d, k: L.sum(x, d, keepdim=k) if d is not None else L.sum(x),
    "mean": lambda L, x, d, k: L.mean(x, dim=d, keepdim=k),
    "nansum": lambda L, x, d, k: L.nansum(x, dim=d, keepdim=k),
    "nanmean": lambda L, x, d, k: L.nanmean(x, dim=d, keepdim=k),
    "std": lambda L, x, d, k: L.std(x, dim=d, keepdim=k),
    "var": lambda L, x, d, k: L.var(x, dim=d, keepdim=k, correction=0),
    "std_mean": lambda L, x, d, k: L.std_mean(x, dim=d, keepdim=k),
    "var_mean": lambda L, x, d, k: L.var_mean(x, dim=d, keepdim=k),
    "amax": lambda L, x, d, k: L.amax(x, d, k) if d is not None else L.amax(x),
    "amin": lambda L, x, d, k: L.amin(x, d, k) if d is not None else L.amin(x),
    "all": lambda L, x, d, k: L.all(x, dim=d, keepdim=k),
    "any": lambda L, x, d, k: L.any(x, dim=d, keepdim=k),
    "logsumexp": lambda L, x, d, k: L.logsumexp(x, d if d is not None else (0,), keepdim=k),
    "norm": lambda L, x, d, k: L.norm(x, dim=d, keepdim=k),
    "vector_norm_inf": lambda L, x, d, k: L.linalg.vector_norm(x, float("inf"), d, k),
    "count_nonzero": lambda L, x, d, k: L.count_nonzero(x, dim=d),
}
_MULTI_DIMS = [None, (), 0, -1, 3, -4, (-1, 0), (1, -2), [0, 1]]


@pytest.mark.parametrize("name", sorted(_MULTI))
@pytest.mark.parametrize("kind", ["c", "t", "e"])
def test_multi_dim_reductions(name, kind):
    f = _MULTI[name]
    for d in _MULTI_DIMS:
        _check(lambda L: f(L, _x(L, (2, 1, 3), kind), d, d == 0))
    for d in (None, 0, -1, (0,)):
        _check(lambda L: f(L, L.tensor(1.5), d, True))


_ONE = {
    "prod": lambda L, x, d, k: L.prod(x, d, keepdim=k) if d is not None else L.prod(x),
    "max": lambda L, x, d, k: L.max(x, d, keepdim=k) if d is not None else L.max(x),
    "min": lambda L, x, d, k: L.min(x, d, keepdim=k) if d is not None else L.min(x),
    "aminmax": lambda L, x, d, k: L.aminmax(x, dim=d, keepdim=k),
    "argmax": lambda L, x, d, k: L.argmax(x, dim=d, keepdim=k),
    "argmin": lambda L, x, d, k: L.argmin(x, dim=d, keepdim=k),
    "median": lambda L, x, d, k: L.median(x, d, keepdim=k) if d is not None else L.median(x),
    "nanmedian": lambda L, x, d, k: L.nanmedian(x, d, k) if d is not None else L.nanmedian(x),
    "mode": lambda L, x, d, k: L.mode(x, -1 if d is None else d, keepdim=k),
    "kthvalue": lambda L, x, d, k: L.kthvalue(x, 1, -1 if d is None else d, keepdim=k),
    "topk": lambda L, x, d, k: L.topk(x, 1, -1 if d is None else d, largest=k),
    "sort": lambda L, x, d, k: L.sort(x, -1 if d is None else d, descending=k),
    "argsort": lambda L, x, d, k: L.argsort(x, -1 if d is None else d, descending=k),
    "cumsum": lambda L, x, d, k: L.cumsum(x, d),
    "cumprod": lambda L, x, d, k: L.cumprod(x, d),
    "cummax": lambda L, x, d, k: L.cummax(x, d),
    "logcumsumexp": lambda L, x, d, k: L.logcumsumexp(x, d),
    "softmax": lambda L, x, d, k: L.softmax(x, d),
    "log_softmax": lambda L, x, d, k: L.log_softmax(x, d),
    "unique_dim": lambda L, x, d, k: L.unique(x, dim=d, return_inverse=True, return_counts=k),
    "quantile": lambda L, x, d, k: L.quantile(x, L.tensor([0.2, 0.7]), dim=d, keepdim=k),
    "diff": lambda L, x, d, k: L.diff(x, dim=-1 if d is None else d),
    "flip": lambda L, x, d, k: L.flip(x, [] if d is None else [d]),
    "roll": lambda L, x, d, k: L.roll(x, 1, d),
}


@pytest.mark.parametrize("name", sorted(_ONE))
@pytest.mark.parametrize("kind", ["c", "t", "s"])
def test_single_dim_ops(name, kind):
    # (not "e": PyTorch's median of an expanded input over dim 0 reads uninitialized memory)
    f = _ONE[name]
    for d in (None, 0, -1, 3):
        _check(lambda L: f(L, _x(L, (2, 1, 3), kind), d, d == -1))
    if kind == "c":
        for d in (0, -1, 1):
            _check(lambda L: f(L, L.tensor(1.5), d, True))
            _check(lambda L: f(L, L.ones(2, 0), d, False))


@pytest.mark.parametrize("kind", KINDS)
def test_shape_ops_dims(kind):
    x = lambda L: _x(L, (2, 1, 3), kind)  # noqa: E731
    for d in (0, -1, 1, 3, -4):
        _check(lambda L: L.cat([x(L), _x(L, (2, 1, 3), seed=1)], d))
        _check(lambda L: L.stack([x(L), _x(L, (2, 1, 3), seed=1)], d))
        _check(lambda L: L.split(x(L), 2, d))
        _check(lambda L: L.chunk(x(L), 2, d))
        _check(lambda L: L.tensor_split(x(L), [1, 5], dim=d))
        _check(lambda L: L.unbind(x(L), d))
        _check(lambda L: L.movedim(x(L), d, 0))
        _check(lambda L: L.transpose(x(L), d, -1))
        _check(lambda L: L.squeeze(x(L), d))
        _check(lambda L: L.unsqueeze(x(L), d))
        _check(lambda L: L.flatten(x(L), d, -1))
        _check(lambda L: L.unflatten(x(L), d, (1, -1)))
        _check(lambda L: L.narrow(x(L), d, -1, 1))
        _check(lambda L: L.select(x(L), d, -1))
        _check(lambda L: L.index_select(x(L), d, L.tensor([0, 0])))
        _check(lambda L: L.gather(x(L), d, L.zeros(2, 1, 3, dtype=L.int64)))
        _check(lambda L: L.scatter(x(L), d, L.zeros(2, 1, 3, dtype=L.int64), 2.0))
        _check(lambda L: L.take_along_dim(x(L), L.zeros(1, 1, 1, dtype=L.int64), d))
        _check(lambda L: L.repeat_interleave(x(L), 2, dim=d))
        _check(lambda L: L.rot90(x(L), 1, (d, 0)))
        _check(lambda L: L.roll(x(L), (1, 2), (d, 0)))
    _check(lambda L: L.squeeze(x(L), (0, 1)))
    _check(lambda L: L.movedim(x(L), (0, -1), (-1, 0)))
    for reps in ((2,), (1, 2), (2, 1, 1, 1)):
        _check(lambda L: L.tile(x(L), reps))
        _check(lambda L: x(L).repeat(*reps))
    _check(lambda L: x(L).expand(2, -1, -1, -1))
    _check(lambda L: x(L).expand(-1, -1, -1, -1))
    _check(lambda L: L.broadcast_to(x(L), (4, -1, 5, -1)))
    _check(lambda L: L.repeat_interleave(x(L), 2))


_BROADCAST = [((3, 1, 4), (2, 1)), ((3, 1, 4), (2, 4)), ((), (2, 3)), ((2, 0), (1,)),
              ((3, 1), (1, 0)), ((2, 3), (3, 2))]


@pytest.mark.parametrize("a,b", _BROADCAST)
def test_broadcasting(a, b):
    _check(lambda L: _x(L, a) + _x(L, b, seed=1))
    _check(lambda L: L.broadcast_tensors(_x(L, a), _x(L, b, seed=1)))
    _check(lambda L: tuple(L.broadcast_shapes(a, b)))
    _check(lambda L: L.where(_x(L, a) > 0, _x(L, b, seed=1), 0.0))
    _check(lambda L: L.addcmul(_x(L, a), _x(L, b, seed=1), _x(L, b, seed=2)))


_MATMUL = [((2, 1, 3, 4), (5, 4, 2)), ((3, 4), (2, 4, 5)), ((4,), (2, 4, 5)), ((2, 3, 4), (4,)),
           ((1, 3, 4), (2, 4, 5)), ((0, 3, 4), (4, 5)), ((3, 0), (0, 2)), ((), (3,)),
           ((3,), (4,))]


@pytest.mark.parametrize("a,b", _MATMUL)
@pytest.mark.parametrize("kind", ["c", "t", "e"])
def test_matmul_batch_broadcasting(a, b, kind):
    _check(lambda L: L.matmul(_x(L, a, kind if len(a) > 1 else "c"),
                              _x(L, b, kind if len(b) > 1 else "c", seed=1)))


@pytest.mark.parametrize("dims", [0, 1, 2, 3, ([1], [0]), ([-1], [0]), ((1, 2), (0, 1)),
                                  [[1], [0]], ([0, 0], [0, 1]), ([], []), ([1], [1])])
def test_tensordot_dims_forms(dims):
    _check(lambda L: L.tensordot(_x(L, (2, 3, 4), "t"), _x(L, (3, 4, 2), "s", seed=1), dims))


@pytest.mark.parametrize("eq,sa,sb", [
    ("...ij,...jk->...ik", (2, 1, 3, 4), (5, 4, 2)), ("i...,i...->...", (3, 2, 1), (3, 1, 4)),
    ("...,...->...", (3, 1), (2,)), ("bij,bjk", (2, 3, 4), (1, 4, 5)), ("ii->i", (3, 3), None),
    ("a...b,b...->a...", (2, 3, 4), (4, 1)), ("ij,jk->ik", (2, 0), (0, 3)),
    ("i j , j k -> i k", (2, 3), (3, 2))])
@pytest.mark.parametrize("kind", ["c", "t"])
def test_einsum_ellipsis_broadcasting(eq, sa, sb, kind):
    ops = lambda L: [_x(L, s, kind if len(s) > 1 else "c", seed=i)  # noqa: E731
                     for i, s in enumerate((sa, sb)) if s is not None]
    _check(lambda L: L.einsum(eq, *ops(L)))
    _check(lambda L: L.einsum(eq, ops(L)))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_indexing(indexing):
    for shapes in ([(2,), (3,)], [(2,), (3,), (4,)], [(), (3,)], [(0,), (2,)]):
        _check(lambda L: L.meshgrid(*[_x(L, s, seed=i) for i, s in enumerate(shapes)],
                                    indexing=indexing))
    _raises(lambda L: L.meshgrid(_x(L, (2,)), indexing="ab"))
