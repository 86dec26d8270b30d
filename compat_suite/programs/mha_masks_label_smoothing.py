"""A tagger over padded token sequences: nn.MultiheadAttention (batch_first) with a boolean
key_padding_mask plus a float additive attn_mask (a local band), need_weights with
average_attn_weights=False, a second bias-free kdim/vdim attention with a 3-D per-head mask,
and CrossEntropyLoss with class weights, label smoothing and ignore_index on padded slots,
reduced 'mean', 'sum' and 'none'; then inference with an all-padding sequence, where torch's
fused attention path and an encoder layer's unfused one differ."""

import warnings
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, report

VOCAB, D, HEADS, N_TAGS, PAD_TAG = 20, 16, 4, 6, -100
B, T = 4, 7
lengths = torch.tensor([7, 5, 3, 6])


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, D, padding_idx=0)
        self.attn = nn.MultiheadAttention(D, HEADS, dropout=0.0, batch_first=True)
        self.norm = nn.LayerNorm(D)
        self.cross = nn.MultiheadAttention(
            D, 2, kdim=5, vdim=3, bias=False, add_bias_kv=False, batch_first=True
        )
        self.head = nn.Linear(D, N_TAGS)

    def forward(self, tokens, pad_mask, band, memory_k, memory_v, mem_mask):
        x = self.embed(tokens)
        h, w = self.attn(
            x, x, x, key_padding_mask=pad_mask, attn_mask=band,
            need_weights=True, average_attn_weights=False,
        )
        x = self.norm(x + h)
        c, cw = self.cross(x, memory_k, memory_v, attn_mask=mem_mask)
        return self.head(x + c), w, cw


tokens = randint(81, VOCAB - 1, B, T) + 1
pad_mask = torch.arange(T)[None, :] >= lengths[:, None]  # True where padded
tokens = tokens.masked_fill(pad_mask, 0)
tags = randint(82, N_TAGS, B, T).masked_fill(pad_mask, PAD_TAG)
# A band: attend within distance 2, a soft penalty beyond it.
dist = (torch.arange(T)[:, None] - torch.arange(T)[None, :]).abs().float()
band = torch.where(dist <= 2, torch.zeros(()), torch.full((), -4.0))
memory_k = randint(83, 5, B, 4, 5).float() / 4
memory_v = randint(84, 5, B, 4, 3).float() / 4
# (B * heads, T, S) boolean mask: head 1 of each example may not see memory slot 0.
mem_mask = torch.zeros(B * 2, T, 4, dtype=torch.bool)
mem_mask[1::2, :, 0] = True
weights = torch.tensor([1.0, 2.0, 0.5, 1.0, 1.5, 1.0])

model = det_init(Tagger(), seed=85)
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
crit = nn.CrossEntropyLoss(weight=weights, ignore_index=PAD_TAG, label_smoothing=0.1)
for step in range(6):
    logits, w, cw = model(tokens, pad_mask, band, memory_k, memory_v, mem_mask)
    loss = crit(logits.reshape(-1, N_TAGS), tags.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    flat_logits, flat_tags = logits.detach().reshape(-1, N_TAGS), tags.reshape(-1)
    none = F.cross_entropy(
        flat_logits, flat_tags, weight=weights, ignore_index=PAD_TAG,
        label_smoothing=0.1, reduction="none",
    )
    report(
        step,
        loss=loss,
        loss_sum=F.cross_entropy(
            flat_logits, flat_tags, weight=weights, ignore_index=PAD_TAG,
            label_smoothing=0.1, reduction="sum",
        ),
        none_sum=none.sum(),
        none_padded=none[flat_tags == PAD_TAG].abs().sum(),
        w_shape=w.shape[1],
        w_pad=w[pad_mask[:, None, None, :].expand_as(w)].sum(),
        w_head0=w[:, 0].sum(),
        w_max=w.max(),
        cross_slot0=cw[:, :, 0].sum(),
        in_proj_grad=model.attn.in_proj_weight.grad.abs().sum(),
        q_proj_grad=model.cross.q_proj_weight.grad.abs().sum(),
        embed_pad_grad=model.embed.weight.grad[0].abs().sum(),
    )
# Inference: with bool masks, eval and no_grad, torch runs its fused attention kernel, which
# returns a contiguous output and NaN for a query whose keys are all padded (an empty
# sequence), need_weights or not; an encoder layer with a custom activation does not.
model.eval()
empty = pad_mask.clone()
empty[2] = True
x = model.embed(tokens).detach()
layer = det_init(
    nn.TransformerEncoderLayer(D, HEADS, 32, dropout=0.0, activation=torch.tanh, batch_first=True),
    seed=86,
).eval()
with torch.no_grad():
    out, _ = model.attn(x, x, x, key_padding_mask=empty, need_weights=False)
    out_w, w = model.attn(x, x, x, key_padding_mask=empty, average_attn_weights=False)
    enc = layer(x, src_key_padding_mask=empty)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    model.attn(x, x, x, key_padding_mask=pad_mask, attn_mask=band)
report(
    "eval",
    nan_rows=out.isnan().any(-1).sum(),
    finite=out.nan_to_num(0.0).view(B, -1).sum(),
    nan_w=w.isnan().sum(),
    same=(out.nan_to_num(0.0) == out_w.nan_to_num(0.0)).all(),
    enc_nan=enc.isnan().sum(),
    enc=enc.sum(),
    mismatch_warnings=len(caught),
)
# state_dict keys, in order, as one number: a key renamed or reordered changes it.
keys = list(model.state_dict().keys())
report("keys", n=len(keys), crc=zlib.crc32(",".join(keys).encode()))
