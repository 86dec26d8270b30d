"""The DataLoader worker process: its loop, its seeding and get_worker_info()."""

from __future__ import annotations

import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

from torchlike.utils.data._utils import MP_STATUS_CHECK_INTERVAL, _bridge


class KeyErrorMessage(str):
    """str subclass that returns itself in repr, so a KeyError's traceback stays readable."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception and its formatted traceback, to re-raise in another process."""

    def __init__(self, exc_info=None, where="in background"):
        # keeping exc_info itself would keep the frames alive and is not picklable
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        try:
            pickle.dumps(self.exc_type)
        except Exception:  # noqa: BLE001
            # a class pickle cannot find by name (a local class) cannot cross processes
            self.exc_type = RuntimeError
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Re-raise the wrapped exception, its message carrying the original traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:  # noqa: BLE001
            # an exception type we cannot build from one message
            raise RuntimeError(msg) from None
        raise exception


class ManagerWatchdog:
    """Tells a worker whether the process that started it is still alive."""

    def __init__(self) -> None:
        self.manager_pid = os.getppid()
        self.manager_dead = False

    def is_alive(self) -> bool:
        if not self.manager_dead:
            self.manager_dead = os.getppid() != self.manager_pid
        return not self.manager_dead


@dataclass(frozen=True)
class WorkerInfo:
    """Information about the current DataLoader worker process."""

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None
    worker_method: str | None = "multiprocessing"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The current worker's id, num_workers, seed and dataset copy; None in the main process."""
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """Sent by a worker whose IterableDataset copy is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to persistent workers to start a new epoch."""

    seed: int | None = None


def _generate_state(base_seed, worker_id):
    """numpy's SeedSequence mixing, as PyTorch seeds numpy in each worker."""
    INIT_A = 0x43B0D7E5
    MULT_A = 0x931E8875
    INIT_B = 0x8B51F9DD
    MULT_B = 0x58F38DED
    MIX_MULT_L = 0xCA01F9DD
    MIX_MULT_R = 0x4973F715
    XSHIFT = 4 * 8 // 2
    MASK32 = 0xFFFFFFFF

    entropy = [worker_id, base_seed & MASK32, base_seed >> 32, 0]
    pool = [0] * 4

    hash_const_A = INIT_A

    def hash(value):
        nonlocal hash_const_A
        value = (value ^ hash_const_A) & MASK32
        hash_const_A = (hash_const_A * MULT_A) & MASK32
        value = (value * hash_const_A) & MASK32
        value = (value ^ (value >> XSHIFT)) & MASK32
        return value

    def mix(x, y):
        result_x = (MIX_MULT_L * x) & MASK32
        result_y = (MIX_MULT_R * y) & MASK32
        result = (result_x - result_y) & MASK32
        result = (result ^ (result >> XSHIFT)) & MASK32
        return result

    for i in range(len(pool)):
        pool[i] = hash(entropy[i])

    for i_src in range(len(pool)):
        for i_dst in range(len(pool)):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash(pool[i_src]))

    hash_const_B = INIT_B
    state = []
    for i_dst in range(4):
        data_val = pool[i_dst]
        data_val = (data_val ^ hash_const_B) & MASK32
        hash_const_B = (hash_const_B * MULT_B) & MASK32
        data_val = (data_val * hash_const_B) & MASK32
        data_val = (data_val ^ (data_val >> XSHIFT)) & MASK32
        state.append(data_val)
    return state


def _seed_torchlike(seed: int) -> None:
    """torch.manual_seed(seed) for the worker's CPU generator, which lives on the host (numpy)."""
    import torchlike

    gen = getattr(torchlike, "default_generator", None)
    if gen is None:
        try:
            from torchlike._random.generator import default_generator as gen
        except ImportError:
            return
    if gen is not None:
        gen.manual_seed(seed)


_FORKED_AFTER_JAX = (
    "torchlike ops cannot compile in a DataLoader worker forked after JAX started in the main "
    "process (JAX's threads do not survive fork; compiling here would deadlock). Return numpy "
    "arrays or Python numbers from the Dataset and collate_fn (the DataLoader turns them into "
    "Tensors), or pass multiprocessing_context='spawn' or 'forkserver' to the DataLoader."
)


# Whether this process was forked from one where JAX had started (set right after fork).
_jax_inherited = False


def _note_fork_in_child() -> None:
    global _jax_inherited
    if "jax" in sys.modules:
        from jax._src import xla_bridge

        _jax_inherited = _jax_inherited or xla_bridge.backends_are_initialized()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_note_fork_in_child)


def _refuse_compile(*args, **kwargs):
    raise RuntimeError(_FORKED_AFTER_JAX)


def _guard_jax() -> None:
    """Keep a worker from deadlocking in JAX, and off the accelerator."""
    if "jax" not in sys.modules:
        return
    import jax
    from jax._src import compiler, xla_bridge

    if _jax_inherited:
        # Forked from a process where JAX runs: its thread pools are gone, so anything that
        # compiles would wait forever. Fail loudly instead.
        compiler.compile_or_get_cached = _refuse_compile
    elif not xla_bridge.backends_are_initialized():
        # A fresh JAX (spawn, forkserver, or a fork before JAX started): tensors made here
        # live on the CPU, as in PyTorch's workers, and no worker claims accelerator memory.
        jax.config.update("jax_platforms", "cpu")


def _worker_loop(
    dataset_kind,
    dataset,
    index_queue,
    data_queue,
    done_event,
    auto_collation,
    collate_fn,
    drop_last,
    base_seed,
    init_fn,
    worker_id,
    num_workers,
    persistent_workers,
) -> None:
    try:
        _bridge.enter_worker()
        _guard_jax()
        seed = base_seed + worker_id
        random.seed(seed)
        _seed_torchlike(seed)
        np.random.seed(_generate_state(base_seed, worker_id))

        from torchlike.utils.data.dataloader import _DatasetKind

        global _worker_info
        init_exception = None
        fetcher = None
        try:
            dataset = _bridge.unpack_in_worker(dataset)
            collate_fn = _bridge.unpack_in_worker(collate_fn)
            init_fn = _bridge.unpack_in_worker(init_fn)
            _worker_info = WorkerInfo(
                id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset
            )
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(
                dataset_kind, dataset, auto_collation, collate_fn, drop_last
            )
        except Exception:  # noqa: BLE001
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        # iteration_end: the IterableDataset copy is exhausted; wait for a resume or the end.
        iteration_end = False
        watchdog = ManagerWatchdog()

        while watchdog.is_alive():
            try:
                r = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                if init_exception is None:
                    fetcher = _DatasetKind.create_fetcher(
                        dataset_kind, dataset, auto_collation, collate_fn, drop_last
                    )
                continue
            elif r is None:
                break
            elif done_event.is_set() or iteration_end:
                # not sending anything until a resume or the end
                continue
            idx, index = r
            if init_exception is not None:
                data = init_exception
                init_exception = None
            else:
                try:
                    data = _bridge.dumps_for_main(fetcher.fetch(index))
                except Exception as e:  # noqa: BLE001
                    if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
            del data, idx, index, r  # free memory before blocking on the next index
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
