"""Adafactor (torch.optim.Adafactor): factored second-moment estimates."""

import jax.numpy as jnp

from torchlike._core.tensor import Tensor, wrap

from ._functional import _adafactor_single
from .optimizer import ParamsT, _CompiledStepOptimizer, _full_state, _place_like, _scalar_state

__all__ = ["Adafactor"]


class Adafactor(_CompiledStepOptimizer):
    """Adafactor: row/column-factored second moments for matrices, relative step sizes."""

    _single = staticmethod(_adafactor_single)

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {
            "lr": lr,
            "beta2_decay": beta2_decay,
            "eps": eps,
            "d": d,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)

    def _init_state(self, group, p, state):
        if p.dtype.is_complex:
            raise RuntimeError("Adafactor does not support complex parameters")
        state["step"] = _scalar_state(p, 0.0)
        shape = tuple(p.grad.shape)
        if len(shape) > 1:
            state["row_var"] = _zeros(p.grad, (*shape[:-1], 1))
            state["col_var"] = _zeros(p.grad, (*shape[:-2], 1, shape[-1]))
        else:
            state["variance"] = _full_state(p.grad, 0)

    def _options(self, group):
        return {
            "maximize": bool(group["maximize"]),
            "weight_decay": group["weight_decay"] != 0,
            "eps1_is_none": group["eps"][0] is None,
        }

    def _hyper(self, group):
        eps1, eps2 = group["eps"]
        return {
            "lr": group["lr"],
            "beta2_decay": group["beta2_decay"],
            "eps1": 0.0 if eps1 is None else eps1,
            "eps2": eps2,
            "d": group["d"],
            "weight_decay": group["weight_decay"],
        }


def _zeros(like: Tensor, shape) -> Tensor:
    return wrap(_place_like(jnp.zeros(shape, like._data.dtype), like._data))
