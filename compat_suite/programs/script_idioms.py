"""The set-up and utility idioms of an ordinary training script around the math.

Backend flags and settings, version checks, seeding, torch.jit.script for speed,
activation checkpointing, the profiler with a schedule, anomaly detection, gradient hooks,
clipping, parameters_to_vector, padded sequences, a no_grad-decorated predict, jit.save/load
and assert_close.
"""

import os
import tempfile

import torch
import torch._dynamo
import torch.nn as nn
from _common import det_init, randint, report
from torch.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    parameters_to_vector,
    vector_to_parameters,
)
from torch.nn.utils.rnn import pad_sequence
from torch.profiler import ProfilerActivity, profile, record_function, schedule
from torch.utils.checkpoint import checkpoint, checkpoint_sequential

major_minor = tuple(int(v) for v in torch.__version__.split("+")[0].split(".")[:2])
if torch.__version__ < "2.0" or torch.__version__ < (2, 1) or major_minor < (2, 1):
    raise SystemExit("this script needs PyTorch >= 2.1")
torch.backends.cudnn.benchmark = False
torch.backends.cudnn.deterministic = True
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.set_float32_matmul_precision("highest")
torch.use_deterministic_algorithms(True)
torch._dynamo.config.suppress_errors = True
torch._dynamo.config.cache_size_limit = 64
device = torch.device(
    "cuda" if torch.cuda.is_available()
    else "mps" if torch.backends.mps.is_available() else "cpu"
)
if device.type == "cpu":
    torch.set_num_threads(max(1, torch.get_num_threads()))
amp_dtype = torch.bfloat16 if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else None
generator = torch.manual_seed(0)
assert generator.initial_seed() == torch.initial_seed() == 0


@torch.jit.script
def scaled_tanh(x: torch.Tensor, scale: float) -> torch.Tensor:
    return torch.tanh(x) * scale


class Head(nn.Module):
    def __init__(self, dim=8):
        super().__init__()
        self.fc = nn.Linear(dim, 12)
        self.out = nn.Linear(12, 3)

    def forward(self, x):
        if torch.jit.is_scripting():
            return self.out(torch.relu(self.fc(x)))
        return self.out(nn.functional.relu(self.fc(x)))

    @torch.jit.ignore
    def describe(self):
        return f"{sum(p.numel() for p in self.parameters())} parameters"


class Encoder(nn.Module):
    """Mean of a padded batch of variable-length sequences, checkpointed blocks, a scripted head."""

    def __init__(self, vocab=20, dim=8):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=0)
        self.block = nn.Sequential(nn.Linear(dim, 16), nn.Tanh(), nn.Dropout(0.1), nn.Linear(16, dim))
        self.mlp = nn.Sequential(nn.Linear(dim, dim), nn.GELU(), nn.Linear(dim, dim), nn.SiLU())
        self.head = torch.jit.script(Head(dim))  # "for speed"
        self.hidden = None

    def forward(self, tokens, lengths):
        h = self.embed(tokens).sum(1) / lengths.unsqueeze(1)
        h = h + checkpoint(self.block, h, use_reentrant=False)
        h = scaled_tanh(checkpoint_sequential(self.mlp, 2, h, use_reentrant=False), 2.0)
        self.hidden = h
        return self.head(h)

    @torch.no_grad()
    def predict(self, tokens, lengths):
        return self(tokens, lengths).argmax(1)


def batch(seed, n=16):
    lengths = randint(seed, 6, n) + 1
    seqs = [randint(seed * 100 + i, 19, int(k)) + 1 for i, k in enumerate(lengths.tolist())]
    return pad_sequence(seqs, batch_first=True, padding_value=0), lengths.float()


model = det_init(Encoder(), seed=3).to(device)
assert isinstance(model.head, torch.jit.ScriptModule) and model.head.describe().endswith("parameters")
opt = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
labels = [randint(50 + s, 3, 16) for s in range(4)]
batches = [batch(s + 1) for s in range(4)]

hidden_grad = []
traces = []
prof = profile(activities=[ProfilerActivity.CPU],
               schedule=schedule(wait=1, warmup=1, active=2, repeat=1),
               on_trace_ready=lambda p: traces.append(p.step_num))
prof.start()
for step in range(10):
    model.train()
    (tokens, lengths), y = batches[step % 4], labels[step % 4]
    with torch.autograd.set_detect_anomaly(step == 0), record_function("train_step"):
        opt.zero_grad(set_to_none=True)
        logits = model(tokens.to(device), lengths.to(device))
        loss = nn.functional.cross_entropy(logits, y.to(device))
        h = model.hidden.register_hook(lambda g: hidden_grad.append(g.norm().item()))
        loss.backward()
        h.remove()
    norm = clip_grad_norm_(model.parameters(), max_norm=1.0)
    clip_grad_value_(model.parameters(), clip_value=0.05)
    if step == 7:
        snapshot = parameters_to_vector(model.parameters()).detach().clone()
    opt.step()
    prof.step()
    report(step, loss=loss, grad_norm=norm, hidden_grad=hidden_grad[-1],
           params=parameters_to_vector(model.parameters()).norm())
prof.stop()
assert isinstance(prof.key_averages().table(sort_by="cpu_time_total"), str)

model.eval()
with torch.inference_mode():
    acc = sum((model.predict(t, n) == y).float().mean().item() for (t, n), y in zip(batches, labels))
with torch.inference_mode(mode=False):
    assert torch.is_grad_enabled()
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "model.pt")
    torch.jit.save(model.head, path)
    loaded = torch.jit.load(path, map_location="cpu")
    with torch.no_grad():
        model(*batches[0])
    h = model.hidden
    torch.testing.assert_close(loaded(h), model.head(h))
vector_to_parameters(snapshot, model.parameters())
with torch.no_grad():
    restored = nn.functional.cross_entropy(model(*batches[0]), labels[0])
with torch.random.fork_rng(devices=[]):
    torch.manual_seed(123)
    noise = torch.randn(4)
report(10, accuracy=acc / 4, traces=len(traces), trace_step=traces[0], restored_loss=restored,
       noise=noise.abs().sum(), allclose=float(torch.allclose(model(*batches[1]), model(*batches[1]))))
