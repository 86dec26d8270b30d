"""Adagrad (torch.optim.Adagrad)."""

from torchlike._core.tensor import Tensor

from ._functional import _adagrad_single
from .optimizer import (
    ParamsT,
    _CompiledStepOptimizer,
    _device_dtype_check_for_fused,
    _full_state,
    _get_scalar_dtype,
    _scalar_state,
)

__all__ = ["Adagrad"]

_FUSED_SPARSE_OR_COMPLEX = "`fused` does not support sparse grad or complex param"


class Adagrad(_CompiledStepOptimizer):
    """Adagrad, with optional lr decay and initial accumulator value."""

    _single = staticmethod(_adagrad_single)
    _sparse_ok = True
    _sparse_weight_decay_error = "weight_decay option is not compatible with sparse gradients"

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        # PyTorch creates Adagrad's state eagerly, for every parameter.
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(group, p, self.state[p], initial_accumulator_value)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)

    def _group_states(self, group, params):
        if group["fused"] and self.__dict__.get("_need_device_dtype_check_for_fused", True):
            # as PyTorch: the first parameter with a gradient is checked, once
            _device_dtype_check_for_fused(params[0])
            self._need_device_dtype_check_for_fused = False
        states = super()._group_states(group, params)
        if group["fused"] and any(p.dtype.is_complex for p in params):
            raise RuntimeError(_FUSED_SPARSE_OR_COMPLEX)
        return states

    def _densify_sparse_grads(self, group, params):
        if group["fused"] and any(p.grad.is_sparse for p in params):
            raise RuntimeError(_FUSED_SPARSE_OR_COMPLEX)
        return super()._densify_sparse_grads(group, params)

    def _init_state(self, group, p, state, initial_accumulator_value=None):
        if initial_accumulator_value is None:
            initial_accumulator_value = self.defaults["initial_accumulator_value"]
        state["step"] = _scalar_state(p, 0.0, _get_scalar_dtype(is_fused=group["fused"]))
        init_value = (
            complex(initial_accumulator_value, initial_accumulator_value)
            if p.dtype.is_complex
            else initial_accumulator_value
        )
        state["sum"] = _full_state(p, init_value)

    def _options(self, group):
        return {"maximize": bool(group["maximize"]), "weight_decay": group["weight_decay"] != 0}

    def _hyper(self, group):
        return {
            "lr": group["lr"],
            "lr_decay": group["lr_decay"],
            "eps": group["eps"],
            "weight_decay": group["weight_decay"],
        }
