"""SimCLR-style contrastive loss (normalized embeddings, temperature, masked self-similarity)
and knowledge distillation into a student (KL divergence at a temperature, teacher in
inference mode), with OneCycleLR and SGD with Nesterov momentum."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import det_init, randn, report

enc = det_init(nn.Sequential(nn.Linear(6, 24), nn.BatchNorm1d(24), nn.ReLU(), nn.Linear(24, 8)), 1)
opt = torch.optim.SGD(enc.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.2, total_steps=8)
x = randn(2, 16, 6)
for step in range(8):
    a = x + 0.1 * randn(10 + step, 16, 6)
    b = x + 0.1 * randn(30 + step, 16, 6)
    z = F.normalize(enc(torch.cat([a, b])), dim=1)
    sim = z @ z.T / 0.5
    sim = sim.masked_fill(torch.eye(32, dtype=torch.bool), float("-inf"))
    target = torch.cat([torch.arange(16, 32), torch.arange(0, 16)])
    loss = F.cross_entropy(sim, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    report(step, loss=loss, lr=opt.param_groups[0]["lr"],
           mom=opt.param_groups[0]["momentum"], rm=enc[1].running_mean.abs().sum())

teacher = enc.eval()
student = det_init(nn.Sequential(nn.Linear(6, 12), nn.Tanh(), nn.Linear(12, 8)), 5)
sopt = torch.optim.Adam(student.parameters(), lr=1e-2, amsgrad=True)
T = 2.0
for step in range(8, 14):
    with torch.inference_mode():
        t_logits = teacher(x)
    s_logits = student(x)
    kd = F.kl_div(F.log_softmax(s_logits / T, -1), F.log_softmax(t_logits / T, -1),
                  reduction="batchmean", log_target=True) * T * T
    hard = F.mse_loss(s_logits, t_logits.clone())
    loss = kd + 0.1 * hard
    sopt.zero_grad()
    loss.backward()
    sopt.step()
    report(step, kd=kd, hard=hard, agree=(s_logits.argmax(1) == t_logits.argmax(1)).float().mean())
