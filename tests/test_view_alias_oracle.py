"""View aliasing and in-place semantics, checked against PyTorch (the oracle)."""

import numpy as np
import pytest

import torchlike as tl
from _oracle import import_torch

torch = import_torch()


def _np(t):
    return t.detach().numpy()


def _both(fn):
    """fn(module) -> dict of results, for torch and torchlike; exceptions as their type name."""
    out = []
    for m in (torch, tl):
        r = {}
        try:
            fn(m, r)
        except Exception as e:  # noqa: BLE001
            r["exc"] = type(e).__name__
        out.append(r)
    return out


def _same(fn):
    want, got = _both(fn)
    assert set(got) == set(want), (want, got)
    for k, w in want.items():
        g = got[k]
        if isinstance(w, torch.Tensor):
            np.testing.assert_allclose(_np(g), _np(w), err_msg=k)
        else:
            assert g == w, (k, w, g)


def _exc(out, key, fn):
    try:
        fn()
        out[key] = "ok"
    except Exception as e:  # noqa: BLE001
        out[key] = type(e).__name__


VIEWS = {
    "slice_step": lambda b: b[1:, ::2],
    "slice_neg": lambda b: b[-3:-1, -5::2],
    "select": lambda b: b.select(1, -2),
    "int2": lambda b: b[1, 3:],
    "none": lambda b: b[None, 1:3, None],
    "narrow": lambda b: b.narrow(-1, -3, 2),
    "t": lambda b: b.t(),
    "mT": lambda b: b.mT,
    "permute": lambda b: b.permute(1, 0),
    "movedim": lambda b: b.movedim(0, 1),
    "view": lambda b: b.view(2, 12),
    "flatten": lambda b: b.flatten(),
    "unflatten": lambda b: b.unflatten(1, (2, 3)),
    "unsqueeze": lambda b: b.unsqueeze(1),
    "squeeze": lambda b: b[1:2].squeeze(0),
    "diagonal": lambda b: b.diagonal(1),
    "unbind": lambda b: b.unbind(1)[2],
    "split": lambda b: b.split([1, 3], 0)[1],
    "chunk": lambda b: b.chunk(3, 1)[2],
    "tensor_split": lambda b: b.tensor_split([1, 4], 1)[1],
    "detach": lambda b: b.detach()[1],
    "data": lambda b: b.data[:, 1],
    "three_levels": lambda b: b[1:].t()[::2].unsqueeze(0),
    "as_strided": lambda b: b.as_strided((2, 2), (6, 2), 1),
    "unfold": lambda b: b.unfold(1, 2, 2),
    "expand_row": lambda b: b[1].unsqueeze(0).expand(1, 6),
    "view_dtype": lambda b: b[1:3].view(torch.int32 if isinstance(b, torch.Tensor) else tl.int32),
}

OPS = {
    "add_": lambda v, m: v.add_(1),
    "mul_": lambda v, m: v.mul_(2),
    "copy_": lambda v, m: v.copy_(-m.arange(v.numel()).reshape(v.shape).to(v.dtype)),
    "fill_": lambda v, m: v.fill_(-1),
    "zero_": lambda v, m: v.zero_(),
    "clamp_": lambda v, m: v.clamp_(3, 10),
    "setitem": lambda v, m: v.__setitem__((Ellipsis, 0), 100),
    "setitem_mask": lambda v, m: v.__setitem__(v > 10, 0),
    "index_put_": lambda v, m: v.index_put_((m.tensor([0, 0]),), m.tensor(1, dtype=v.dtype),
                                            accumulate=True),
    "masked_fill_": lambda v, m: v.masked_fill_(v.long() % 2 == 0, -5),
    "scatter_": lambda v, m: v.scatter_(0, m.zeros((1,) + tuple(v.shape[1:]), dtype=m.long), 42),
    "put_": lambda v, m: v.put_(m.tensor([0, -1]), m.tensor([7, 8], dtype=v.dtype)),
}


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("op", list(OPS))
def test_inplace_through_view(view, op):
    if view == "view_dtype" and op in ("clamp_", "masked_fill_", "index_put_", "setitem_mask"):
        pytest.skip("(bit patterns: covered by the other ops)")

    def f(m, r):
        b = m.arange(24, dtype=m.float32).reshape(4, 6)
        other = b[1:3]
        v = VIEWS[view](b)
        r["stride"] = (v.stride(), v.storage_offset(), v.is_contiguous())
        OPS[op](v, m)
        r["b"], r["v"], r["other"] = b, v, other
        r["ver"] = (b._version, v._version, other._version)
    _same(f)


# ---- disagreements found by the sweep, one test each ----

def test_expand_writes_follow_torch():
    def f(m, r):
        b = m.zeros(1, 3)
        e = b.expand(4, 3)
        for name, call in [("add_", lambda: e.add_(1)), ("mul_", lambda: e.mul_(2)),
                           ("copy_", lambda: e.copy_(m.ones(4, 3))), ("fill_", lambda: e.fill_(2)),
                           ("zero_", lambda: e.zero_()), ("row", lambda: e.__setitem__(0, 3.0)),
                           ("all", lambda: e.__setitem__(slice(None), 1.0)),
                           ("masked_fill_", lambda: e.masked_fill_(m.tensor(True), 5.0)),
                           ("index_fill_", lambda: e.index_fill_(0, m.tensor([0]), 6.0))]:
            _exc(r, name, call)
            r["b_" + name] = b.clone()
        r["ver"] = b._version
        c = m.zeros(3)
        _exc(r, "row_of_expand", lambda: c.expand(2, 3)[0].add_(1))
        _exc(r, "col_of_expand", lambda: c.expand(2, 3)[:, 0].add_(1))
        _exc(r, "same_shape", lambda: c.expand(3).add_(1))
        r["c"] = c
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(f)


def test_non_overlapping_unfold_and_as_strided_are_writable():
    def f(m, r):
        b = m.arange(12.)
        b.unfold(0, 2, 3).add_(100)
        b.as_strided((2, 2), (5, 2), 1).mul_(-1)
        v = b[2:].view(2, 5)
        v.as_strided_((2, 2), (1, 3), 1)
        v.add_(1000)
        r["b"], r["v"] = b, v
        r["vs"] = (v.stride(), v.storage_offset())
        u = m.zeros(6)
        u.unfold(0, 3, 1).fill_(7)  # overlapping windows, one value: well defined
        r["u"] = u
    _same(f)


def test_overlapping_window_write_refused():
    # PyTorch writes overlapping unfold windows element by element; torchlike refuses
    b = tl.zeros(6)
    with pytest.raises(RuntimeError, match="single memory location"):
        b.unfold(0, 3, 1).add_(1)
    assert b.tolist() == [0.0] * 6


@pytest.mark.parametrize("make", [
    lambda y: y.unbind(0)[0], lambda y: y.split(1, 0)[1], lambda y: y.chunk(2, 1)[0],
    lambda y: y.split([1, 2], 1)[1], lambda y: y.unbind(0)[1][1:],
    lambda y: y.tensor_split(2, 1)[0]])
def test_multi_output_view_inplace_with_grad(make):
    def f(m, r):
        x = m.ones(2, 3, requires_grad=True)
        y = x * 2
        _exc(r, "grad", lambda: make(y).add_(1))
        with m.no_grad():
            make(y).mul_(3)
        z = m.zeros(2, 3)
        _exc(r, "other_rg", lambda: make(z).add_(m.ones(1, requires_grad=True)))
        make(z).add_(1)  # nothing requires grad: allowed
        r["y"], r["z"] = y, z
    _same(f)


def test_no_grad_view_modified_with_grad_mode():
    def f(m, r):
        p = m.ones(2, 3, requires_grad=True)
        y = p * 2
        with m.no_grad():
            p[0].mul_(2)
            v = p[1]
            w = y.unbind(0)[0]
            q = m.zeros(3)[1:]
        _exc(r, "leaf_view", lambda: v.add_(1))
        _exc(r, "view_of_view", lambda: v[1:].add_(1))
        _exc(r, "unbind", lambda: w.add_(1))
        q.add_(1)  # its base needs no grad: allowed
        r["p"], r["y"], r["q"] = p, y, q
        (p * p).sum().backward()
        r["g"] = p.grad
    _same(f)


def test_data_has_its_own_version_counter():
    def f(m, r):
        x = m.ones(3, requires_grad=True)
        d = x.data
        d.add_(1)
        d[0] = 7
        r["v1"] = (x._version, d._version, d[1:]._version)
        x.detach().mul_(2)
        r["v2"] = (x._version, d._version)
        with m.no_grad():
            x.add_(1)
        r["v3"] = (x._version, d._version)
        r["x"] = x
        y = x * 2
        z = y * y
        y.data.add_(1)  # not counted: backward is allowed
        z.sum().backward()
        r["grad_ok"] = x.grad is not None
    _same(f)


def test_inplace_metadata_ops_bump_version():
    def f(m, r):
        x = m.arange(6.).reshape(2, 3)
        v = x[0]
        x.t_()
        r["a"] = (x._version, v._version)
        y = x[:, 1:]
        y.t_()
        z = x[0]
        z.unsqueeze_(0)
        z.squeeze_()
        w = x.transpose(0, 1)
        w.transpose_(0, 1)
        r["b"] = (x._version, v._version, y._version, z._version)
        r["y"] = (tuple(y.shape), y.stride(), y.storage_offset())
        r["r"] = m.arange(3.).unsqueeze_(0)._version
    _same(f)


def test_partial_overlap_with_operand_raises():
    def f(m, r):
        x = m.arange(6.)
        _exc(r, "shift_copy", lambda: x[1:].copy_(x[:-1]))
        _exc(r, "shift_setitem", lambda: x.__setitem__(slice(1, None), x[:-1]))
        _exc(r, "shift_add", lambda: x[1:].add_(x[:-1]))
        _exc(r, "full_add", lambda: x.add_(x))
        _exc(r, "same_view", lambda: x[1:].mul_(x[1:]))
        _exc(r, "disjoint", lambda: x[:3].add_(x[3:]))
        s = m.arange(9.).view(3, 3)
        _exc(r, "transpose_copy", lambda: s.t().copy_(s))
        _exc(r, "root_copy", lambda: s.copy_(s.t()))
        _exc(r, "strided_src", lambda: s[0].copy_(s[:, 0]))  # (too hard to tell: allowed)
        r["x"], r["s"] = x, s
    _same(f)


def test_bool_index_copies_int0_index_views():
    def f(m, r):
        x = m.arange(6.)
        x[True].add_(1000)
        x[m.tensor(2)].add_(100)
        x[m.tensor([3])].add_(100)
        x[None].add_(1)
        x[False].add_(5)
        r["x"] = x
        r["s"] = x[None, 1:3, None].stride()
    _same(f)


def test_put_on_non_contiguous_view():
    def f(m, r):
        b = m.arange(12.).view(3, 4)
        b.t()[1:].put_(m.tensor([0, -1, 4]), m.tensor([-1., -2., -3.]))
        r["b"] = b
    _same(f)


# ---- autograd through in-place writes into views ----

def test_setitem_grad_to_base_and_value():
    def f(m, r):
        leaf = m.arange(12., requires_grad=True)
        x = leaf.clone().reshape(3, 4)
        y = m.full((2, 2), 2.0, requires_grad=True)
        x[1:, ::2] = y
        (x * x).sum().backward()
        r["lg"], r["yg"], r["x"] = leaf.grad, y.grad, x
    _same(f)


def test_view_of_view_inplace_grad():
    def f(m, r):
        leaf = m.arange(12., requires_grad=True)
        w = m.tensor(3.0, requires_grad=True)
        x = leaf.clone().view(3, 4)
        a = x[1:]
        c = a.t()[::2]
        c.mul_(w)
        x.diagonal().clamp_(0, 4)
        (x ** 2).sum().backward()
        r["lg"], r["wg"], r["x"], r["a"] = leaf.grad, w.grad, x, a
        r["ver"] = (x._version, a._version, c._version)
    _same(f)


def test_view_written_after_base_modified_grad():
    def f(m, r):
        leaf = m.arange(8., requires_grad=True)
        x = leaf.clone()
        v = x.view(2, 4)
        w = v[:, 1:3]
        x.add_(leaf)
        w.mul_(leaf[:2].view(2, 1))
        (v.sum(1) * m.tensor([1., 2.])).sum().backward()
        r["lg"], r["x"], r["w"] = leaf.grad, x, w
    _same(f)


def test_leaf_inplace_errors_and_no_grad_writes():
    def f(m, r):
        x = m.ones(3, requires_grad=True)
        _exc(r, "leaf", lambda: x.add_(1))
        _exc(r, "view_of_leaf", lambda: x[0].add_(1))
        _exc(r, "setitem", lambda: x.__setitem__(0, 2.0))
        _exc(r, "detached", lambda: x.detach().add_(1))
        with m.no_grad():
            x[1:].mul_(3)
        r["x"], r["ver"], r["leaf"] = x, x._version, x.is_leaf
    _same(f)


@pytest.mark.parametrize("stmt", [
    "x[m.tensor([1, 2])] = x[:2]", "x[m.tensor(1)] = x[1]", "x[m.tensor(1)] = x[0]",
    "x[m.tensor([True, False, True])] = x[0]", "x[[0, 1]] = x[1:]", "x[m.tensor(True)] = x[0]",
    "y = x[m.tensor(1)]; y *= 2; x[m.tensor(1)] = y",
])
def test_setitem_overlap_with_0d_and_advanced_indices_as_torch(stmt):
    # a 0-d integer tensor indexes as an int does (x[i] = x[i] writes in place); advanced
    # indices refuse a value that partly overlaps x
    res = []
    for m in (torch, tl):
        x = m.arange(9.0).reshape(3, 3)
        try:
            exec(stmt, {"m": m, "x": x})
            res.append(x.tolist())
        except RuntimeError:
            res.append("RuntimeError")
    assert res[1] == res[0]
