"""adjoint, the *_copy view variants, index_reduce, resize_, frombuffer, nuclear/frobenius
norms, nonzero_static, as_subclass and the device-kind flags, against PyTorch."""

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()

X = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5


def same(got, want):
    if isinstance(want, (list, tuple)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            same(g, w)
        return
    assert str(got.dtype) == str(want.dtype) and tuple(got.shape) == tuple(want.shape)
    assert got.is_contiguous() == want.is_contiguous()
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5,
                               atol=1e-6)


def both(fn):
    return fn(tl), fn(torch)


@pytest.mark.parametrize("call", [
    lambda m: m.adjoint(m.tensor(X)),
    lambda m: m.tensor(X).adjoint(),
    lambda m: m.nuclear_norm(m.tensor(X)),
    lambda m: m.frobenius_norm(m.tensor(X), dim=(0, 1)),
    lambda m: m.frobenius_norm(m.tensor(X), dim=(1,), keepdim=True),
    lambda m: m.view_copy(m.tensor(X), (3, 2)),
    lambda m: m.permute_copy(m.tensor(X), (1, 0)),
    lambda m: m.t_copy(m.tensor(X)),
    lambda m: m.transpose_copy(m.tensor(X), 0, 1),
    lambda m: m.unsqueeze_copy(m.tensor(X), 1),
    lambda m: m.expand_copy(m.tensor(X[:1]), (4, 3)),
    lambda m: m.diagonal_copy(m.tensor(X)),
    lambda m: m.select_copy(m.tensor(X), 1, 2),
    lambda m: m.slice_copy(m.tensor(X), 1, 0, 3, 2),
    lambda m: m.split_copy(m.tensor(X), 2, 1),
    lambda m: m.unbind_copy(m.tensor(X), 1),
    lambda m: m.nonzero_static(m.tensor([0, 1, 0, 2]), size=4),
    lambda m: m.nonzero_static(m.tensor([[0, 1], [3, 2]]), size=2, fill_value=7),
    lambda m: m.frombuffer(bytearray(np.arange(4, dtype=np.int32).tobytes()), dtype=m.int32,
                           offset=4, count=2),
])
def test_values_match_pytorch(call):
    got, want = both(call)
    same(got, want)


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce(reduce, include_self):
    base = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)
    src = np.array([[2.0, -1.0], [0.5, 3.0], [4.0, 4.0]], np.float32)
    got, want = both(lambda m: m.tensor(base).index_reduce(
        0, m.tensor([0, 2, 0]), m.tensor(src), reduce, include_self=include_self))
    same(got, want)
    got, want = both(lambda m: m.tensor(base).index_reduce_(
        1, m.tensor([1, 1]), m.tensor(src[:, :2]), reduce, include_self=include_self))
    same(got, want)


def test_resize_keeps_the_leading_elements():
    for sizes in ((2, 2), (6,), (3, 3)):
        got, want = both(lambda m: m.tensor(X.copy()).resize_(*sizes))
        assert tuple(got.shape) == tuple(want.shape)
        n = min(got.numel(), X.size)  # PyTorch's elements past the old size are uninitialised
        np.testing.assert_array_equal(got.reshape(-1)[:n].numpy(), want.reshape(-1)[:n].numpy())
    for m in (torch, tl):
        with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
            m.ones(2, requires_grad=True).resize_(3)


def test_as_subclass_keeps_data_and_graph():
    out = []
    for m in (torch, tl):
        class Sub(m.Tensor):
            pass
        x = m.tensor(X, requires_grad=True)
        s = (x * 2).as_subclass(Sub)
        assert type(s) is Sub
        s.sum().backward()
        out.append(x.grad.numpy())
    np.testing.assert_array_equal(out[0], out[1])


def test_device_kind_flags_and_other_builds():
    for m in (torch, tl):
        x = m.ones(2)
        assert not any(getattr(x, f) for f in ("is_mps", "is_xpu", "is_ipu", "is_vulkan",
                                                 "is_xla", "is_mtia", "is_maia", "is_sparse_csr"))
        assert x.is_distributed() is False and m.get_device(x) == -1
        with pytest.raises(AssertionError, match="not compiled with XPU"):
            x.xpu()
    got, want = both(lambda m: m.tensor(X).hardshrink(1.5))
    same(got, want)
    got, want = both(lambda m: m.tensor(X).prelu(m.tensor([0.25])))
    same(got, want)


def test_typed_storage_of_a_tensor_and_its_views():
    res = []
    for m in (torch, tl):
        x = m.arange(6.0).reshape(2, 3)
        with pytest.warns(UserWarning, match="TypedStorage is deprecated"):
            s, v = x.storage(), x[1].storage()
        res.append((type(s).__name__, s.size(), len(s), s.element_size(), str(s.dtype),
                    s.nbytes(), s.tolist(), s[4], s.type(), s.is_cuda,
                    s.data_ptr() == v.data_ptr() == x.untyped_storage().data_ptr(),
                    isinstance(x.untyped_storage(), m.UntypedStorage)))
    assert res[1] == res[0]


_PTS = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.5, 1.5]], np.float32)


@pytest.mark.parametrize("call", [
    lambda m: m.histogramdd(m.tensor(_PTS), bins=[3, 2], weight=m.tensor([1., 2., 4., 8., 3.])),
    lambda m: m.histogramdd(m.tensor(_PTS), bins=2, range=[0., 1., 0., 1.], density=True),
    lambda m: m.histogramdd(m.tensor(_PTS).double(), bins=[m.tensor([0., 1., 2.]).double(),
                                                           m.tensor([-1., 0.5, 3.]).double()]),
    lambda m: m.histogramdd(m.tensor(_PTS).reshape(5, 1, 2), bins=4),
    lambda m: m.histogramdd(m.tensor(_PTS)[:, :1], bins=3),
])
def test_histogramdd_matches_torch(call):
    want, got = call(torch), call(tl)
    assert type(got).__name__ == type(want).__name__ == "histogramdd"
    np.testing.assert_allclose(got.hist.numpy(), want.hist.numpy(), rtol=1e-6)
    assert got.hist.dtype == getattr(tl, str(want.hist.dtype).split(".")[-1])
    assert len(got.bin_edges) == len(want.bin_edges)
    for g, w in zip(got.bin_edges, want.bin_edges):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda m: m.histogramdd(m.tensor(_PTS).long(), 2),
    lambda m: m.histogramdd(m.tensor(_PTS), [2]),
    lambda m: m.histogramdd(m.tensor(_PTS), 2, range=[0., 1.]),
    lambda m: m.histogramdd(m.tensor(_PTS), 2, range=[1., 0., 0., 1.]),
    lambda m: m.histogramdd(m.tensor(_PTS), 2, weight=m.ones(3)),
    lambda m: m.histogramdd(m.ones(3), 2),
    lambda m: m.histogramdd(m.tensor(_PTS), 0),
    lambda m: m.histogramdd(m.tensor(_PTS).double(), [m.tensor([0., 1.]), m.tensor([0., 1.])]),
])
def test_histogramdd_errors_match_torch(call):
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(type(want.value)) as got:
        call(tl)
    assert str(got.value) == str(want.value)


def test_histogram_returns_torchs_named_tuple():
    want, got = (m.histogram(m.tensor([1.0, 2.0, 1.0, 4.0]), 3, weight=m.tensor([1., 2., 3., 4.]))
                 for m in (torch, tl))
    assert type(got).__name__ == type(want).__name__ == "histogram" and len(got) == len(want)
    np.testing.assert_allclose(got.hist.numpy(), want.hist.numpy())
    np.testing.assert_allclose(got.bin_edges.numpy(), want.bin_edges.numpy(), rtol=1e-6)
