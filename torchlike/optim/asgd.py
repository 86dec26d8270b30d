"""Averaged stochastic gradient descent (torch.optim.ASGD)."""

from torchlike._core.tensor import Tensor

from ._functional import _asgd_single
from .optimizer import ParamsT, _CompiledStepOptimizer, _full_state, _hyper_value, _scalar_state

__all__ = ["ASGD"]


class ASGD(_CompiledStepOptimizer):
    """Averaged stochastic gradient descent."""

    _single = staticmethod(_asgd_single)
    _capturable_names = ("params, mus, etas, and state_steps",) * 2

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)

    def _init_state(self, group, p, state):
        state["step"] = _scalar_state(p, 0.0)
        state["eta"] = _scalar_state(p, _hyper_value(group["lr"]))
        state["mu"] = _scalar_state(p, 1.0)
        state["ax"] = _full_state(p, 0)

    def _options(self, group):
        return {"maximize": bool(group["maximize"]), "weight_decay": group["weight_decay"] != 0}

    def _hyper(self, group):
        return {
            "lr": group["lr"],
            "lambd": group["lambd"],
            "alpha": group["alpha"],
            "t0": group["t0"],
            "weight_decay": group["weight_decay"],
        }
