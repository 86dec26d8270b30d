"""Base optimizer: param_groups, state, state_dict, hooks (torch.optim.optimizer)."""

import functools
import os
import sys
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from itertools import chain
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from torchlike import _lazy
from torchlike import sparse as _sparse
from torchlike._core import dtypes
from torchlike._core.grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
from torchlike._core.hooks import RemovableHandle
from torchlike._core.tensor import Tensor, _alias, wrap

from ._functional import compiled_packed_update, compiled_update, packable

_JAX_ARRAY = type(jnp.zeros(()))

__all__ = [
    "Optimizer",
    "register_optimizer_step_post_hook",
    "register_optimizer_step_pre_hook",
]

StateDict = dict[str, Any]
ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


_global_optimizer_pre_hooks: dict[int, Callable] = OrderedDict()
_global_optimizer_post_hooks: dict[int, Callable] = OrderedDict()


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """Register a pre hook common to all optimizers: hook(optimizer, args, kwargs)."""
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """Register a post hook common to all optimizers: hook(optimizer, args, kwargs)."""
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


def _use_grad_for_differentiable(func):
    """Run step() with grad mode set to the optimizer's `differentiable` default."""

    @functools.wraps(func)
    def _use_grad(self, *args, **kwargs):
        prev_grad = is_grad_enabled()
        try:
            set_grad_enabled(self.defaults.get("differentiable", False))
            return func(self, *args, **kwargs)
        finally:
            set_grad_enabled(prev_grad)

    return _use_grad


def _to_scalar(x):
    """A 1-element tensor hyperparameter becomes 0-d; anything else is kept."""
    if isinstance(x, Tensor) and x.dim() != 0:
        return x.squeeze()
    return x


def _get_value(x):
    return x.item() if isinstance(x, Tensor) else x


def _get_fused_kernels_supported_devices() -> list[str]:
    """The device types whose tensors fused=True accepts (as PyTorch lists them)."""
    return ["mps", "cuda", "xpu", "hpu", "cpu", "mtia", "privateuseone"]


def _get_capturable_supported_devices(supports_xla: bool = True) -> list[str]:
    """The device types whose tensors capturable=True accepts (as PyTorch lists them)."""
    devices = ["cuda", "xpu", "hpu", "privateuseone"]
    if supports_xla:
        devices.append("xla")
    return devices


def _device_dtype_check_for_fused(p: Tensor, cuda_unsupported: bool = False) -> None:
    devices = _get_fused_kernels_supported_devices()
    if cuda_unsupported:
        devices.remove("cuda")
    if not (p.device.type in devices and p.dtype.is_floating_point):
        raise RuntimeError(
            "`fused=True` requires all the params to be floating point Tensors of "
            f"supported devices: {devices} but {p.dtype} and {p.device.type}"
        )


def _get_scalar_dtype(is_fused=None):
    if is_fused:
        return dtypes.float32
    return dtypes.float64 if dtypes.get_default_dtype() is dtypes.float64 else dtypes.float32


def _place_like(array, like):
    """Put a new state array where the parameter lives (a no-op while tracing)."""
    if isinstance(like, jax.core.Tracer) or isinstance(array, jax.core.Tracer):
        return array
    if not getattr(like, "committed", True) and not getattr(array, "committed", True):
        # both on the default device: committing the state would commit the parameters the
        # update returns, and every kernel that reads them would compile again next step
        return array
    try:
        return jax.device_put(array, like.sharding)
    except Exception:  # noqa: BLE001 - placement is best effort; values are unaffected
        return array


def _full_state(p: Tensor, value, dtype=None) -> Tensor:
    """A new state tensor shaped like p (zeros_like / full_like for optimizer state)."""
    np_dtype = p._data.dtype if dtype is None else dtype._np
    return wrap(_place_like(jnp.full(tuple(p.shape), value, dtype=np_dtype), p._data))


def _scalar_state(p: Tensor, value, dtype=None) -> Tensor:
    """A new 0-d state tensor (e.g. 'step'), float32 unless the default dtype is float64."""
    dtype = _get_scalar_dtype() if dtype is None else dtype
    return wrap(_place_like(jnp.asarray(value, dtype=dtype._np), p._data))


def _hyper_value(x):
    """A hyperparameter as a traced argument: a Python float or a (tensor's) array."""
    x = _to_scalar(x)
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, (jax.Array, jax.core.Tracer)):
        return x  # e.g. an lr lifted into a whole-step compile's inputs
    return float(x)


class Optimizer:
    """Base class for all optimizers."""

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: dict[int, Callable] = OrderedDict()
        self._optimizer_step_post_hooks: dict[int, Callable] = OrderedDict()
        self._optimizer_state_dict_pre_hooks: dict[int, Callable] = OrderedDict()
        self._optimizer_state_dict_post_hooks: dict[int, Callable] = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: dict[int, Callable] = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: dict[int, Callable] = OrderedDict()
        self._patch_step_function()

        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be "
                "an iterable of Tensors or dicts, but got " + _typename(params)
            )

        self.state: defaultdict[Tensor, Any] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]

        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self) -> dict[str, Any]:
        return {
            "defaults": self.defaults,
            "state": self.state,
            "param_groups": self.param_groups,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in (
            "_optimizer_step_pre_hooks",
            "_optimizer_step_post_hooks",
            "_optimizer_state_dict_pre_hooks",
            "_optimizer_state_dict_post_hooks",
            "_optimizer_load_state_dict_pre_hooks",
            "_optimizer_load_state_dict_post_hooks",
        ):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self._patch_step_function()
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        format_string = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            format_string += "\n"
            format_string += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    format_string += f"    {key}: {group[key]}\n"
        format_string += ")"
        return format_string

    @staticmethod
    def profile_hook_step(func: Callable) -> Callable:
        """Wrap a step() so that the step pre and post hooks run around it."""

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            self, *_ = args
            for pre_hook in chain(
                _global_optimizer_pre_hooks.values(),
                self._optimizer_step_pre_hooks.values(),
            ):
                result = pre_hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise RuntimeError(
                            f"{func} must return None or a tuple of (new_args, new_kwargs), "
                            f"but got {result}."
                        )
            out = func(*args, **kwargs)
            for post_hook in chain(
                self._optimizer_step_post_hooks.values(),
                _global_optimizer_post_hooks.values(),
            ):
                post_hook(self, args, kwargs)
            return out

        return wrapper

    def _patch_step_function(self) -> None:
        self._zero_grad_profile_name = f"Optimizer.zero_grad#{self.__class__.__name__}.zero_grad"
        hooked = getattr(self.__class__.step, "hooked", None)
        if not hooked:
            self.__class__.step = self.profile_hook_step(self.__class__.step)
            self.__class__.step.hooked = True

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Register hook(optimizer, args, kwargs) -> None or (args, kwargs), run before step."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """Register hook(optimizer, args, kwargs) -> None, run after step."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    def _register(self, hooks: dict, hook: Callable, prepend: bool) -> RemovableHandle:
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        """Register hook(optimizer) -> None, run before state_dict()."""
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        """Register hook(optimizer, state_dict) -> state_dict or None, run after state_dict()."""
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        """Register hook(optimizer, state_dict) -> state_dict or None, run before loading."""
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        """Register hook(optimizer) -> None, run after load_state_dict()."""
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    def state_dict(self) -> StateDict:
        """Return the optimizer state: {'state': {param_index: ...}, 'param_groups': [...]}."""
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)

        param_mappings: dict[int, int] = {}
        start_index = 0

        def pack_group(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update(
                {
                    id(p): i
                    for i, p in enumerate(group["params"], start_index)
                    if id(p) not in param_mappings
                }
            )
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {
            (param_mappings[id(k)] if isinstance(k, Tensor) else k): v
            for k, v in self.state.items()
        }
        state_dict = {"state": packed_state, "param_groups": param_groups}

        for post_hook in self._optimizer_state_dict_post_hooks.values():
            hook_result = post_hook(self, state_dict)
            if hook_result is not None:
                state_dict = hook_result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups, key=None):
        # Floating-point state follows the param's dtype; 'step' keeps its own
        # (float32 under fused/capturable), as in PyTorch.
        fused = capturable = False
        for pg in param_groups:
            if param_id in pg["params"]:
                fused = pg.get("fused", False)
                capturable = pg.get("capturable", False)
                break
        if key == "step":
            if capturable or fused:
                return _cast_state(value, param, dtypes.float32)
            return _cast_state(value, param, None)
        if param.dtype.is_floating_point:
            return _cast_state(value, param, param.dtype)
        return _cast_state(value, param, None)

    def load_state_dict(self, state_dict: StateDict) -> None:
        """Load an optimizer state produced by state_dict() (PyTorch's layout)."""
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            hook_result = pre_hook(self, state_dict)
            if hook_result is not None:
                state_dict = hook_result

        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])

        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        param_lens = (len(g["params"]) for g in groups)
        saved_lens = (len(g["params"]) for g in saved_groups)
        if any(p_len != s_len for p_len, s_len in zip(param_lens, saved_lens)):
            raise ValueError(
                "loaded state dict contains a parameter group "
                "that doesn't match the size of optimizer's group"
            )

        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )

        def _cast(param, value, param_id=None, param_groups=None, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(
                    param, value, param_id, param_groups, key
                )
            if isinstance(value, dict):
                return {
                    k: _cast(param, v, param_id=param_id, param_groups=param_groups, key=k)
                    for k, v in value.items()
                }
            if isinstance(value, Iterable) and not isinstance(value, str):
                return type(value)(
                    _cast(param, v, param_id=param_id, param_groups=param_groups) for v in value
                )
            return value

        state: defaultdict[Any, dict[Any, Any]] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v, param_id=k, param_groups=state_dict["param_groups"])
            else:
                state[k] = v

        def update_group(group: dict[str, Any], new_group: dict[str, Any]) -> dict[str, Any]:
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})

        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors (to None by default)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        if p.grad.grad_fn is not None:
                            p.grad = p.grad.detach()
                        else:
                            p.grad.requires_grad_(False)
                        p.grad.zero_()

    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Perform a single optimization step (subclasses implement it)."""
        raise NotImplementedError

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a param group to the optimizer's param_groups."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")

        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but "
                "the ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            param_group["params"] = list(params)

        extracted_param_tensors = []
        extracted_param_names = []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                extracted_param_names.append(param[0])
                extracted_param_tensors.append(param[1])
            else:
                extracted_param_tensors.append(param)

        param_group["params"] = extracted_param_tensors
        if len(extracted_param_names) != 0:
            if len(extracted_param_names) == len(extracted_param_tensors):
                param_group["param_names"] = extracted_param_names
            else:
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are missing"
                )

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + _typename(param)
                )
            if not self.defaults.get("differentiable", None) and not (
                param.is_leaf or getattr(param, "retains_grad", False)
            ):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; "
                "in future, this will cause an error; "
                "see github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )

        param_set: set[int] = set()
        for group in self.param_groups:
            param_set.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                current_group_txt = (
                    "with names" if "param_names" in param_group else "without names"
                )
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {current_group_txt} to the optimizer"
                )

        if not param_set.isdisjoint(id(p) for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")

        self.param_groups.append(param_group)


_LEGACY_TENSOR_TYPES = {
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "float16": "HalfTensor",
    "bfloat16": "BFloat16Tensor",
    "int64": "LongTensor",
    "int32": "IntTensor",
    "int16": "ShortTensor",
    "int8": "CharTensor",
    "uint8": "ByteTensor",
    "bool": "BoolTensor",
    "complex64": "ComplexFloatTensor",
    "complex128": "ComplexDoubleTensor",
}


def _typename(obj) -> str:
    """torch.typename: 'torch.FloatTensor' for a float32 tensor, 'module.Class' otherwise."""
    if isinstance(obj, Tensor):
        name = _LEGACY_TENSOR_TYPES.get(str(obj.dtype).replace("torch.", ""), "Tensor")
        return "torch." + name
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in ("builtins", None) else f"{module}.{name}"


def _cast_state(value: Tensor, param: Tensor, dtype) -> Tensor:
    """A copy of a loaded state tensor in `dtype` (or its own) on the param's device."""
    array = value._data
    if dtype is not None:
        array = array.astype(dtype._np)
    return wrap(_place_like(jnp.array(array, copy=True), param._data))


def _sole_owner(t) -> Tensor | None:
    """The tensor holding t's buffer when nothing else references that buffer, else None."""
    root = t._base if getattr(t, "_base", None) is not None else t
    if root is not t and getattr(t, "_chain", True):
        return None  # a strided view: its base holds more than this tensor's data
    arr = getattr(root, "_arr", None)
    if arr is None or isinstance(arr, jax.core.Tracer):
        return None
    # References: the root's attribute, `arr` and getrefcount's argument. A detached
    # alias, a cached view or a tensor saved for backward would hold one more.
    if sys.getrefcount(arr) > 3:
        return None
    return root


_ROOT_TYPES = None  # (Tensor, Parameter, Buffer): filled on first use (nn imports optim's users)


def _can_donate(params, states) -> bool:
    """Whether every param and state buffer of a group can be donated to the update."""
    global _ROOT_TYPES
    if _ROOT_TYPES is None:
        from torchlike.nn.parameter import Buffer, Parameter
        _ROOT_TYPES = frozenset({Tensor, Parameter, Buffer})
    seen = set()
    for t in chain(params, (v for s in states for v in s.values())):
        if type(t) in _ROOT_TYPES and t._base is None and type(t._arr) is _JAX_ARRAY:
            # _sole_owner for the common case (a tensor holding its own array), inlined:
            # this runs for every parameter on every eager step. References to the array:
            # t._arr, getrefcount's argument, and nothing else.
            if sys.getrefcount(t._arr) > 2 or id(t) in seen:
                return False
            seen.add(id(t))
            continue
        root = _sole_owner(t) if isinstance(t, Tensor) else None
        if root is None or id(root) in seen:
            return False
        seen.add(id(root))
    return True


def _state_array(v):
    # Old checkpoints keep 'step' as a Python number; PyTorch turns it into a 0-d tensor.
    if isinstance(v, (int, float)):
        return jnp.asarray(v, dtype=_get_scalar_dtype()._np)
    return jnp.asarray(v)


_FLAT = os.environ.get("TORCHLIKE_OPTIM_FLAT", "")


def _flat_update(params) -> bool:
    """Whether to pack a group's state and update the group as one vector: on GPUs, where
    every array a step passes in or out of its program costs host time (measured on an H100:
    a hand-written JAX SGD/AdamW step over 100 tensors took 1.6-1.7 ms with an array per
    tensor and state, 0.5-0.7 ms with packed state); not on CPUs, where XLA's concatenation
    costs more than the arrays do. TORCHLIKE_OPTIM_FLAT=1 or 0 forces the choice."""
    if _FLAT:
        return _FLAT != "0"
    return params[0].device.type != "cpu"


class _Packed:
    """A group's optimizer state packed into one 1-D tensor per state name.

    Each parameter's state entries are views of these tensors (as PyTorch's flat-parameter
    wrappers do for parameters), so reading or writing ``optimizer.state[p]`` sees and
    changes the packed values, and the update passes a few arrays instead of a few per
    tensor."""

    __slots__ = ("buffers", "group", "params", "scalar_names", "views")

    def matches(self, group, params, states) -> bool:
        # runs on every step: plain loops (no generator per parameter)
        if self.group is not group or len(self.params) != len(params):
            return False
        for a, b in zip(self.params, params):
            if a is not b:
                return False
        views = tuple(self.views.items())
        n = len(views)
        if n == 1:  # SGD's momentum_buffer
            k, v = views[0]
            for s, t in zip(states, v):
                if len(s) != 1 or s.get(k) is not t:
                    return False
            return True
        for i, s in enumerate(states):
            if len(s) != n:
                return False
            for k, v in views:
                if s.get(k) is not v[i]:
                    return False
        return True


def _pack(group, params, states, single):
    """Pack the group's state (see _Packed), or None where the group does not allow it.

    The state tensors stay the same objects and become views of the packed buffers, so
    whoever holds one (``swap_in_optimizer_params_and_state``, a user's reference) keeps
    seeing the values the optimizer writes, as with PyTorch's in-place updates."""
    if len(params) != len(group["params"]):
        return None  # some tensors have no gradient this step
    entries = [v for s in states for v in s.values()]
    if not all(isinstance(v, Tensor) for v in entries) or len({id(v) for v in entries}) < len(
        entries
    ):
        return None
    names = packable(single, [p._data for p in params], [
        {k: v._data for k, v in s.items()} for s in states])
    if names is None:
        return None
    # The views are set up outside any compiled step's recording: building them reads shapes
    # through the packed buffers, which would otherwise put one-off ops into the first
    # step's program (and a second program for every later step).
    trace, _lazy.state.trace = _lazy.state.trace, None
    try:
        return _pack_views(group, params, states, names)
    finally:
        _lazy.state.trace = trace


def _pack_views(group, params, states, names):
    full, scalar = names
    rec = _Packed()
    rec.group, rec.params, rec.scalar_names = group, list(params), scalar
    rec.buffers, rec.views = {}, {}
    for k in full + scalar:
        tensors = [s[k] for s in states]
        arrays = [t._data for t in tensors]
        if k in scalar:
            flat = wrap(jnp.stack(arrays))
            views = [flat.select(0, i) for i in range(len(params))]
        else:
            flat = wrap(jnp.concatenate([a.reshape(-1) for a in arrays]))
            views, start = [], 0
            for p in params:
                n = p.numel()
                views.append(flat.narrow(0, start, n).view(p.shape))
                start += n
        for t, v in zip(tensors, views):
            _alias(t, v)
            t._arr = t._vsrc = t._varr = None
        rec.buffers[k], rec.views[k] = flat, tensors
    return rec


class _CompiledStepOptimizer(Optimizer):
    """An optimizer whose step updates each group through one cached jax.jit.

    Subclasses give the pure per-parameter update (``_single``), the static options
    (``_options(group)``), the traced hyperparameters (``_hyper(group)``) and the
    lazy state initialisation (``_init_state(group, p, state)``), as PyTorch's
    ``_init_group`` does.
    """

    _single: Callable

    def _options(self, group) -> dict[str, bool]:
        return {"maximize": bool(group.get("maximize", False))}

    def _hyper(self, group) -> dict[str, Any]:
        raise NotImplementedError

    def _init_state(self, group, p, state) -> None:
        raise NotImplementedError

    def _group_states(self, group, params) -> list[dict]:
        states = []
        for p in params:
            state = self.state[p]
            if len(state) == 0:
                self._init_state(group, p, state)
            states.append(state)
        return states

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            sparse = _sparse.USED[0] and self._densify_sparse_grads(group, params)
            states = self._group_states(group, params)
            if group.get("capturable") and not group.get("fused"):
                self._check_capturable(group, params)
            try:
                self._update_group(group, params, states)
            finally:
                for p, g in sparse or ():
                    p._grad = g
        return loss

    # What PyTorch's capturable check names, in its single-tensor and foreach updates, and
    # whether each accepts XLA tensors.
    _capturable_names = ("params and state_steps", "params and state_steps")
    _capturable_xla = (True, False)

    def _check_capturable(self, group, params) -> None:
        # capturable=True is for CUDA-graph capture: PyTorch refuses CPU tensors (after
        # creating the state, before any update).
        foreach = bool(group.get("foreach"))
        devices = _get_capturable_supported_devices(self._capturable_xla[foreach])
        if any(p.device.type not in devices for p in params):
            names = self._capturable_names[foreach]
            raise AssertionError(
                f"If capturable=True, {names} must be on supported devices: {devices}."
            )

    # PyTorch's updates that accept sparse gradients (SGD, Adagrad) compute what the dense
    # update computes: those run on the dense gradient; the others refuse, as PyTorch's do
    _sparse_ok = False
    _sparse_name = None  # the name PyTorch's message uses

    def _densify_sparse_grads(self, group, params):
        """Swap sparse .grad for its dense value during the update; [(param, sparse grad)]."""
        swapped = []
        for p in params:
            g = p._grad
            if g.is_sparse:
                if not self._sparse_ok:
                    name = self._sparse_name or type(self).__name__
                    hint = ", please consider SparseAdam instead" if name == "Adam" else ""
                    raise RuntimeError(f"{name} does not support sparse gradients{hint}")
                if group.get("weight_decay", 0) != 0:
                    raise RuntimeError(self._sparse_weight_decay_error)
                swapped.append((p, g))
                p._grad = g.to_dense()
        return swapped

    def _update_packed(self, group, params, states, options, hyper, packed_names, lazy) -> bool:
        """Update the group through its packed state (packing it first); False where the
        group cannot be packed, for the per-tensor update to do the step."""
        packs = self.__dict__.setdefault("_packs", {})
        rec = packs.get(id(group))
        if rec is None or not rec.matches(group, params, states):
            rec = _pack(group, params, states, type(self)._single)
            packs[id(group)] = rec
            if rec is None:
                return False
        donate = False if lazy else _can_donate(params, [rec.buffers])
        fn = compiled_packed_update(
            type(self)._single, options, packed_names, donate, rec.scalar_names
        )
        args = (
            [p._data for p in params],
            [p.grad._data for p in params],
            {k: t._data for k, t in rec.buffers.items()},
            hyper,
        )
        found_inf = getattr(self, "_found_inf", None)
        if found_inf is not None:
            args = args + (found_inf,)
        new_p, new_s = _lazy.call(fn, args) if lazy else fn(*args)
        for p, a in zip(params, new_p):
            p._set_data(a)
        for k, a in new_s.items():
            rec.buffers[k]._set_data(a)
        return True

    def _update_group(self, group, params, states) -> None:
        if is_grad_enabled() and any(p.requires_grad and p.is_leaf for p in params):
            # differentiable=True runs step() with grad enabled, where PyTorch's in-place
            # update of a leaf that requires grad fails
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation."
            )
        if group.get("differentiable") and any(
            p.grad.requires_grad or p.requires_grad and not p.is_leaf for p in params
        ):
            raise NotImplementedError(
                f"torchlike.optim.{type(self).__name__}(differentiable=True): autograd "
                "through optimizer.step() is not supported"
            )
        options = tuple(sorted(self._options(group).items()))
        hyper = {k: _hyper_value(v) for k, v in self._hyper(group).items()}
        # Python floats travel as one float64 vector: one transfer per step, not one each.
        packed_names = tuple(k for k, v in hyper.items() if isinstance(v, float))
        if packed_names:
            hyper = {k: v for k, v in hyper.items() if k not in packed_names} | {
                "_packed": np.array([hyper[k] for k in packed_names], dtype=np.float64)
            }
        lazy = _lazy.state.trace is not None
        if _flat_update(params) and self._update_packed(group, params, states, options, hyper,
                                                        packed_names, lazy):
            return
        # inside torchlike.compile the update is recorded into the step's one program
        donate = False if lazy else _can_donate(params, states)
        p_arrays = [p._data for p in params]
        g_arrays = [p.grad._data for p in params]
        s_arrays = [
            {
                k: (v._data if isinstance(v, Tensor) else _state_array(v))
                for k, v in s.items()
                if v is not None
            }
            for s in states
        ]
        fn = compiled_update(type(self)._single, options, packed_names, donate)
        found_inf = getattr(self, "_found_inf", None)
        args = (p_arrays, g_arrays, s_arrays, hyper)
        if found_inf is not None:
            args = args + (found_inf,)
        new_p, new_s = _lazy.call(fn, args) if lazy else fn(*args)
        for p, a in zip(params, new_p):
            p._set_data(a)
        for s, ns in zip(states, new_s):
            for k, a in ns.items():
                t = s.get(k)
                if isinstance(t, Tensor) and t._data.shape == a.shape and t._data.dtype == a.dtype:
                    t._set_data(a)
                else:
                    s[k] = wrap(a)
