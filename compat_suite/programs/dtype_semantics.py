"""Type promotion and integer semantics a training script leans on: int // and % with
negatives, rounding modes, int + float scalars, bool sums, float16/bfloat16 casts, argmax
ties, integer overflow wrap, and in-place ops that must keep the tensor's dtype."""

import torch

a = torch.tensor([-7, -3, 0, 4, 9])
b = torch.tensor([2, -2, 3, -4, 4])
h = torch.tensor([0.1, 1.5, 2.5, -2.5, 65504.0, 1e-5])
results = [
    ("floordiv", (a // b).sum()),
    ("mod", (a % b).sum()),
    ("fmod", torch.fmod(a, b).sum()),
    ("div_trunc", torch.div(a, b, rounding_mode="trunc").sum()),
    ("div_true", (a / b).sum()),
    ("int_plus_float", (a + 0.5).sum()),
    ("int_times_bool", (a * (a > 0)).sum()),
    ("bool_sum", (a > 0).sum()),
    ("bool_sum_is_int64", (a > 0).sum().dtype == torch.int64),
    ("half_round", h.half().float().sum()),
    ("bf16_round", h.bfloat16().float().sum()),
    ("half_inf", torch.isinf(h.half() * 2).sum()),
    ("round_half_even", torch.round(h).sum()),
    ("argmax_ties", torch.tensor([1.0, 3.0, 3.0, 2.0]).argmax()),
    ("int_overflow", (torch.tensor([2**62], dtype=torch.int64) * 4).item() == 0),
    (
        "int32_promote",
        (torch.tensor([1], dtype=torch.int32) + torch.tensor([1])).dtype == torch.int64,
    ),
    ("uint8_wrap", (torch.tensor([250], dtype=torch.uint8) + 10).item()),
    ("inplace_keeps_int", a.clone().add_(2).mul_(3).dtype == torch.int64),
    ("float_mean", a.float().mean()),
    ("cumsum_int", a.cumsum(0)[-1]),
    ("clamp_int", a.clamp(-2, 5).sum()),
    ("pow_int", (a.abs() ** 2).sum()),
    ("sign_neg_zero", torch.tensor([-0.0, 0.0]).sign().sum()),
]
for step, (name, value) in enumerate(results):
    print(f"step {step} value {float(value):.9g} case_{name} 0")
