"""torch.multiprocessing: Python's multiprocessing, with tensors passed by pickling.

Differs from PyTorch: JAX arrays cannot live in shared memory, so tensors and modules sent to
another process are copies, and `Tensor.share_memory_()` raises NotImplementedError explaining
this (Hogwild-style training that needs shared writes is not supported).
"""

import multiprocessing as _mp
from multiprocessing import *  # noqa: F401,F403

__all__ = list(getattr(_mp, "__all__", [])) + ["spawn", "get_all_sharing_strategies",
                                               "get_sharing_strategy", "set_sharing_strategy"]

_strategy = {"name": "file_system"}


def get_all_sharing_strategies():
    return {"file_system"}


def get_sharing_strategy():
    return _strategy["name"]


def set_sharing_strategy(new_strategy):
    if new_strategy not in get_all_sharing_strategies():
        raise ValueError(f"invalid sharing strategy: {new_strategy}")
    _strategy["name"] = new_strategy


class ProcessRaisedException(Exception):
    pass


class ProcessExitedException(Exception):
    pass


def _wrap(fn, i, args):
    fn(i, *args)


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Start nprocs processes running fn(i, *args); join them, re-raising a failure."""
    ctx = _mp.get_context(start_method)
    procs = [ctx.Process(target=_wrap, args=(fn, i, args), daemon=daemon) for i in range(nprocs)]
    for p in procs:
        p.start()
    if not join:
        return procs
    for i, p in enumerate(procs):
        p.join()
        if p.exitcode != 0:
            raise ProcessExitedException(f"process {i} terminated with exit code {p.exitcode}")
    return None


start_processes = spawn
