"""torch.func: functional_call with a parameter dict, grad, and vmap for per-sample
gradients (clipped and averaged by hand, DP-SGD style), then applied to the module."""

import torch
import torch.nn as nn
from _common import det_init, randn, report
from torch.func import functional_call, grad, vmap

model = det_init(nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1)), seed=160)
x, y = randn(161, 16, 3), randn(162, 16, 1)


def sample_loss(params, xi, yi):
    pred = functional_call(model, params, (xi.unsqueeze(0),))
    return ((pred - yi.unsqueeze(0)) ** 2).mean()


per_sample = vmap(grad(sample_loss), in_dims=(None, 0, 0))
for step in range(6):
    params = {k: v.detach() for k, v in model.named_parameters()}
    grads = per_sample(params, x, y)
    norms = torch.stack([g.flatten(1).norm(dim=1) for g in grads.values()]).norm(dim=0)
    scale = (1.0 / norms.clamp_min(1.0)).view(-1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            g = grads[name] * scale.view(-1, *([1] * (grads[name].dim() - 1)))
            p -= 0.1 * g.mean(0)
    loss = nn.functional.mse_loss(model(x), y)
    report(step, loss=loss, max_norm=norms.max(), mean_norm=norms.mean())
