"""Results, gradients, buffers and optimizer inputs stay on cuda, and match the same computation
on the CPU (two CPU devices play 'cpu' and 'cuda:0'; see conftest.py)."""

import io

import numpy as np
import pytest

import torchlike as tl
import torchlike.nn.functional as F
from torchlike import nn
from torchlike._core.device import gpus

CUDA = gpus()[0]


def on_cuda(*ts):
    """The tensor is labelled cuda:0 and its array really lives on the cuda device."""
    for t in ts:
        assert t.device == tl.device("cuda", 0), t.device
        assert t._data.devices() == {CUDA}, t._data.devices()


def close(a, b):
    np.testing.assert_allclose(a.detach().cpu().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def run_both(fn):
    """fn(device) on cpu and on cuda with the same seed."""
    tl.manual_seed(0)
    c = fn("cpu")
    tl.manual_seed(0)
    g = fn("cuda")
    return c, g


def test_backward_seed_and_identity_grad_on_cuda():
    x = tl.randn(3, device="cuda", requires_grad=True)
    x.sum().backward()  # the implicit ones gradient is made on the output's device
    on_cuda(x.grad)
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward()
    on_cuda(y.grad, x.grad)
    z = x * 3
    (z * z).sum().backward(inputs=[z])
    on_cuda(z.grad)


def test_create_graph_and_custom_function():
    x = tl.randn(3, device="cuda", requires_grad=True)
    (g,) = tl.autograd.grad((x ** 3).sum(), x, create_graph=True)
    on_cuda(g)
    g.sum().backward()
    on_cuda(x.grad)
    close(x.grad, 6 * x.detach().cpu())

    class Sq(tl.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a, a + 1

        @staticmethod
        def backward(ctx, go, go2):  # go2 is a materialized zero gradient
            (a,) = ctx.saved_tensors
            return 2 * a * go + go2

    x = tl.randn(3, device="cuda", requires_grad=True)
    Sq.apply(x)[0].sum().backward()
    on_cuda(x.grad)
    close(x.grad, 2 * x.detach().cpu())


@pytest.mark.parametrize("name", ["mlp_bn_dropout", "transformer", "lstm", "gru_packed"])
def test_layers_forward_backward_match_cpu(name):
    def fn(dev):
        if name == "mlp_bn_dropout":
            m = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Dropout(0.3),
                              nn.Linear(6, 2))
            x = tl.randn(5, 4)
        elif name == "transformer":
            m = nn.TransformerEncoderLayer(6, 2, 12, dropout=0.1, batch_first=True)
            x = tl.randn(2, 3, 6)
        elif name == "lstm":
            m = nn.LSTM(4, 5, num_layers=2, dropout=0.3, bidirectional=True)
            x = tl.randn(3, 2, 4)
        else:
            m = nn.GRU(4, 5, num_layers=2, dropout=0.3)
            x = nn.utils.rnn.pack_sequence([tl.randn(3, 4), tl.randn(2, 4)])
        m.to(dev).eval()
        x = x.to(dev)
        out = m(x)
        out = out[0] if isinstance(out, tuple) else out
        out = out.data if isinstance(out, nn.utils.rnn.PackedSequence) else out
        out.sum().backward()
        m.train()
        tr = m(x)  # train mode: dropout masks drawn on the device
        tr = tr[0] if isinstance(tr, tuple) else tr
        (tr.data if isinstance(tr, nn.utils.rnn.PackedSequence) else tr).sum().backward()
        return m, out

    (_, oc), (mg, og) = run_both(fn)
    on_cuda(og, *[p.grad for p in mg.parameters()])
    on_cuda(*[b for n, b in mg.named_buffers() if n.endswith(("running_mean", "running_var"))])
    close(og, oc)


def test_losses_and_ctc_with_cpu_lengths():
    def fn(dev):
        # drawn on the CPU and moved: draws on a GPU come from JAX keys, not the CPU stream
        a = tl.randn(4, 5).to(dev).requires_grad_()
        t = tl.tensor([0, 3, 1, 4], device=dev)
        lp = tl.randn(6, 2, 5).to(dev).requires_grad_()
        # PyTorch takes lengths as lists or CPU tensors, and moves CPU targets to the GPU
        ctc = F.ctc_loss(F.log_softmax(lp, 2), tl.tensor([[1, 2, 3], [2, 4, 0]]), [6, 5],
                         tl.tensor([3, 2]))
        loss = (F.cross_entropy(a, t, label_smoothing=0.1) + F.mse_loss(a, a.detach() * 0.5)
                + F.binary_cross_entropy_with_logits(a, tl.ones(4, 5, device=dev)) + ctc)
        loss.backward()
        return loss, a.grad, lp.grad

    c, g = run_both(fn)
    on_cuda(*g)
    for x, y in zip(g, c):
        close(x, y)


def test_indexing_with_cpu_indices_and_host_computed_results():
    x = tl.arange(6.0, device="cuda").reshape(3, 2)
    on_cuda(x[tl.tensor([0, 2])], x[[0, 2]], x[x > 2])
    x[tl.tensor([1])] = 7.0
    on_cuda(x)
    assert x.cpu().tolist() == [[0.0, 1.0], [7.0, 7.0], [4.0, 5.0]]
    on_cuda(tl.nonzero(x), *tl.unique(x, return_inverse=True, return_counts=True),
            *tl.unique_consecutive(x, return_inverse=True, return_counts=True),
            tl.histc(x, 3), *tl.mode(x, 1), tl.argwhere(x))
    y = tl.empty(3, device="cuda")
    on_cuda(y.fill_(2.0), y.zero_(), nn.init.ones_(y), nn.init.constant_(y, 3.0),
            nn.init.eye_(tl.empty(2, 3, device="cuda")),
            nn.init.dirac_(tl.empty(2, 2, 3, device="cuda")))


def test_rnn_packing_devices():
    R = nn.utils.rnn
    seqs = [tl.randn(4, 3, device="cuda"), tl.randn(2, 3, device="cuda"),
            tl.randn(3, 3, device="cuda")]
    p = R.pack_sequence(seqs, enforce_sorted=False)
    on_cuda(p.data, p.sorted_indices, p.unsorted_indices)
    assert p.batch_sizes.device.type == "cpu"  # as in PyTorch
    out, _ = nn.LSTM(3, 4).to("cuda")(p)
    pad, lens = R.pad_packed_sequence(out)
    on_cuda(pad)
    assert lens.device.type == "cpu" and lens.tolist() == [4, 2, 3]


def test_parametrizations_and_clip_on_cuda():
    from torchlike.nn.utils import parametrizations as P

    m = P.orthogonal(nn.Linear(4, 4)).to("cuda")
    w = m.weight
    on_cuda(w)
    close(w.T @ w, tl.eye(4))
    s = nn.utils.spectral_norm(nn.Linear(4, 3)).to("cuda")
    s(tl.randn(2, 4, device="cuda")).sum().backward()
    on_cuda(s.weight_orig.grad, s.weight_u)
    on_cuda(nn.utils.clip_grad_norm_(s.parameters(), 0.1))


def test_grad_scaler_and_autocast_on_cuda():
    m = nn.Linear(4, 2).to("cuda")
    opt = tl.optim.SGD(m.parameters(), lr=0.1)
    sc = tl.amp.GradScaler("cuda")
    assert sc.is_enabled()
    with tl.amp.autocast("cuda"):
        loss = m(tl.randn(3, 4, device="cuda")).float().pow(2).mean()
    sc.scale(loss).backward()
    on_cuda(m.weight.grad)
    sc.step(opt)
    sc.update()
    on_cuda(m.weight)
    # as in PyTorch, the scale lives with the scaled outputs: no host copy per step
    on_cuda(sc._scale, sc._growth_tracker)
    # unchanged after a finite step, halved after one with inf/NaN gradients (float16 at
    # this scale can overflow, depending on the draws)
    assert sc.get_scale() in (65536.0, 32768.0)


def test_save_load_map_location():
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2)).to("cuda")
    buf = io.BytesIO()
    tl.save(m.state_dict(), buf)
    buf.seek(0)
    sd = tl.load(buf)
    on_cuda(sd["0.weight"], sd["1.running_mean"])
    buf.seek(0)
    sd = tl.load(buf, map_location="cpu")
    assert all(v.device.type == "cpu" for v in sd.values())
    m2 = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    m2.load_state_dict(sd)
    on_cuda(*m2.to("cuda").parameters())


def test_view_reads_and_writes_on_cuda_use_device_positions():
    """A view's positions (x[3], x[1:4]) reach its kernel as arrays cached on the view's
    device, not CPU arrays copied over on every call; values as on the CPU."""
    from torchlike._core import views

    def fn(dev):
        x = tl.arange(48.0).reshape(6, 8).to(dev)
        y = x.clone()
        y[2, 1:7:2] = 0.0
        y[4].add_(1.0)
        return [x[3], x[1:4], x[:, 2], x[2, 1:7:2], y]

    c, g = run_both(fn)
    on_cuda(*g)
    for a, b in zip(g, c):
        close(a, b)
    assert any(isinstance(k, tuple) and k[1] == tl.device("cuda", 0) and
               views._POSITIONS[k].devices() == {CUDA} for k in views._POSITIONS)


def test_compiled_step_with_traced_modules_on_cuda():
    """A compiled step whose built-in modules are traced as one op each (dropout inside
    attention, fill values and generator words placed on the device while tracing) runs on
    cuda, stays there, and gives the CPU's numbers."""
    def fn(dev):
        model = nn.Sequential(
            nn.TransformerEncoderLayer(8, 2, 16, 0.1, batch_first=True, norm_first=True),
            nn.Flatten(), nn.Linear(24, 2)).to(dev)
        opt = tl.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x = tl.randn(2, 3, 8, generator=tl.Generator().manual_seed(1)).to(dev)

        @tl.compile
        def step(x):
            opt.zero_grad()
            loss = model(x).pow(2).mean()
            loss.backward()
            opt.step()
            return loss

        losses = [step(x).item() for _ in range(3)]
        return losses, model

    (lc, mc), (lg, mg) = run_both(fn)
    np.testing.assert_allclose(lg, lc, rtol=1e-5)
    for pc, pg in zip(mc.parameters(), mg.parameters()):
        on_cuda(pg)
        close(pg, pc)
