"""parameters_to_vector / vector_to_parameters."""

import jax.numpy as jnp

from torchlike._ops.registry import op

__all__ = ["parameters_to_vector", "vector_to_parameters"]


@op(tensor_args=("tensors",), method=False, name="_flatten_cat")
def _flatten_cat(tensors):
    return jnp.concatenate([t.reshape(-1) for t in tensors])


def _check_param_device(param, old_param_device):
    # Differs from PyTorch: devices are compared as torchlike devices (cpu / cuda:N).
    if old_param_device is None:
        return param.device
    if param.device != old_param_device:
        raise TypeError(
            "Found two parameters on different devices, this is currently not supported."
        )
    return old_param_device


def parameters_to_vector(parameters):
    """Flatten an iterable of parameters into one vector."""
    param_device = None
    params = []
    for param in parameters:
        param_device = _check_param_device(param, param_device)
        params.append(param)
    return _flatten_cat(params)


def vector_to_parameters(vec, parameters):
    """Copy slices of a vector into the parameters (in place, like `param.data = ...`)."""
    import torchlike

    if not isinstance(vec, torchlike.Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    param_device = None
    pointer = 0
    for param in parameters:
        param_device = _check_param_device(param, param_device)
        num_param = param.numel()
        chunk = vec._data[pointer : pointer + num_param]
        if chunk.size != num_param:
            # torch's view_as of a short final slice
            shape = ", ".join(str(int(d)) for d in param.shape)
            raise RuntimeError(f"shape '[{shape}]' is invalid for input of size {chunk.size}")
        chunk = chunk.reshape(tuple(param.shape))
        param._set_data(chunk.astype(param.dtype._np))
        pointer += num_param
