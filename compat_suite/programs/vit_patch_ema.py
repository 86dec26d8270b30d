"""A tiny ViT (conv patch embedding, class token, nn.MultiheadAttention blocks) trained with
AdamW, a linear-warmup cosine LambdaLR, label smoothing, gradient clipping, and a timm-style
exponential moving average of the weights kept with torch._foreach ops."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, randn, report


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.n1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.n2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(approximate="tanh"), nn.Linear(2 * d, d))

    def forward(self, x):
        h = self.n1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.n2(x))


class ViT(nn.Module):
    def __init__(self, d=16, heads=2, depth=2, classes=4):
        super().__init__()
        self.patch = nn.Conv2d(3, d, kernel_size=4, stride=4)
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.pos = nn.Parameter(torch.zeros(1, 5, d))
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(depth))
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, classes)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)  # (b, 4, d)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        for b in self.blocks:
            x = b(x)
        return self.head(self.norm(x)[:, 0])


model = det_init(ViT(), seed=3)
ema = [p.detach().clone() for p in model.parameters()]
decay = 0.9
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.05)
warmup, total = 3, 12
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warmup if s < warmup else
    0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))
x = randn(5, 8, 3, 8, 8)
y = randint(6, 4, 8)
for step in range(total):
    model.train()
    logits = model(x)
    loss = F.cross_entropy(logits, y, label_smoothing=0.1)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    with torch.no_grad():
        params = [p.detach() for p in model.parameters()]
        torch._foreach_mul_(ema, decay)
        torch._foreach_add_(ema, params, alpha=1 - decay)
    ema_norm = torch.stack([e.norm() for e in ema]).sum()
    report(step, loss=loss, gnorm=gnorm, lr=sched.get_last_lr()[0], ema=ema_norm)
model.eval()
with torch.inference_mode():
    pred = model(x).softmax(-1)
report(total, conf=pred.max(-1).values.mean(), ent=-(pred * pred.log()).sum(-1).mean())
