"""torch.backends: switches of the native backends, mapped onto JAX/XLA where one exists."""

import contextlib

from torchlike.backends import cpu, cuda, cudnn, mha, mkl, mkldnn, mps, openmp, opt_einsum

__all__ = ["cpu", "cuda", "cudnn", "mha", "mkl", "mkldnn", "mps", "openmp", "opt_einsum"]


@contextlib.contextmanager
def flags_frozen():
    yield
