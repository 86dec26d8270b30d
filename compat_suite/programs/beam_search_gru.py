"""Beam search decoding over a small GRU decoder trained briefly with teacher forcing:
repeat_interleave to expand the encoder state per beam, log_softmax scores, topk over the
flattened (beam x vocab) scores, integer division and remainder to recover beam and token,
index_select to reorder hidden states, gather/scatter for back-pointers, masked_fill for
finished hypotheses, a length penalty, and the best sequence per example."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, report

VOCAB, HID, BOS, EOS, BEAM, MAX_LEN, B = 12, 24, 1, 2, 3, 6, 4


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.src_embed = nn.EmbeddingBag(VOCAB, HID, mode="mean")
        self.embed = nn.Embedding(VOCAB, HID)
        self.gru = nn.GRU(HID, HID, batch_first=True)
        self.proj = nn.Linear(HID, VOCAB)

    def encode(self, src):
        return torch.tanh(self.src_embed(src)).unsqueeze(0)  # (1, B, HID)

    def forward(self, tokens, h):
        out, h = self.gru(self.embed(tokens), h)
        return self.proj(out), h


def beam_search(model, src, alpha=0.7):
    n = src.shape[0]
    h = model.encode(src).repeat_interleave(BEAM, dim=1)  # (1, n*BEAM, HID)
    scores = torch.full((n, BEAM), float("-inf"))
    scores[:, 0] = 0.0  # only the first beam is live at the start
    scores = scores.view(-1)
    tokens = torch.full((n * BEAM, 1), BOS, dtype=torch.long)
    finished = torch.zeros(n * BEAM, dtype=torch.bool)
    lengths = torch.zeros(n * BEAM)
    for _ in range(MAX_LEN):
        logits, h_new = model(tokens[:, -1:], h)
        logp = F.log_softmax(logits[:, -1], dim=-1)
        # A finished hypothesis may only emit EOS again, at no cost.
        eos_only = torch.full_like(logp, float("-inf")).index_fill(1, torch.tensor([EOS]), 0.0)
        logp = torch.where(finished[:, None], eos_only, logp)
        cand = (scores[:, None] + logp).view(n, BEAM * VOCAB)
        top, flat = cand.topk(BEAM, dim=1)
        beam_idx = torch.div(flat, VOCAB, rounding_mode="floor")
        tok = flat % VOCAB
        base = (torch.arange(n) * BEAM)[:, None]
        src_rows = (base + beam_idx).view(-1)
        h = h_new.index_select(1, src_rows)
        tokens = torch.cat([tokens.index_select(0, src_rows), tok.view(-1, 1)], dim=1)
        was_finished = finished.index_select(0, src_rows)
        lengths = lengths.index_select(0, src_rows) + (~was_finished).float()
        finished = was_finished | (tok.view(-1) == EOS)
        scores = top.reshape(-1)
        if finished.all():
            break
    penalty = ((5.0 + lengths) / 6.0).pow(alpha)
    normed = (scores / penalty).view(n, BEAM)
    best = normed.argmax(1)
    best_tokens = tokens.view(n, BEAM, -1).gather(
        1, best[:, None, None].expand(-1, 1, tokens.shape[1])
    ).squeeze(1)
    return best_tokens, normed, finished.view(n, BEAM)


src = randint(131, VOCAB - 3, B, 5) + 3
# Target: the source reversed, then EOS.
tgt = torch.cat([src.flip(1), torch.full((B, 1), EOS)], dim=1)
inp = torch.cat([torch.full((B, 1), BOS), tgt[:, :-1]], dim=1)
model = det_init(Decoder(), seed=132)
opt = torch.optim.Adam(model.parameters(), lr=2e-2)
for step in range(8):
    logits, _ = model(inp, model.encode(src))
    loss = F.cross_entropy(logits.reshape(-1, VOCAB), tgt.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(step, loss=loss, grad=model.gru.weight_hh_l0.grad.abs().sum())
model.eval()
with torch.no_grad():
    best, normed, finished = beam_search(model, src)
    greedy_logits, _ = model(inp, model.encode(src))
# A batch_first GRU's output is a transposed view of torch's time-major result, so
# flattening it needs reshape (view would raise).
gru_out, _ = model.gru(model.embed(inp))
report(
    "layout",
    contiguous=gru_out.is_contiguous(),
    stride0=gru_out.stride(0),
    stride1=gru_out.stride(1),
    flat=gru_out.reshape(B, -1).sum(),
)
# Back-pointer bookkeeping with scatter: a one-hot of each example's best beam.
onehot = torch.zeros(B, BEAM).scatter_(1, normed.argmax(1, keepdim=True), 1.0)
report(
    "beam",
    best=(best.float() * torch.arange(best.shape[1]).float()).sum(),
    length=best.shape[1],
    normed=normed.masked_fill(torch.isinf(normed), 0.0).sum(),
    finished=finished.sum(),
    onehot=(onehot * torch.arange(BEAM).float()).sum(),
    match=(best[:, 1:tgt.shape[1] + 1] == tgt[:, : best.shape[1] - 1]).float().mean(),
    greedy=(greedy_logits.argmax(-1) == tgt).float().mean(),
)
