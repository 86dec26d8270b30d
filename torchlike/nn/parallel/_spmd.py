"""Data parallelism as one SPMD program: the batch sharded over a device mesh, the parameters
replicated, so each op of the module's forward (and of its backward) runs on every device at
once and XLA inserts the collectives (the gradient all-reduce included).
"""

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from ... import _lazy
from ..._core.device import device as _device
from ..._core.device import gpus
from ..._core.tensor import Tensor
from ...autograd import Function
from ..utils.stateless import functional_call


def platform():
    """The device type DataParallel uses and its JAX devices: the GPUs, else the CPUs when JAX
    has several (XLA_FLAGS=--xla_force_host_platform_device_count=N), else None."""
    g = gpus()
    if g:
        return "cuda", list(g)
    cpus = jax.devices("cpu")
    if len(cpus) > 1:
        return "cpu", list(cpus)
    return None, []


def device_index(d, default: int = 0) -> int:
    """An int device id from an int, 'cuda:1' or torch.device (torch's _get_device_index)."""
    if isinstance(d, int):
        return d
    d = _device(d)
    return default if d.index is None else d.index


def torch_device(device_type: str, index: int) -> _device:
    # torchlike has one 'cpu' device whatever JAX CPU device holds the data
    return _device("cpu") if device_type == "cpu" else _device(device_type, index)


class _Reshard(Function):
    """x placed with another sharding; the gradient goes back to x's placement."""

    @staticmethod
    def forward(ctx, x, sharding, device):
        arr = _lazy.concrete(x._data)
        ctx.src, ctx.device = arr.sharding, x.device
        return Tensor._wrap(jax.device_put(arr, sharding), device=device)

    @staticmethod
    def backward(ctx, grad):
        return _Reshard.apply(grad, ctx.src, ctx.device), None, None


def _tree_map(fn, obj):
    if isinstance(obj, Tensor):
        return fn(obj)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(_tree_map(fn, o) for o in obj))
    if isinstance(obj, (tuple, list)):
        return type(obj)(_tree_map(fn, o) for o in obj)
    if isinstance(obj, dict):
        return type(obj)((k, _tree_map(fn, v)) for k, v in obj.items())
    return obj


def _tensors(obj):
    out = []
    _tree_map(out.append, obj)
    return out


def move(obj, dev: _device):
    """Every tensor in obj moved to dev (as torch's scatter does with one device)."""
    return _tree_map(lambda t: t.to(dev), obj)


def _mesh_size(batch: int | None, n: int) -> int:
    """How many devices share a batch: the most, up to n, that divide it evenly."""
    if not batch:
        return 1
    return max(k for k in range(1, n + 1) if batch % k == 0)


def data_parallel_apply(
    module, inputs, kwargs, devices, dim, src_device, output_device, output_jax_device
):
    """module(*inputs, **kwargs) run data-parallel over `devices` (JAX devices).

    Tensors in the inputs are sharded along `dim` (replicated where their size does not split
    evenly), parameters and buffers replicated; outputs come back whole on output_jax_device.
    """
    batch = next((t.shape[dim] for t in _tensors((inputs, kwargs)) if t.dim() > dim), None)
    k = _mesh_size(batch, len(devices))
    if k == 1:
        inputs, kwargs = move((inputs, kwargs), src_device)
        out = module(*inputs, **kwargs)
        return _tree_map(lambda t: t.to(output_device), out)
    mesh = Mesh(np.array(devices[:k]), ("batch",))
    replicated = NamedSharding(mesh, PartitionSpec())
    batched = NamedSharding(mesh, PartitionSpec(*([None] * dim), "batch"))

    def scatter(t):
        split = t.dim() > dim and t.shape[dim] % k == 0
        # As PyTorch scatters them: the pieces live on the devices, whatever t.device was.
        return _Reshard.apply(t, batched if split else replicated, src_device)

    inputs, kwargs = _tree_map(scatter, (inputs, kwargs))
    # One replica per distinct tensor: functional_call ties the names that share it.
    state, buffers = {}, []
    for name, p in module.named_parameters():
        state[name] = _Reshard.apply(p, replicated, p.device)
    for name, b in module.named_buffers():
        if b.requires_grad:
            state[name] = _Reshard.apply(b, replicated, b.device)
        else:
            arr = _lazy.concrete(b._data)
            rep = Tensor._wrap(jax.device_put(arr, replicated), device=b.device)
            state[name] = rep
            buffers.append((b, rep, rep._data, arr.sharding))
    try:
        out = functional_call(module, state, tuple(inputs), kwargs)
    except ValueError as e:
        if "incompatible devices" not in str(e):
            raise
        raise RuntimeError(
            "DataParallel: the module's forward combined the batch, which is spread over "
            f"{k} devices, with a tensor it placed on one device (on GPUs, e.g. "
            "torch.arange(n, device=x.device)). Register such a tensor as a buffer in "
            "__init__ (buffers are replicated on every device), or run on one device."
        ) from e
    # In-place buffer updates (BatchNorm's running statistics) persist, as on PyTorch's replica 0.
    for b, rep, before, sharding in buffers:
        if rep._data is not before:
            b._set_data(jax.device_put(_lazy.concrete(rep._data), sharding))
    dst = jax.sharding.SingleDeviceSharding(output_jax_device)
    return _tree_map(lambda t: _Reshard.apply(t, dst, output_device), out)
