"""convert_conv{2,3}d_weight_memory_format.

Differs from PyTorch: torchlike tensors have no memory formats (XLA picks layouts), so the
conversion leaves the module's values, which is all it changes in PyTorch too, as they are."""

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def _convert(module, memory_format, conv_types):
    from torchlike.nn.modules import conv

    types = tuple(getattr(conv, n) for n in conv_types if hasattr(conv, n))
    if not isinstance(module, types):
        for child in module.children():
            _convert(child, memory_format, conv_types)
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    """Return the module; its conv weights' layout is XLA's choice in torchlike."""
    return _convert(module, memory_format, ("Conv2d", "ConvTranspose2d"))


def convert_conv3d_weight_memory_format(module, memory_format):
    """Return the module; its conv weights' layout is XLA's choice in torchlike."""
    return _convert(module, memory_format, ("Conv3d", "ConvTranspose3d"))
