"""torch.compile of whole training steps on diverse models (attention with a class token,
BatchNorm with transposed convolutions and PixelShuffle, bidirectional LSTMs, packed GRUs,
EmbeddingBag, a full nn.Transformer with masks): the compiled step gives eager mode's losses
and state_dict over several steps, with clipping and a scheduler, without graph breaks."""

import warnings

import numpy as np
import pytest

import torchlike as torch
import torchlike.nn as nn
import torchlike.nn.functional as F

def det(module, seed):
    """Weights from numpy, so eager and compiled runs start from the same numbers."""
    rng = np.random.RandomState(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.tensor(rng.uniform(-0.3, 0.3, size=tuple(p.shape)).astype(np.float32)))
    return module


def randn(seed, *shape):
    return torch.tensor(np.random.RandomState(seed).randn(*shape).astype(np.float32))


class Block(nn.Module):
    def __init__(self, d=16):
        super().__init__()
        self.n1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, 2, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d, 32), nn.GELU(), nn.Linear(32, d))

    def forward(self, x):
        h = self.n1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(x)


class ViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(3, 16, 4, 4)
        self.cls = nn.Parameter(torch.zeros(1, 1, 16))
        self.block = Block()
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1)
        return self.head(self.block(x)[:, 0])


class Seg(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(2, 8, 3, 2, 1)
        self.bn = nn.BatchNorm2d(8)
        self.up = nn.ConvTranspose2d(8, 4, 2, 2)
        self.ps = nn.Sequential(nn.Conv2d(8, 16, 1), nn.PixelShuffle(2))
        self.head = nn.Conv2d(8, 1, 3, padding=1, padding_mode="reflect")

    def forward(self, x):
        h = F.relu(self.bn(self.enc(x)))
        a = self.up(h)
        b = F.interpolate(self.ps(h), size=a.shape[-2:], mode="bilinear", align_corners=False)
        return self.head(torch.cat([a, b], 1))


class BiLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 8, padding_idx=0)
        self.rnn = nn.LSTM(8, 8, 2, batch_first=True, bidirectional=True)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        out, _ = self.rnn(self.emb(x))
        return self.head(out.mean(1))


class PackedGRU(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(5, 6, batch_first=True)
        self.head = nn.Linear(6, 2)

    def forward(self, x):
        from torchlike.nn.utils.rnn import pack_padded_sequence
        packed = pack_padded_sequence(x, torch.tensor([5, 3, 2]), batch_first=True,
                                      enforce_sorted=False)
        _, h = self.rnn(packed)
        return self.head(h[-1])


class Bag(nn.Module):
    def __init__(self):
        super().__init__()
        self.bag = nn.EmbeddingBag(30, 4, mode="mean")
        self.bn = nn.BatchNorm1d(4)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        offsets = torch.arange(0, x.numel(), x.shape[1])
        return self.fc(F.relu(self.bn(self.bag(x.reshape(-1), offsets))))


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.m = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                                dim_feedforward=16, dropout=0.0, batch_first=True)

    def forward(self, x):
        src, tgt = x
        pad = torch.tensor([[False] * 5, [False] * 3 + [True] * 2])
        return self.m(src, tgt, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4),
                      src_key_padding_mask=pad)


def vit():
    return det(ViT(), 1), (randn(1, 4, 3, 8, 8), torch.tensor([0, 1, 2, 3])), \
        lambda out, y: F.cross_entropy(out, y, label_smoothing=0.1)


def seg():
    x = randn(2, 2, 2, 8, 8)
    return det(Seg(), 2), (x, (x[:, :1] > 0).float()), F.binary_cross_entropy_with_logits


def lstm():
    x = torch.tensor(np.random.RandomState(3).randint(0, 20, (4, 6)))
    return det(BiLSTM(), 3), (x, torch.tensor([0, 1, 2, 1])), F.cross_entropy


def gru_packed():
    return det(PackedGRU(), 4), (randn(4, 3, 5, 5), torch.tensor([0, 1, 1])), F.cross_entropy


def embbag():
    x = torch.tensor(np.random.RandomState(5).randint(0, 30, (6, 3)))
    return det(Bag(), 5), (x, torch.tensor([0, 1, 1, 0, 1, 0])), F.cross_entropy


def transformer_full():
    tgt = randn(7, 2, 4, 8)
    return det(Seq2Seq(), 6), ((randn(6, 2, 5, 8), tgt), tgt), F.mse_loss


CASES = dict(vit=vit, seg=seg, lstm=lstm, gru_packed=gru_packed, embbag=embbag,
             transformer_full=transformer_full)


def run(name, compiled, opt_name):
    torch.manual_seed(0)
    model, (x, y), lossf = CASES[name]()
    opt = {"adamw": lambda p: torch.optim.AdamW(p, lr=1e-2),
           "sgd": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True)}[opt_name](
        model.parameters())
    sched = torch.optim.lr_scheduler.StepLR(opt, 2, 0.5)

    def step(x, y):
        opt.zero_grad()
        loss = lossf(model(x), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        return loss

    if compiled:
        step = torch.compile(step, fullgraph=True)  # a graph break would raise
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses = [float(step(x, y)) for _ in range(4)]
    return losses, {k: v.numpy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("opt", ["sgd", "adamw"])
@pytest.mark.parametrize("name", list(CASES))
def test_compiled_step_matches_eager(name, opt):
    (le, se), (lc, sc) = run(name, False, opt), run(name, True, opt)
    np.testing.assert_allclose(lc, le, rtol=1e-5)
    assert sc.keys() == se.keys()
    # AdamW normalises each gradient: a parameter whose gradient is zero analytically (a bias
    # before BatchNorm, the attention key bias) moves by +-lr on rounding noise, which differs
    # between any two summation orders (PyTorch's too)
    atol = 1e-5 if opt == "sgd" else 2e-3
    for k in se:
        np.testing.assert_allclose(sc[k], se[k], rtol=1e-4, atol=atol, err_msg=k)
