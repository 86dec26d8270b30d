"""torch.distributed.elastic.multiprocessing.errors.record: the entry-point decorator of
torchrun scripts.

Differs from PyTorch: no error file is written for the elastic agent (torchlike runs one
process, without an agent); the exception propagates unchanged, as it does in PyTorch.
"""

import functools

__all__ = ["record"]


def record(fn, error_handler=None):
    """Decorate a script's main function; exceptions propagate unchanged."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except SystemExit as se:
            # As PyTorch: a run_path entry point's SystemExit(0) returns instead of exiting.
            if se.code == 0:
                return None
            raise

    return wrapper
