"""RNN / LSTM / GRU, the cells and packed sequences against real PyTorch."""

import warnings

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()
import torchlike as tl  # noqa: E402
import torchlike.nn as nn  # noqa: E402
from torchlike.nn.utils import rnn as rnn_utils  # noqa: E402

rng = np.random.default_rng(0)
T, B, I, H = 5, 3, 4, 6  # noqa: E741


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def copy_weights(mt, ml):
    sd = mt.state_dict()
    assert list(ml.state_dict()) == list(sd)
    ml.load_state_dict({k: tl.tensor(v.detach().numpy()) for k, v in sd.items()})


def pair(a):
    return torch.tensor(a, requires_grad=True), tl.tensor(a, requires_grad=True)


def run_both(mt, ml, x, hx, packed_lengths=None):
    """Forward both modules (optionally on packed input), backprop a weighted sum, compare."""
    xt, xl = pair(x)
    if hx is None:
        hts, hls = None, None
        h_pairs = []
    else:
        h_pairs = [pair(h) for h in hx]
        hts = tuple(p[0] for p in h_pairs)
        hls = tuple(p[1] for p in h_pairs)
        if len(hx) == 1:
            hts, hls = hts[0], hls[0]
    it, il = xt, xl
    if packed_lengths is not None:
        it = torch.nn.utils.rnn.pack_padded_sequence(
            xt, packed_lengths, mt.batch_first, enforce_sorted=False
        )
        il = rnn_utils.pack_padded_sequence(
            xl, packed_lengths, ml.batch_first, enforce_sorted=False
        )
        close(il.data, it.data)
        np.testing.assert_array_equal(il.batch_sizes.numpy(), it.batch_sizes.numpy())
    ot, ht = mt(it, hts)
    ol, hl = ml(il, hls)
    if packed_lengths is not None:
        assert isinstance(ol, rnn_utils.PackedSequence)
        ot, lt = torch.nn.utils.rnn.pad_packed_sequence(ot, mt.batch_first)
        ol, ll = rnn_utils.pad_packed_sequence(ol, ml.batch_first)
        np.testing.assert_array_equal(ll.numpy(), lt.numpy())
    close(ol, ot)
    ht = ht if isinstance(ht, tuple) else (ht,)
    hl = hl if isinstance(hl, tuple) else (hl,)
    for a, b in zip(hl, ht):
        close(a, b)
    loss_t = (
        ot * torch.tensor(np.cos(np.arange(ot.numel())).reshape(ot.shape).astype(np.float32))
    ).sum()
    loss_l = (
        ol * tl.tensor(np.cos(np.arange(ol.numel())).reshape(tuple(ol.shape)).astype(np.float32))
    ).sum()
    for i, (a, b) in enumerate(zip(hl, ht)):
        loss_t = loss_t + b.sum() * (i + 2)
        loss_l = loss_l + a.sum() * (i + 2)
    loss_t.backward()
    loss_l.backward()
    close(xl.grad, xt.grad, 1e-4)
    for p_t, p_l in h_pairs:
        close(p_l.grad, p_t.grad, 1e-4)
    for (n, pt), (m, pl) in zip(mt.named_parameters(), ml.named_parameters()):
        assert n == m
        close(pl.grad, pt.grad, 1e-4)


CASES = [
    ("LSTM", dict(), False),
    ("LSTM", dict(num_layers=2, bidirectional=True, proj_size=3), False),
    ("LSTM", dict(num_layers=2, bidirectional=True, proj_size=3), True),
    ("GRU", dict(num_layers=2, bidirectional=True, batch_first=True), False),
    ("GRU", dict(num_layers=2, bidirectional=True, batch_first=True), True),
    ("RNN", dict(nonlinearity="relu", bias=False), True),
    ("RNN", dict(num_layers=2, dropout=0.0), False),
]


@pytest.mark.parametrize("name,kw,packed", CASES, ids=str)
def test_rnn_modules(name, kw, packed):
    mt = getattr(torch.nn, name)(I, H, **kw)
    ml = getattr(nn, name)(I, H, **kw)
    assert [n for n, _ in ml.named_parameters()] == [n for n, _ in mt.named_parameters()]
    copy_weights(mt, ml)
    D = 2 if mt.bidirectional else 1
    x = r(B, T, I) if mt.batch_first else r(T, B, I)
    h = r(mt.num_layers * D, B, mt.proj_size or H)
    hx = (h, r(mt.num_layers * D, B, H)) if name == "LSTM" else (h,)
    run_both(mt, ml, x, hx, [5, 2, 3] if packed else None)


def test_rnn_default_hidden_unbatched_and_eval():
    mt, ml = torch.nn.GRU(I, H, num_layers=2), nn.GRU(I, H, num_layers=2)
    copy_weights(mt, ml)
    run_both(mt, ml, r(T, B, I), None)
    mt.eval()
    ml.eval()
    run_both(mt, ml, r(T, I), (r(2, H),))
    lt, ll = torch.nn.LSTM(I, H), nn.LSTM(I, H)
    copy_weights(lt, ll)
    run_both(lt, ll, r(T, I), (r(1, H), r(1, H)))


def test_rnn_init_shapes_and_range():
    m = nn.LSTM(I, H, num_layers=2, bidirectional=True, proj_size=2)
    t = torch.nn.LSTM(I, H, num_layers=2, bidirectional=True, proj_size=2)
    for (n, p), (_, q) in zip(m.named_parameters(), t.named_parameters()):
        assert tuple(p.shape) == tuple(q.shape), n
        assert np.abs(p.detach().numpy()).max() <= 1 / np.sqrt(H)
    assert [[n for n in names] for names in m._all_weights] == t._all_weights
    assert repr(m) == repr(t)


@pytest.mark.parametrize("batch_first,packed", [(True, False)])  # packed: see the training test
def test_rnn_dropout_matches_torch_when_seeded(batch_first, packed):
    # The inter-layer dropout masks come from the same mt19937 stream as torch's.
    mt = torch.nn.GRU(I, H, num_layers=3, dropout=0.5, bidirectional=True, batch_first=batch_first)
    ml = nn.GRU(I, H, num_layers=3, dropout=0.5, bidirectional=True, batch_first=batch_first)
    copy_weights(mt, ml)
    x = r(B, T, I) if batch_first else r(T, B, I)
    torch.manual_seed(5)
    tl.manual_seed(5)
    run_both(mt, ml, x, None, [5, 3, 2] if packed else None)
    ml.eval()
    a, _ = ml(tl.tensor(x))
    b, _ = ml(tl.tensor(x))
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells(name):
    mt, ml = getattr(torch.nn, name)(I, H), getattr(nn, name)(I, H)
    copy_weights(mt, ml)
    x = r(B, I)
    for batched in (True, False):
        xi = x if batched else x[0]
        hs = [r(B, H) if batched else r(H) for _ in range(2 if name == "LSTMCell" else 1)]
        xt, xl = pair(xi)
        hp = [pair(h) for h in hs]
        args_t = tuple(p[0] for p in hp) if name == "LSTMCell" else hp[0][0]
        args_l = tuple(p[1] for p in hp) if name == "LSTMCell" else hp[0][1]
        ot, ol = mt(xt, args_t), ml(xl, args_l)
        ot = ot if isinstance(ot, tuple) else (ot,)
        ol = ol if isinstance(ol, tuple) else (ol,)
        for a, b in zip(ol, ot):
            close(a, b)
        sum(o.sum() * (i + 1) for i, o in enumerate(ot)).backward()
        sum(o.sum() * (i + 1) for i, o in enumerate(ol)).backward()
        close(xl.grad, xt.grad, 1e-4)
        for pt, pl in hp:
            close(pl.grad, pt.grad, 1e-4)
    for (n, pt), (_, pl) in zip(mt.named_parameters(), ml.named_parameters()):
        close(pl.grad, pt.grad, 1e-4)
    close(
        ml(tl.tensor(x))[0] if name == "LSTMCell" else ml(tl.tensor(x)),
        mt(torch.tensor(x))[0] if name == "LSTMCell" else mt(torch.tensor(x)),
    )


def test_errors_match_torch():
    def both(fn):
        with pytest.raises(Exception) as et:
            fn(torch, torch.nn)
        with pytest.raises(Exception) as el:
            fn(tl, nn)
        assert el.type is et.type, (el.value, et.value)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(lambda lib, mod: mod.LSTM(I, H, proj_size=H))
        both(lambda lib, mod: mod.GRU(I, H, proj_size=2))
        both(lambda lib, mod: mod.RNN(I, H, nonlinearity="gelu"))
        both(lambda lib, mod: mod.LSTM(I, H, dropout=2.0))
        both(lambda lib, mod: mod.LSTM(I, H, num_layers=0))
        both(lambda lib, mod: mod.LSTM(I, H)(lib.zeros(T, B, I + 1)))
        both(lambda lib, mod: mod.LSTM(I, H)(lib.zeros(T, B, I, 1)))
        both(lambda lib, mod: mod.GRU(I, H)(lib.zeros(T, B, I), lib.zeros(1, B + 1, H)))
        both(lambda lib, mod: mod.GRU(I, H)(lib.zeros(T, B, I), lib.zeros(B, H)))
        both(lambda lib, mod: mod.LSTM(I, H)(lib.zeros(T, B, I, dtype=lib.float64)))
        both(lambda lib, mod: mod.LSTMCell(I, H)(lib.zeros(B, I, 1)))
        both(lambda lib, mod: mod.GRUCell(I, H)(lib.zeros(B, I + 1)))


def test_pack_pad_utilities():
    seqs = [r(4, 2), r(2, 2), r(3, 2)]
    st = [torch.tensor(s, requires_grad=True) for s in seqs]
    sl = [tl.tensor(s, requires_grad=True) for s in seqs]
    for batch_first in (False, True):
        for side in ("right", "left"):
            close(
                rnn_utils.pad_sequence(sl, batch_first, 1.5, side),
                torch.nn.utils.rnn.pad_sequence(st, batch_first, 1.5, side),
            )
    pt = torch.nn.utils.rnn.pack_sequence(st, enforce_sorted=False)
    pl = rnn_utils.pack_sequence(sl, enforce_sorted=False)
    close(pl.data, pt.data)
    for a, b in zip(pl[1:], pt[1:]):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    ut, ul = torch.nn.utils.rnn.unpack_sequence(pt), rnn_utils.unpack_sequence(pl)
    for a, b in zip(ul, ut):
        close(a, b)
    padded_t, lt = torch.nn.utils.rnn.pad_packed_sequence(pt, True, -1.0, total_length=6)
    padded_l, ll = rnn_utils.pad_packed_sequence(pl, True, -1.0, total_length=6)
    close(padded_l, padded_t)
    np.testing.assert_array_equal(ll.numpy(), lt.numpy())
    (padded_t * torch.arange(36.0).reshape(3, 6, 2)).sum().backward()
    (padded_l * tl.arange(36.0).reshape(3, 6, 2)).sum().backward()
    for a, b in zip(sl, st):
        close(a.grad, b.grad)
    with pytest.raises(RuntimeError):
        rnn_utils.pack_sequence(sl)  # not sorted by length
    with pytest.raises(ValueError):
        rnn_utils.pad_packed_sequence(pl, total_length=2)


def test_packed_lstm_training_steps_match_torch():
    """Embedding -> packed bi-LSTM with dropout -> CE(ignore_index), clipping, Adam: 3 steps."""

    def build(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = lib.nn.Embedding(10, 6, padding_idx=0)
                self.rnn = lib.nn.LSTM(
                    6, 8, num_layers=2, bidirectional=True, batch_first=True, dropout=0.3
                )
                self.head = lib.nn.Linear(16, 5)

            def forward(self, x, lengths):
                utils = lib.nn.utils.rnn
                packed = utils.pack_padded_sequence(
                    self.emb(x), lengths, batch_first=True, enforce_sorted=False
                )
                out, _ = self.rnn(packed)
                out, _ = utils.pad_packed_sequence(out, batch_first=True)
                return self.head(out)

        return Net()

    mt, ml = build(torch), build(tl)
    copy_weights(mt, ml)
    opt_t = torch.optim.Adam(mt.parameters(), lr=1e-2)
    opt_l = tl.optim.Adam(ml.parameters(), lr=1e-2)
    lengths = [7, 3, 5, 2]
    x = rng.integers(1, 10, (4, 7))
    for i, n in enumerate(lengths):
        x[i, n:] = 0
    y = rng.integers(0, 5, (4, 7))
    y[x == 0] = -100
    torch.manual_seed(1)
    tl.manual_seed(1)
    for _ in range(3):
        results = []
        for m, opt, lib in ((mt, opt_t, torch), (ml, opt_l, tl)):
            opt.zero_grad()
            logits = m(lib.tensor(x), lengths)
            loss = lib.nn.functional.cross_entropy(
                logits.reshape(-1, 5), lib.tensor(y).reshape(-1), label_smoothing=0.1
            )
            loss.backward()
            norm = lib.nn.utils.clip_grad_norm_(m.parameters(), 0.5)
            opt.step()
            results.append((float(loss), float(norm)))
        np.testing.assert_allclose(results[1], results[0], rtol=1e-5)
    for (k, a), (_, b) in zip(mt.state_dict().items(), ml.state_dict().items()):
        np.testing.assert_allclose(b.numpy(), a.numpy(), atol=1e-5, err_msg=k)


def test_packed_lstm_compiles_without_graph_breaks():
    if not hasattr(tl, "compile"):
        pytest.skip("torchlike.compile is not available")
    m = nn.LSTM(I, H, batch_first=True)
    x = tl.tensor(r(B, T, I))

    def step(x):
        for p in m.parameters():
            p.grad = None
        packed = rnn_utils.pack_padded_sequence(x, [5, 4, 2], batch_first=True)
        out, _ = m(packed)
        out, _ = rnn_utils.pad_packed_sequence(out, batch_first=True)
        loss = nn.functional.cross_entropy(out.reshape(-1, H), tl.zeros(B * T, dtype=tl.long))
        loss.backward()
        return loss

    eager = float(step(x))
    grad = m.weight_ih_l0.grad.numpy().copy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compiled = tl.compile(step)
        got = float(compiled(x))
    assert not [w for w in caught if "graph break" in str(w.message)]
    np.testing.assert_allclose(got, eager, rtol=1e-6)
    np.testing.assert_allclose(m.weight_ih_l0.grad.numpy(), grad, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_rnn_double_backward_matches_torch(name):
    # the recurrence has a custom VJP; a gradient penalty differentiates through it again
    mt = getattr(torch.nn, name)(I, H, num_layers=2).double()
    ml = getattr(nn, name)(I, H, num_layers=2).double()
    copy_weights(mt, ml)
    x = r(T, B, I).astype(np.float64)
    grads = []
    for lib, m in ((torch, mt), (tl, ml)):
        xx = lib.tensor(x, requires_grad=True)
        out, _ = m(xx)
        (g,) = lib.autograd.grad(out.pow(2).sum(), xx, create_graph=True)
        g.pow(2).sum().backward()
        grads.append([xx.grad] + [p.grad for p in m.parameters()])
    for a, b in zip(grads[1], grads[0]):
        close(a, b, 1e-9)
