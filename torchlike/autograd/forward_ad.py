"""torch.autograd.forward_ad: forward-mode AD with dual tensors.

Inside `dual_level()`, `make_dual(primal, tangent)` makes a tensor that carries a tangent;
every op applied to it computes its result's tangent too (the op's jax.jvp), views read the
matching part of their base's tangent, and `unpack_dual` returns (primal, tangent). As in
PyTorch, one level at a time. Differs from PyTorch: make_dual and unpack_dual's primal are
copies rather than views, and in-place ops on tensors that carry tangents raise.
"""

import collections
import weakref

import jax
import jax.numpy as jnp

from .._core import views as _views
from .._core.autograd import FORWARD_AD as ACTIVE
from .._core.tensor import Tensor, wrap

__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level",
           "make_dual", "unpack_dual"]

UnpackedDualTensor = collections.namedtuple("UnpackedDualTensor", ["primal", "tangent"])

_LEVEL = [-1]
_DUALS = weakref.WeakSet()  # the tensors given tangents at the current level
Tensor._fw_tangent = None


class DualTensor(Tensor):
    """A tensor that carries a tangent. (A subclass so that the eager fast paths, which take
    plain tensors only, leave its ops to kernel.run, where tangents are computed.)"""


DualTensor.__name__ = DualTensor.__qualname__ = "Tensor"


def tangent_of(t):
    """The tangent array of tensor t at the current level, or None."""
    tan = t._fw_tangent
    if tan is not None:
        return tan
    base = t._base
    if base is not None and t._chain and base._fw_tangent is not None:
        fn, pos = _views.read_plan(t._chain)
        return fn(base._fw_tangent, *pos)
    return None


def _attach(t, tangent):
    t.__class__ = DualTensor
    t._fw_tangent = tangent
    _DUALS.add(t)
    return t


def enter_dual_level():
    if ACTIVE[0]:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _LEVEL[0] += 1
    ACTIVE[0] = True
    return _LEVEL[0]


def exit_dual_level(*, level=None):
    if level is not None and level != _LEVEL[0]:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that "
                           "was created. This is not supported.")
    ACTIVE[0] = False
    for t in list(_DUALS):  # the level's tangents go away with it
        t._fw_tangent = None
        t.__class__ = Tensor
    _DUALS.clear()


class dual_level:
    """Context manager for a forward AD level: tangents exist within it."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()


def make_dual(tensor, tangent, *, level=None):
    """A tensor with `tensor`'s values (and autograd history) carrying `tangent`."""
    if not ACTIVE[0]:
        raise RuntimeError("To create a dual Tensor, you need to be inside a dual_level() "
                           "context (forward AD level).")
    if not (tensor.dtype.is_floating_point or tensor.dtype.is_complex):
        raise ValueError(f"Expected primal to be floating point or complex, but got: "
                         f"{tensor.dtype}")
    if not (tangent.dtype.is_floating_point or tangent.dtype.is_complex):
        raise ValueError(f"Expected tangent to be floating point or complex, but got: "
                         f"{tangent.dtype}")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(f"Trying to set a forward gradient that has a different size than "
                           f"that of the original Tensor, this is not supported. Tensor is of "
                           f"size {list(tensor.shape)} while the given forward gradient is of "
                           f"size {list(tangent.shape)}.")
    return _attach(tensor.clone(), tangent._data.astype(tensor._data.dtype))


def unpack_dual(tensor, *, level=None):
    """(primal, tangent): the tangent is None outside a level or where there is none."""
    tan = tangent_of(tensor) if ACTIVE[0] else None
    if tan is None:
        return UnpackedDualTensor(tensor, None)
    primal = tensor.clone()
    primal.__class__ = Tensor
    primal._fw_tangent = None
    return UnpackedDualTensor(primal, wrap(tan, device=tensor.device))


def jvp_outputs(kernel, arrays, tangents, result):
    """Give run()'s result tensors their tangents: jax.jvp of the kernel's forward in the
    arrays that carry tangents (zeros for the other floating ones)."""
    idx = [i for i, a in enumerate(arrays)
           if isinstance(a, jax.Array) and jnp.issubdtype(a.dtype, jnp.inexact)]

    def f(*xs):
        full = list(arrays)
        for i, x in zip(idx, xs):
            full[i] = x
        return kernel.fwd(*full)

    primals = [arrays[i] for i in idx]
    tans = [tangents[i] if tangents[i] is not None else jnp.zeros_like(arrays[i]) for i in idx]
    _, tout = jax.jvp(f, primals, tans)
    outs = result if isinstance(result, tuple) else (result,)
    touts = tout if isinstance(tout, tuple) else (tout,)
    for t, tan in zip(outs, touts):
        if isinstance(t, Tensor) and (t.dtype.is_floating_point or t.dtype.is_complex):
            _attach(t, tan)
    return result
