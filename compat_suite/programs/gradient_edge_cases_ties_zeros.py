"""Gradient conventions at non-differentiable points: abs'(+-0) is 0; median() splits a
tie's gradient evenly among the tied elements; hypot'(0, 0) is NaN; x ** 0.5 at x = -0.0 is
computed as sqrt (its gradient -inf). Each step is one case: its value and its gradient's sum
and norm."""

import torch

x0 = torch.tensor([-2.0, -0.0, 0.0, 1.0, 1.0, 3.0])
cases = [
    ("abs", lambda x: x.abs().sum()),
    ("median", lambda x: x.median()),
    ("pow_zero_base", lambda x: (x.clamp_min(0) ** 0.5).sum() + (x**2).sum()),
    ("atan2_hypot", lambda x: torch.atan2(x, x.flip(0) + 0.5).sum() + torch.hypot(x, x).sum()),
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
