"""A small Transformer encoder (batch_first, causal and padding masks) trained with AdamW."""

import torch
import torch.nn as nn
from _common import det_init, randint, randn, report


class TinyLM(nn.Module):
    def __init__(self, vocab=11, d=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        layer = nn.TransformerEncoderLayer(
            d, nhead=2, dim_feedforward=32, dropout=0.0, batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.out = nn.Linear(d, vocab)

    def forward(self, tokens, pad_mask):
        causal = nn.Transformer.generate_square_subsequent_mask(tokens.size(1))
        h = self.encoder(
            self.embed(tokens), mask=causal, src_key_padding_mask=pad_mask, is_causal=True
        )
        return self.out(h)


model = det_init(TinyLM(), seed=100)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
tokens = randint(101, 11, 4, 6)
pad = torch.zeros(4, 6, dtype=torch.bool)
pad[0, 4:] = True
pad[2, 5:] = True
bias = randn(102, 1).abs()
for step in range(6):
    logits = model(tokens[:, :-1], pad[:, :-1])
    loss = nn.functional.cross_entropy(logits.reshape(-1, 11), tokens[:, 1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(step, loss=loss, logit_norm=logits.detach().norm())
