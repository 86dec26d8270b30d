"""Tensor creation, legacy constructors and Tensor basics, compared with real PyTorch: values,
dtypes, shapes, strides, and the exception type and message of bad input."""

import warnings

import numpy as np
import pytest

from tests._oracle import assert_same_error, import_torch, same_result_or_error

torch = import_torch()

import torchlike as tl  # noqa: E402


def _desc(r, lib):
    """What a call returned, in library-neutral terms."""
    if isinstance(r, lib.Tensor):
        return (str(r.dtype), tuple(r.shape), r.requires_grad, repr(r.tolist()), repr(r))
    if isinstance(r, (tuple, list)) and r and isinstance(r[0], lib.Tensor):
        return [_desc(x, lib) for x in r]
    return repr(r)


def _same(call):
    """call(torch) and call(torchlike) agree: the same result, or the same error and message."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = call(torch)
        except Exception:  # noqa: BLE001 (the oracle's exception is the expectation)
            assert_same_error(call, torch, tl)
            return
        got = call(tl)
    assert _desc(got, tl) == _desc(want, torch)


DATA = {
    "bool_int": [True, 2], "int_float": [1, 2.5], "float_complex": [1.0, 2j],
    "nested": [[1, 2.0], [3, 4]], "empty_nested": [[], []], "empty_ragged": [[], [1]],
    "ragged": [[1, 2], [3]], "ragged_deep": [[[1, 2]], [[3]]], "ragged_scalar": [[1], 2],
    "list_leaf": [1, [2]], "big_int": [2 ** 63], "min_int": [-2 ** 63], "str": "abc",
    "str_in_list": ["a"], "str_leaf": [1, "a"], "none": [None], "set": {1, 2},
    "range": range(3), "np_scalars": [np.float32(1.5), 2], "np_f16": [np.float16(1), 2.0],
    "np_arrays": [np.array([1, 2], np.int8), np.array([3, 4], np.int8)],
    "np_0d_in_list": [np.array(1.5)], "uint16_promotion": [1, np.uint16(3)],
    "np_f64_scalar": np.float64(1.5), "bytes": b"ab",
}


@pytest.mark.parametrize("name", DATA)
def test_tensor_data(name):
    _same(lambda T: T.tensor(DATA[name]))


@pytest.mark.parametrize("data", [[1.7, -2.5], [1, 300], [-1], [1 + 2j], [True, False],
                                  [-1, 2.5], [float("nan")], [255.0, -0.0], [2 ** 62 + 1, 1.5]])
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int64", "uint16", "uint64", "float16",
                                   "bfloat16", "float32", "bool", "complex64"])
def test_tensor_dtype_conversion(data, dtype):
    # PyTorch's checked element conversion: overflow, complex into real, float into uint64
    _same(lambda T: T.tensor(data, dtype=getattr(T, dtype)))


def test_tensor_leaves():
    _same(lambda T: T.tensor([T.tensor(1), 2.5]))
    _same(lambda T: T.tensor([T.tensor(1, dtype=T.int8), 300]))
    _same(lambda T: T.tensor([T.tensor([1.0])]))
    _same(lambda T: T.tensor([T.tensor([1.0, 2.0]), T.tensor([3.0, 4.0])]))
    _same(lambda T: T.tensor([T.tensor(1.5)], dtype=T.int64))
    _same(lambda T: T.tensor([np.float32(1.5)], dtype=T.int64))
    _same(lambda T: T.tensor([1, "a"], dtype=T.float32))


def test_tensor_numpy_inputs():
    for dt in ["uint16", "uint32", "uint64", "float16", "int8", "complex64", "bool"]:
        _same(lambda T: T.tensor(np.array([1, 0], dtype=dt)))
    for a in [np.array([1], object), np.array(["a"]), np.ones(1, np.longdouble),
              np.arange(3)[::-1]]:
        _same(lambda T: T.tensor(a))
        _same(lambda T: T.from_numpy(a))
    _same(lambda T: T.tensor(np.array([0.1]), dtype=T.float16))
    _same(lambda T: T.from_numpy([1]))


def test_tensor_requires_grad_and_dtype_arg():
    _same(lambda T: T.tensor([1, 2], requires_grad=True))
    _same(lambda T: T.tensor([1.0], dtype=T.float64, requires_grad=True))
    _same(lambda T: T.tensor([1.0], dtype="float32"))
    _same(lambda T: T.tensor([1.0], dtype=float))
    _same(lambda T: T.zeros(2, dtype=T.int64, requires_grad=True))
    _same(lambda T: T.arange(3, requires_grad=True))


def test_copy_construct_warns():
    for lib, call in ((torch, lambda T: T.tensor(T.ones(2))),
                      (tl, lambda T: T.tensor(T.ones(2)))):
        with pytest.warns(UserWarning, match="To copy construct from a tensor"):
            call(lib)


def test_from_numpy_not_writable_warns():
    import torchlike._ops.creation as creation
    creation._warned_not_writable = False
    a = np.ones(2)
    a.flags.writeable = False
    with pytest.warns(UserWarning, match="not writable"):
        tl.from_numpy(a)


def test_asarray():
    _same(lambda T: T.asarray([1, 2], copy=False))
    _same(lambda T: T.asarray([1, 2], copy=True))
    _same(lambda T: T.asarray(T.ones(2), dtype=T.int64, copy=False))
    _same(lambda T: (lambda x: (T.asarray(x) is x, T.asarray(x, copy=True) is x))(T.ones(2)))
    _same(lambda T: T.asarray([1.0, 2.0], requires_grad=True))
    _same(lambda T: (lambda x: T.asarray(x, requires_grad=True) is x)(T.ones(2)))
    _same(lambda T: T.asarray(np.float64(3)))


SIZES = {"ints": (2, 3), "tuple": ((2, 3),), "list": ([2, 3],), "none": (), "neg": (2, -1),
         "neg_tuple": ((-1,),), "float": (2.0,), "float_in": (2, 2.0), "float_tuple": ((2.5, 1),),
         "bool": (True,), "str": ("a",), "nested": ((2, 3), 4), "np": (np.int64(2),)}


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("name", SIZES)
def test_factory_sizes(fn, name):
    _same(lambda T: tuple(getattr(T, fn)(*SIZES[name]).shape))


def test_factory_size_forms():
    _same(lambda T: tuple(T.zeros(T.Size([2, 3])).shape))
    _same(lambda T: tuple(T.zeros(T.tensor(2)).shape))
    _same(lambda T: tuple(T.zeros(T.tensor([2, 3])).shape))
    _same(lambda T: tuple(T.zeros(size=(2,)).shape))
    _same(lambda T: tuple(T.ones(2).new_zeros(size=(2,)).shape))
    _same(lambda T: T.ones(2).new_zeros((-1,)))
    _same(lambda T: T.ones(2).new_full(2, 3.7))
    _same(lambda T: T.ones(2, dtype=T.int32).new_full((2,), 3.7))


@pytest.mark.parametrize("value", [True, 3, 2.5, 1 + 2j, np.float32(1.5), "t0", "t1", "ti",
                                   2 ** 63, float("nan"), "a", None])
@pytest.mark.parametrize("dtype", [None, "uint8", "int32", "bool", "float16", "complex64",
                                   "uint16"])
def test_full(value, dtype):
    def call(T):
        v = {"t0": lambda: T.tensor(1.5), "t1": lambda: T.tensor([2.0]),
             "ti": lambda: T.tensor(2, dtype=T.int8)}.get(value, lambda: value)()
        return T.full((2,), v, **({} if dtype is None else {"dtype": getattr(T, dtype)}))
    _same(call)


def test_full_size_arg():
    _same(lambda T: T.full(3, 1.0))
    _same(lambda T: T.full([2], 1.0))
    _same(lambda T: T.full((-1,), 1.0))


@pytest.mark.parametrize("fn", ["zeros_like", "ones_like", "empty_like", "full_like"])
def test_like(fn):
    def call(T, x, **kw):
        args = (1.5,) if fn == "full_like" else ()
        r = getattr(T, fn)(x, *args, **kw)
        return (tuple(r.shape), r.dtype, r.stride(), r.requires_grad)
    _same(lambda T: call(T, T.ones(2, 3).t()))
    _same(lambda T: call(T, T.ones(2, 3), dtype=T.float64))
    _same(lambda T: call(T, T.ones(1, 2, 3, 4), memory_format=T.channels_last))
    _same(lambda T: call(T, T.ones(2, 3).t(), memory_format=T.contiguous_format))
    _same(lambda T: call(T, T.ones(2, dtype=T.long), requires_grad=True))
    if fn != "full_like":
        _same(lambda T: getattr(T, fn)([1.0, 2.0]))


def test_empty_strided():
    _same(lambda T: (lambda r: (tuple(r.shape), r.stride()))(T.empty_strided((2, 3), (1, 2))))
    _same(lambda T: (lambda r: (tuple(r.shape), r.stride()))(T.empty_strided((2, 3), (4, 1))))
    _same(lambda T: T.empty_strided((2, 3), (1,)))


ARANGE = [(5,), (0, 1, 0.3), (1, 2.5, 0.5), (0.5,), (1.5,), (0, 5, 1.5), (10, 1, -3),
          (0, 1, 0), (0, 10, -1), (-5,), (0, float("inf")), (0, float("nan")),
          (0, 1, float("inf"))]


@pytest.mark.parametrize("args", ARANGE)
@pytest.mark.parametrize("dtype", [None, "int64", "int32", "float16", "bool", "complex64"])
def test_arange(args, dtype):
    _same(lambda T: T.arange(*args, **({} if dtype is None else {"dtype": getattr(T, dtype)})))


def test_arange_and_range_args():
    for lib in (torch, tl):
        with pytest.raises(TypeError):
            lib.arange()
    _same(lambda T: T.arange("a"))
    _same(lambda T: T.arange(T.tensor(0.5), T.tensor(3)))
    _same(lambda T: T.range(0, 3, 0.5))
    _same(lambda T: T.range(0, 3, dtype=T.int64))
    _same(lambda T: T.range(0, 1, 0))
    _same(lambda T: T.range(0, 10, -1))
    _same(lambda T: T.range(0, float("nan")))
    _same(lambda T: T.range(5))
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        tl.range(0, 2)


@pytest.mark.parametrize("args", [(0, 1, 5), (0, 1, 1), (0, 1, 0), (0, 1, -1), (1, 0, 4),
                                  (0, 10, 4), (0.5, -1.5, 6), (0, 1j, 3)])
@pytest.mark.parametrize("dtype", [None, "int64", "uint8", "float16", "bool", "float32"])
def test_linspace_logspace(args, dtype):
    kw = {} if dtype is None else {"dtype": dtype}
    _same(lambda T: T.linspace(*args, **{k: getattr(T, v) for k, v in kw.items()}))
    if dtype not in ("uint8",):  # (PyTorch's uint8 logspace wraps through int64)
        _same(lambda T: T.logspace(*args, base=2, **{k: getattr(T, v) for k, v in kw.items()}))


def test_eye_and_tri_indices():
    for args in [(3,), (2, 3), (0,), (-1,), (2, -1), (2.0,)]:
        _same(lambda T: T.eye(*args))
    _same(lambda T: T.eye(2, dtype=T.bool))
    for fn in ["tril_indices", "triu_indices"]:
        for args in [(3, 4, 1), (4, 3, -1), (3, 3, -5), (0, 3), (-1, 3), (3, -1)]:
            _same(lambda T: getattr(T, fn)(*args))
        _same(lambda T: getattr(T, fn)(3, 3, dtype=T.int32))
        _same(lambda T: getattr(T, fn)(3, 3, dtype=T.float32))


@pytest.mark.parametrize("cls", ["Tensor", "FloatTensor", "LongTensor", "ByteTensor",
                                 "BoolTensor", "DoubleTensor"])
def test_legacy_constructors(cls):
    # (the memory of an uninitialised tensor differs: shapes and dtypes only there)
    _same(lambda T: (lambda r: (tuple(r.shape), r.dtype))(getattr(T, cls)(2, 3)))
    _same(lambda T: (lambda r: (tuple(r.shape), r.dtype))(getattr(T, cls)(T.Size([2]))))
    _same(lambda T: (lambda r: (tuple(r.shape), r.dtype))(getattr(T, cls)()))
    _same(lambda T: getattr(T, cls)([1, 2]))
    _same(lambda T: getattr(T, cls)(np.array([1, 2])))
    for bad in (2.5, True, None, "a", (-1,)):
        _same(lambda T: getattr(T, cls)(bad))
    _same(lambda T: T.Tensor(T.tensor([1, 2])))


def test_tensor_basics():
    _same(lambda T: bool(T.ones(0)))
    _same(lambda T: bool(T.ones(2)))
    _same(lambda T: reversed(T.tensor([[1, 2], [3, 4]])))
    _same(lambda T: reversed(T.tensor(1)))
    _same(lambda T: T.ones(2).item())
    _same(lambda T: len(T.tensor(1.0)))
    _same(lambda T: iter(T.tensor(1.0)))
    _same(lambda T: [0, 1, 2][T.tensor(1.0)])
    _same(lambda T: T.tensor(1.1, dtype=T.bfloat16).tolist())
    _same(lambda T: f"{T.tensor(2.5):.3f} {T.tensor(7):>4} {T.tensor([1.0, 2.0])}")


def test_size():
    _same(lambda T: repr((3,) + T.Size([2])))
    _same(lambda T: repr(T.Size([2]) * 2) + repr(2 * T.Size([2])))
    _same(lambda T: T.Size([2]) + [3])
    _same(lambda T: repr(T.Size([2, 3, 4])[1:]) + str(T.Size([2, 3]).numel()))


def test_promotion_error_names():
    _same(lambda T: T.promote_types(T.uint16, T.int8))


def test_meshgrid_without_indexing_warns_once_and_checks_dtypes_first():
    import torchlike._ops.shape as shape
    shape._MESHGRID_WARNED.clear()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        grids = tl.meshgrid(tl.arange(3), tl.arange(2))
        tl.meshgrid(tl.arange(3), tl.arange(2))
    assert [str(m.message) for m in w] == [
        "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
        "argument."]
    want = torch.meshgrid(torch.arange(3), torch.arange(2), indexing="ij")
    assert [g.tolist() for g in grids] == [g.tolist() for g in want]
    # the dtype check comes before the indexing check, as in PyTorch
    assert_same_error(lambda L: L.meshgrid(L.arange(3), L.arange(3.0), indexing="bad"), torch, tl)


def test_heaviside_of_nan_is_zero_as_pytorch():
    x = [float("nan"), -1.0, 0.0, 2.0, float("inf")]
    want = torch.heaviside(torch.tensor(x), torch.tensor([0.5]))
    got = tl.heaviside(tl.tensor(x), tl.tensor([0.5]))
    assert got.tolist() == want.tolist()
    want = torch.heaviside(torch.tensor([0, -2, 3]), torch.tensor(7))
    got = tl.heaviside(tl.tensor([0, -2, 3]), tl.tensor(7))
    assert got.tolist() == want.tolist() and str(got.dtype) == str(want.dtype)


@pytest.mark.parametrize("value", [1 + 0j, 2.5 + 0j, 1 + 2j, 2.7, -2.7])
@pytest.mark.parametrize("convert", [int, float, complex])
def test_python_number_conversions(value, convert):
    same_result_or_error(lambda L: convert(L.tensor(value)), torch, tl,
                         lambda r, L: (type(r), r), lambda a, b: a == b)


@pytest.mark.parametrize("convert", [int, float, complex])
def test_python_number_of_many_elements(convert):
    assert_same_error(lambda L: convert(L.ones(2)), torch, tl)


@pytest.mark.parametrize("dtype", ["uint16", "uint32", "uint64"])
def test_type_string_of_wide_unsigned(dtype):
    assert tl.ones(1, dtype=getattr(tl, dtype)).type() == torch.ones(
        1, dtype=getattr(torch, dtype)).type()


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "complex64"])
def test_finfo_values_repr_and_equality(dtype):
    want, got = torch.finfo(getattr(torch, dtype)), tl.finfo(getattr(tl, dtype))
    assert repr(got) == repr(want)
    for k in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(got, k) == getattr(want, k), k
    assert (got == tl.finfo(getattr(tl, dtype))) == (want == torch.finfo(getattr(torch, dtype)))


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "int64", "bool"])
def test_iinfo_repr_and_bool(dtype):
    same_result_or_error(lambda L: repr(L.iinfo(getattr(L, dtype))), torch, tl,
                         lambda r, L: r, lambda a, b: a == b)
