"""Resilient backpropagation (torch.optim.Rprop)."""

from torchlike._core.tensor import Tensor

from ._functional import _rprop_single
from .optimizer import ParamsT, _CompiledStepOptimizer, _full_state, _hyper_value, _scalar_state

__all__ = ["Rprop"]


class Rprop(_CompiledStepOptimizer):
    """Resilient backpropagation: per-element step sizes adapted by gradient sign."""

    _single = staticmethod(_rprop_single)
    _capturable_xla = (True, True)

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
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
        lr = _hyper_value(group["lr"])
        state["step"] = _scalar_state(p, 0.0)
        state["prev"] = _full_state(p, 0)
        state["step_size"] = _full_state(p, complex(lr, lr) if p.dtype.is_complex else lr)

    def _hyper(self, group):
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        return {
            "etaminus": etaminus,
            "etaplus": etaplus,
            "step_size_min": step_size_min,
            "step_size_max": step_size_max,
        }
