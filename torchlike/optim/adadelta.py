"""Adadelta (torch.optim.Adadelta)."""

from torchlike._core.tensor import Tensor

from ._functional import _adadelta_single
from .optimizer import ParamsT, _CompiledStepOptimizer, _full_state, _scalar_state

__all__ = ["Adadelta"]


class Adadelta(_CompiledStepOptimizer):
    """Adadelta: an adaptive learning rate method."""

    _single = staticmethod(_adadelta_single)
    _capturable_xla = (False, False)

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
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
        state["square_avg"] = _full_state(p, 0)
        state["acc_delta"] = _full_state(p, 0)

    def _options(self, group):
        return {"maximize": bool(group["maximize"]), "weight_decay": group["weight_decay"] != 0}

    def _hyper(self, group):
        return {
            "lr": group["lr"],
            "rho": group["rho"],
            "eps": group["eps"],
            "weight_decay": group["weight_decay"],
        }
