"""A LLaMA-style block: RMSNorm, rotary embeddings via torch.polar / view_as_complex /
view_as_real, causal scaled_dot_product_attention, SwiGLU MLP, AdamW with cosine decay."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, report

VOCAB, DIM, HEADS, SEQ = 17, 16, 2, 6


def rope_freqs(head_dim, seq, theta=10000.0):
    freqs = 1.0 / theta ** (torch.arange(0, head_dim, 2)[: head_dim // 2].float() / head_dim)
    angles = torch.outer(torch.arange(seq, dtype=torch.float32), freqs)
    return torch.polar(torch.ones_like(angles), angles)  # complex64 (seq, head_dim / 2)


def apply_rope(x, freqs_cis):
    xc = torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))
    out = torch.view_as_real(xc * freqs_cis[None, :, None, :]).flatten(3)
    return out.type_as(x)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn_norm = nn.RMSNorm(DIM, eps=1e-5)
        self.wqkv = nn.Linear(DIM, 3 * DIM, bias=False)
        self.wo = nn.Linear(DIM, DIM, bias=False)
        self.mlp_norm = nn.RMSNorm(DIM, eps=1e-5)
        self.w1 = nn.Linear(DIM, 24, bias=False)
        self.w3 = nn.Linear(DIM, 24, bias=False)
        self.w2 = nn.Linear(24, DIM, bias=False)

    def forward(self, x, freqs_cis):
        b, t, _ = x.shape
        q, k, v = self.wqkv(self.attn_norm(x)).view(b, t, 3, HEADS, DIM // HEADS).unbind(2)
        q, k = apply_rope(q, freqs_cis), apply_rope(k, freqs_cis)
        att = F.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True
        )
        x = x + self.wo(att.transpose(1, 2).reshape(b, t, DIM))
        h = self.mlp_norm(x)
        return x + self.w2(F.silu(self.w1(h)) * self.w3(h))


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, DIM)
        self.blocks = nn.ModuleList([Block(), Block()])
        self.norm = nn.RMSNorm(DIM)
        self.head = nn.Linear(DIM, VOCAB, bias=False)
        self.register_buffer("freqs_cis", rope_freqs(DIM // HEADS, SEQ), persistent=False)

    def forward(self, tokens):
        x = self.emb(tokens)
        for block in self.blocks:
            x = block(x, self.freqs_cis[: tokens.shape[1]])
        return self.head(self.norm(x))


model = det_init(TinyLM(), seed=1000)
decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
opt = torch.optim.AdamW(
    [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
    lr=3e-3,
    betas=(0.9, 0.95),
)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * s / 8)))
data = randint(1001, VOCAB, 4, SEQ + 1)
fc = model.freqs_cis
report(
    "rope",
    real=torch.view_as_real(fc).sum(),
    angle=fc.angle().sum(),
    abs=fc.abs().sum(),
    dtype=float(fc.dtype == torch.complex64),
    buffers=len(model.state_dict()),
)
for step in range(8):
    logits = model(data[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, VOCAB), data[:, 1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    report(
        step,
        loss=loss,
        grad_norm=norm,
        q_grad=model.blocks[0].wqkv.weight.grad.norm(),
        lr=sched.get_last_lr()[0],
    )
# complex views write through
buf = torch.zeros(2, 4)
torch.view_as_complex(buf.view(2, 2, 2)).copy_(fc[1:3, :2])
report("write", buf=(buf * torch.arange(8.0).view(2, 4)).sum())
