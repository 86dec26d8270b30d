"""A ConvNeXt-style network: 7x7 depthwise convs, LayerNorm over channels-last via permute,
an inverted-bottleneck MLP with GELU, layer-scale gamma parameters, DropPath (stochastic
depth with per-sample bernoulli masks), a channels-first LayerNorm written by hand for the
downsampling stem, AdamW with param groups that exclude norms, biases and gammas from weight
decay, and a linear-warmup cosine schedule through LambdaLR."""

import math
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, randn, report


def drop_path(x, drop_prob, training):
    if drop_prob == 0.0 or not training:
        return x
    keep = 1 - drop_prob
    shape = (x.shape[0],) + (1,) * (x.ndim - 1)  # one draw per sample
    mask = x.new_empty(shape).bernoulli_(keep)
    return x * mask / keep


class DropPath(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        return drop_path(x, self.p, self.training)

    def extra_repr(self):
        return f"drop_prob={self.p}"


class LayerNorm2d(nn.Module):
    """LayerNorm over the channel dim of an NCHW tensor, as ConvNeXt's stem does it."""

    def __init__(self, c, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))
        self.eps = eps

    def forward(self, x):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class Block(nn.Module):
    def __init__(self, dim, drop_path_p, layer_scale=1e-1):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pwconv1 = nn.Linear(dim, 4 * dim)
        self.act = nn.GELU()
        self.pwconv2 = nn.Linear(4 * dim, dim)
        self.gamma = nn.Parameter(layer_scale * torch.ones(dim))
        self.drop_path = DropPath(drop_path_p)

    def forward(self, x):
        shortcut = x
        x = self.dwconv(x)
        x = x.permute(0, 2, 3, 1)  # (N, C, H, W) -> (N, H, W, C)
        x = self.pwconv2(self.act(self.pwconv1(self.norm(x))))
        x = self.gamma * x
        x = x.permute(0, 3, 1, 2)
        return shortcut + self.drop_path(x)


class ConvNeXtTiny(nn.Module):
    def __init__(self, n_classes=5, dims=(8, 16), depths=(1, 2), drop_path_rate=0.3):
        super().__init__()
        rates = torch.linspace(0, drop_path_rate, sum(depths)).tolist()
        self.stem = nn.Sequential(nn.Conv2d(3, dims[0], 2, stride=2), LayerNorm2d(dims[0]))
        self.stage1 = nn.Sequential(*[Block(dims[0], rates[i]) for i in range(depths[0])])
        self.down = nn.Sequential(LayerNorm2d(dims[0]), nn.Conv2d(dims[0], dims[1], 2, stride=2))
        self.stage2 = nn.Sequential(
            *[Block(dims[1], rates[depths[0] + i]) for i in range(depths[1])]
        )
        self.norm = nn.LayerNorm(dims[1], eps=1e-6)
        self.head = nn.Linear(dims[1], n_classes)

    def forward(self, x):
        x = self.stage2(self.down(self.stage1(self.stem(x))))
        return self.head(self.norm(x.mean([-2, -1])))


torch.manual_seed(23)
model = det_init(ConvNeXtTiny(), seed=71)
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, Block):
            m.gamma.fill_(0.1)
decay, no_decay = [], []
for name, p in model.named_parameters():
    (no_decay if p.ndim <= 1 or name.endswith("gamma") else decay).append(p)
opt = torch.optim.AdamW(
    [{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
    lr=4e-3, betas=(0.9, 0.999),
)
WARMUP, TOTAL = 2, 6


def lr_lambda(step):
    if step < WARMUP:
        return (step + 1) / WARMUP
    progress = (step - WARMUP) / max(1, TOTAL - WARMUP)
    return 0.5 * (1.0 + math.cos(math.pi * progress))


sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
x_all, y_all = randn(72, 32, 3, 8, 8), randint(73, 5, 32)
for step in range(TOTAL):
    x, y = x_all[(step % 4) * 8:(step % 4) * 8 + 8], y_all[(step % 4) * 8:(step % 4) * 8 + 8]
    model.train()
    loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
    opt.zero_grad()
    loss.backward()
    dw_grad = model.stage1[0].dwconv.weight.grad.abs().sum()
    gamma_grad = model.stage2[1].gamma.grad.abs().sum()
    opt.step()
    sched.step()
    report(
        step,
        loss=loss,
        lr=opt.param_groups[0]["lr"],
        dw_grad=dw_grad,
        gamma_grad=gamma_grad,
        decay_norm=torch.stack([p.norm() for p in decay]).sum(),
        no_decay_norm=torch.stack([p.norm() for p in no_decay]).sum(),
    )
model.eval()
with torch.no_grad():
    logits = model(x_all)
report("eval", logits=logits.sum(), acc=(logits.argmax(1) == y_all).float().mean())
# state_dict keys, in order, as one number: a key renamed or reordered changes it.
keys = list(model.state_dict().keys())
report(
    "keys",
    n=len(keys),
    crc=zlib.crc32(",".join(keys).encode()),
    decay=len(decay),
    no_decay=len(no_decay),
)
