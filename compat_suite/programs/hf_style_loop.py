"""A Hugging Face-style fine-tuning loop: no-decay parameter groups chosen by name, a linear
warmup/decay LambdaLR, gradient accumulation with loss scaling, clip_grad_norm_'s returned
norm, an eval loop under no_grad, checkpointing model, optimizer and scheduler to a BytesIO
and resuming into fresh objects that continue identically."""

import io

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, report


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(30, 8)
        self.encoder = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
        self.LayerNorm = nn.LayerNorm(8)
        self.classifier = nn.Linear(8, 2)

    def forward(self, ids, mask):
        h = self.encoder(self.embed(ids), src_key_padding_mask=~mask)
        h = self.LayerNorm(h)
        pooled = (h * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
        return self.classifier(pooled)


def build(seed):
    model = det_init(Classifier(), seed=seed)
    no_decay = ["bias", "LayerNorm.weight"]
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
         "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)],
         "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=5e-3, eps=1e-8)
    warmup, total = 2, 10
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / warmup if s < warmup else max(0.0, (total - s) / (total - warmup)))
    return model, opt, sched


ids = randint(1, 30, 4, 4, 7)
mask = torch.ones(4, 4, 7, dtype=torch.bool)
mask[:, 1, 5:] = False
mask[:, 3, 3:] = False
labels = randint(2, 2, 4, 4)
model, opt, sched = build(3)
accum = 2


def train_step(model, opt, sched, step):
    total = 0.0
    for micro in range(accum):
        b = (step * accum + micro) % 4
        loss = F.cross_entropy(model(ids[b], mask[b]), labels[b]) / accum
        loss.backward()
        total += loss.item()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    opt.zero_grad()
    return total, norm


for step in range(4):
    model.train()
    loss, norm = train_step(model, opt, sched, step)
    report(step, loss=loss, norm=norm, lr=sched.get_last_lr()[0])

buf = io.BytesIO()
torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}, buf)
buf.seek(0)
ckpt = torch.load(buf)
model2, opt2, sched2 = build(99)
model2.load_state_dict(ckpt["model"])
opt2.load_state_dict(ckpt["opt"])
sched2.load_state_dict(ckpt["sched"])
for step in range(4, 7):
    l1, n1 = train_step(model, opt, sched, step)
    l2, n2 = train_step(model2, opt2, sched2, step)
    report(step, loss=l1, resumed=l2, norm=n1, lr=sched2.get_last_lr()[0])

model.eval()
with torch.no_grad():
    correct = sum((model(ids[b], mask[b]).argmax(-1) == labels[b]).sum() for b in range(4))
report(7, acc=correct / 16.0, steps=opt2.state_dict()["state"][0]["step"])
