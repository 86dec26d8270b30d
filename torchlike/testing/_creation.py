"""torch.testing.make_tensor."""


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):
    """A tensor of `shape` filled with values drawn uniformly from [low, high).

    Differs from PyTorch: the values are drawn from torchlike's generator by a different
    recipe, so they are not PyTorch's (their range and dtype are).
    """
    import math

    import torchlike as torch

    if len(shape) == 1 and isinstance(shape[0], (tuple, list, torch.Size)):
        shape = tuple(shape[0])
    if dtype is torch.bool:
        t = torch.randint(0, 2, shape, device=device).to(torch.bool)
    elif dtype.is_floating_point or dtype.is_complex:
        lo = -9.0 if low is None else low
        hi = 9.0 if high is None else high
        if lo > hi:
            raise ValueError(f"`low` must be less than or equal to `high`, but got {lo} > {hi}")
        if math.isnan(lo) or math.isnan(hi):
            raise ValueError(f"`low` and `high` cannot be NaN, but got low={lo} and high={hi}")
        real = torch.float64 if dtype.is_complex else dtype
        t = torch.rand(shape, device=device, dtype=torch.float64) * (hi - lo) + lo
        t = t.to(real)
        if dtype.is_complex:
            t = torch.complex(t, (torch.rand(shape, dtype=torch.float64) * (hi - lo) + lo)
                              .to(real)).to(dtype)
    else:
        info = torch.iinfo(dtype)
        lo = max(-9 if low is None else math.ceil(low), info.min)
        hi = min(10 if high is None else math.ceil(high), info.max)
        if dtype is torch.uint8 and low is None:
            lo = 0
        t = torch.randint(lo, hi, shape, device=device, dtype=dtype)
    if exclude_zero:
        t = torch.where(t == 0, torch.ones_like(t), t)
    return t.requires_grad_(requires_grad) if requires_grad else t
