"""nn.init functions under torch.manual_seed, tied embedding/decoder weights, and
parameter counting with a shared Parameter (relies on the random stream matching)."""

import torch
import torch.nn as nn

torch.manual_seed(7)


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(9, 6)
        self.proj = nn.Linear(6, 6)
        self.decoder = nn.Linear(6, 9, bias=False)
        self.decoder.weight = self.embed.weight  # tied
        nn.init.xavier_uniform_(self.proj.weight, gain=nn.init.calculate_gain("tanh"))
        nn.init.kaiming_normal_(self.embed.weight, mode="fan_out", nonlinearity="relu")
        nn.init.trunc_normal_(self.proj.bias, std=0.02)

    def forward(self, t):
        return self.decoder(torch.tanh(self.proj(self.embed(t))))


model = Tied()
n_params = sum(p.numel() for p in model.parameters())
print(
    f"step -1 params {n_params} tied {int(model.decoder.weight is model.embed.weight)} "
    f"w {model.embed.weight.sum().item():.9g} b {model.proj.bias.sum().item():.9g}"
)
opt = torch.optim.Adam(model.parameters(), lr=0.01)
tokens = torch.randint(0, 9, (5, 4))
for step in range(6):
    logits = model(tokens)
    loss = nn.functional.cross_entropy(logits.view(-1, 9), tokens.view(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    same = torch.equal(model.decoder.weight, model.embed.weight)
    print(
        f"step {step} loss {loss.item():.9g} same {int(same)} "
        f"w {model.embed.weight.abs().sum().item():.9g}"
    )
