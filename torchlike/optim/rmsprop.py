"""RMSprop (torch.optim.RMSprop)."""

from torchlike._core.tensor import Tensor

from ._functional import _rmsprop_single
from .optimizer import ParamsT, _CompiledStepOptimizer, _full_state, _scalar_state

__all__ = ["RMSprop"]


class RMSprop(_CompiledStepOptimizer):
    """RMSprop, optionally centered and with momentum."""

    _single = staticmethod(_rmsprop_single)
    _capturable_xla = (True, True)

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)

    def _init_state(self, group, p, state):
        state["step"] = _scalar_state(p, 0.0)
        state["square_avg"] = _full_state(p, 0)
        if group["momentum"] > 0:
            state["momentum_buffer"] = _full_state(p, 0)
        if group["centered"]:
            state["grad_avg"] = _full_state(p, 0)

    def _options(self, group):
        return {
            "maximize": bool(group["maximize"]),
            "centered": bool(group["centered"]),
            "momentum": group["momentum"] > 0,
            "weight_decay": group["weight_decay"] != 0,
        }

    def _hyper(self, group):
        return {
            "lr": group["lr"],
            "alpha": group["alpha"],
            "eps": group["eps"],
            "weight_decay": group["weight_decay"],
            "momentum": group["momentum"],
        }
