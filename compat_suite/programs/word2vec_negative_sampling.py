"""word2vec skip-gram with negative sampling: input and output nn.Embedding tables, a
unigram^0.75 noise table drawn with torch.multinomial, scores via torch.bmm, F.logsigmoid
losses, SparseAdam-free plain SGD, and nearest neighbours by cosine similarity."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import randint, report

VOCAB, DIM, WINDOW, N_NEG, B = 30, 12, 2, 4, 32


class SkipGram(nn.Module):
    def __init__(self):
        super().__init__()
        self.in_embed = nn.Embedding(VOCAB, DIM)
        self.out_embed = nn.Embedding(VOCAB, DIM)
        # The original's init: small uniform inputs, zero outputs.
        bound = 0.5 / DIM
        nn.init.uniform_(self.in_embed.weight, -bound, bound)
        nn.init.zeros_(self.out_embed.weight)

    def forward(self, center, context, negatives):
        v = self.in_embed(center).unsqueeze(2)  # (B, DIM, 1)
        u_pos = self.out_embed(context).unsqueeze(1)  # (B, 1, DIM)
        u_neg = self.out_embed(negatives)  # (B, N_NEG, DIM)
        pos = torch.bmm(u_pos, v).squeeze()
        neg = torch.bmm(u_neg, v).squeeze(2)
        return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(1)).mean()


# A corpus with structure: token t tends to be followed by (t + 1) % VOCAB.
noise = randint(61, 3, 400)
corpus = torch.cumsum(noise, 0) % VOCAB
pairs = []
for offset in range(1, WINDOW + 1):
    pairs.append(torch.stack([corpus[:-offset], corpus[offset:]], 1))
    pairs.append(torch.stack([corpus[offset:], corpus[:-offset]], 1))
pairs = torch.cat(pairs)
counts = torch.bincount(corpus, minlength=VOCAB).float()
noise_dist = counts.pow(0.75)
noise_dist = noise_dist / noise_dist.sum()

torch.manual_seed(17)
model = SkipGram()
opt = torch.optim.SGD(model.parameters(), lr=1.0)
for step in range(12):
    idx = torch.randint(0, pairs.shape[0], (B,))
    center, context = pairs[idx, 0], pairs[idx, 1]
    negatives = torch.multinomial(noise_dist, B * N_NEG, replacement=True).view(B, N_NEG)
    loss = model(center, context, negatives)
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(
        step,
        loss=loss,
        neg_sum=negatives.float().sum(),
        in_grad=model.in_embed.weight.grad.abs().sum(),
        out_grad=model.out_embed.weight.grad.abs().sum(),
        rows_touched=(model.out_embed.weight.grad.abs().sum(1) > 0).sum(),
    )
with torch.no_grad():
    emb = F.normalize(model.in_embed.weight, dim=1)
    sim = emb @ emb.t()
    sim.fill_diagonal_(-2.0)
    nearest = sim.argmax(1)
    top3 = sim.topk(3, dim=1).values
report(
    "final",
    nearest=(nearest.float() * torch.arange(VOCAB).float()).sum(),
    top3=top3.sum(),
    norms=model.in_embed.weight.norm(dim=1).sum(),
    cos=F.cosine_similarity(model.in_embed.weight[:5], model.out_embed.weight[:5]).sum(),
)
