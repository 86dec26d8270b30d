"""An LSTM sequence regressor (batch_first, 2 layers) with an Embedding front end and Adam."""

import torch
import torch.nn as nn
from _common import det_init, randint, randn, report


class SeqModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(12, 6)
        self.lstm = nn.LSTM(6, 10, num_layers=2, batch_first=True)
        self.head = nn.Linear(10, 1)

    def forward(self, tokens):
        out, (h, c) = self.lstm(self.embed(tokens))
        return self.head(out[:, -1]), h, c


model = det_init(SeqModel(), seed=60)
opt = torch.optim.Adam(model.parameters(), lr=0.01)
tokens = randint(61, 12, 8, 7)
target = randn(62, 8, 1)
for step in range(10):
    pred, h, c = model(tokens)
    loss = nn.functional.mse_loss(pred, target)
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    report(
        step, loss=loss, h=h.abs().sum(), c=c.abs().sum(), gemb=model.embed.weight.grad.abs().sum()
    )
