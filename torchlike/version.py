"""torch.version: the PyTorch release torchlike implements, and its (absent) CUDA/ROCm."""

from .torch_version import TorchVersion

__all__ = ["__version__", "cuda", "debug", "git_version", "hip", "rocm", "xpu"]

# PyTorch's CPU wheel reports "2.13.0+cpu"; the local label names torchlike and its version.
__version__ = TorchVersion("2.13.0+torchlike.0.1.0")
debug = False
cuda = None
git_version = "torchlike"
hip = None
rocm = None
xpu = None
