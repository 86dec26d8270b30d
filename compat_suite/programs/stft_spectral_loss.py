"""Audio-style training: a small Conv1d denoiser trained with a multi-resolution STFT loss
(torch.stft magnitudes, log-magnitudes, spectral convergence), then an istft round trip."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report

t = torch.arange(256, dtype=torch.float32) / 64
clean = torch.stack([torch.sin(2 * 3.14159 * 3 * t), torch.sin(2 * 3.14159 * 5 * t) * 0.5])
noisy = clean + 0.3 * randn(1400, 2, 256)
net = det_init(
    nn.Sequential(nn.Conv1d(1, 8, 9, padding=4), nn.Tanh(), nn.Conv1d(8, 1, 9, padding=4)),
    seed=1401,
)
opt = torch.optim.Adam(net.parameters(), lr=3e-3)


def stft_mag(x, n_fft):
    spec = torch.stft(x, n_fft, n_fft // 4, window=torch.hann_window(n_fft), return_complex=True)
    return spec.abs().clamp(min=1e-2)  # a clean sine has (near-)zero bins: log of rounding noise


def mr_stft_loss(pred, target):
    loss = 0.0
    for n_fft in (16, 32, 64):
        p, q = stft_mag(pred, n_fft), stft_mag(target, n_fft)
        sc = torch.linalg.norm(q - p, "fro", dim=(-2, -1)) / torch.linalg.norm(
            q, "fro", dim=(-2, -1)
        )
        loss = loss + sc.mean() + F.l1_loss(p.log(), q.log())
    return loss


for step in range(6):
    pred = net(noisy[:, None]).squeeze(1)
    loss = mr_stft_loss(pred, clean) + F.l1_loss(pred, clean)
    opt.zero_grad()
    loss.backward()
    opt.step()
    report(step, loss=loss, g=net[0].weight.grad.norm())

window = torch.hann_window(32)
spec = torch.stft(noisy, 32, 8, window=window, return_complex=True)
mask = (spec.abs() > spec.abs().mean()).float()
back = torch.istft(spec * mask, 32, 8, window=window, length=256)
exact = torch.istft(spec, 32, 8, window=window, length=256)
report(
    "istft",
    back=back.pow(2).sum(),
    err=(exact - noisy).abs().max() < 1e-5,
    bins=spec.shape[-2],
    frames=spec.shape[-1],
    phase=torch.angle(spec[:, 3, 5]).sum(),
)
