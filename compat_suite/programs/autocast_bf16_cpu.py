"""torch.autocast('cpu', bfloat16): which ops run in bf16, float32 losses, backward, SGD."""
# compat: rtol=1e-2 atol=1e-3
# bf16 keeps 8 mantissa bits: the same bf16 products summed in a different order (XLA's dot
# against oneDNN's) differ by a few bf16 ulps (2**-8 relative), so values agree to ~1e-2.

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randint, randn, report


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.norm = nn.LayerNorm(4 * 6 * 6)
        self.fc1 = nn.Linear(4 * 6 * 6, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        h = F.relu(self.conv(x))
        self.dtypes = [h.dtype]
        h = self.norm(h.flatten(1))
        self.dtypes.append(h.dtype)
        h = torch.tanh(self.fc1(h))
        self.dtypes.append(h.dtype)
        out = self.fc2(h)
        self.dtypes.append(out.dtype)
        return out


def code(dtype):
    return {torch.float32: 32, torch.bfloat16: 16, torch.float16: 15, torch.float64: 64}[dtype]


model = det_init(Net(), seed=700)
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
x, y = randn(701, 8, 2, 6, 6), randint(702, 3, 8)
for step in range(5):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = model(x)
        loss = F.cross_entropy(logits, y)  # autocast runs cross_entropy in float32
        mm = torch.mm(x.flatten(1)[:, :4], x.flatten(1)[:, :4].t())
        sm = torch.softmax(logits, dim=-1)
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(
        step,
        loss=loss,
        loss_dtype=code(loss.dtype),
        logits_dtype=code(logits.dtype),
        conv=code(model.dtypes[0]),
        ln=code(model.dtypes[1]),
        fc1=code(model.dtypes[2]),
        mm=code(mm.dtype),
        sm=code(sm.dtype),
        grad_dtype=code(model.fc1.weight.grad.dtype),
        grad=model.fc1.weight.grad.norm(),
        w=model.conv.weight.dtype == torch.float32,
    )
with torch.autocast("cpu", dtype=torch.bfloat16, enabled=False):
    off = model(x)
with torch.autocast("cpu"):
    default = model(x)
    inner = torch.autocast("cpu", enabled=False)
    with inner:
        nested = model(x.bfloat16().float())
report(
    "modes",
    off=code(off.dtype),
    default=code(default.dtype),
    nested=code(nested.dtype),
    enabled=torch.is_autocast_enabled("cpu"),
    dt=code(torch.get_autocast_dtype("cpu")),
)
