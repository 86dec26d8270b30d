"""SparseAdam (torch.optim.SparseAdam): unsupported, torchlike has no sparse gradients."""

__all__ = ["SparseAdam"]


class SparseAdam:
    """Differs from PyTorch: not supported (torchlike has no sparse tensors)."""

    def __init__(self, *args, **kwargs) -> None:
        raise NotImplementedError(
            "torchlike.optim.SparseAdam is not supported: torchlike has no sparse gradients; "
            "use torchlike.optim.Adam (nn.Embedding gives dense gradients)"
        )
