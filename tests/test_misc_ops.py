"""More of the op surface against PyTorch."""

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()

A = np.array([[1.0, 5.0, -2.0, 3.5], [0.5, -1.0, 4.0, 2.0], [3.0, 3.0, -0.5, 1.0]], np.float32)
CASES = {
    "quantile": lambda m, x: m.quantile(x, 0.3, dim=1),
    "quantile-all": lambda m, x: m.quantile(x, 0.75),
    "quantile-tensor-q": lambda m, x: m.quantile(x, m.tensor([0.1, 0.9]), dim=0, keepdim=True),
    "nanquantile": lambda m, x: m.nanquantile(m.where(x > 3, m.tensor(float("nan")), x), 0.5, dim=1),
    "dist": lambda m, x: m.dist(x, x.flip(0), 3),
    "renorm": lambda m, x: x.renorm(2, 0, 3.0),
    "cov": lambda m, x: m.cov(x),
    "corrcoef": lambda m, x: m.corrcoef(x),
    "slice_scatter": lambda m, x: m.slice_scatter(x, m.zeros(3, 2), 1, 0, 4, 2),
    "select_scatter": lambda m, x: m.select_scatter(x, m.ones(4), 0, 1),
    "diagonal_scatter": lambda m, x: m.diagonal_scatter(x, m.ones(3), 1),
    "sum_to_size": lambda m, x: x.sum_to_size(1, 4),
    "ravel": lambda m, x: x.t().ravel(),
    "fill_diagonal": lambda m, x: x.clone().fill_diagonal_(7.0),
    "put_": lambda m, x: x.clone().put_(m.tensor([0, 5, 11]), m.tensor([9.0, 8.0, 7.0])),
    "frexp": lambda m, x: m.frexp(x)[0],
    "gcd": lambda m, x: m.gcd(m.tensor([12, 18, 7]), m.tensor([8, 12, 21])),
    "polygamma": lambda m, x: m.polygamma(1, x.abs() + 1),
    "igamma": lambda m, x: m.igamma(x.abs() + 1, x.abs()),
    "histogram": lambda m, x: m.histogram(x, 4)[0],
    "gradient": lambda m, x: m.stack(m.gradient(x, spacing=(2.0, 0.5), edge_order=2)),
    "gradient-int": lambda m, x: m.gradient(x.long(), dim=1)[0],
    "gradient-coords": lambda m, x: m.gradient(x, spacing=[m.tensor([0, 1, 3, 4])], dim=-1)[0],
}


@pytest.mark.parametrize("name", list(CASES))
def test_against_torch(name):
    f = CASES[name]
    a = f(torch, torch.tensor(A))
    b = f(tl, tl.tensor(A))
    assert tuple(b.shape) == tuple(a.shape)
    assert repr(b.dtype) == repr(a.dtype)
    np.testing.assert_allclose(np.asarray(b.numpy(), dtype=np.float64),
                               np.asarray(a.numpy(), dtype=np.float64), rtol=1e-5, atol=1e-6)


def _complex_view_program(m):
    """view_as_complex / view_as_real alias their input both ways, like PyTorch's."""
    x = m.arange(12.0).reshape(3, 4)
    c = m.view_as_complex(x.view(3, 2, 2))
    c[1, 0] = 100 + 200j
    c[2].mul_(1j)
    r = m.view_as_real(c)
    r[0, 1, 1] = -7.0
    z = m.tensor([1 + 2j, 3 - 1j, 0.5j])
    zr = m.view_as_real(z)
    zr.mul_(2)
    zr[1:, 0] += 1  # a view of the view, with dynamic positions
    m.view_as_complex(zr[1:]).add_(1j)
    z.real[1:] += 1  # .real/.imag below an index
    z.imag[2] = 7
    tail = m.view_as_real(z[1:])
    layout = [tuple(v.shape) + v.stride() + (v.storage_offset(), str(v.dtype))
              for v in (c, r, tail, m.view_as_complex(x.view(3, 2, 2)[1:]))]
    return x.tolist(), m.view_as_real(z).tolist(), layout


def test_view_as_complex_and_real_alias():
    expected = _complex_view_program(torch)
    got = _complex_view_program(tl)
    assert got[:2] == expected[:2]
    assert [v[:-1] for v in got[2]] == [v[:-1] for v in expected[2]]
    assert [v[-1].split(".")[-1] for v in got[2]] == [v[-1].split(".")[-1] for v in expected[2]]


@pytest.mark.parametrize("call", [
    lambda m: m.view_as_real(m.ones(2)),
    lambda m: m.view_as_complex(m.ones(3)),
    lambda m: m.view_as_complex(m.ones(2, 2).t()),
    lambda m: m.view_as_complex(m.ones(5)[1:].view(2, 2)),
    lambda m: m.view_as_complex(m.ones(2, 3)[:, :2]),
    lambda m: m.view_as_complex(m.ones(2, 2, dtype=m.int64)),
    lambda m: m.complex(m.ones(2), m.ones(2, dtype=m.float64)),
    lambda m: m.polar(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64)),
    lambda m: m.complex(m.ones(2), m.ones(3)),
    lambda m: m.meshgrid(m.arange(3), m.arange(2.0), indexing="ij"),
    lambda m: m.meshgrid(indexing="ij"),
    lambda m: m.meshgrid(m.ones(2), indexing="foo"),
    lambda m: m.gradient(m.ones(3, 4), edge_order=3),
    lambda m: m.gradient(m.ones(3, 2), edge_order=2),
    lambda m: m.gradient(m.ones(3, 4), spacing=[1.0, 2.0, 3.0]),
    lambda m: m.gradient(m.ones(3, 4), spacing=[1.0, 2.0], dim=1),
    lambda m: m.gradient(m.ones(3, 4), spacing=[m.tensor(1.0)], dim=1),
])
def test_errors_match_torch(call):
    with pytest.raises(Exception) as et:
        call(torch)
    with pytest.raises(type(et.value)) as el:
        call(tl)
    assert str(el.value) == str(et.value)


def test_apply_map_resize_and_errors():
    x = tl.tensor([1.0, 2.0, 3.0])
    assert x.clone().apply_(lambda v: v * 10).tolist() == [10.0, 20.0, 30.0]
    assert x.clone().map_(x, lambda a, b: a + b).tolist() == [2.0, 4.0, 6.0]
    y = x.clone()
    y.resize_(2, 2)
    assert y.shape == (2, 2)
    for lib in (torch, tl):
        with pytest.raises(RuntimeError):
            lib.quantile(lib.tensor([1.0, 2.0]), 1.5)
        with pytest.raises(RuntimeError):
            lib.is_nonzero(lib.tensor([1, 2]))


SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]], np.float64)
LINALG = {
    "det": lambda m, x: m.det(x),
    "inverse": lambda m, x: x.inverse(),
    "logdet": lambda m, x: m.logdet(x),
    "slogdet": lambda m, x: m.slogdet(x)[1],
    "matrix_power": lambda m, x: x.matrix_power(3),
    "pinverse": lambda m, x: m.pinverse(x),
    "cholesky-upper": lambda m, x: m.cholesky(x, upper=True),
    "qr-R": lambda m, x: m.qr(x)[1].abs(),
    "svd-S": lambda m, x: m.svd(x)[1],
    "matrix_exp": lambda m, x: m.matrix_exp(x * 0.1),
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", list(LINALG))
def test_torch_level_linalg_spellings(name):
    f = LINALG[name]
    np.testing.assert_allclose(f(tl, tl.tensor(SPD)).numpy(), f(torch, torch.tensor(SPD)).numpy(),
                               rtol=1e-8, atol=1e-12)
