"""Helpers shared by the compat programs: deterministic weights and data, metric lines.

Weights and data come from numpy's RandomState, so a program starts from the same numbers
under real PyTorch and under torchlike whatever either library's own random stream does.
"""

import math

import numpy as np
import torch


def det_init(module, seed=0):
    """Overwrite every parameter with U(-1/sqrt(fan_in), 1/sqrt(fan_in)) draws from numpy."""
    rng = np.random.RandomState(seed)
    with torch.no_grad():
        for _, p in module.named_parameters():
            fan_in = int(np.prod(p.shape[1:])) if p.dim() > 1 else p.shape[0]
            bound = 1.0 / math.sqrt(fan_in)
            w = rng.uniform(-bound, bound, size=tuple(p.shape)).astype(np.float32)
            p.copy_(torch.from_numpy(w))
    return module


def randn(seed, *shape):
    """A float32 tensor of standard normal draws from numpy."""
    return torch.from_numpy(np.random.RandomState(seed).randn(*shape).astype(np.float32))


def randint(seed, high, *shape):
    """An int64 tensor of integers in [0, high) from numpy."""
    return torch.from_numpy(
        np.random.RandomState(seed).randint(0, high, size=shape).astype(np.int64)
    )


def report(step, **metrics):
    """Print one metric line: `step N name value name value ...`."""
    parts = [f"{name} {float(_plain(value)):.9g}" for name, value in metrics.items()]
    print(f"step {step} " + " ".join(parts), flush=True)


def _plain(value):
    return value.detach() if isinstance(value, torch.Tensor) else value
