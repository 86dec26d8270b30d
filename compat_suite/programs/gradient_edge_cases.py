"""Gradients where PyTorch's conventions are specific: relu/clamp at their kinks, ties in
max/amax, sqrt and norm at zero, where() guarding a NaN branch, logsumexp/softmax with
huge inputs. Each step is one case: its value and its gradient's sum and norm."""

import torch

x0 = torch.tensor([-2.0, -0.0, 0.0, 1.0, 1.0, 3.0])
cases = [
    ("relu", lambda x: torch.relu(x).sum()),
    ("clamp", lambda x: x.clamp(-0.0, 1.0).sum()),
    ("max_all_ties", lambda x: torch.stack([x, x.flip(0)]).max()),
    ("amax_ties", lambda x: x.amax()),
    ("max_dim", lambda x: x.view(2, 3).max(dim=1).values.sum()),
    ("sqrt_zero", lambda x: (x * x).sqrt().sum()),
    ("norm_zero", lambda x: (x * 0).norm()),
    ("where_nan_guard", lambda x: torch.where(x > 0, torch.log(x.clamp_min(1e-12)), x).sum()),
    ("logsumexp_big", lambda x: torch.logsumexp(x * 400, dim=0)),
    ("softmax_big", lambda x: torch.softmax(x * 300, dim=0)[3]),
    ("sign_floor", lambda x: (x.sign() * x + x.floor()).sum()),
    (
        "min_max_pair",
        lambda x: torch.minimum(x, x.flip(0)).sum() + torch.maximum(x, x.roll(1)).sum(),
    ),
]
for step, (name, fn) in enumerate(cases):
    x = x0.clone().requires_grad_(True)
    y = fn(x)
    (g,) = torch.autograd.grad(y, x)
    finite = torch.nan_to_num(g, nan=123.0, posinf=456.0, neginf=-456.0)
    print(
        f"step {step} value {y.item():.9g} grad_sum {finite.sum().item():.9g} "
        f"grad_norm {finite.norm().item():.9g} case_{name} 0"
    )
