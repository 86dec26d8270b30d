"""Variable-length texts: DataLoader with a pad_sequence collate_fn, EmbeddingBag with offsets,
Embedding(padding_idx) with a masked mean, LambdaLR warmup and OneCycleLR."""

import torch
import torch.nn as nn
from _common import det_init, randint, report
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset

VOCAB, CLASSES, PAD = 20, 3, 0


class Texts(Dataset):
    def __init__(self, n):
        lengths = randint(500, 6, n) + 1
        self.items = [
            (randint(501 + i, VOCAB - 1, int(k)) + 1, int(i % CLASSES))
            for i, k in enumerate(lengths)
        ]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate(batch):
    tokens = [t for t, _ in batch]
    lengths = torch.tensor([len(t) for t in tokens])
    offsets = torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)[:-1]])
    padded = pad_sequence(tokens, batch_first=True, padding_value=PAD)
    return padded, torch.cat(tokens), offsets, lengths, torch.tensor([y for _, y in batch])


class BagModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.bag = nn.EmbeddingBag(VOCAB, 8, mode="mean")
        self.fc = nn.Linear(8, CLASSES)

    def forward(self, flat, offsets):
        return self.fc(self.bag(flat, offsets))


class MaskedMeanModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 8, padding_idx=PAD)
        self.fc = nn.Linear(8, CLASSES)

    def forward(self, padded):
        mask = (padded != PAD).unsqueeze(-1).float()
        summed = (self.emb(padded) * mask).sum(1)
        return self.fc(summed / mask.sum(1).clamp(min=1))


bag, masked = det_init(BagModel(), seed=502), det_init(MaskedMeanModel(), seed=503)
with torch.no_grad():
    masked.emb.weight[PAD].zero_()
opt_bag = torch.optim.Adam(bag.parameters(), lr=0.05)
warmup = torch.optim.lr_scheduler.LambdaLR(opt_bag, lambda s: min(1.0, (s + 1) / 4))
opt_masked = torch.optim.SGD(masked.parameters(), lr=0.1, momentum=0.9)
loader = DataLoader(Texts(24), batch_size=5, shuffle=False, collate_fn=collate)
onecycle = torch.optim.lr_scheduler.OneCycleLR(
    opt_masked, max_lr=0.5, epochs=3, steps_per_epoch=len(loader)
)
loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
step = 0
for epoch in range(3):
    for padded, flat, offsets, lengths, y in loader:
        logits_bag = bag(flat, offsets)
        logits_masked = masked(padded)
        loss_bag, loss_masked = loss_fn(logits_bag, y), loss_fn(logits_masked, y)
        opt_bag.zero_grad()
        opt_masked.zero_grad()
        (loss_bag + loss_masked).backward()
        opt_bag.step()
        opt_masked.step()
        warmup.step()
        onecycle.step()
        acc = (logits_masked.argmax(1) == y).float().mean()
        report(
            step,
            loss_bag=loss_bag,
            loss_masked=loss_masked,
            acc=acc,
            lr_bag=opt_bag.param_groups[0]["lr"],
            lr_masked=opt_masked.param_groups[0]["lr"],
            mom=opt_masked.param_groups[0]["momentum"],
            pad_row=masked.emb.weight[PAD].abs().sum(),
            width=padded.shape[1],
        )
        step += 1
# EmbeddingBag's other modes, per_sample_weights and padding_idx.
eb = det_init(nn.EmbeddingBag(VOCAB, 4, mode="sum", padding_idx=PAD), seed=504)
idx = torch.tensor([[1, 2, 0], [4, 0, 0]])
w = torch.tensor([[0.5, 2.0, 1.0], [1.5, 1.0, 1.0]])
out = eb(idx, per_sample_weights=w)
out.sum().backward()
mx = nn.functional.embedding_bag(
    torch.tensor([3, 5, 7, 1]), eb.weight, torch.tensor([0, 1]), mode="max"
)
report(
    "bag",
    sum=out.sum(),
    grad=eb.weight.grad.abs().sum(),
    pad_grad=eb.weight.grad[PAD].abs().sum(),
    mx=mx.sum(),
)
