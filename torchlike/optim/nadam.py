"""NAdam (torch.optim.NAdam): Adam with Nesterov momentum."""

from torchlike._core.tensor import Tensor

from ._functional import _nadam_single
from .optimizer import ParamsT, _CompiledStepOptimizer, _full_state, _scalar_state

__all__ = ["NAdam"]


class NAdam(_CompiledStepOptimizer):
    """NAdam: Adam with Nesterov momentum and momentum decay."""

    _single = staticmethod(_nadam_single)
    _capturable_names = (
        "params, mu_products and state_steps",
        "params, mu_products, and state_steps",
    )

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)

    def _init_state(self, group, p, state):
        state["step"] = _scalar_state(p, 0.0)
        state["mu_product"] = _scalar_state(p, 1.0)
        state["exp_avg"] = _full_state(p, 0)
        state["exp_avg_sq"] = _full_state(p, 0)

    def _options(self, group):
        return {
            "maximize": bool(group["maximize"]),
            "decoupled_weight_decay": bool(group["decoupled_weight_decay"]),
            "weight_decay": group["weight_decay"] != 0,
        }

    def _hyper(self, group):
        beta1, beta2 = group["betas"]
        return {
            "lr": group["lr"],
            "beta1": beta1,
            "beta2": beta2,
            "eps": group["eps"],
            "weight_decay": group["weight_decay"],
            "momentum_decay": group["momentum_decay"],
        }
