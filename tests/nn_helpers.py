"""Shared helpers for the nn tests: build a layer in both libraries, copy torch's weights into
torchlike through numpy, and compare outputs, gradients and buffers."""

import numpy as np

from tests._oracle import import_torch

torch = import_torch()

import torchlike as tl

RNG = np.random.default_rng(0)


def randn(*shape, dtype=np.float32):
    """A fixed-seed normal numpy array."""
    return RNG.standard_normal(shape).astype(dtype)


def t2np(t):
    """numpy value of a torch or torchlike tensor."""
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu()
        return (t.float() if t.dtype == torch.bfloat16 else t).numpy()
    t = t.detach().cpu()
    return np.asarray((t.float() if t.dtype == tl.bfloat16 else t).numpy())


def tl_from_torch(t):
    """A torchlike tensor with a torch tensor's value (bfloat16 goes through float32)."""
    t = t.detach().cpu()
    if t.dtype == torch.bfloat16:
        return tl.tensor(t.detach().float().numpy()).to(tl.bfloat16)
    return tl.tensor(t.detach().numpy())


def copy_state(tmod, lmod, **kw):
    """Load torch module `tmod`'s state_dict into torchlike module `lmod`."""
    return lmod.load_state_dict({k: tl_from_torch(v) for k, v in tmod.state_dict().items()}, **kw)


def assert_close(a, b, atol=1e-5, rtol=1e-5, what=""):
    a, b = (
        t2np(a) if not isinstance(a, np.ndarray) else a,
        t2np(b) if not isinstance(b, np.ndarray) else b,
    )
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} != {b.dtype}"
    np.testing.assert_allclose(a, b, atol=atol, rtol=rtol, err_msg=what)


def assert_same_state_dict_layout(tmod, lmod):
    """Keys (in order), shapes and dtypes of the two state_dicts are identical."""
    ts, ls = tmod.state_dict(), lmod.state_dict()
    assert list(ts.keys()) == list(ls.keys())
    for k in ts:
        assert tuple(ts[k].shape) == tuple(ls[k].shape), k
        assert str(ts[k].dtype).split(".")[-1] == str(ls[k].dtype).split(".")[-1], k


def _flat(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _backward_both(l_out, t_out):
    """Backpropagate the same random cotangents through both libraries' outputs."""
    ls, ts, lg, tg = [], [], [], []
    for a, b in zip(l_out, t_out):
        if b.dtype.is_floating_point and b.requires_grad:
            ct = RNG.standard_normal(tuple(b.shape)).astype(t2np(b).dtype)
            ls.append(a)
            ts.append(b)
            lg.append(tl.tensor(ct))
            tg.append(torch.tensor(ct))
    if ts:
        torch.autograd.backward(ts, tg)
        tl.autograd.backward(ls, lg)


def compare_module(
    tmod, lmod, inputs, train=True, atol=1e-5, rtol=1e-5, grad=True, steps=1, call=None
):
    """Run both modules on the same numpy `inputs`; compare outputs, input/param grads, buffers.

    Integer inputs are passed without gradients. `call(mod, *inputs)` overrides `mod(*inputs)`.
    """
    assert_same_state_dict_layout(tmod, lmod)
    copy_state(tmod, lmod)
    tmod.train(train)
    lmod.train(train)
    call = call or (lambda m, *a: m(*a))
    for _ in range(steps):
        t_in = [torch.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in inputs]
        l_in = [tl.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in inputs]
        t_out, l_out = _flat(call(tmod, *t_in)), _flat(call(lmod, *l_in))
        assert len(t_out) == len(l_out)
        for i, (a, b) in enumerate(zip(l_out, t_out)):
            assert_close(a, b, atol, rtol, f"output {i}")
        if grad:
            _backward_both(l_out, t_out)
            for i, (a, b) in enumerate(zip(l_in, t_in)):
                if b.requires_grad:
                    assert_close(a.grad, b.grad, atol, rtol, f"grad of input {i}")
            lp = dict(lmod.named_parameters())
            for name, p in tmod.named_parameters():
                if p.grad is None:
                    assert lp[name].grad is None, name
                else:
                    assert_close(lp[name].grad, p.grad, atol, rtol, f"grad of {name}")
            tmod.zero_grad()
            lmod.zero_grad()
        lb = dict(lmod.named_buffers())
        for name, b in tmod.named_buffers():
            assert_close(lb[name], b, atol, rtol, f"buffer {name}")
    return t_out, l_out


class NoGrad:
    """Marks a numpy argument of compare_fn that must not require grad."""

    def __init__(self, a):
        self.a = a


def compare_fn(fn_name, arrays, *args, atol=1e-5, rtol=1e-5, grad=True, **kwargs):
    """Call torch.nn.functional.<fn_name> and torchlike's with the same arrays (as tensors) and
    other arguments; compare the outputs and the gradients of the floating inputs.

    numpy arrays in `args`/`kwargs` become tensors too (NoGrad(array): without gradient)."""
    lF = tl.nn.functional
    tF = torch.nn.functional
    t_in = [torch.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    l_in = [tl.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]

    def conv(v, lib, ins):
        if isinstance(v, NoGrad):
            return lib.tensor(v.a)
        if isinstance(v, np.ndarray):
            t = lib.tensor(v, requires_grad=grad and v.dtype.kind == "f")
            ins.append(t)
            return t
        return v

    t_args = [conv(v, torch, t_in) for v in args]
    l_args = [conv(v, tl, l_in) for v in args]
    t_kw = {k: conv(v, torch, t_in) for k, v in kwargs.items()}
    l_kw = {k: conv(v, tl, l_in) for k, v in kwargs.items()}
    t_out = _flat(getattr(tF, fn_name)(*t_in[: len(arrays)], *t_args, **t_kw))
    l_out = _flat(getattr(lF, fn_name)(*l_in[: len(arrays)], *l_args, **l_kw))
    assert len(t_out) == len(l_out)
    for i, (a, b) in enumerate(zip(l_out, t_out)):
        assert_close(a, b, atol, rtol, f"{fn_name} output {i}")
    if grad and any(t.requires_grad for t in t_in):
        _backward_both(l_out, t_out)
        for i, (a, b) in enumerate(zip(l_in, t_in)):
            if b.requires_grad:
                assert_close(a.grad, b.grad, atol, rtol, f"{fn_name} grad of input {i}")
    return t_out, l_out
