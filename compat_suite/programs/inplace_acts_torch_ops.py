"""In-place activations followed by more in-place writes (x = F.silu(x, inplace=True); x += skip),
and the torch.* spellings of functional ops (torch.conv2d, torch.layer_norm, torch.dropout,
torch.embedding, torch.relu_, ...) as older or hand-written code uses them."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, randn, report


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)
        self.norm_w = nn.Parameter(torch.ones(c))
        self.act = nn.Hardswish(inplace=True)

    def forward(self, x):
        out = F.silu(self.conv1(x), inplace=True)
        out += x  # an in-place write after silu_: PyTorch saved a copy of silu's input
        out = self.act(self.conv2(out))
        out.mul_(0.5)
        out = F.hardtanh(out, -2.0, 2.0, inplace=True)
        out.add_(x)
        ln = torch.layer_norm(
            out.permute(0, 2, 3, 1), (out.shape[1],), self.norm_w, None, 1e-5, True
        )
        return torch.relu_(ln.permute(0, 3, 1, 2).contiguous())


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Parameter(torch.zeros(10, 4))
        self.stem = nn.Parameter(torch.zeros(6, 3, 3, 3))
        self.block = Block(6)
        self.fc = nn.Linear(6 + 4, 3)

    def forward(self, x, ids):
        h = torch.conv2d(x, self.stem, None, 1, 1)
        h = torch.max_pool2d(self.block(h), 2)
        h = torch.dropout(h, 0.2, self.training)
        e = torch.embedding(self.emb, ids, 0).mean(1)
        z = torch.cat([torch.adaptive_avg_pool1d(h.flatten(2), 1).squeeze(-1), e], 1)
        return self.fc(z)


model = det_init(Net(), seed=1100)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
x, ids, y = randn(1101, 4, 3, 8, 8), randint(1102, 10, 4, 5), randint(1103, 3, 4)
for step in range(6):
    model.train()
    torch.manual_seed(step)
    logits = model(x, ids)
    loss = F.cross_entropy(logits, y) + 0.01 * torch.kl_div(
        logits.log_softmax(1), torch.full_like(logits, 1 / 3), 1
    )
    opt.zero_grad()
    loss.backward()
    opt.step()
    model.eval()
    with torch.no_grad():
        val = model(x, ids).softmax(1).max(1).values.mean()
    report(
        step,
        loss=loss,
        val=val,
        stem_grad=model.stem.grad.norm(),
        emb_pad=model.emb.grad[0].abs().sum(),
        norm_grad=model.block.norm_w.grad.abs().sum(),
    )
a = randn(1104, 5, 4)
b = randn(1105, 5, 4)
report(
    "ops",
    cos=torch.cosine_similarity(a, b).sum(),
    pd=torch.pairwise_distance(a, b).sum(),
    pdist=torch.pdist(a).sum(),
    mrl=torch.margin_ranking_loss(a[:, 0], b[:, 0], torch.ones(5)).sum(),
    pix=torch.pixel_shuffle(randn(1106, 1, 8, 2, 2), 2).pow(2).sum(),
    sig=torch.sigmoid_(a.clone()).sum(),
)
