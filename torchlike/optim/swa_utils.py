"""Stochastic weight averaging and EMA: AveragedModel, SWALR, update_bn (torch.optim.swa_utils)."""

import itertools
import math
import warnings
from copy import deepcopy
from typing import Any, Literal

import jax.numpy as jnp

from torchlike._core.grad_mode import no_grad
from torchlike._core.tensor import Tensor, wrap
from torchlike.nn import Module
from torchlike.nn.modules.batchnorm import _BatchNorm

from ._functional import lerp
from .lr_scheduler import LRScheduler, _format_param

__all__ = [
    "SWALR",
    "AveragedModel",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
    "update_bn",
]


def _is_float_or_complex(t: Tensor) -> bool:
    return t.dtype.is_floating_point or t.dtype.is_complex


def get_ema_multi_avg_fn(decay=0.999):
    """An in-place EMA update over lists of tensors: ema = lerp(ema, current, 1 - decay)."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(
            f"Invalid decay value {decay} provided. Please provide a value in [0,1] range."
        )

    @no_grad()
    def ema_update(ema_param_list, current_param_list, _) -> None:
        if _is_float_or_complex(ema_param_list[0]):
            for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                p_ema._set_data(lerp(p_ema._data, p_model._data, 1 - decay))
        else:
            for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn():
    """An in-place running-mean update over lists of tensors."""

    @no_grad()
    def swa_update(averaged_param_list, current_param_list, num_averaged) -> None:
        n = num_averaged.item() if isinstance(num_averaged, Tensor) else num_averaged
        if _is_float_or_complex(averaged_param_list[0]):
            for p_avg, p_model in zip(averaged_param_list, current_param_list, strict=True):
                p_avg._set_data(lerp(p_avg._data, p_model._data, 1 / (n + 1)))
        else:
            # PyTorch's foreach addcdiv_ / add_(alpha=float), which refuse integer tensors
            for p_avg, p_model in zip(averaged_param_list, current_param_list, strict=True):
                if isinstance(num_averaged, Tensor):
                    p_avg.addcdiv_(p_model - p_avg, num_averaged + 1)
                else:
                    p_avg.add_(p_model - p_avg, alpha=1.0 / (n + 1))

    return swa_update


def get_ema_avg_fn(decay=0.999):
    """An EMA update returning decay * ema + (1 - decay) * current."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(
            f"Invalid decay value {decay} provided. Please provide a value in [0,1] range."
        )

    @no_grad()
    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """A running-mean update returning avg + (current - avg) / (n + 1)."""

    @no_grad()
    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of a model whose parameters are a running (SWA) or exponential (EMA) average."""

    def __init__(
        self,
        model: Module,
        device=None,
        avg_fn=None,
        multi_avg_fn=None,
        use_buffers=False,
    ) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", wrap(jnp.asarray(0, jnp.int64)))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        """Run the averaged module."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Fold the model's current parameters (and buffers if use_buffers) into the average."""
        self_param = (
            itertools.chain(self.module.parameters(), self.module.buffers())
            if self.use_buffers
            else self.parameters()
        )
        model_param = (
            itertools.chain(model.parameters(), model.buffers())
            if self.use_buffers
            else model.parameters()
        )
        self_param_detached = []
        model_param_detached = []
        copy_param = bool(self.n_averaged.item() == 0)
        for p_averaged, p_model in zip(self_param, model_param):
            p_model_ = p_model.detach()
            self_param_detached.append(p_averaged)
            model_param_detached.append(p_model_)
            if copy_param:
                p_averaged._set_data(p_model_._data.astype(p_averaged._data.dtype))

        n = self.n_averaged.item()
        if n > 0:
            if self.multi_avg_fn is not None:
                # one call per (device, dtype) group, as PyTorch's foreach grouping
                groups: dict = {}
                for p_averaged, p_model in zip(self_param_detached, model_param_detached):
                    key = (str(p_averaged.device), p_averaged.dtype)
                    groups.setdefault(key, ([], []))
                    groups[key][0].append(p_averaged)
                    groups[key][1].append(p_model)
                for self_params, model_params in groups.values():
                    self.multi_avg_fn(self_params, model_params, self.n_averaged)
            else:
                # PyTorch's CPU path: avg_fn (default SWA) per tensor, then copy_.
                avg_fn = self.avg_fn if self.avg_fn is not None else get_swa_avg_fn()
                with no_grad():
                    for p_averaged, p_model in zip(self_param_detached, model_param_detached):
                        new = avg_fn(p_averaged.detach(), p_model, self.n_averaged)
                        p_averaged._set_data(new._data.astype(p_averaged._data.dtype))

        if not self.use_buffers:
            # Buffers (e.g. BatchNorm statistics) are copied, not averaged.
            for b_swa, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                b_swa._set_data(b_model._data.astype(b_swa._data.dtype))
        self.n_averaged._set_data(self.n_averaged._data + 1)


@no_grad()
def update_bn(loader, model: Module, device=None) -> None:
    """Recompute BatchNorm running statistics with one pass over the loader."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum

    if not momenta:
        return

    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None

    for input in loader:
        if isinstance(input, (list, tuple)):
            input = input[0]
        if device is not None:
            input = input.to(device)
        model(input)

    for bn_module, momentum in momenta.items():
        bn_module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's lr to a fixed SWA lr over anneal_epochs (cos or linear)."""

    def __init__(
        self,
        optimizer,
        swa_lr: float,
        anneal_epochs=10,
        anneal_strategy: Literal["cos", "linear"] = "cos",
        last_epoch=-1,
    ) -> None:
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        """Compute the learning rate of each group for this step."""
        if not self._get_lr_called_within_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, "
                "please use `get_last_lr()`.",
                UserWarning,
                stacklevel=2,
            )
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [
            self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
            for group in self.optimizer.param_groups
        ]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [
            group["swa_lr"] * alpha + lr * (1 - alpha)
            for group, lr in zip(self.optimizer.param_groups, prev_lrs, strict=True)
        ]

    def _set_anneal_func(self, anneal_strategy) -> None:
        self._anneal_strategy = anneal_strategy
        if anneal_strategy == "cos":
            self.anneal_func = self._cosine_anneal
        else:
            self.anneal_func = self._linear_anneal

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state, without the optimizer and the anneal function."""
        return {
            key: value
            for key, value in self.__dict__.items()
            if key not in ("optimizer", "anneal_func")
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state produced by state_dict()."""
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
