"""Stochastic gradient descent (torch.optim.SGD)."""

from torchlike._core.tensor import Tensor

from ._functional import _sgd_single
from .optimizer import ParamsT, _CompiledStepOptimizer, _device_dtype_check_for_fused

__all__ = ["SGD"]


class SGD(_CompiledStepOptimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum."""

    _single = staticmethod(_sgd_single)
    _sparse_ok = True
    _sparse_weight_decay_error = ("add(sparse, dense) is not supported. Use add(dense, sparse) "
                                  "instead.")

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float | Tensor = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def _group_states(self, group, params):
        if group["fused"] and self.__dict__.get("_need_device_dtype_check_for_fused", True):
            # as PyTorch: the first parameter with a gradient is checked, once
            _device_dtype_check_for_fused(params[0])
            self._need_device_dtype_check_for_fused = False
        if group["fused"]:
            for p in params:
                if p.dtype.is_complex:  # PyTorch's fused kernel has no complex version
                    name = "ComplexFloat" if p.dtype.itemsize == 8 else "ComplexDouble"
                    raise NotImplementedError(f'"fused_sgd_kernel" not implemented for \'{name}\'')
        # Without momentum PyTorch keeps no per-parameter state at all.
        if group["momentum"] == 0:
            return [{} for _ in params]
        return [self.state[p] for p in params]

    def _options(self, group):
        return {
            "maximize": bool(group["maximize"]),
            "nesterov": bool(group["nesterov"]),
            "momentum": group["momentum"] != 0,
            "weight_decay": group["weight_decay"] != 0,
        }

    def _hyper(self, group):
        return {
            "lr": group["lr"],
            "momentum": group["momentum"],
            "dampening": group["dampening"],
            "weight_decay": group["weight_decay"],
        }
