"""torch.autograd.graph.saved_tensors_hooks, save_on_cpu and disable_saved_tensors_hooks
against PyTorch: the hooks run, what they return is what the backward uses, gradients match."""

import numpy as np
import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], np.float32)
W = np.array([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.6]], np.float32)


def model(m, x, w):
    return (m.tanh(x @ w).exp() * 2).sum()


def grads(m, hooks=None):
    x, w = m.tensor(X, requires_grad=True), m.tensor(W, requires_grad=True)
    if hooks is None:
        loss = model(m, x, w)
    else:
        with hooks:
            loss = model(m, x, w)
    loss.backward()
    return x.grad.numpy(), w.grad.numpy()


@pytest.mark.parametrize("lib", [torch, tl], ids=["torch", "torchlike"])
def test_identity_hooks_run_and_keep_gradients(lib):
    packed, unpacked = [], []

    def pack(t):
        packed.append(tuple(t.shape))
        return t

    def unpack(t):
        unpacked.append(tuple(t.shape))
        return t

    want = grads(torch)
    got = grads(lib, lib.autograd.graph.saved_tensors_hooks(pack, unpack))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    assert packed and len(unpacked) == len(packed)  # each packed tensor is unpacked once
    assert (2, 3) in packed  # x, read by matmul's backward (for w's gradient), in both


def test_unpacked_values_are_what_the_backward_uses():
    # a hook that scales every saved tensor changes the gradients the same way in both
    out = []
    for m in (torch, tl):
        hooks = m.autograd.graph.saved_tensors_hooks(lambda t: t * 0 + 1, lambda t: t)
        x = m.tensor(X, requires_grad=True)
        with hooks:
            y = (x * x).sum()  # mul's backward reads both operands: packed as all-ones
        y.backward()
        out.append(x.grad.numpy())
    np.testing.assert_allclose(out[1], out[0])


def test_save_on_cpu_and_compression_hooks_match_pytorch():
    want = grads(torch, torch.autograd.graph.save_on_cpu())
    got = grads(tl, tl.autograd.graph.save_on_cpu())
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    half = []
    for m in (torch, tl):  # saved in float16, restored to float32
        hooks = m.autograd.graph.saved_tensors_hooks(lambda t: t.half(), lambda t: t.float())
        half.append(grads(m, hooks))
    for g, w in zip(half[1], half[0]):
        np.testing.assert_allclose(g, w, rtol=2e-3, atol=2e-3)


def test_custom_function_saved_tensors_go_through_the_hooks():
    out, calls = [], []
    for m in (torch, tl):
        class Cube(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * x * x * g

        n = []
        hooks = m.autograd.graph.saved_tensors_hooks(lambda t: (n.append(1), t * 2)[1],
                                                     lambda t: t / 2)
        x = m.tensor(X, requires_grad=True)
        with hooks:
            y = Cube.apply(x).sum()
        y.backward()
        out.append(x.grad.numpy())
        calls.append(len(n))
    np.testing.assert_allclose(out[1], out[0], rtol=1e-6)
    assert calls[1] == calls[0] == 1


def test_disable_saved_tensors_hooks_raises_as_pytorch():
    for m in (torch, tl):
        with m.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
            with pytest.raises(RuntimeError, match="no hooks here"):
                with m.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                    pass
