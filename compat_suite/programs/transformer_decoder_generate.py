"""nn.TransformerDecoder with a causal mask and memory padding: train, then greedy and top-k
sampling generation under eval() and no_grad()."""

import torch
import torch.nn as nn
from _common import det_init, randint, randn, report

VOCAB, D, BOS = 11, 16, 1


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, D)
        self.pos = nn.Parameter(torch.zeros(12, D))
        layer = nn.TransformerDecoderLayer(D, 4, dim_feedforward=24, dropout=0.1, batch_first=True)
        self.dec = nn.TransformerDecoder(layer, num_layers=2)
        self.out = nn.Linear(D, VOCAB)

    def forward(self, tokens, memory, memory_pad):
        t = tokens.shape[1]
        causal = nn.Transformer.generate_square_subsequent_mask(t)
        h = self.emb(tokens) + self.pos[:t]
        h = self.dec(
            h, memory, tgt_mask=causal, tgt_is_causal=True, memory_key_padding_mask=memory_pad
        )
        return self.out(h)


model = det_init(Decoder(), seed=600)
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
memory = randn(601, 3, 5, D)
memory_pad = torch.tensor([[False] * 5, [False, False, False, True, True], [False] * 4 + [True]])
tokens = randint(602, VOCAB - 2, 3, 7) + 2
tokens[:, 0] = BOS
for step in range(5):
    model.train()
    torch.manual_seed(step)  # dropout masks
    logits = model(tokens[:, :-1], memory, memory_pad)
    loss = nn.functional.cross_entropy(logits.reshape(-1, VOCAB), tokens[:, 1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    report(step, loss=loss, emb_grad=model.emb.weight.grad.norm())

model.eval()
with torch.no_grad():
    seq = torch.full((3, 1), BOS)
    logit_sum = 0.0
    for i in range(6):
        logits = model(seq, memory, memory_pad)[:, -1]
        logit_sum += logits.sum().item()
        seq = torch.cat([seq, logits.argmax(-1, keepdim=True)], dim=1)
    report("greedy", tokens=(seq * torch.arange(7)).sum(), logit_sum=logit_sum)

    torch.manual_seed(7)
    seq = torch.full((3, 1), BOS)
    for i in range(6):
        logits = model(seq, memory, memory_pad)[:, -1] / 0.8
        vals, idx = torch.topk(logits, k=4, dim=-1)
        probs = torch.softmax(vals, dim=-1)
        choice = torch.multinomial(probs, num_samples=1)
        seq = torch.cat([seq, idx.gather(-1, choice)], dim=1)
        report(
            f"sample{i}", p=probs.max(-1).values.sum(), tok=seq[:, -1].sum(), top=vals[:, 0].sum()
        )
    report(
        "sampled",
        tokens=(seq * torch.arange(7)).sum(),
        many=torch.multinomial(probs, 3, replacement=True).sum(),
    )
