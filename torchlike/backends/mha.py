"""torch.backends.mha: whether nn.MultiheadAttention may take torch's fused inference path."""

_is_fastpath_enabled = True


def get_fastpath_enabled() -> bool:
    """Returns whether the fast path for TransformerEncoder and MultiHeadAttention is enabled."""
    return _is_fastpath_enabled


def set_fastpath_enabled(value: bool) -> None:
    """Sets whether the fast path is enabled."""
    global _is_fastpath_enabled
    _is_fastpath_enabled = value
