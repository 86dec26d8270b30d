"""GradScaler: dynamic loss scaling for mixed-precision training (torch.amp.GradScaler).

Differs from PyTorch: one device holds the scale (no per-device replicas). When the
step is traced (whole-step compile), a step with inf/NaN gradients is skipped by a
select on the found-inf flag instead of a Python branch on ``found_inf.item()``.
"""

import warnings
from collections import abc, defaultdict
from enum import Enum
from typing import Any

import jax
import jax.numpy as jnp

from torchlike._core import dtypes
from torchlike._core.tensor import Tensor, wrap

__all__ = ["GradScaler", "OptState"]


class OptState(Enum):
    """Where an optimizer is in the scaler's iteration."""

    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state() -> dict[str, Any]:
    return {"stage": OptState.READY, "found_inf_per_device": {}}


def _gpu_available() -> bool:
    from torchlike._core.device import gpus
    return bool(gpus())  # emulated cuda devices (TORCHLIKE_EMULATE_CUDA) count


def _is_traced(array) -> bool:
    return isinstance(array, jax.core.Tracer)


@jax.jit
def _non_finite_check_and_unscale(grads, found_inf, inv_scale):
    """torch._amp_foreach_non_finite_check_and_unscale_: flag inf/NaN, multiply by inv_scale."""
    for g in grads:
        bad = jnp.logical_not(jnp.all(jnp.isfinite(g)))
        found_inf = jnp.where(bad, jnp.ones_like(found_inf), found_inf)
    new = [(g * inv_scale.astype(g.dtype)).astype(g.dtype) for g in grads]
    return new, found_inf


@jax.jit
def _update_scale(scale, growth_tracker, found_inf, growth_factor, backoff_factor, interval):
    """torch._amp_update_scale_: back off on inf/NaN, grow after `interval` clean steps."""
    found = found_inf != 0
    backed_off = (scale.astype(jnp.float64) * backoff_factor).astype(scale.dtype)
    successful = growth_tracker + 1
    grown = (scale.astype(jnp.float64) * growth_factor).astype(scale.dtype)
    grow_now = successful == interval
    new_scale = jnp.where(
        found, backed_off, jnp.where(grow_now & jnp.isfinite(grown), grown, scale)
    )
    new_tracker = jnp.where(found | grow_now, jnp.zeros_like(growth_tracker), successful)
    return new_scale, new_tracker


class GradScaler:
    """Scales the loss, unscales gradients, skips steps with inf/NaN gradients."""

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        self._device = device
        self._enabled = enabled
        if self._device == "cuda" and enabled and not _gpu_available():
            warnings.warn(
                "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                stacklevel=2,
            )
            self._enabled = False

        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale: Tensor | None = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker: Tensor | None = None
            self._per_optimizer_states: dict[int, dict[str, Any]] = defaultdict(
                _refresh_per_optimizer_state
            )

    def _check_scale_growth_tracker(self, funcname: str) -> tuple[Tensor, Tensor]:
        fix = (
            "This may indicate your script did not use scaler.scale(loss or outputs) "
            "earlier in the iteration."
        )
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  " + fix)
        return (self._scale, self._growth_tracker)

    def _lazy_init_scale_growth_tracker(self, dev=None) -> None:
        """Make the scale and growth tracker on the device of the first scaled output, as
        PyTorch does (a CPU scale would cross to the GPU in every scale() call)."""
        import torchlike

        if self._growth_tracker is not None:
            raise AssertionError("_growth_tracker initialized before _scale")
        self._scale = torchlike.full((), self._init_scale, dtype=torchlike.float32, device=dev)
        self._growth_tracker = torchlike.full(
            (), self._init_growth_tracker, dtype=torchlike.int32, device=dev
        )

    def scale(self, outputs):
        """Multiply a tensor (or an iterable of tensors) by the current scale."""
        if not self._enabled:
            return outputs

        if isinstance(outputs, Tensor):
            if self._scale is None:
                self._lazy_init_scale_growth_tracker(outputs.device)
            return outputs * self._scale

        def apply_scale(val):
            if isinstance(val, Tensor):
                if self._scale is None:
                    self._lazy_init_scale_growth_tracker(val.device)
                return val * self._scale
            if isinstance(val, abc.Iterable):
                iterable = map(apply_scale, val)
                if isinstance(val, (list, tuple)):
                    return type(val)(iterable)
                return iterable
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")

        return apply_scale(outputs)

    def _unscale_grads_(self, optimizer, inv_scale, found_inf, allow_fp16: bool) -> dict:
        per_device_and_dtype_grads: dict = defaultdict(lambda: defaultdict(list))
        for group in optimizer.param_groups:
            for param in group["params"]:
                if not isinstance(param, Tensor):
                    raise AssertionError(  # noqa: TRY004
                        f"expected param to be torch.Tensor, got {type(param).__name__}"
                    )
                if param.grad is None:
                    continue
                if (not allow_fp16) and param.grad.dtype is dtypes.float16:
                    raise ValueError("Attempting to unscale FP16 gradients.")
                per_device_and_dtype_grads[str(param.grad.device)][param.grad.dtype].append(
                    param.grad
                )

        found_inf_per_device = {}
        for device, per_dtype_grads in per_device_and_dtype_grads.items():
            flag = found_inf
            for grads in per_dtype_grads.values():
                new, flag = _non_finite_check_and_unscale([g._data for g in grads], flag, inv_scale)
                for g, a in zip(grads, new):
                    g._set_data(a)
            found_inf_per_device[device] = wrap(flag)
        return found_inf_per_device

    def unscale_(self, optimizer) -> None:
        """Divide the optimizer's gradients by the scale (in place), recording inf/NaN."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        optimizer_state = self._per_optimizer_states[id(optimizer)]
        if optimizer_state["stage"] is OptState.UNSCALED:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if optimizer_state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")

        inv_scale = (1.0 / self._scale._data.astype(jnp.float64)).astype(jnp.float32)
        found_inf = jnp.zeros((), jnp.float32)
        optimizer_state["found_inf_per_device"] = self._unscale_grads_(
            optimizer, inv_scale, found_inf, False
        )
        optimizer_state["stage"] = OptState.UNSCALED

    def _maybe_opt_step(self, optimizer, optimizer_state, *args, **kwargs):
        flags = [v._data for v in optimizer_state["found_inf_per_device"].values()]
        found_inf = flags[0]
        for f in flags[1:]:
            found_inf = found_inf + f
        if not _is_traced(found_inf):
            if not float(found_inf):
                return optimizer.step(*args, **kwargs)
            return None
        return _traced_skippable_step(optimizer, found_inf, args, kwargs)

    def step(self, optimizer, *args: Any, **kwargs: Any):
        """Unscale (if not done yet) and run optimizer.step() unless gradients had inf/NaN."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        optimizer_state = self._per_optimizer_states[id(optimizer)]
        if optimizer_state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")

        if optimizer_state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if len(optimizer_state["found_inf_per_device"]) == 0:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = self._maybe_opt_step(optimizer, optimizer_state, *args, **kwargs)
        optimizer_state["stage"] = OptState.STEPPED
        return retval

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Update the scale: back off after inf/NaN, grow after growth_interval clean steps."""
        if not self._enabled:
            return
        _scale, _growth_tracker = self._check_scale_growth_tracker("update")

        if new_scale is not None:
            if isinstance(new_scale, float):
                self._scale._set_data(jnp.asarray(new_scale, jnp.float32))
            else:
                reason = (
                    "new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                    "torch.FloatTensor with requires_grad=False."
                )
                if not isinstance(new_scale, Tensor):
                    raise AssertionError(reason)  # noqa: TRY004
                if new_scale.numel() != 1:
                    raise AssertionError(reason)
                if new_scale.requires_grad is True:
                    raise AssertionError(reason)
                self._scale._set_data(new_scale._data.reshape(()).astype(jnp.float32))
        else:
            found_infs = [
                found_inf._data
                for state in self._per_optimizer_states.values()
                for found_inf in state["found_inf_per_device"].values()
            ]
            if len(found_infs) == 0:
                raise AssertionError("No inf checks were recorded prior to update.")
            found_inf_combined = found_infs[0]
            for f in found_infs[1:]:
                found_inf_combined = found_inf_combined + f
            new_s, new_t = _update_scale(
                _scale._data,
                _growth_tracker._data,
                found_inf_combined,
                float(self._growth_factor),
                float(self._backoff_factor),
                int(self._growth_interval),
            )
            _scale._set_data(new_s)
            _growth_tracker._set_data(new_t)

        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def _get_scale_async(self) -> Tensor | None:
        return self._scale

    def get_scale(self) -> float:
        """The current scale as a Python float (1.0 when disabled)."""
        if self._enabled:
            scale = self._get_scale_async()
            return self._init_scale if scale is None else scale.item()
        return 1.0

    def get_growth_factor(self) -> float:
        """The scale growth factor."""
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        """Set the scale growth factor."""
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        """The scale backoff factor."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        """Set the scale backoff factor."""
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        """The number of clean steps between scale growths."""
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        """Set the number of clean steps between scale growths."""
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if self._enabled:
            if self._growth_tracker is None:
                return self._init_growth_tracker
            return self._growth_tracker.item()
        return 0

    def is_enabled(self) -> bool:
        """Whether this scaler is enabled."""
        return self._enabled

    def state_dict(self) -> dict[str, Any]:
        """The scaler's state: scale, growth/backoff factors, interval and growth tracker."""
        if self._enabled:
            return {
                "scale": self.get_scale(),
                "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker(),
            }
        return {}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state produced by state_dict()."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved "
                "from a disabled instance of GradScaler."
            )
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale._set_data(jnp.asarray(state_dict["scale"], jnp.float32))
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker._set_data(jnp.asarray(state_dict["_growth_tracker"], jnp.int32))

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError(
                    "A GradScaler instance may only be pickled at the beginning "
                    "of an iteration, or at the end after scaler.update()."
                )
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = None
            state["_growth_tracker"] = None
            state["_per_optimizer_states"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self.__dict__.get("_enabled") and self._per_optimizer_states is None:
            self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def _check_inf_per_device(self, optimizer) -> dict[str, Any]:
        self._check_scale_growth_tracker("_check_inf_per_device")
        dummy_inv_scale = jnp.ones((), jnp.float32)
        found_inf = jnp.zeros((), jnp.float32)
        self._per_optimizer_states[id(optimizer)]["found_inf_per_device"] = self._unscale_grads_(
            optimizer, dummy_inv_scale, found_inf, True
        )
        return self._per_optimizer_states[id(optimizer)]["found_inf_per_device"]

    def _found_inf_per_device(self, optimizer) -> dict[str, Any]:
        return self._per_optimizer_states[id(optimizer)]["found_inf_per_device"]


def _traced_skippable_step(optimizer, found_inf, args, kwargs):
    """optimizer.step() under a trace, undone by a select where found_inf is set."""
    from torchlike.optim.optimizer import _CompiledStepOptimizer

    if isinstance(optimizer, _CompiledStepOptimizer):
        # Built-in optimizers apply the select inside their one compiled update.
        optimizer._found_inf = found_inf
        try:
            return optimizer.step(*args, **kwargs)
        finally:
            del optimizer._found_inf
    tensors = [p for group in optimizer.param_groups for p in group["params"]]
    tensors += [
        v for state in optimizer.state.values() for v in state.values() if isinstance(v, Tensor)
    ]
    before = [t._data for t in tensors]
    retval = optimizer.step(*args, **kwargs)
    keep = found_inf != 0
    for t, old in zip(tensors, before):
        t._set_data(jnp.where(keep, old, t._data))
    return retval


class _DeprecatedCudaGradScaler(GradScaler):
    """torch.cuda.amp.GradScaler: GradScaler('cuda', ...) with PyTorch's deprecation warning."""

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        warnings.warn(
            "`torch.cuda.amp.GradScaler(args...)` is deprecated. "
            "Please use `torch.amp.GradScaler('cuda', args...)` instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(
            "cuda",
            init_scale=init_scale,
            growth_factor=growth_factor,
            backoff_factor=backoff_factor,
            growth_interval=growth_interval,
            enabled=enabled,
        )


_DeprecatedCudaGradScaler.__name__ = _DeprecatedCudaGradScaler.__qualname__ = "GradScaler"
