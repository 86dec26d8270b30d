"""The Module system and containers against real PyTorch: registration, iteration, state_dict,
load_state_dict, hooks, modes, conversions, repr, copying; PyTorch's exception types."""

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import torchlike.nn as tnn
from tests.nn_helpers import assert_close, copy_state, randn, t2np, tl, torch


def build(nn):
    """A small model with nested modules, buffers of both kinds and a tied weight."""

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(2, 3, 3, padding=1)
            self.bn = nn.BatchNorm2d(3)
            self.register_buffer("scale", torch_or_tl(nn).ones(3))
            self.register_buffer("cache", torch_or_tl(nn).zeros(2), persistent=False)

        def forward(self, x):
            return self.bn(self.conv(x)) * self.scale.reshape(1, 3, 1, 1)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.head = nn.Sequential(nn.Flatten(), nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 3))
            self.head[3].weight = self.head[1].weight  # tied
            self.extra = nn.Parameter(torch_or_tl(nn).zeros(3))
            self.maybe = None

        def forward(self, x):
            return self.head(self.pool(self.block(x))) + self.extra

    return Net()


def torch_or_tl(nn):
    return torch if nn is torch.nn else tl


@pytest.fixture
def pair():
    t, m = build(torch.nn), build(tnn)
    copy_state(t, m)
    return t, m


def test_registration_and_iteration(pair):
    t, m = pair
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in m.named_parameters(remove_duplicate=False)] == [
        n for n, _ in t.named_parameters(remove_duplicate=False)
    ]
    assert [n for n, _ in m.named_parameters(prefix="p", recurse=False)] == ["p.extra"]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in m.named_children()] == [n for n, _ in t.named_children()]
    assert len(list(m.modules())) == len(list(t.modules()))
    assert len(list(m.parameters())) == len(list(t.parameters()))
    assert m.get_submodule("head.1") is m.head[1]
    assert m.get_parameter("block.conv.weight") is m.block.conv.weight
    assert m.get_buffer("block.bn.running_mean") is m.block.bn.running_mean
    for fn, arg in [
        ("get_submodule", "head.9"),
        ("get_parameter", "block.scale"),
        ("get_buffer", "block.conv.weight"),
        ("get_submodule", "extra"),
    ]:
        with pytest.raises(AttributeError):
            getattr(t, fn)(arg)
        with pytest.raises(AttributeError):
            getattr(m, fn)(arg)
    assert "conv" in dir(m.block) and "scale" in dir(m.block)
    del m.block.scale
    assert "scale" not in dict(m.block.named_buffers())
    with pytest.raises(AttributeError):
        _ = m.block.nothing


def test_state_dict_layout_and_values(pair):
    t, m = pair
    ts, ms = t.state_dict(), m.state_dict()
    assert isinstance(ms, OrderedDict)
    assert list(ms) == list(ts)
    for k in ts:
        assert_close(ms[k], ts[k], what=k)
        assert not ms[k].requires_grad
    assert list(m.state_dict(prefix="net.")) == list(t.state_dict(prefix="net."))
    kv = m.state_dict(keep_vars=True)
    assert kv["extra"] is m.extra


def test_load_state_dict_errors_match_torch(pair):
    t, m = pair
    sd_t = t.state_dict()
    sd_m = m.state_dict()
    del sd_t["extra"], sd_m["extra"]
    sd_t["bogus"], sd_m["bogus"] = torch.zeros(1), tl.zeros(1)
    with pytest.raises(RuntimeError) as et:
        t.load_state_dict(sd_t)
    with pytest.raises(RuntimeError) as em:
        m.load_state_dict(sd_m)
    assert str(em.value) == str(et.value)
    rt, rm = t.load_state_dict(sd_t, strict=False), m.load_state_dict(sd_m, strict=False)
    assert rm.missing_keys == rt.missing_keys and rm.unexpected_keys == rt.unexpected_keys
    assert repr(m.load_state_dict(m.state_dict())) == "<All keys matched successfully>"
    bad_t, bad_m = t.state_dict(), m.state_dict()
    bad_t["extra"], bad_m["extra"] = torch.zeros(4), tl.zeros(4)
    with pytest.raises(RuntimeError) as et:
        t.load_state_dict(bad_t)
    with pytest.raises(RuntimeError) as em:
        m.load_state_dict(bad_m)
    assert str(em.value) == str(et.value)
    with pytest.raises(TypeError):
        m.load_state_dict([1, 2])


def test_load_state_dict_copies_in_place_or_assigns():
    m = tnn.Linear(3, 2)
    w = m.weight
    new = {"weight": tl.ones(2, 3), "bias": tl.zeros(2)}
    m.load_state_dict(new)
    assert m.weight is w and float(m.weight.sum()) == 6
    m.load_state_dict({"weight": tl.full((2, 3), 2.0), "bias": tl.zeros(2)}, assign=True)
    assert m.weight is not w and isinstance(m.weight, tnn.Parameter) and m.weight.requires_grad
    assert float(m.weight.sum()) == 12


def test_state_dict_hooks():
    for nn, lib in ((torch.nn, torch), (tnn, tl)):
        m = nn.Linear(2, 2)
        calls = []
        m.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: calls.append(("pre", prefix)))  # noqa: B023
        h = m.register_state_dict_post_hook(
            lambda mod, sd, prefix, meta: calls.append(("post", list(sd)))  # noqa: B023
        )
        m.state_dict()
        h.remove()
        m.state_dict()
        m.register_load_state_dict_post_hook(
            lambda mod, keys: calls.append(("load", keys.missing_keys))  # noqa: B023
        )
        m.load_state_dict({"weight": lib.zeros(2, 2)}, strict=False)
        if nn is torch.nn:
            expected = calls
        else:
            assert calls == expected


def test_modes_and_grads(pair):
    t, m = pair
    m.eval()
    assert not m.training and not m.head[1].training
    m.train()
    assert m.block.bn.training
    with pytest.raises(ValueError):
        m.train("yes")
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    x = tl.tensor(randn(2, 2, 4, 4))
    m(x).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == [type(mod).__name__ for mod in _apply_order(t)]


def _apply_order(mod):
    out = []
    for c in mod.children():
        out += _apply_order(c)
    return out + [mod]


def test_forward_matches_torch_train_and_eval(pair):
    t, m = pair
    x = randn(2, 2, 4, 4)
    for mode in (True, False):
        t.train(mode)
        m.train(mode)
        assert_close(m(tl.tensor(x)), t(torch.tensor(x)), 1e-5, 1e-5)
    for k, v in t.state_dict().items():
        assert_close(m.state_dict()[k], v, 1e-5, 1e-5, k)


def test_dtype_conversions_keep_parameter_objects():
    m = tnn.Sequential(tnn.Linear(3, 2), tnn.BatchNorm1d(2))
    w = m[0].weight
    m.double()
    assert m[0].weight is w and w.dtype == tl.float64 and m[1].running_mean.dtype == tl.float64
    assert m[1].num_batches_tracked.dtype == tl.int64
    m.to(tl.float16)
    assert w.dtype == tl.float16 and isinstance(w, tnn.Parameter)
    m.float()
    m.to("cpu")
    m.cpu()
    m.bfloat16().float()
    assert w.dtype == tl.float32 and w.requires_grad
    m.type(tl.float64)
    assert w.dtype == tl.float64
    with pytest.raises(TypeError):
        torch.nn.Linear(2, 2).to(torch.int32)
    with pytest.raises(TypeError):
        m.to(tl.int32)
    y = m(tl.tensor(randn(4, 3, dtype=np.float64)))
    assert y.dtype == tl.float64


def test_forward_hooks():
    for nn, lib in ((torch.nn, torch), (tnn, tl)):
        m = nn.Linear(2, 2)
        log = []
        h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        h2 = m.register_forward_hook(lambda mod, args, out: out + 1)
        h3 = m.register_forward_pre_hook(
            lambda mod, args, kwargs: log.append(("kw", sorted(kwargs))),  # noqa: B023
            with_kwargs=True,
        )
        h4 = m.register_forward_hook(lambda mod, args, out: log.append("first"), prepend=True)  # noqa: B023
        x = lib.ones(1, 2)
        with lib.no_grad():
            m.weight.fill_(1.0)
            m.bias.fill_(0.0)
        y1 = m(x)
        for h in (h1, h2, h3, h4):
            h.remove()
        y2 = m(x)
        if nn is torch.nn:
            exp = (t2np(y1), t2np(y2), log)
        else:
            np.testing.assert_allclose(t2np(y1), exp[0])
            np.testing.assert_allclose(t2np(y2), exp[1])
            assert log == exp[2]


def test_full_backward_hooks_match_torch():
    results = []
    for nn, lib in ((torch.nn, torch), (tnn, tl)):
        m = nn.Linear(3, 2)
        rec = {}

        def hook(mod, gin, gout, rec=rec):
            rec["gin"] = [None if g is None else t2np(g) for g in gin]
            rec["gout"] = [t2np(g) for g in gout]
            return (gin[0] * 3,)

        def pre(mod, gout, rec=rec):
            rec["pre"] = t2np(gout[0])

        m.register_full_backward_hook(hook)
        m.register_full_backward_pre_hook(pre)
        results.append((m, lib, rec))
    (tm, _, trec), (lm, _, lrec) = results
    copy_state(tm, lm)
    x = randn(4, 3)
    tx, lx = torch.tensor(x, requires_grad=True), tl.tensor(x, requires_grad=True)
    ct = randn(4, 2)
    (tm(tx) * torch.tensor(ct)).sum().backward()
    (lm(lx) * tl.tensor(ct)).sum().backward()
    np.testing.assert_allclose(lrec["gout"][0], trec["gout"][0], rtol=1e-6)
    np.testing.assert_allclose(lrec["pre"], trec["pre"], rtol=1e-6)
    np.testing.assert_allclose(lrec["gin"][0], trec["gin"][0], rtol=1e-5)
    assert_close(lx.grad, tx.grad)  # scaled by the hook
    assert_close(lm.weight.grad, tm.weight.grad)


def test_repr_matches_torch(pair):
    t, m = pair
    assert repr(m) == repr(t)
    for ctor in (
        lambda nn: nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2)]),
        lambda nn: nn.ModuleDict({"a": nn.Conv1d(1, 2, 3), "b": nn.Dropout(0.2)}),
        lambda nn: nn.ModuleList(),
    ):
        assert repr(ctor(tnn)) == repr(ctor(torch.nn))
    pl_t = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(2, 3)), torch.zeros(4)])
    pl_m = tnn.ParameterList([tnn.Parameter(tl.zeros(2, 3)), tl.zeros(4)])
    assert repr(pl_m) == repr(pl_t)
    pd_t = torch.nn.ParameterDict({"b": torch.nn.Parameter(torch.zeros(2)), "a": torch.ones(1, 2)})
    pd_m = tnn.ParameterDict({"b": tnn.Parameter(tl.zeros(2)), "a": tl.ones(1, 2)})
    assert repr(pd_m) == repr(pd_t)


def test_deepcopy_and_pickle(pair):
    _, m = pair
    c = copy.deepcopy(m)
    assert c.head[1].weight is c.head[3].weight and c.head[1].weight is not m.head[1].weight
    x = tl.tensor(randn(2, 2, 4, 4))
    m.eval()
    c.eval()
    assert_close(c(x), m(x))
    s = tnn.Sequential(tnn.Conv2d(2, 3, 3), tnn.BatchNorm2d(3), tnn.Flatten(), tnn.Linear(12, 2))
    s.register_buffer("nb", tl.ones(1), persistent=False)
    s.eval()
    p = pickle.loads(pickle.dumps(s))
    assert [n for n, _ in p.named_parameters()] == [n for n, _ in s.named_parameters()]
    assert list(p.state_dict()) == list(s.state_dict()) and "nb" in dict(p.named_buffers())
    assert isinstance(p[0].weight, tnn.Parameter) and p[0].weight.requires_grad
    assert_close(p(x), s(x))


def test_registration_errors_match_torch():
    def attempts(nn, lib):
        m = nn.Linear(2, 2)
        return [
            lambda: setattr(m, "weight", lib.zeros(2, 2)),
            lambda: m.register_parameter("w", lib.zeros(2)),
            lambda: m.register_parameter("a.b", None),
            lambda: m.register_parameter("", None),
            lambda: m.register_buffer("weight", lib.zeros(1)),
            lambda: m.register_buffer("b", 3),
            lambda: m.add_module("x", 3),
            lambda: m.add_module("a.b", nn.ReLU()),
            lambda: m.add_module(1, nn.ReLU()),
            lambda: m.register_parameter("nl", nn.Parameter(lib.ones(2)) * 2),
            lambda: nn.Sequential(nn.ReLU())[3],
            lambda: nn.ModuleList([nn.ReLU()])[-2],
            lambda: nn.ParameterList()(1),
            lambda: nn.Module()(1),
        ]

    for ft, fm in zip(attempts(torch.nn, torch), attempts(tnn, tl)):
        with pytest.raises(Exception) as et:
            ft()
        with pytest.raises(type(et.value)):
            fm()


def test_parameter_and_buffer_classes():
    p = tnn.Parameter(tl.ones(2))
    assert isinstance(p, tl.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p).startswith("Parameter containing:")
    assert not tnn.Parameter(tl.ones(1), requires_grad=False).requires_grad
    assert tuple(tnn.Parameter().shape) == (0,)
    m = tnn.Module()
    m.buf = tnn.Buffer(tl.zeros(2), persistent=False)
    m.b2 = tnn.Buffer(tl.ones(1))
    assert list(m.state_dict()) == ["b2"] and [n for n, _ in m.named_buffers()] == ["buf", "b2"]
    m.buf = tl.ones(3)  # reassigning a registered buffer keeps it a (non-persistent) buffer
    assert list(m.state_dict()) == ["b2"] and tuple(m.buf.shape) == (3,)


def test_sequential():
    for nn in (torch.nn, tnn):
        s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        assert len(s) == 3 and isinstance(s[-1], nn.Linear)
        assert isinstance(s[1:], nn.Sequential) and len(s[1:]) == 2
        s.append(nn.Tanh())
        s.insert(0, nn.Identity())
        s.extend([nn.Sigmoid()])
        del s[1]
        names = [type(x).__name__ for x in s]
        keys = list(s._modules)
        s.pop(0)
        od = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
        if nn is torch.nn:
            expected = (names, keys, [type(x).__name__ for x in s], list(od.state_dict()), repr(od))
        else:
            assert (
                names,
                keys,
                [type(x).__name__ for x in s],
                list(od.state_dict()),
                repr(od),
            ) == expected
    s = tnn.Sequential(tnn.Linear(2, 3), tnn.ReLU())
    assert tuple(s(tl.ones(4, 2)).shape) == (4, 3)
    assert len(s + s) == 4 and len(s * 2) == 4


def test_module_list_and_dict():
    for nn in (torch.nn, tnn):
        ml = nn.ModuleList([nn.ReLU(), nn.Tanh()])
        ml.append(nn.Linear(1, 1))
        ml.insert(1, nn.Sigmoid())
        ml.extend([nn.Identity()])
        ml += [nn.ReLU6()]
        del ml[0]
        ml[0] = nn.GELU()
        a = ([type(x).__name__ for x in ml], list(ml._modules), type(ml[1:3]).__name__, len(ml))
        md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()})
        md["c"] = nn.Linear(1, 1)
        md.update([("d", nn.Sigmoid())])
        md.pop("a")
        b = (list(md.keys()), "c" in md, len(md), [type(v).__name__ for v in md.values()])
        if nn is torch.nn:
            expected = (a, b)
        else:
            assert (a, b) == expected


def test_parameter_list_and_dict():
    for nn, lib in ((torch.nn, torch), (tnn, tl)):
        pl = nn.ParameterList([lib.zeros(2), nn.Parameter(lib.ones(3))])
        pl.append(lib.zeros(1))
        pl.extend([lib.ones(2)])
        a = (
            [type(p).__name__ for p in pl],
            len(pl),
            [n for n, _ in pl.named_parameters()],
            len(pl[1:]),
        )
        pd = nn.ParameterDict({"x": lib.zeros(2)})
        pd["y"] = nn.Parameter(lib.ones(1))
        pd.update({"z": lib.zeros(3)})
        v = pd.pop("x")
        b = (
            list(pd.keys()),
            [n for n, _ in pd.named_parameters()],
            "y" in pd,
            len(pd),
            type(v).__name__,
            list(pd.state_dict()),
        )
        if nn is torch.nn:
            expected = (a, b)
        else:
            assert (a, b) == expected


def test_global_module_hooks():
    logs = []
    for lib_nn, lib in ((torch.nn, torch), (tnn, tl)):
        mm = lib_nn.modules.module
        log = []
        h1 = mm.register_module_forward_pre_hook(lambda m, a: log.append(("pre", type(m).__name__)))  # noqa: B023
        h2 = mm.register_module_forward_hook(lambda m, a, o: log.append(("post", type(m).__name__)))  # noqa: B023
        h3 = mm.register_module_full_backward_hook(
            lambda m, gi, go: log.append(("bw", type(m).__name__))  # noqa: B023
        )
        h4 = mm.register_module_module_registration_hook(lambda m, n, sub: log.append(("reg", n)))  # noqa: B023
        s = lib_nn.Sequential(lib_nn.Linear(2, 2), lib_nn.Tanh())
        s(lib.ones(1, 2, requires_grad=True)).sum().backward()
        for h in (h1, h2, h3, h4):
            h.remove()
        s(lib.ones(1, 2))
        logs.append(log)
    assert logs[1] == logs[0]
