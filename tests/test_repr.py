"""repr()/str() of tensors and the print options, compared with real PyTorch's output."""

import math

import ml_dtypes
import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()

import torchlike as tl
from torchlike._core import _tensor_str
from torchlike._core import dtypes as tl_dtypes

_RNG = np.random.default_rng(0)
_NAN, _INF = math.nan, math.inf


def _torch_tensor(a, dtype):
    """The real torch tensor holding numpy array `a` in dtype name `dtype`."""
    if dtype == "bfloat16":
        return torch.from_numpy(np.array(a, dtype=np.float32)).to(torch.bfloat16)
    return torch.from_numpy(np.array(a).astype(dtype))


def _tl_tensor(a, dtype):
    """The torchlike tensor holding numpy array `a` in dtype name `dtype`."""
    np_dtype = ml_dtypes.bfloat16 if dtype == "bfloat16" else dtype
    if dtype == "bfloat16":
        a = np.asarray(a, dtype=np.float32)
    return tl.tensor(np.asarray(a).astype(np_dtype))


def _check(a, dtype="float32", requires_grad=False):
    a = np.asarray(a)
    t = _torch_tensor(a, dtype).requires_grad_(requires_grad)
    x = _tl_tensor(a, dtype).requires_grad_(requires_grad)
    expected = repr(t)
    assert repr(x) == expected
    assert str(x) == str(t)


@pytest.fixture(autouse=True)
def _restore_printoptions():
    yield
    torch.set_printoptions(profile="default")
    _tensor_str.set_printoptions(profile="default")


def _both_set(**kw):
    torch.set_printoptions(**kw)
    _tensor_str.set_printoptions(**kw)


CASES = {
    # 0-d
    "scalar": (3.5, "float32"),
    "scalar_int_valued": (7.0, "float32"),
    "scalar_tiny": (1e-8, "float32"),
    "scalar_huge": (3e12, "float64"),
    "scalar_neg_zero": (-0.0, "float32"),
    "scalar_zero": (0.0, "float32"),
    "scalar_nan": (_NAN, "float32"),
    "scalar_int": (7, "int64"),
    "scalar_int32": (-7, "int32"),
    "scalar_bool": (True, "bool"),
    "scalar_complex": (1.5 - 2j, "complex64"),
    "scalar_f16": (0.1, "float16"),
    # 1-d
    "vec": ([1.0, 2.5, -3.25], "float32"),
    "vec_int_valued": ([1.0, -2.0, 300.0], "float32"),
    "vec_neg_zero": ([-0.0, 1.0, 2.0], "float32"),
    "vec_all_zero": ([0.0, 0.0], "float32"),
    "vec_nan_inf": ([_NAN, _INF, -_INF, 1.5], "float32"),
    "vec_nan_inf_int_valued": ([_NAN, _INF, -_INF, 2.0], "float32"),
    "vec_only_nonfinite": ([_NAN, _INF], "float32"),
    "vec_tiny": ([1e-5, 2e-5, 3.5e-6], "float32"),
    "vec_huge": ([1e9, 2e9, 1.0], "float32"),
    "vec_ratio": ([1.0, 1001.0], "float32"),
    "vec_ratio_frac": ([0.5, 600.0], "float32"),
    "vec_int_valued_big": ([123456789.0, 1.0], "float64"),
    "vec_randn": (_RNG.standard_normal(7), "float32"),
    "vec_long_wraps": (np.arange(40) / 7.0, "float32"),
    "vec_long_int_wraps": (np.arange(60) * 1000, "int64"),
    "vec_int": ([1, -20, 300], "int64"),
    "vec_int32": ([1, -20, 300], "int32"),
    "vec_int16": ([1, 2], "int16"),
    "vec_int8": ([-128, 127], "int8"),
    "vec_uint8": ([0, 255], "uint8"),
    "vec_bool": ([True, False, True], "bool"),
    "vec_f16": ([0.1, 1.5, -2.0], "float16"),
    "vec_bf16": ([0.1, 1.5, -2.0], "bfloat16"),
    "vec_f64": ([0.1, 1.5, -2.0], "float64"),
    "vec_f64_int_valued": ([1.0, 2.0], "float64"),
    "vec_complex64": ([1 + 2j, -1.5 - 0.25j, 3j], "complex64"),
    "vec_complex128": ([1 + 2j, -1.5 - 0.25j], "complex128"),
    "vec_complex_neg_zero": ([complex(1, -0.0), complex(-0.0, 0.0)], "complex64"),
    "vec_complex_nan": ([complex(_NAN, 1.0), complex(1.0, _INF)], "complex64"),
    "vec_complex_sci": ([1e-6 + 1j, 3 + 1e7j], "complex64"),
    "vec_complex_long": (np.arange(30) * (1 + 0.5j) / 3, "complex64"),
    # 2-d and more
    "mat": (_RNG.standard_normal((3, 4)), "float32"),
    "mat_int": (np.arange(12).reshape(3, 4) - 5, "int64"),
    "mat_bool": (_RNG.standard_normal((2, 3)) > 0, "bool"),
    "mat_sci": (_RNG.standard_normal((2, 3)) * 1e-6, "float32"),
    "mat_wide": (_RNG.standard_normal((3, 20)), "float32"),
    "mat_f16": (_RNG.standard_normal((2, 3)), "float16"),
    "mat_complex": (_RNG.standard_normal((2, 2)) + 1j * _RNG.standard_normal((2, 2)), "complex64"),
    "t3": (_RNG.standard_normal((2, 3, 4)), "float32"),
    "t4": (np.arange(24).reshape(2, 1, 3, 4), "int32"),
    "t3_wide_dtype_suffix": (_RNG.standard_normal((2, 2, 9)), "float64"),
    # summarised (over the threshold of 1000)
    "large_vec": (np.arange(2000, dtype=np.float64), "float32"),
    "large_vec_int": (np.arange(1500), "int64"),
    "large_mat": (_RNG.standard_normal((50, 40)), "float32"),
    "large_mat_int": (np.arange(2000).reshape(40, 50), "int32"),
    "large_t3": (_RNG.standard_normal((10, 11, 12)) * 1e5, "float32"),
    "large_short_rows": (_RNG.standard_normal((1001, 2)), "float32"),
    "large_complex": (np.arange(1200).reshape(30, 40) * 1j, "complex64"),
    "large_bool": (np.arange(1200) % 3 == 0, "bool"),
    # empty
    "empty": (np.zeros(0), "float32"),
    "empty_2d": (np.zeros((0, 3)), "float32"),
    "empty_3d": (np.zeros((2, 0, 1)), "float32"),
    "empty_int": (np.zeros(0), "int64"),
    "empty_bool": (np.zeros((0, 2)), "bool"),
    "empty_f64": (np.zeros(0), "float64"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_repr_matches_torch(name):
    a, dtype = CASES[name]
    _check(a, dtype)


@pytest.mark.parametrize("name", ["scalar", "vec", "mat", "vec_long_wraps", "large_vec", "empty"])
def test_repr_requires_grad(name):
    a, dtype = CASES[name]
    _check(a, dtype, requires_grad=True)


def test_repr_grad_fn():
    a = np.array([1.0, 2.0])
    t = torch.tensor(a, dtype=torch.float32, requires_grad=True)
    x = tl.tensor(a.astype(np.float32), requires_grad=True)
    assert repr(x * 2) == repr(t * 2)
    assert repr(x + 1) == repr(t + 1)
    assert repr(x.sum()) == repr(t.sum())
    assert repr((x * 2).detach()) == repr((t * 2).detach())


def test_repr_grad_fn_suffix_wraps():
    a = np.arange(30, dtype=np.float64) / 7
    t = torch.tensor(a, requires_grad=True)
    x = tl.tensor(a, requires_grad=True)
    assert repr(x * 2) == repr(t * 2)


def test_repr_default_dtype_float64():
    prev = tl_dtypes.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    tl_dtypes.set_default_dtype(tl.float64)
    try:
        for a, dtype in [
            ([1.5], "float64"),
            ([1.5], "float32"),
            ([1j], "complex128"),
            ([1j], "complex64"),
            (np.zeros(0), "float64"),
            (np.zeros(0), "int64"),
        ]:
            _check(a, dtype)
    finally:
        torch.set_default_dtype(torch.float32)
        tl_dtypes.set_default_dtype(prev)


@pytest.mark.parametrize(
    "options",
    [
        {"precision": 2},
        {"precision": 8},
        {"sci_mode": True},
        {"sci_mode": False},
        {"threshold": 5},
        {"threshold": 5, "edgeitems": 1},
        {"threshold": 5, "edgeitems": 0},
        {"edgeitems": 0},
        {"linewidth": 40},
        {"linewidth": 10},
        {"profile": "short"},
        {"profile": "full"},
        {"profile": "short", "precision": 6},
    ],
    ids=str,
)
def test_set_printoptions(options):
    _both_set(**options)
    assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    for name in [
        "scalar",
        "scalar_tiny",
        "vec",
        "vec_tiny",
        "vec_int_valued",
        "vec_int",
        "vec_complex64",
        "mat",
        "mat_sci",
        "t3",
        "large_vec",
        "large_mat",
        "empty_2d",
        "vec_long_wraps",
    ]:
        a, dtype = CASES[name]
        _check(a, dtype)
    if options.get("threshold") == 5:
        _check(np.arange(2000).reshape(20, 10, 10) * 0.5, "float32")


def test_printoptions_context_manager():
    a = np.array([1.123456, 2.0])
    with torch._tensor_str.printoptions(precision=1), _tensor_str.printoptions(precision=1):
        _check(a)
        assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    _check(a)
    assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()


def test_set_printoptions_resets_sci_mode():
    _both_set(sci_mode=True)
    _both_set(precision=3)
    assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    _check([1.5, 2.25])


@pytest.mark.xfail(
    not hasattr(tl, "set_printoptions"), reason="re-export in torchlike/__init__.py", strict=True
)
def test_public_names():
    assert tl.printoptions is _tensor_str.printoptions
    assert tl.set_printoptions is _tensor_str.set_printoptions
    assert tl.get_printoptions is _tensor_str.get_printoptions


def _random_case(rng):
    """A random array (shape, scale, integer-valued, nan/inf/-0) and dtype name."""
    shape = tuple(int(n) for n in rng.integers(0, 9, size=rng.integers(0, 5)))
    dtype = str(
        rng.choice(
            [
                "float32",
                "float32",
                "float64",
                "float16",
                "bfloat16",
                "int64",
                "int32",
                "bool",
                "complex64",
            ]
        )
    )
    a = rng.standard_normal(shape) * 10.0 ** rng.integers(-7, 10)
    if rng.random() < 0.3:
        a = np.round(a)
    if dtype == "complex64":
        a = a + 1j * rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4)
    if dtype.startswith("float") or dtype == "bfloat16":
        if dtype in ("float16", "bfloat16"):
            a = np.clip(a, -6e4, 6e4)
        flat = a.reshape(-1)
        for v in (_NAN, _INF, -_INF, -0.0, 0.0):
            if flat.size and rng.random() < 0.15:
                flat[rng.integers(flat.size)] = v
    elif dtype == "bool":
        a = a > 0
    elif dtype.startswith("int"):
        a = np.clip(a, -2e9, 2e9).astype(np.int64)
    return a, dtype


def test_repr_random_against_torch():
    rng = np.random.default_rng(1234)
    for _ in range(150):
        options = {
            "precision": int(rng.integers(0, 9)),
            "linewidth": int(rng.integers(20, 120)),
            "threshold": int(rng.choice([1000, 8, 30])),
            "edgeitems": int(rng.integers(0, 4)),
            "sci_mode": [None, True, False][rng.integers(3)],
        }
        _both_set(**options)
        a, dtype = _random_case(rng)
        _check(a, dtype, requires_grad=dtype.startswith("float") and rng.random() < 0.3)


def test_repr_device_suffix():
    class _OnCuda:
        """A stand-in for a tensor on a GPU: only the device differs from `x`."""

        def __init__(self, x):
            self._x = x
            self.dtype, self.shape, self.requires_grad, self.grad_fn = x.dtype, x.shape, False, None
            self.device = "cuda:0"

        def detach(self):
            return self._x.detach()

    t = torch.tensor([1.0, 2.0])
    expected = torch._tensor_str._add_suffixes(repr(t)[:-1], ["device='cuda:0'"], 7, False)
    assert _tensor_str.tensor_repr(_OnCuda(tl.tensor(np.array([1.0, 2.0], np.float32)))) == expected


def _pair(a):
    return torch.tensor(a), tl.tensor(a)


def test_repr_parameter_and_subclasses():
    from torchlike.nn.parameter import Parameter

    t, x = _pair(np.arange(6, dtype=np.float32).reshape(2, 3) / 3)
    assert repr(Parameter(x)) == repr(torch.nn.Parameter(t))
    assert repr(Parameter(x, requires_grad=False)) == repr(
        torch.nn.Parameter(t, requires_grad=False)
    )
    assert repr(Parameter(x)[0] * 2) == repr(torch.nn.Parameter(t)[0] * 2)
    assert repr(Parameter(x).detach()) == repr(torch.nn.Parameter(t).detach())
    empty_t, empty_x = _pair(np.zeros((0, 3), np.float32))
    assert repr(Parameter(empty_x)) == repr(torch.nn.Parameter(empty_t))

    def sub(base):
        # the same class name in both libraries: a subclass prints under its own name
        return type("MyTensor", (base,), {})

    assert repr(tl.Tensor._make_subclass(sub(tl.Tensor), x)) == repr(
        torch.Tensor._make_subclass(sub(torch.Tensor), t)
    )
    assert repr(sub(Parameter)(x)) == repr(sub(torch.nn.Parameter)(t))


def test_repr_views_and_ops():
    t, x = _pair(np.arange(12, dtype=np.float32).reshape(3, 4) / 7)
    for f in (
        lambda v: v.t(),
        lambda v: v[:, 1],
        lambda v: v[::2, 1::2],
        lambda v: v.transpose(0, 1)[1:] * 1e6,
    ):
        assert repr(f(x)) == repr(f(t))
    assert repr(tl.arange(5.0).to(tl.bfloat16)) == repr(torch.arange(5.0).to(torch.bfloat16))
    assert repr(tl.zeros(2, 3, dtype=tl.int32)) == repr(torch.zeros(2, 3, dtype=torch.int32))
