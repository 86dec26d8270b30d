"""torch.backends.mkldnn: XLA's CPU backend does not use oneDNN."""

enabled = True


def is_available() -> bool:
    return False
