"""Sparse COO tensors against PyTorch."""

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()

I = [[0, 1, 1, 2, 0], [2, 0, 2, 1, 2]]
V = [1.0, 2.0, 3.0, 4.0, 5.0]


def build(lib):
    return lib.sparse_coo_tensor(lib.tensor(I), lib.tensor(V), (3, 3), check_invariants=True)


def test_dense_coalesce_and_metadata():
    a, b = build(torch), build(tl)
    np.testing.assert_allclose(b.to_dense().numpy(), a.to_dense().numpy())
    assert b.is_sparse and b._nnz() == a._nnz() and tuple(b.shape) == tuple(a.shape)
    ca, cb = a.coalesce(), b.coalesce()
    assert cb.indices().tolist() == ca.indices().tolist()
    np.testing.assert_allclose(cb.values().numpy(), ca.values().numpy())
    with pytest.raises(RuntimeError):
        b.indices()
    d = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, 0.0]], np.float32)
    sa, sb = torch.tensor(d).to_sparse(), tl.tensor(d).to_sparse()
    assert sb.indices().tolist() == sa.indices().tolist()
    assert float(tl.sparse.sum(sb)) == float(torch.sparse.sum(sa))


def test_spmm_gradients():
    dn = np.arange(6, dtype=np.float32).reshape(3, 2)
    out = {}
    for lib in (torch, tl):
        v = lib.tensor(V, requires_grad=True)
        s = lib.sparse_coo_tensor(lib.tensor(I), v, (3, 3), check_invariants=True)
        d = lib.tensor(dn, requires_grad=True)
        y = lib.sparse.mm(s, d)
        (y * y).sum().backward()
        z = lib.mm(s, d)
        out[lib] = (y.detach().numpy(), v.grad.numpy(), d.grad.numpy(), z.detach().numpy())
    for a, b in zip(out[torch], out[tl]):
        np.testing.assert_allclose(b, a, rtol=1e-6)


def test_bad_indices():
    # torchlike always checks (PyTorch only with check_invariants=True)
    for lib in (torch, tl):
        with pytest.raises(RuntimeError):
            lib.sparse_coo_tensor(lib.tensor([[0, 5]]), lib.tensor([1.0, 2.0]), (3,),
                                  check_invariants=True)
