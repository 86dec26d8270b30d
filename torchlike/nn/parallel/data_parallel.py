"""nn.DataParallel: one process, the batch split across the local devices."""

from itertools import chain

from ..modules.module import Module
from . import _spmd

__all__ = ["DataParallel", "data_parallel"]


def _setup(device_ids, output_device):
    """(device type, device ids, output id, JAX devices), or (None, [], ...) without devices."""
    device_type, devices = _spmd.platform()
    if device_type is None:
        return None, [], None, []
    if device_ids is None:
        device_ids = list(range(len(devices)))
    if output_device is None:
        output_device = device_ids[0]
    ids = [_spmd.device_index(d) for d in device_ids]
    for i in ids:
        if not 0 <= i < len(devices):
            raise RuntimeError(
                f"Invalid device id {i}: there are {len(devices)} {device_type} devices"
            )
    return device_type, ids, _spmd.device_index(output_device), devices


def _check_placement(module, src_device_obj):
    for t in chain(module.parameters(), module.buffers()):
        if t.device != src_device_obj:
            raise RuntimeError(
                "module must have its parameters and buffers "
                f"on device {src_device_obj} (device_ids[0]) but found one of "
                f"them on device: {t.device}"
            )


def _apply(module, inputs, kwargs, device_type, ids, output_id, devices, dim):
    src = _spmd.torch_device(device_type, ids[0])
    _check_placement(module, src)
    if len(ids) == 1:
        inputs, kwargs = _spmd.move((inputs, kwargs), src)
        return module(*inputs, **kwargs)
    return _spmd.data_parallel_apply(
        module,
        inputs,
        kwargs,
        [devices[i] for i in ids],
        dim,
        src,
        _spmd.torch_device(device_type, output_id),
        devices[output_id],
    )


class DataParallel(Module):
    """Run `module` data-parallel over several devices of one process.

    Differs from PyTorch: instead of replicas on Python threads, one SPMD program runs with the
    batch sharded along `dim` across the devices and the parameters replicated, so the module
    sees the whole batch: BatchNorm normalises with whole-batch statistics (as SyncBatchNorm),
    a 0-dim output stays 0-dim (PyTorch returns one value per device) and outputs are the
    whole module's (an RNN's hidden state is not concatenated per device). A batch that does
    not split evenly runs on the largest number of devices that divides it. Several CPU
    devices (XLA_FLAGS=--xla_force_host_platform_device_count=N) count as devices; with one
    CPU and no GPU it is a passthrough, as in PyTorch. On GPUs, a tensor the forward creates
    on a device (torch.arange(n, device=x.device)) sits on device_ids[0] only and cannot join
    the sharded batch: RuntimeError; register it as a buffer instead.
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0) -> None:
        super().__init__()
        device_type, ids, output_id, devices = _setup(device_ids, output_device)
        if device_type is None:
            self.module = module
            self.device_ids = []
            return
        self.dim = dim
        self.module = module
        self.device_ids = ids
        self.output_device = output_id
        self.src_device_obj = _spmd.torch_device(device_type, ids[0])
        self._device_type = device_type
        self._jax_devices = devices
        if len(self.device_ids) == 1:
            self.module.to(self.src_device_obj)

    def forward(self, *inputs, **kwargs):
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        return _apply(
            self.module,
            inputs,
            kwargs,
            self._device_type,
            self.device_ids,
            self.output_device,
            self._jax_devices,
            self.dim,
        )


def data_parallel(
    module, inputs, device_ids=None, output_device=None, dim: int = 0, module_kwargs=None
):
    """module(*inputs, **module_kwargs) run data-parallel over device_ids (see DataParallel)."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    if module_kwargs is None:
        module_kwargs = {}
    device_type, ids, output_id, devices = _setup(device_ids, output_device)
    if device_type is None:
        raise RuntimeError("device type could not be determined")
    return _apply(module, inputs, module_kwargs, device_type, ids, output_id, devices, dim)
