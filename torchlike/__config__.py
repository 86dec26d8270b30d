"""torch.__config__: how this build was made (here: the JAX/XLA it runs on)."""


def show() -> str:
    """A description of the build, as PyTorch's lists its compiler and libraries."""
    import jax
    import jaxlib

    from .version import __version__

    return (f"torchlike {__version__} (the PyTorch API on JAX):\n"
            f"  - JAX {jax.__version__}, jaxlib {jaxlib.__version__}\n"
            f"  - backends: {', '.join(sorted({d.platform for d in jax.devices()}))}\n")


def parallel_info() -> str:
    """Thread settings, as PyTorch's ATen parallel_info()."""
    from ._settings import get_num_interop_threads, get_num_threads

    return (f"torchlike (XLA runs its own CPU thread pool):\n"
            f"at::get_num_threads() : {get_num_threads()}\n"
            f"at::get_num_interop_threads() : {get_num_interop_threads()}\n")


def _cxx_flags() -> str:
    return ""
