"""DataLoader: sampler -> batch sampler -> fetch -> collate, in the main process or in workers."""

from __future__ import annotations

import itertools
import multiprocessing as python_multiprocessing
import os
import queue
import signal
import time
import warnings
import weakref
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

import torchlike as torch
from torchlike.utils.data import _utils
from torchlike.utils.data._utils import _bridge
from torchlike.utils.data.dataset import Dataset, IterableDataset
from torchlike.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

_T_co = TypeVar("_T_co", covariant=True)

default_collate = _utils.collate.default_collate
default_convert = _utils.collate.default_convert
get_worker_info = _utils.worker.get_worker_info


class _DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        if kind == _DatasetKind.Map:
            return _utils.fetch._MapDatasetFetcher(dataset, auto_collation, collate_fn, drop_last)
        else:
            return _utils.fetch._IterableDatasetFetcher(
                dataset, auto_collation, collate_fn, drop_last
            )


class _InfiniteConstantSampler(Sampler):
    """Yields None forever: the sampler of an IterableDataset."""

    def __iter__(self):
        while True:
            yield None


class DataLoader(Generic[_T_co]):
    """Combines a dataset and a sampler, and iterates over batches, optionally in worker processes.

    Differs from PyTorch:

    * ``pin_memory`` is accepted and does nothing: a batch is a host buffer that JAX copies to
      the device when an op needs it.
    * Workers collate into numpy; the main process turns each batch into Tensors (CPU
      tensors, as PyTorch's loader yields). Tensors held by the dataset (a TensorDataset's,
      say) reach the workers as numpy arrays, and Tensors a worker returns cross back as
      numpy, so workers need no JAX.
    * The default start method is the platform's (fork on Linux), as in PyTorch. JAX does not
      survive fork: in a worker forked after JAX started, an op that must compile raises a
      RuntimeError instead of deadlocking. A Dataset that computes with torchlike ops should
      return numpy arrays, or run with ``multiprocessing_context='spawn'`` or
      ``'forkserver'`` (a fresh JAX per worker, on the CPU).
    """

    dataset: Dataset[_T_co]
    batch_size: int | None
    num_workers: int
    pin_memory: bool
    drop_last: bool
    timeout: float
    sampler: Sampler | Iterable
    prefetch_factor: int | None
    __initialized = False

    def __init__(
        self,
        dataset: Dataset[_T_co],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable | None = None,
        batch_sampler: Sampler[list] | Iterable[list] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context=None,
        generator=None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; "
                "use num_workers=0 to disable multiprocessing."
            )

        if timeout < 0:
            raise ValueError("timeout option should be non-negative")

        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                "to None."
            )
        elif num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")

        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        # Arguments that are meaningless for an IterableDataset must be left unspecified.
        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in {False, None}:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, "
                    f"but got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler option, "
                    f"but got sampler={sampler}"
                )
            elif batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified "
                    f"batch_sampler option, but got batch_sampler={batch_sampler}"
                )
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")

        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive "
                    "with batch_size, shuffle, sampler, and "
                    "drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            # no auto_collation
            raise ValueError(
                "batch_size=None option disables auto-batching "
                "and is mutually exclusive with drop_last"
            )

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)

        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator

        if collate_fn is None:
            if self._auto_collation:
                collate_fn = _utils.collate.default_collate
            else:
                collate_fn = _utils.collate.default_convert

        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers

        self.__initialized = True
        # len(dataset) as reported by len(dataloader), to warn if an IterableDataset yields more
        self._IterableDataset_len_called = None
        self._iterator = None

        self.check_worker_number_rationality()

    def _get_iterator(self) -> _BaseDataLoaderIter:
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        else:
            self.check_worker_number_rationality()
            return _MultiProcessingDataLoaderIter(self)

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, multiprocessing_context) -> None:
        if multiprocessing_context is not None:
            if self.num_workers > 0:
                if isinstance(multiprocessing_context, str):
                    valid_start_methods = python_multiprocessing.get_all_start_methods()
                    if multiprocessing_context not in valid_start_methods:
                        raise ValueError(
                            "multiprocessing_context option "
                            f"should specify a valid start method in {valid_start_methods!r}, "
                            f"but got multiprocessing_context={multiprocessing_context!r}"
                        )
                    multiprocessing_context = python_multiprocessing.get_context(
                        multiprocessing_context
                    )

                if not isinstance(
                    multiprocessing_context, python_multiprocessing.context.BaseContext
                ):
                    raise TypeError(
                        "multiprocessing_context option should be a valid context "
                        "object or a string specifying the start method, but got "
                        f"multiprocessing_context={multiprocessing_context}"
                    )
            else:
                raise ValueError(
                    "multiprocessing_context can only be used with "
                    "multi-process loading (num_workers > 0), but got "
                    f"num_workers={self.num_workers}"
                )

        self.__multiprocessing_context = multiprocessing_context

    def __setattr__(self, attr, val) -> None:
        if self.__initialized and attr in (
            "batch_size",
            "batch_sampler",
            "sampler",
            "drop_last",
            "dataset",
            "persistent_workers",
        ):
            raise ValueError(
                f"{attr} attribute should not be set after {self.__class__.__name__} is initialized"
            )

        super().__setattr__(attr, val)

    def __iter__(self) -> _BaseDataLoaderIter:
        # Persistent workers are started once and reused across epochs.
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        else:
            return self._get_iterator()

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        # what the fetcher is handed: batches of indices, or single indices
        if self._auto_collation:
            return self.batch_sampler
        else:
            return self.sampler

    def __len__(self) -> int:
        if self._dataset_kind == _DatasetKind.Iterable:
            # An IterableDataset's length is a guess at best; warn later if it is exceeded.
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    length = length // self.batch_size
                else:
                    length = -(-length // self.batch_size)
            return length
        else:
            return len(self._index_sampler)

    def check_worker_number_rationality(self) -> None:
        """Warn when num_workers exceeds the CPUs this process may use."""
        if not self.num_workers:
            return
        if hasattr(os, "sched_getaffinity"):
            max_num_worker_suggest = len(os.sched_getaffinity(0))
            cpuset_checked = True
        else:
            max_num_worker_suggest = os.cpu_count()
            cpuset_checked = False
        if max_num_worker_suggest is None or self.num_workers > max_num_worker_suggest:
            if max_num_worker_suggest is None:
                suggestion = (
                    "DataLoader is not able to compute a suggested max number of worker in "
                    "current system."
                )
            else:
                suggestion = (
                    "Our suggested max number of worker in current system is "
                    f"{max_num_worker_suggest}"
                    f"{'' if cpuset_checked else ' (`cpuset` is not taken into account)'}, "
                    "which is smaller than what this DataLoader is going to create."
                )
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes in total. "
                f"{suggestion} Please be aware that excessive worker creation might get "
                "DataLoader running slow or even freeze, lower the worker number to avoid "
                "potential slowness/freeze if necessary.",
                stacklevel=2,
            )


class _BaseDataLoaderIter:
    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        # The sampler iterator is created before the base seed is drawn, as in PyTorch; a
        # RandomSampler draws its own seed lazily, at the first batch.
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = int(
            torch.empty((), dtype=torch.int64).random_(generator=loader.generator).item()
        )
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0
        if loader.pin_memory and loader.pin_memory_device:
            warnings.warn("pin_memory_device is deprecated, the current accelerator will be used "
                          f"as the device,ignore pin_memory_device='{loader.pin_memory_device}'.",
                          stacklevel=2)
        if loader.pin_memory and not torch.accelerator.is_available():
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then "
                          "device pinned memory won't be used.", stacklevel=2)

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)  # may raise StopIteration

    def _next_data(self):
        raise NotImplementedError

    def __next__(self) -> Any:
        if self._sampler_iter is None:
            self._reset()
        data = self._next_data()
        self._num_yielded += 1
        if (
            self._dataset_kind == _DatasetKind.Iterable
            and self._IterableDataset_len_called is not None
            and self._num_yielded > self._IterableDataset_len_called
        ):
            warn_msg = (
                f"Length of IterableDataset {self._dataset} was reported to be "
                f"{self._IterableDataset_len_called}(when accessing len(dataloader)), but "
                f"{self._num_yielded} samples have been fetched. "
            )
            if self._num_workers > 0:
                warn_msg += (
                    "For multiprocessing data-loading, this could be caused by not properly "
                    "configuring the IterableDataset replica at each worker. Please see "
                    "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset "
                    "for examples."
                )
            warnings.warn(warn_msg, stacklevel=2)
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{self.__class__.__name__} cannot be pickled")


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader) -> None:
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        if self._num_workers != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires num_workers == 0")
        self._dataset_fetcher = _DatasetKind.create_fetcher(
            self._dataset_kind,
            self._dataset,
            self._auto_collation,
            self._collate_fn,
            self._drop_last,
        )

    def _next_data(self):
        index = self._next_index()  # may raise StopIteration
        return self._dataset_fetcher.fetch(index)  # may raise StopIteration


def _describe_exit(w) -> str:
    code = w.exitcode
    if code is not None and code < 0:
        try:
            return f" (killed by signal: {signal.Signals(-code).name})"
        except ValueError:
            return f" (killed by signal {-code})"
    if code is not None:
        return f" (exit code {code})"
    return ""


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Iterates once over the dataset with worker processes, yielding batches in sampler order.

    Each worker has an index queue; all share one result queue. Task ``i`` (a batch of
    indices) goes to worker ``i % num_workers``; results that arrive early wait in
    ``_task_info`` until their turn (unless in_order=False). At most
    ``prefetch_factor * num_workers`` tasks are outstanding. See PyTorch's dataloader.py
    for the full design notes, which this follows.
    """

    def __init__(self, loader) -> None:
        super().__init__(loader)

        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order

        if self._num_workers <= 0:
            raise AssertionError(
                "num_workers must be greater than 0 for MultiProcessingDataLoaderIter"
            )
        if self._prefetch_factor <= 0:
            raise AssertionError(
                "prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter"
            )

        if loader.multiprocessing_context is None:
            multiprocessing_context = python_multiprocessing.get_context()
        else:
            multiprocessing_context = loader.multiprocessing_context
        forked = multiprocessing_context.get_start_method() == "fork"

        # Tensors become numpy arrays on the way into the workers (see _bridge). A custom
        # collate_fn expects tensors (torch.stack, torch.tensor), which workers cannot make:
        # it runs in the main process on the samples the workers fetched.
        builtin = (_utils.collate.default_collate, _utils.collate.default_convert)
        self._main_collate = None if self._collate_fn in builtin else self._collate_fn
        worker_collate = _identity_collate if self._main_collate is not None else self._collate_fn
        dataset = _bridge.pack_for_worker(self._dataset, forked)
        collate_fn = _bridge.pack_for_worker(worker_collate, forked)
        worker_init_fn = _bridge.pack_for_worker(loader.worker_init_fn, forked)

        self._worker_result_queue = multiprocessing_context.Queue()
        self._shutdown = False
        self._workers_done_event = multiprocessing_context.Event()

        self._index_queues = []
        self._workers = []
        # Shutdown runs from a weakref finalizer that holds the queues itself: from __del__, a
        # garbage cycle could have closed the queues' pipes first, leaving workers unreachable.
        pool = _WorkerPool(self._workers, self._index_queues, self._workers_done_event)
        self._finalizer = weakref.finalize(self, pool.shutdown)
        try:
            for i in range(self._num_workers):
                index_queue = multiprocessing_context.Queue()
                # a worker must not block on exit flushing indices it will never read
                index_queue.cancel_join_thread()
                w = multiprocessing_context.Process(
                    target=_utils.worker._worker_loop,
                    args=(
                        self._dataset_kind,
                        dataset,
                        index_queue,
                        self._worker_result_queue,
                        self._workers_done_event,
                        self._auto_collation,
                        collate_fn,
                        self._drop_last,
                        self._base_seed,
                        worker_init_fn,
                        i,
                        self._num_workers,
                        self._persistent_workers,
                    ),
                )
                w.daemon = True
                with warnings.catch_warnings():
                    # JAX (and Python >= 3.12) warn on any fork of a threaded process; our
                    # workers never run JAX's threads (see _utils.worker._guard_jax).
                    warnings.filterwarnings(
                        "ignore", message="os.fork\\(\\) was called", category=RuntimeWarning
                    )
                    warnings.filterwarnings(
                        "ignore",
                        message="This process .* is multi-threaded",
                        category=DeprecationWarning,
                    )
                    w.start()
                self._index_queues.append(index_queue)
                self._workers.append(w)
        except BaseException:
            self._shutdown_workers()
            raise

        self._data_queue = self._worker_result_queue
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0  # idx of the next task to be sent to workers
        self._rcvd_idx = 0  # idx of the next task to be returned in __next__
        # task idx -> (worker_id,) while outstanding, (worker_id, data) once it arrived early
        self._task_info = {}
        self._tasks_outstanding = 0
        # which workers may still be sent tasks (an IterableDataset worker can run out)
        self._workers_status = [True for _ in range(self._num_workers)]
        self._workers_num_tasks = [0 for _ in range(self._num_workers)]
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # persistent workers: start a new epoch, and wait until every worker has
            # acknowledged it, so that no stale result of the last epoch leaks into this one
            for idx in range(self._num_workers):
                self._index_queues[idx].put(_utils.worker._ResumeIteration())
            resume_iteration_cnt = self._num_workers
            while resume_iteration_cnt > 0:
                return_idx, _ = self._get_data()
                if isinstance(return_idx, _utils.worker._ResumeIteration):
                    resume_iteration_cnt -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_get_data(self, timeout=_utils.MP_STATUS_CHECK_INTERVAL):
        # Poll the queue in short slices, checking between them that no worker died.
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                idx, data = self._data_queue.get(
                    timeout=max(0.0, min(_utils.WORKER_POLL_INTERVAL, remaining))
                )
            except queue.Empty:
                failed_workers = []
                for worker_id, w in enumerate(self._workers):
                    if self._workers_status[worker_id] and not w.is_alive():
                        failed_workers.append(w)
                        self._mark_worker_as_unavailable(worker_id)
                if failed_workers:
                    pids_str = ", ".join(str(w.pid) for w in failed_workers)
                    raise RuntimeError(
                        f"DataLoader worker (pid(s) {pids_str}) exited unexpectedly"
                        f"{_describe_exit(failed_workers[0])}"
                    ) from None
                if remaining <= 0:
                    return (False, None)
                continue
            if isinstance(data, bytes):
                data = _bridge.loads_in_main(data)
            return (True, (idx, data))

    def _get_data(self):
        if self._timeout > 0:
            success, data = self._try_get_data(self._timeout)
            if success:
                return data
            else:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
        else:
            while True:
                success, data = self._try_get_data()
                if success:
                    return data

    def _next_data(self):
        while True:
            # Skip tasks whose worker is gone without sending data (only an exhausted
            # IterableDataset worker), then return the next task's data if it is here.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx, None)
                if info:
                    worker_id = info[0]
                    if len(info) == 2 or self._workers_status[worker_id]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                # no outstanding task: the epoch is over
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration

            if len(self._task_info[self._rcvd_idx]) == 2:
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

            if self._shutdown or self._tasks_outstanding <= 0:
                raise AssertionError(
                    "Invalid iterator state: shutdown or no outstanding tasks when fetching "
                    "next data"
                )
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if self._dataset_kind == _DatasetKind.Iterable and isinstance(
                data, _utils.worker._IterableDatasetStopIteration
            ):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue

            if idx != self._rcvd_idx:
                if not self._in_order:
                    worker_id = self._task_info.pop(idx)[0]
                    return self._process_data(data, worker_id)
                # an early arrival: keep it until its turn
                self._task_info[idx] += (data,)
            else:
                worker_id = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _try_put_index(self):
        max_tasks = self._prefetch_factor * self._num_workers
        if self._tasks_outstanding >= max_tasks:
            raise AssertionError("Number of outstanding tasks exceeded maximum allowed tasks")

        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):  # find the next active worker, if any
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx]:
                if self._in_order:
                    break
                elif self._workers_num_tasks[worker_queue_idx] < max_tasks // sum(
                    self._workers_status
                ):
                    # out of order: don't pile tasks on a slow worker
                    break
        else:
            # not found (i.e., didn't break)
            return

        self._index_queues[worker_queue_idx].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_queue_idx,)
        self._workers_num_tasks[worker_queue_idx] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data, worker_idx):
        self._workers_num_tasks[worker_idx] -= 1
        self._try_put_index()
        if isinstance(data, _utils.worker.ExceptionWrapper):
            data.reraise()
        if self._main_collate is not None:
            data = self._main_collate(data)
        return data

    def _mark_worker_as_unavailable(self, worker_id, shutdown=False):
        # Tell the worker to exit (it drains nothing more); at shutdown the done event
        # makes it skip any remaining indices.
        q = self._index_queues[worker_id]
        q.put(None)
        self._workers_status[worker_id] = False

    def _shutdown_workers(self):
        # At the end of an epoch (unless persistent), and when the iterator is collected.
        self._shutdown = True
        self._finalizer()


def _identity_collate(batch):
    """The workers' collate when a custom collate_fn runs in the main process."""
    return batch


class _WorkerPool:
    """The worker processes and their queues, for shutting them down without the iterator."""

    def __init__(self, workers, index_queues, done_event):
        self.workers = workers
        self.index_queues = index_queues
        self.done_event = done_event

    def shutdown(self):
        try:
            # The done event makes workers skip the indices still queued; None makes them exit.
            self.done_event.set()
            for q in self.index_queues:
                q.put(None)
            deadline = time.monotonic() + _utils.WORKER_JOIN_TIMEOUT
            for w in self.workers:
                w.join(timeout=max(0.0, deadline - time.monotonic()))
            for q in self.index_queues:
                q.cancel_join_thread()
                q.close()
        finally:
            for w in self.workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=_utils.MP_STATUS_CHECK_INTERVAL)
                if w.is_alive():  # ignored SIGTERM
                    w.kill()
                    w.join()
