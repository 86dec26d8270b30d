"""torch.autocast: PyTorch's per-op dtype policy on the CPU."""

import pytest

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()


def _dtypes(lib, dtype_name):
    a = lib.ones(4, 4)
    w = lib.ones(3, 4)
    y = lib.tensor([0, 1, 2, 0])
    out = []
    with lib.autocast("cpu", dtype=getattr(lib, dtype_name)):
        m = a @ a
        out += [m.dtype, lib.mm(a, a).dtype, lib.nn.functional.linear(a, w).dtype,
                m.softmax(-1).dtype, (m + a).dtype, m.sum().dtype, a.exp().dtype,
                lib.nn.functional.cross_entropy(lib.nn.functional.linear(a, w), y).dtype,
                lib.nn.functional.mse_loss(m, m).dtype, (a.double() @ a.double()).dtype]
        with lib.autocast("cpu", enabled=False):
            out.append((a @ a).dtype)
        out.append(lib.is_autocast_enabled("cpu") if hasattr(lib, "is_autocast_enabled") else None)
    out.append((a @ a).dtype)
    return [repr(d) for d in out]


@pytest.mark.parametrize("dt", ["bfloat16", "float16"])
def test_cpu_policy_matches(dt):
    assert _dtypes(tl, dt) == _dtypes(torch, dt)


def test_decorator_and_gradients():
    w = tl.ones(4, 4, requires_grad=True)

    @tl.autocast("cpu")
    def f(x):
        return (x @ w).float().sum()

    f(tl.ones(2, 4)).backward()
    assert w.grad.dtype is tl.float32 and w.grad.shape == (4, 4)
