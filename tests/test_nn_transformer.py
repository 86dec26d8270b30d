"""scaled_dot_product_attention, MultiheadAttention and the Transformer modules vs PyTorch."""

import warnings

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()
import torchlike as tl  # noqa: E402
import torchlike.nn as nn  # noqa: E402
import torchlike.nn.functional as F  # noqa: E402

TF = torch.nn.functional
rng = np.random.default_rng(0)


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def copy_weights(mt, ml):
    """Load torch's state_dict into the torchlike module; the keys must be identical."""
    sd = mt.state_dict()
    assert list(ml.state_dict()) == list(sd)
    ml.load_state_dict({k: tl.tensor(v.detach().numpy()) for k, v in sd.items()})


def check_grads(mt, ml, pairs, tol=1e-4):
    for (n, pt), pl in zip(mt.named_parameters(), ml.parameters()):
        assert (pt.grad is None) == (pl.grad is None), n
        if pt.grad is not None:
            np.testing.assert_allclose(
                pl.grad.numpy(), pt.grad.numpy(), rtol=tol, atol=tol, err_msg=n
            )
    for xt, xl in pairs:
        np.testing.assert_allclose(xl.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)


def pair(a):
    return torch.tensor(a, requires_grad=True), tl.tensor(a, requires_grad=True)


@pytest.mark.parametrize("mask", [None, "bool", "float", "causal", "bool_dead_row"])
def test_sdpa(mask):
    q, k, v = r(2, 3, 4, 8), r(2, 3, 5, 8), r(2, 3, 5, 6)
    kw_t, kw_l = {}, {}
    if mask == "causal":
        kw_t["is_causal"] = kw_l["is_causal"] = True
    elif mask is not None:
        m = rng.random((4, 5)) > 0.3 if mask.startswith("bool") else r(4, 5)
        if mask == "bool_dead_row":
            m[1] = False
        kw_t["attn_mask"], kw_l["attn_mask"] = torch.tensor(m), tl.tensor(m)
    pairs = [pair(a) for a in (q, k, v)]
    ot = TF.scaled_dot_product_attention(*[p[0] for p in pairs], scale=0.3, **kw_t)
    ol = F.scaled_dot_product_attention(*[p[1] for p in pairs], scale=0.3, **kw_l)
    close(ol, ot)
    ct = r(*ot.shape)
    ot.backward(torch.tensor(ct))
    ol.backward(tl.tensor(ct))
    for xt, xl in pairs:
        close(xl.grad, xt.grad, 1e-4)


def test_sdpa_gqa_and_errors():
    q, k, v = r(1, 4, 3, 8), r(1, 2, 5, 8), r(1, 2, 5, 8)
    ot = TF.scaled_dot_product_attention(
        torch.tensor(q), torch.tensor(k), torch.tensor(v), enable_gqa=True
    )
    ol = F.scaled_dot_product_attention(tl.tensor(q), tl.tensor(k), tl.tensor(v), enable_gqa=True)
    close(ol, ot)
    for lib, f in ((torch, TF), (tl, F)):
        with pytest.raises(RuntimeError):
            f.scaled_dot_product_attention(lib.tensor(q), lib.tensor(k), lib.tensor(v))
    # torch rejects a mask together with is_causal on some backends only; torchlike always does.
    with pytest.raises(RuntimeError):
        x = tl.tensor(q)
        F.scaled_dot_product_attention(x, x, x, attn_mask=tl.ones(3, 3), is_causal=True)


def test_dropout_matches_torch_when_seeded():
    # Attention dropout masks come from the same mt19937 stream as torch's CPU kernels.
    q = r(1, 2, 3, 4)
    torch.manual_seed(5)
    tl.manual_seed(5)
    close(
        F.scaled_dot_product_attention(*(tl.tensor(q),) * 3, dropout_p=0.5),
        TF.scaled_dot_product_attention(*(torch.tensor(q),) * 3, dropout_p=0.5),
    )
    for batch_first, norm_first in [(False, False), (True, True)]:
        kw = dict(
            d_model=8,
            nhead=2,
            num_encoder_layers=1,
            num_decoder_layers=1,
            dim_feedforward=16,
            dropout=0.3,
            batch_first=batch_first,
            norm_first=norm_first,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mt, ml = torch.nn.Transformer(**kw), nn.Transformer(**kw)
        copy_weights(mt, ml)
        src, tgt = r(2, 5, 8), r(2, 4, 8)
        if not batch_first:
            src, tgt = src.transpose(1, 0, 2).copy(), tgt.transpose(1, 0, 2).copy()
        torch.manual_seed(7)
        tl.manual_seed(7)
        _run_pair(
            mt, ml, (torch.tensor(src), torch.tensor(tgt)), (tl.tensor(src), tl.tensor(tgt)), {}, {}
        )
    mt, ml = (
        torch.nn.MultiheadAttention(8, 2, dropout=0.5),
        nn.MultiheadAttention(8, 2, dropout=0.5),
    )
    copy_weights(mt, ml)
    x = r(3, 2, 8)
    for need_weights in (True, False):
        torch.manual_seed(9)
        tl.manual_seed(9)
        ot = mt(*(torch.tensor(x),) * 3, need_weights=need_weights)
        ol = ml(*(tl.tensor(x),) * 3, need_weights=need_weights)
        close(ol[0], ot[0])
        if need_weights:
            close(ol[1], ot[1])


MHA_CASES = [
    dict(),
    dict(bias=False),
    dict(add_bias_kv=True, add_zero_attn=True),
    dict(kdim=6, vdim=7),
    dict(batch_first=True),
]


@pytest.mark.parametrize("kw", MHA_CASES, ids=str)
def test_multihead_attention(kw):
    E, H, L, S, N = 8, 2, 4, 5, 3
    torch.manual_seed(0)
    mt = torch.nn.MultiheadAttention(E, H, **kw)
    ml = nn.MultiheadAttention(E, H, **kw)
    names_t = [n for n, _ in mt.named_parameters()]
    assert [n for n, _ in ml.named_parameters()] == names_t
    assert type(ml.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    copy_weights(mt, ml)
    bf = kw.get("batch_first", False)
    shape = lambda T, D: (N, T, D) if bf else (T, N, D)  # noqa: E731
    q, k, v = r(*shape(L, E)), r(*shape(S, kw.get("kdim", E))), r(*shape(S, kw.get("vdim", E)))
    kpm = rng.random((N, S)) > 0.7
    am = r(L, S)
    combos = [(True, False, 3), (False, True, 3)]
    if not kw:
        combos += [(True, True, 0), (False, True, 1)]
    for need_weights, avg, masks in combos:
        pairs = [pair(a) for a in (q, k, v)]
        mkw_t, mkw_l = {}, {}
        if masks & 1:
            mkw_t["key_padding_mask"], mkw_l["key_padding_mask"] = (
                torch.tensor(kpm),
                tl.tensor(kpm),
            )
        if masks & 2:
            mkw_t["attn_mask"], mkw_l["attn_mask"] = torch.tensor(am), tl.tensor(am)
        mt.zero_grad()
        ml.zero_grad()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ot, wt = mt(
                *[p[0] for p in pairs], need_weights=need_weights, average_attn_weights=avg, **mkw_t
            )
            ol, wl = ml(
                *[p[1] for p in pairs], need_weights=need_weights, average_attn_weights=avg, **mkw_l
            )
        close(ol, ot)
        assert (wl is None) == (wt is None)
        if wt is not None:
            close(wl, wt)
        ct = r(*ot.shape)
        ot.backward(torch.tensor(ct))
        ol.backward(tl.tensor(ct))
        check_grads(mt, ml, pairs)


@pytest.mark.parametrize("shared", ["qkv", "kv"])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_multihead_attention_shared_inputs(shared, batch_first, bias):
    """Self-attention (query is key is value) and key is value: torch projects them packed;
    values and gradients (the shared input's summed) must be torch's."""
    E, H, L, S, N = 8, 2, 4, 5, 3
    torch.manual_seed(0)
    mt = torch.nn.MultiheadAttention(E, H, bias=bias, batch_first=batch_first)
    ml = nn.MultiheadAttention(E, H, bias=bias, batch_first=batch_first)
    copy_weights(mt, ml)
    shape = lambda T: (N, T, E) if batch_first else (T, N, E)  # noqa: E731
    x, m = pair(r(*shape(L))), pair(r(*shape(S)))
    for need_weights in (True, False):
        for p in (x, m):
            p[0].grad = None
            p[1].grad = None
        mt.zero_grad()
        ml.zero_grad()
        args = [(x[i], x[i], x[i]) if shared == "qkv" else (x[i], m[i], m[i]) for i in (0, 1)]
        ot, wt = mt(*args[0], need_weights=need_weights)
        ol, wl = ml(*args[1], need_weights=need_weights)
        close(ol, ot)
        if need_weights:
            close(wl, wt)
        ct = r(*ot.shape)
        ot.backward(torch.tensor(ct))
        ol.backward(tl.tensor(ct))
        check_grads(mt, ml, [x] if shared == "qkv" else [x, m])


def test_multihead_attention_unbatched_causal_and_3d_mask():
    E, H, L = 8, 2, 4
    mt = torch.nn.MultiheadAttention(E, H)
    ml = nn.MultiheadAttention(E, H)
    copy_weights(mt, ml)
    x = r(L, E)
    causal = torch.nn.Transformer.generate_square_subsequent_mask(L)
    causal_l = nn.Transformer.generate_square_subsequent_mask(L)
    close(causal_l, causal)
    ot, wt = mt(torch.tensor(x), torch.tensor(x), torch.tensor(x), attn_mask=causal)
    ol, wl = ml(tl.tensor(x), tl.tensor(x), tl.tensor(x), attn_mask=causal_l)
    close(ol, ot)
    close(wl, wt)
    ot, _ = mt(
        torch.tensor(x),
        torch.tensor(x),
        torch.tensor(x),
        attn_mask=causal,
        is_causal=True,
        need_weights=False,
    )
    ol, _ = ml(
        tl.tensor(x),
        tl.tensor(x),
        tl.tensor(x),
        attn_mask=causal_l,
        is_causal=True,
        need_weights=False,
    )
    close(ol, ot)
    m3 = rng.random((H, L, L)) > 0.5
    m3[..., 0] = False
    ot, wt = mt(torch.tensor(x), torch.tensor(x), torch.tensor(x), attn_mask=torch.tensor(m3))
    ol, wl = ml(tl.tensor(x), tl.tensor(x), tl.tensor(x), attn_mask=tl.tensor(m3))
    close(ol, ot)
    close(wl, wt)


def test_multihead_attention_errors():
    for lib, mod in ((torch, torch.nn), (tl, nn)):
        with pytest.raises(AssertionError):
            mod.MultiheadAttention(8, 3)
        with pytest.raises(ValueError):
            mod.MultiheadAttention(0, 2)
        m = mod.MultiheadAttention(8, 2)
        x = lib.zeros(4, 3, 8)
        with pytest.raises(AssertionError):
            m(x, x, x, key_padding_mask=lib.zeros(3, 4, 1))
        with pytest.raises(RuntimeError):
            m(x, x, x, attn_mask=lib.zeros(3, 3))
        with pytest.raises(RuntimeError):
            m(x, x, x, is_causal=True)
        with pytest.raises(AssertionError):
            m(x, x, lib.zeros(5, 3, 8))


def _run_pair(mt, ml, t_args, l_args, t_kw, l_kw, grads=True):
    ot = mt(*t_args, **t_kw)
    ol = ml(*l_args, **l_kw)
    close(ol, ot, 1e-4)
    if grads:
        ct = r(*ot.shape)
        ot.backward(torch.tensor(ct))
        ol.backward(tl.tensor(ct))
        check_grads(mt, ml, [])


@pytest.mark.parametrize(
    "norm_first,activation,batch_first", [(False, "relu", False), (True, "gelu", True)]
)
def test_transformer_encoder_decoder_layers(norm_first, activation, batch_first):
    d, h, ff, S, T, N = 8, 2, 16, 5, 4, 2
    kw = dict(
        dim_feedforward=ff,
        dropout=0.0,
        activation=activation,
        batch_first=batch_first,
        norm_first=norm_first,
    )
    et, el = torch.nn.TransformerEncoderLayer(d, h, **kw), nn.TransformerEncoderLayer(d, h, **kw)
    dt, dl = torch.nn.TransformerDecoderLayer(d, h, **kw), nn.TransformerDecoderLayer(d, h, **kw)
    copy_weights(et, el)
    copy_weights(dt, dl)
    shape = lambda L: (N, L, d) if batch_first else (L, N, d)  # noqa: E731
    src, tgt = r(*shape(S)), r(*shape(T))
    kpm = np.zeros((N, S), bool)
    kpm[1, 3:] = True
    causal_t = torch.nn.Transformer.generate_square_subsequent_mask(T)
    causal_l = nn.Transformer.generate_square_subsequent_mask(T)
    _run_pair(
        et,
        el,
        (torch.tensor(src),),
        (tl.tensor(src),),
        dict(src_key_padding_mask=torch.tensor(kpm)),
        dict(src_key_padding_mask=tl.tensor(kpm)),
    )
    _run_pair(
        dt,
        dl,
        (torch.tensor(tgt), torch.tensor(src)),
        (tl.tensor(tgt), tl.tensor(src)),
        dict(tgt_mask=causal_t, memory_key_padding_mask=torch.tensor(kpm), tgt_is_causal=True),
        dict(tgt_mask=causal_l, memory_key_padding_mask=tl.tensor(kpm), tgt_is_causal=True),
    )


def test_transformer_full_model_train_and_eval():
    d, h, S, T, N = 8, 2, 5, 4, 2
    torch.manual_seed(0)
    kw = dict(
        d_model=d,
        nhead=h,
        num_encoder_layers=2,
        num_decoder_layers=1,
        dim_feedforward=16,
        dropout=0.0,
        batch_first=True,
    )
    mt, ml = torch.nn.Transformer(**kw), nn.Transformer(**kw)
    copy_weights(mt, ml)
    src, tgt = r(N, S, d), r(N, T, d)
    kpm = np.zeros((N, S), bool)
    kpm[0, 4:] = True
    t_kw = dict(
        tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(T),
        src_key_padding_mask=torch.tensor(kpm),
        memory_key_padding_mask=torch.tensor(kpm),
    )
    l_kw = dict(
        tgt_mask=nn.Transformer.generate_square_subsequent_mask(T),
        src_key_padding_mask=tl.tensor(kpm),
        memory_key_padding_mask=tl.tensor(kpm),
    )
    _run_pair(
        mt, ml, (torch.tensor(src), torch.tensor(tgt)), (tl.tensor(src), tl.tensor(tgt)), t_kw, l_kw
    )
    mt.eval()
    ml.eval()
    with torch.no_grad(), tl.no_grad():
        # torch's eval fast path runs nested tensors: padded encoder outputs become zeros.
        enc_t = mt.encoder(torch.tensor(src), src_key_padding_mask=torch.tensor(kpm))
        enc_l = ml.encoder(tl.tensor(src), src_key_padding_mask=tl.tensor(kpm))
        close(enc_l, enc_t, 1e-4)
        # Padding that is not at the end of a row: torch stays on the regular path.
        kpm2 = kpm.copy()
        kpm2[1, 0] = True
        enc_t = mt.encoder(torch.tensor(src), src_key_padding_mask=torch.tensor(kpm2))
        enc_l = ml.encoder(tl.tensor(src), src_key_padding_mask=tl.tensor(kpm2))
        close(enc_l, enc_t, 1e-4)
        _run_pair(
            mt,
            ml,
            (torch.tensor(src), torch.tensor(tgt)),
            (tl.tensor(src), tl.tensor(tgt)),
            t_kw,
            l_kw,
            grads=False,
        )


def test_transformer_errors_and_state_dict_keys():
    for mod in (torch.nn, nn):
        m = mod.Transformer(
            d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8
        )
        lib = torch if mod is torch.nn else tl
        with pytest.raises(RuntimeError):
            m(lib.zeros(3, 2, 8), lib.zeros(3, 1, 8))
        with pytest.raises(RuntimeError):
            m(lib.zeros(3, 2, 8), lib.zeros(3, 2, 4))
        with pytest.raises(RuntimeError):
            mod.TransformerEncoderLayer(8, 2, activation="tanh")
    a = torch.nn.Transformer(
        d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8
    )
    b = nn.Transformer(
        d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8
    )
    assert list(a.state_dict()) == list(b.state_dict())


@pytest.mark.parametrize("fastpath", [True, False])
def test_inference_with_an_all_padding_sequence(fastpath):
    # torch's fused kernels (MultiheadAttention's and the encoder layer's) compute the weights,
    # so a query whose keys are all masked is NaN; the unfused paths go through SDPA, which
    # gives 0 there. The fused MHA output is also contiguous.
    x = r(2, 3, 4)
    kpm = np.array([[False, False, True], [True, True, True]])
    cases = [
        lambda m: m.MultiheadAttention(4, 2, batch_first=True),
        lambda m: m.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True),
        lambda m: m.TransformerEncoderLayer(
            4, 2, 8, dropout=0.0, batch_first=True, activation=lambda t: t.tanh()
        ),
        lambda m: m.TransformerDecoderLayer(4, 2, 8, dropout=0.0, batch_first=True),
        lambda m: m.TransformerEncoder(m.TransformerEncoderLayer(4, 2, 8, batch_first=True), 2),
    ]
    torch.backends.mha.set_fastpath_enabled(fastpath)
    tl.backends.mha.set_fastpath_enabled(fastpath)
    try:
        for make in cases:
            mt, ml = make(torch.nn).eval(), make(nn).eval()
            copy_weights(mt, ml)
            xt, xl = torch.tensor(x), tl.tensor(x)
            mt_kpm, ml_kpm = torch.tensor(kpm), tl.tensor(kpm)
            with torch.no_grad(), tl.no_grad():
                if isinstance(mt, torch.nn.MultiheadAttention):
                    ot = mt(xt, xt, xt, key_padding_mask=mt_kpm, need_weights=False)[0]
                    ol = ml(xl, xl, xl, key_padding_mask=ml_kpm, need_weights=False)[0]
                    assert ol.stride() == ot.stride()
                elif isinstance(mt, torch.nn.TransformerDecoderLayer):
                    ot = mt(xt, xt, tgt_key_padding_mask=mt_kpm)
                    ol = ml(xl, xl, tgt_key_padding_mask=ml_kpm)
                else:
                    ot = mt(xt, src_key_padding_mask=mt_kpm)
                    ol = ml(xl, src_key_padding_mask=ml_kpm)
            np.testing.assert_array_equal(ol.isnan().numpy(), ot.isnan().numpy())
            np.testing.assert_allclose(
                ol.nan_to_num(0.0).numpy(), ot.nan_to_num(0.0).numpy(), rtol=1e-5, atol=1e-5
            )
    finally:
        torch.backends.mha.set_fastpath_enabled(True)
        tl.backends.mha.set_fastpath_enabled(True)


def test_mismatched_mask_types_warn_once():
    mt, ml = torch.nn.MultiheadAttention(4, 2), nn.MultiheadAttention(4, 2)
    copy_weights(mt, ml)
    x = r(3, 2, 4)
    kpm = np.array([[False, False, True], [False, True, True]])
    am = np.zeros((3, 3), np.float32)
    for mod, lib in ((mt, torch), (ml, tl)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            xs = lib.tensor(x)
            mod(xs, xs, xs, key_padding_mask=lib.tensor(kpm), attn_mask=lib.tensor(am))
        assert len([w for w in caught if "mismatched" in str(w.message)]) == 1
