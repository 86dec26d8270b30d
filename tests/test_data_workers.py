"""DataLoader with worker processes, against real PyTorch: order, seeds, failures, no leaked processes.

Worker starts are slow on a small machine, so each test starts few workers and does several checks.
"""

import gc
import math
import multiprocessing
import os
import signal
import time

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()
pytestmark = [
    pytest.mark.filterwarnings("ignore:os.fork:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:This process:DeprecationWarning"),
]
import torch.utils.data as td

import torchlike as tl
import torchlike.utils.data as tld


def as_py(obj):
    if isinstance(obj, (torch.Tensor, tl.Tensor)):
        arr = obj.detach().numpy()
        return ("T", str(obj.dtype).split(".")[-1], tuple(arr.shape), arr.tolist())
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [as_py(o) for o in obj])
    if isinstance(obj, dict):
        return {k: as_py(v) for k, v in obj.items()}
    return obj


def assert_no_children(timeout=10.0):
    deadline = time.monotonic() + timeout
    while multiprocessing.active_children() and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.05)
    assert multiprocessing.active_children() == []


@pytest.fixture(autouse=True)
def _no_leaks():
    assert_no_children()
    yield
    gc.collect()
    assert_no_children()


class Slow:
    """Later items are faster, so workers finish out of order; returns mixed types."""

    def __init__(self, n=9):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        time.sleep(0.002 * ((self.n - i) % 4))
        return {"x": np.full((2,), i, np.float32), "y": i, "name": f"s{i}"}


class OurSlow(Slow, tld.Dataset):
    pass


class TorchSlow(Slow, td.Dataset):
    pass


class WhoAmI:
    """Reports the worker info it sees (id, num_workers, seed) and the numpy and torch draws."""

    def __init__(self, lib_utils, lib):
        self.utils = lib_utils
        self.lib = lib

    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = self.utils.get_worker_info()
        return [i, info.id, info.num_workers, info.seed, int(np.random.randint(0, 2**31))]


class Shard:
    """An IterableDataset splitting range(start, end) across workers via get_worker_info."""

    def __init__(self, start, end, utils):
        self.start, self.end, self.utils = start, end, utils

    def __iter__(self):
        info = self.utils.get_worker_info()
        per_worker = math.ceil((self.end - self.start) / float(info.num_workers))
        lo = self.start + info.id * per_worker
        return iter(range(lo, min(lo + per_worker, self.end)))


class OurShard(Shard, tld.IterableDataset):
    pass


class TorchShard(Shard, td.IterableDataset):
    pass


class Failing(tld.Dataset):
    def __init__(self, mode):
        self.mode = mode

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            if self.mode == "raise":
                raise ValueError(f"bad sample {i}")
            if self.mode == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if self.mode == "hang":
                time.sleep(3)
        return i


def test_workers_keep_sampler_order_and_match_torch():
    for kw in [
        {"batch_size": 2},
        {"batch_size": 2, "drop_last": True, "sampler": [8, 1, 7, 0, 3, 2, 5]},
        {"batch_size": None},
        {"batch_size": 1, "prefetch_factor": 1},
    ]:
        ours = [as_py(b) for b in tld.DataLoader(OurSlow(), num_workers=2, **kw)]
        ref = [as_py(b) for b in td.DataLoader(TorchSlow(), num_workers=2, **kw)]
        assert ours == ref
        kw.pop("prefetch_factor", None)
        assert ours == [as_py(b) for b in tld.DataLoader(OurSlow(), **kw)]
    # a seeded shuffle: PyTorch's order, through the workers
    tl.manual_seed(5)
    torch.manual_seed(5)
    kw = {"batch_size": 2, "shuffle": True, "num_workers": 2}
    ours = [as_py(b) for b in tld.DataLoader(OurSlow(), **kw)]
    assert ours == [as_py(b) for b in td.DataLoader(TorchSlow(), **kw)]
    # in_order=False: the same batches, in whatever order they were ready
    loader = tld.DataLoader(OurSlow(), batch_size=2, num_workers=2, in_order=False)
    got = sorted(b["y"].tolist() for b in loader)
    assert got == [[0, 1], [2, 3], [4, 5], [6, 7], [8]]
    assert all(isinstance(b["x"], tl.Tensor) for b in loader)


def test_worker_info_and_seeds_match_torch():
    def run(mod, lib):
        loader = mod.DataLoader(
            WhoAmI(mod, lib),
            batch_size=1,
            num_workers=2,
            generator=lib.Generator().manual_seed(7),
            collate_fn=lambda b: b[0],
        )
        return list(loader)

    assert run(tld, tl) == run(td, torch)


def test_iterable_dataset_split_across_workers_matches_torch():
    for kw in [{"batch_size": 2}, {"batch_size": None}, {"batch_size": 2, "drop_last": True}]:
        ours = [as_py(b) for b in tld.DataLoader(OurShard(3, 12, tld), num_workers=2, **kw)]
        ref = [as_py(b) for b in td.DataLoader(TorchShard(3, 12, td), num_workers=2, **kw)]
        assert ours == ref


def test_tensor_dataset_forked_after_jax_started():
    # JAX is running here (tensors exist); workers are forked and must not touch it
    x = tl.arange(24, dtype=tl.float32).reshape(12, 2) * 2
    y = tl.arange(12) % 5
    ds = tld.Subset(tld.TensorDataset(x, y), list(range(1, 12)))
    loader = tld.DataLoader(
        ds, batch_size=4, num_workers=2, multiprocessing_context="fork", persistent_workers=True
    )
    ref = td.DataLoader(
        td.Subset(td.TensorDataset(torch.tensor(x.numpy()), torch.tensor(y.numpy())), range(1, 12)),
        batch_size=4,
    )
    expected = [as_py(b) for b in ref]
    for _ in range(2):  # persistent workers serve a second epoch
        batches = list(loader)
        assert [as_py(b) for b in batches] == expected
        assert all(type(t) is tl.Tensor for b in batches for t in b)
    next(iter(loader))  # an epoch left early: its prefetched batches must not leak into the next
    assert [as_py(b) for b in loader] == expected
    workers = loader._iterator._workers
    assert all(w.is_alive() for w in workers)
    del loader, batches
    gc.collect()
    assert not any(w.is_alive() for w in workers)


def test_dataset_making_tensors_fork_and_spawn():
    from tests.test_data_helpers import MakesTensors

    # fork after JAX started: compiling in the worker would deadlock; it raises instead (run
    # first, before this process has compiled the dataset's ops, which the fork would inherit)
    tl.ones(2).sum()
    loader = tld.DataLoader(
        MakesTensors(), batch_size=2, num_workers=1, multiprocessing_context="fork", timeout=60
    )
    with pytest.raises(RuntimeError, match="forked after JAX started"):
        list(loader)
    # spawn: a fresh JAX in the worker; the Tensors it returns cross as numpy
    loader = tld.DataLoader(
        MakesTensors(), batch_size=2, num_workers=1, multiprocessing_context="spawn", timeout=60
    )
    batches = list(loader)
    expected = [as_py(b) for b in tld.DataLoader(MakesTensors(), batch_size=2)]
    assert [as_py(b) for b in batches] == expected
    assert all(type(t) is tl.Tensor for b in batches for t in b)


def _failing_init(worker_id):
    return 1 / 0


def test_worker_exception_is_reraised_with_traceback():
    loader = tld.DataLoader(Failing("raise"), batch_size=2, num_workers=2)
    it = iter(loader)
    assert next(it).tolist() == [0, 1]
    assert next(it).tolist() == [2, 3]
    with pytest.raises(ValueError) as exc:
        next(it)
    msg = str(exc.value)
    assert "Caught ValueError in DataLoader worker process 0" in msg
    assert "bad sample 5" in msg and "__getitem__" in msg and "Traceback" in msg
    # as in PyTorch, the iterator goes on after an exception
    assert next(it).tolist() == [6, 7]
    with pytest.raises(StopIteration):
        next(it)
    # a for loop that raises leaves no process behind once the iterator is dropped
    with pytest.raises(ValueError):
        for _ in loader:
            pass
    # an exception in worker_init_fn surfaces at the first batch
    loader = tld.DataLoader(
        Failing("raise"), batch_size=2, num_workers=1, worker_init_fn=_failing_init
    )
    with pytest.raises(ZeroDivisionError, match="in DataLoader worker process 0"):
        next(iter(loader))


def test_worker_killed_raises():
    loader = tld.DataLoader(Failing("kill"), batch_size=2, num_workers=2)
    with pytest.raises(
        RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"
    ):
        for _ in loader:
            pass


def test_timeout_raises_and_early_break_cleans_up():
    loader = tld.DataLoader(Failing("hang"), batch_size=2, num_workers=2, timeout=0.5)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.5 seconds"):
        for _ in loader:
            pass
    assert time.monotonic() - start < 5
    gc.collect()
    assert_no_children()

    it = iter(tld.DataLoader(OurSlow(), batch_size=1, num_workers=2))
    next(it)
    workers = list(it._workers)
    for batch in it:
        break
    del it, batch
    gc.collect()
    assert not any(w.is_alive() for w in workers)
