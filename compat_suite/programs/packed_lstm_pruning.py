"""Variable-length sequences through an LSTM with proj_size: pad_sequence, pack_sequence
(sorted) and pack_padded_sequence (enforce_sorted=False), pad_packed_sequence,
unpack_sequence and unpad_sequence; the classifier head under torch.nn.utils.prune
(l1_unstructured, then random_unstructured on top, a PruningContainer) and a weight_norm
parametrization, with prune.remove and the state_dict keys each stage leaves."""

import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.parametrize as parametrize
from _common import det_init, randint, randn, report
from torch.nn.utils import prune
from torch.nn.utils.parametrizations import weight_norm
from torch.nn.utils.rnn import (
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)

IN, HID, PROJ, N_CLS = 5, 12, 6, 3


def keys_crc(module):
    keys = list(module.state_dict().keys())
    return len(keys), zlib.crc32(",".join(keys).encode())


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(IN, HID, num_layers=2, proj_size=PROJ, batch_first=True)
        self.hidden = nn.Linear(2 * PROJ, 16)
        self.out = nn.Linear(16, N_CLS)

    def forward(self, packed):
        out, (h, c) = self.lstm(packed)
        padded, lens = pad_packed_sequence(out, batch_first=True)
        # Mean over each sequence's real steps plus the top layer's final projected state.
        mean = padded.sum(1) / lens.unsqueeze(1).to(padded.dtype)
        feats = torch.cat([mean, h[-1]], dim=1)
        return self.out(torch.relu(self.hidden(feats))), c


lengths = [6, 2, 5, 3, 4, 6]
seqs = [randn(90 + i, n, IN) for i, n in enumerate(lengths)]
labels = randint(99, N_CLS, len(seqs))
model = det_init(Model(), seed=91)
torch.manual_seed(13)

# Stage 1: l1_unstructured then random_unstructured on the same weight (a PruningContainer).
prune.l1_unstructured(model.hidden, name="weight", amount=0.3)
prune.random_unstructured(model.hidden, name="weight", amount=0.2)
n1, crc1 = keys_crc(model)
report(
    "pruned",
    sparsity=(model.hidden.weight == 0).float().mean(),
    mask_sum=model.hidden.weight_mask.sum(),
    keys=n1,
    crc=crc1,
    hooks=len(model.hidden._forward_pre_hooks),
)
# Stage 2: weight_norm on the output layer.
weight_norm(model.out, name="weight", dim=0)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(6):
    if step % 2 == 0:
        # Sorted by length: pack_sequence expects decreasing lengths by default.
        order = sorted(range(len(seqs)), key=lambda i: -lengths[i])
        packed = pack_sequence([seqs[i] for i in order])
        y = labels[torch.tensor(order)]
    else:
        padded = pad_sequence(seqs, batch_first=True, padding_value=0.0)
        packed = pack_padded_sequence(
            padded, torch.tensor(lengths), batch_first=True, enforce_sorted=False
        )
        y = labels
    logits, c = model(packed)
    loss = F.cross_entropy(logits, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(
        step,
        loss=loss,
        c_sum=c.sum(),
        batch_sizes=packed.batch_sizes.float() @ torch.arange(len(packed.batch_sizes)).float(),
        proj_grad=model.lstm.weight_hr_l1.grad.abs().sum(),
        orig_grad=model.hidden.weight_orig.grad.abs().sum(),
        g_grad=model.out.parametrizations.weight.original0.grad.abs().sum(),
        pruned_zero=(model.hidden.weight == 0).sum(),
        out_w=model.out.weight.norm(dim=1).sum(),
    )
# Unpack back into the per-sequence list and check it against the inputs' lengths.
out, _ = model.lstm(pack_sequence(seqs, enforce_sorted=False))
unpacked = unpack_sequence(out)
# unpad_sequence returns copies: scaling one in place leaves the padded batch alone.
padded = pad_sequence(seqs, batch_first=True)
pieces = unpad_sequence(padded, torch.tensor(lengths), batch_first=True)
pieces[0].mul_(10.0)
report(
    "unpacked",
    lens=sum(u.shape[0] * (i + 1) for i, u in enumerate(unpacked)),
    total=sum(u.sum() for u in unpacked),
    padded=padded.sum(),
    pieces=sum(p.sum() for p in pieces),
    contiguous=all(p.is_contiguous() for p in pieces),
)
n2, crc2 = keys_crc(model)
prune.remove(model.hidden, "weight")
parametrize.remove_parametrizations(model.out, "weight", leave_parametrized=True)
n3, crc3 = keys_crc(model)
report(
    "removed",
    keys_wn=n2,
    crc_wn=crc2,
    keys=n3,
    crc=crc3,
    zeros=(model.hidden.weight == 0).sum(),
    hooks=len(model.hidden._forward_pre_hooks),
    params=sum(p.detach().sum() for p in model.parameters()),
)
