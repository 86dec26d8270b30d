"""torch.backends.opt_einsum: jax.numpy.einsum always optimizes the contraction order."""

enabled = True
strategy = "auto"


def is_available() -> bool:
    return True


def get_opt_einsum():
    import opt_einsum

    return opt_einsum
