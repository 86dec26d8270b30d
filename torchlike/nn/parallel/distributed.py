"""nn.parallel.DistributedDataParallel for one process (world_size 1)."""

import contextlib
import warnings

from ..modules.module import Module
from ..parameter import UninitializedParameter
from . import _spmd

__all__ = ["DistributedDataParallel"]


def _unsupported(what: str):
    return NotImplementedError(
        f"DistributedDataParallel({what}) is not supported by torchlike, which runs one process; "
        "use torch.nn.DataParallel to train on several local devices"
    )


class DistributedDataParallel(Module):
    """Wrap `module` for data-parallel training across the ranks of a process group.

    Differs from PyTorch: torchlike.distributed has one rank, so averaging gradients across
    ranks leaves them as they are and training is exactly the plain module's; communication
    hooks, mixed_precision and device_mesh are not supported.
    """

    def __init__(
        self,
        module: Module,
        device_ids=None,
        output_device=None,
        dim: int = 0,
        broadcast_buffers=None,
        init_sync: bool = True,
        process_group=None,
        bucket_cap_mb=None,
        find_unused_parameters: bool = False,
        check_reduction: bool = False,
        gradient_as_bucket_view: bool = False,
        static_graph: bool = False,
        delay_all_reduce_named_params=None,
        param_to_hook_all_reduce=None,
        mixed_precision=None,
        device_mesh=None,
        skip_all_reduce_unused_params: bool = False,
        bucket_cap_mb_list=None,
        batched_grad_copy: bool = False,
        forward_sync_buffers=None,
    ) -> None:
        super().__init__()
        from ...distributed import _get_default_group

        if (delay_all_reduce_named_params is not None) != (param_to_hook_all_reduce is not None):
            raise ValueError(
                "delay_all_reduce_named_params and param_to_hook_all_reduce "
                "need to be set at the same time."
            )
        if process_group and device_mesh is not None:
            raise RuntimeError("Cannot specify both process_group and device_mesh arguments.")
        if device_mesh is not None:
            raise _unsupported("device_mesh=...")
        if mixed_precision is not None:
            raise _unsupported("mixed_precision=...")
        self.process_group = _get_default_group() if process_group is None else process_group
        self.parameters_to_ignore = set(getattr(module, "_ddp_params_and_buffers_to_ignore", ()))
        self._delay_all_reduce_params = []
        if delay_all_reduce_named_params is not None:
            for name, param in delay_all_reduce_named_params:
                self.parameters_to_ignore.add(name)
                self._delay_all_reduce_params.append(param)
        self._module_parameters = [
            p for n, p in module.named_parameters() if n not in self.parameters_to_ignore
        ]
        needs_grad = any(p.requires_grad for p in self._module_parameters)
        if not needs_grad and not self._delay_all_reduce_params:
            raise RuntimeError(
                "DistributedDataParallel is not needed when a module "
                "doesn't have any parameter that requires a gradient."
            )
        if device_ids is not None and len(device_ids) > 1:
            raise ValueError("device_ids can only be None or contain a single element.")
        self.is_multi_device_module = len({p.device for p in self._module_parameters}) > 1
        types = {p.device.type for p in self._module_parameters}
        if len(types) != 1:
            raise ValueError(
                "DistributedDataParallel's input module must be on the same type "
                f"of devices, but input module parameters locate in {types}."
            )
        self.device_type = next(iter(types))
        if not device_ids or self.device_type == "cpu" or self.is_multi_device_module:
            if device_ids or output_device:
                devices = {p.device for p in self._module_parameters}
                raise ValueError(
                    "DistributedDataParallel device_ids and output_device arguments "
                    "only work with single-device/multiple-device GPU modules or CPU modules, "
                    f"but got device_ids {device_ids}, output_device {output_device}, "
                    f"and module parameters {devices}."
                )
            self.device_ids = None
            self.output_device = None
        else:
            self.device_ids = [_spmd.device_index(d) for d in device_ids]
            self.output_device = _spmd.device_index(
                device_ids[0] if output_device is None else output_device
            )
        self.static_graph = False
        self.dim = dim
        self.module = module
        self.device = next(iter(self._module_parameters)).device
        if broadcast_buffers is not None and forward_sync_buffers is None:
            warnings.warn(
                "`broadcast_buffers` is deprecated. Use `forward_sync_buffers` instead.",
                FutureWarning,
                stacklevel=2,
            )
        if forward_sync_buffers is None:
            forward_sync_buffers = broadcast_buffers if broadcast_buffers is not None else True
        self.forward_sync_buffers = forward_sync_buffers
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.mixed_precision = None
        if check_reduction:
            warnings.warn(
                "The `check_reduction` argument in `DistributedDataParallel` "
                "module is deprecated. Please avoid using it.",
                FutureWarning,
                stacklevel=2,
            )
        for p in self._module_parameters:
            if isinstance(p, UninitializedParameter):
                raise RuntimeError(  # noqa: TRY004
                    "Modules with uninitialized parameters can't be used with "
                    "`DistributedDataParallel`. Run a dummy forward pass to correctly "
                    "initialize the modules"
                )
        if static_graph:
            self._set_static_graph()

    @property
    def broadcast_buffers(self) -> bool:
        return self.forward_sync_buffers

    def forward(self, *inputs, **kwargs):
        if self.device_ids:
            # As PyTorch: a single-device module gets its inputs moved onto its device.
            dev = _spmd.torch_device(self.device_type, self.device_ids[0])
            inputs, kwargs = _spmd.move((inputs, kwargs), dev)
        # With one rank the gradient average over ranks is the gradient itself, so the
        # backward pass needs no hook.
        return self.module(*inputs, **kwargs)

    @contextlib.contextmanager
    def no_sync(self):
        """Skip the gradient all-reduce inside the block (gradients accumulate locally)."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    @contextlib.contextmanager
    def join(
        self,
        divide_by_initial_world_size: bool = True,
        enable: bool = True,
        throw_on_early_termination: bool = False,
    ):
        """Uneven inputs across ranks: with one rank there is nothing to join."""
        yield

    def register_comm_hook(self, state, hook):
        raise _unsupported("register_comm_hook")

    def _register_builtin_comm_hook(self, comm_hook_type):
        raise _unsupported("_register_builtin_comm_hook")

    def _set_static_graph(self):
        self.static_graph = True

    def will_sync_module_buffers(self) -> bool:
        return self.require_forward_param_sync and self.forward_sync_buffers
