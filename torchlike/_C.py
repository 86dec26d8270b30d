# ruff: noqa: N999 - torch's module name
"""torch._C: only the TorchScript executor switches older training scripts flip at start-up.

PyTorch's C extension has no torchlike counterpart; these record their setting (there is no
TorchScript executor here) and return what PyTorch returns.
"""

_jit = {"profiling_executor": True, "profiling_mode": True, "texpr_fuser": True,
        "fuse_cpu": True, "fuse_gpu": False, "graph_optimize": True, "bailout_depth": 12}


def _swap(key, value):
    old, _jit[key] = _jit[key], value
    return old


def _jit_set_profiling_executor(enabled: bool) -> bool:
    return _swap("profiling_executor", bool(enabled))


def _jit_set_profiling_mode(enabled: bool) -> bool:
    return _swap("profiling_mode", bool(enabled))


def _jit_set_texpr_fuser_enabled(enabled: bool) -> None:
    _jit["texpr_fuser"] = bool(enabled)


def _jit_texpr_fuser_enabled() -> bool:
    return _jit["texpr_fuser"]


def _jit_override_can_fuse_on_cpu(enabled: bool) -> None:
    _jit["fuse_cpu"] = bool(enabled)


def _jit_override_can_fuse_on_gpu(enabled: bool) -> None:
    _jit["fuse_gpu"] = bool(enabled)


def _jit_can_fuse_on_cpu() -> bool:
    return _jit["fuse_cpu"]


def _jit_can_fuse_on_gpu() -> bool:
    return _jit["fuse_gpu"]


def _jit_set_nvfuser_enabled(enabled: bool) -> None:
    """A no-op in PyTorch too (nvfuser was removed)."""


def _jit_set_bailout_depth(depth: int) -> int:
    return _swap("bailout_depth", int(depth))


def _get_graph_executor_optimize() -> bool:
    return _jit["graph_optimize"]


def _set_graph_executor_optimize(optimize: bool) -> None:
    _jit["graph_optimize"] = bool(optimize)


def _get_tracing_state():
    """None: nothing is ever traced by TorchScript in torchlike."""
    return


def _log_api_usage_once(event: str) -> None:
    pass


def _get_cudnn_enabled() -> bool:
    from .backends import cudnn

    return bool(cudnn.enabled)
