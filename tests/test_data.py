"""torchlike.utils.data against real PyTorch: collation, datasets, samplers, single-process DataLoader."""

import collections
import warnings

import numpy as np
import pytest

from tests._oracle import import_torch

torch = import_torch()
import torch.utils.data as td

import torchlike as tl
import torchlike.utils.data as tld

Point = collections.namedtuple("Point", ["x", "y"])


def as_py(obj):
    """A structure with every tensor (either library's) replaced by (dtype name, shape, values)."""
    if isinstance(obj, (torch.Tensor, tl.Tensor)):
        arr = obj.detach().numpy()
        return ("T", str(obj.dtype).split(".")[-1], tuple(arr.shape), arr.tolist())
    if isinstance(obj, np.ndarray):
        return ("A", obj.dtype.str, obj.tolist())
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__, tuple(as_py(o) for o in obj))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [as_py(o) for o in obj])
    if isinstance(obj, dict):
        return {k: as_py(v) for k, v in obj.items()}
    return obj


def to_lib(obj, lib):
    """Turn ("tensor", value, dtype) placeholders into ``lib`` tensors."""
    if isinstance(obj, tuple) and obj and obj[0] == "tensor":
        return lib.tensor(obj[1], dtype=getattr(lib, obj[2]))
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(to_lib(o, lib) for o in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_lib(o, lib) for o in obj)
    if isinstance(obj, dict):
        return {k: to_lib(v, lib) for k, v in obj.items()}
    return obj


def outcome(fn, *args):
    """(as_py(result)) or (exception type name, message) of fn(*args)."""
    try:
        return as_py(fn(*args))
    except Exception as e:  # noqa: BLE001
        return (type(e).__name__, str(e))


COLLATE_BATCHES = {
    "ints": [0, 1, 2],
    "floats": [0.5, 1.5],
    "bools": [True, False],
    "int_then_float": [1, 2.5],
    "float_then_int": [1.0, 2],
    "bool_then_int": [True, 2],
    "big_ints": [2**62, -(2**62)],
    "np_f32_scalars": [np.float32(1), np.float32(2)],
    "np_mixed_scalars": [np.float64(1), np.float32(2)],
    "np_int_float": [np.int64(1), np.float32(2)],
    "np_uint8_int8": [np.uint8(1), np.int8(2)],
    "np_int32": [np.int32(1), np.int32(2)],
    "np_bool": [np.bool_(True), np.bool_(False)],
    "np_arrays": [np.arange(6, dtype=np.float32).reshape(2, 3), np.ones((2, 3), np.float32)],
    "np_0d_f16": [np.array(1.5, dtype=np.float16)] * 2,
    "np_int64_arrays": [np.arange(3), np.arange(3, 6)],
    "strings": ["a", "bc"],
    "np_strings": [np.str_("a"), np.str_("b")],
    "bytes": [b"x", b"y"],
    "dicts": [{"a": 1, "b": (2.0, "s")}, {"a": 3, "b": (4.0, "t")}],
    "namedtuples": [Point(1, np.zeros(2)), Point(2, np.ones(2))],
    "tuples": [(0, 1.0), (2, 3.0)],
    "lists": [[0, 1], [2, 3]],
    "nested": [{"x": [np.float64(1), {"y": b"z"}]}, {"x": [np.float64(2), {"y": b"w"}]}],
    # errors
    "ragged_lists": [[1, 2], [1]],
    "ragged_arrays": [np.zeros(1), np.zeros(2)],
    "ragged_arrays_2d": [np.zeros((1, 2)), np.zeros((1, 3))],
    "str_arrays": [np.array(["a"]), np.array(["b"])],
    "object_arrays": [np.array([1], dtype=object)] * 2,
    "none": [None, None],
    "object": [object(), object()],
    "complex": [1j, 2j],
    "int_then_str": [1, "a"],
}


@pytest.mark.parametrize("name", list(COLLATE_BATCHES))
def test_default_collate_matches_torch(name):
    batch = COLLATE_BATCHES[name]
    expected = outcome(td.default_collate, batch)
    got = outcome(tld.default_collate, batch)
    if name in ("object",):  # the message names the class; both say "object"
        assert got[0] == expected[0]
    else:
        assert got == expected


@pytest.mark.parametrize(
    "batch",
    [
        [("tensor", [1.0, 2.0], "float32"), ("tensor", [3.0, 4.0], "float32")],
        [("tensor", 1, "int64"), ("tensor", 2, "int64")],
        [{"t": ("tensor", [1, 2], "int32"), "n": 1}, {"t": ("tensor", [3, 4], "int32"), "n": 2}],
        [("tensor", [1.0], "float32"), ("tensor", [1.0, 2.0], "float32")],  # ragged
    ],
)
def test_default_collate_tensors(batch):
    expected = outcome(td.default_collate, to_lib(batch, torch))
    assert outcome(tld.default_collate, to_lib(batch, tl)) == expected


@pytest.mark.parametrize(
    "data",
    [
        0,
        "s",
        np.float32(3),
        np.arange(3),
        np.array(["x"]),
        (np.zeros(2), 1),
        [np.zeros(1), "a"],
        {"k": np.ones(2, np.int32)},
        Point(np.array(0), 1),
    ],
)
def test_default_convert_matches_torch(data):
    assert outcome(tld.default_convert, data) == outcome(td.default_convert, data)


def test_collate_fn_map_extension_point():
    from torchlike.utils.data._utils.collate import collate, default_collate_fn_map

    def collate_str(batch, *, collate_fn_map=None):
        return "|".join(batch)

    assert collate(["a", "b"], collate_fn_map={**default_collate_fn_map, str: collate_str}) == "a|b"


# ---------------------------------------------------------------------------------- datasets


class Squares(tld.Dataset):
    def __init__(self, n=7):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i


class TorchSquares(td.Dataset):
    def __init__(self, n=7):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i


class Stream(tld.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class TorchStream(td.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_tensor_dataset():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    ours = tld.TensorDataset(tl.tensor(x), tl.tensor(y))
    ref = td.TensorDataset(torch.tensor(x), torch.tensor(y))
    assert len(ours) == len(ref) == 6
    assert as_py(ours[2]) == as_py(ref[2])
    assert as_py(ours[1:3]) == as_py(ref[1:3])
    with pytest.raises(AssertionError, match="Size mismatch"):
        tld.TensorDataset(tl.zeros(2), tl.zeros(3))


def test_concat_chain_subset_stack():
    ours = tld.ConcatDataset([Squares(3), Squares(4)])
    ref = td.ConcatDataset([TorchSquares(3), TorchSquares(4)])
    assert len(ours) == len(ref) == 7
    assert ours.cumulative_sizes == ref.cumulative_sizes
    assert [ours[i] for i in range(-7, 7)] == [ref[i] for i in range(-7, 7)]
    with pytest.raises(ValueError, match="absolute value of index"):
        ours[-8]
    assert len(Squares(2) + Squares(3)) == 5
    with pytest.raises(AssertionError):
        tld.ConcatDataset([])
    with pytest.raises(AssertionError):
        tld.ConcatDataset([Stream(2)])

    chain = Stream(2) + Stream(3)
    assert isinstance(chain, tld.ChainDataset)
    assert list(chain) == list(TorchStream(2) + TorchStream(3))
    assert len(chain) == 5
    with pytest.raises(AssertionError):
        list(tld.ChainDataset([Squares(2)]))

    sub = tld.Subset(Squares(), [4, 0, 2])
    assert len(sub) == 3 and sub[0] == 16 and sub.__getitems__([1, 2]) == [0, 4]

    class BadSubset(tld.Subset):
        def __getitem__(self, idx):
            return 0

    with pytest.raises(NotImplementedError):
        BadSubset(Squares(), [0])

    st = tld.StackDataset(Squares(3), Squares(3))
    assert st[2] == (4, 4) and st.__getitems__([0, 1]) == [(0, 0), (1, 1)]
    sd = tld.StackDataset(a=Squares(3), b=sub)
    assert sd[1] == {"a": 1, "b": 0}
    assert sd.__getitems__([0, 2]) == [{"a": 0, "b": 16}, {"a": 4, "b": 4}]
    for args, kwargs in [
        ((Squares(2), Squares(3)), {}),
        ((Squares(2),), {"a": Squares(2)}),
        ((), {}),
    ]:
        with pytest.raises(ValueError):
            tld.StackDataset(*args, **kwargs)

    with pytest.raises(NotImplementedError):
        tld.Dataset()[0]


@pytest.mark.parametrize("lengths", [[3, 4], [0.5, 0.5], [0.3, 0.3, 0.4], [0.1, 0.9], [7], [2, 2]])
def test_random_split_matches_torch(lengths):
    def run(lib, mod, ds):
        g = lib.Generator().manual_seed(42)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return [list(s.indices) for s in mod.random_split(ds, lengths, generator=g)]
            except ValueError as e:
                return ("ValueError", str(e))

    assert run(tl, tld, Squares()) == run(torch, td, TorchSquares())


def test_random_split_default_generator():
    tl.manual_seed(3)
    torch.manual_seed(3)
    ours = [list(s.indices) for s in tld.random_split(Squares(), [3, 4])]
    assert ours == [list(s.indices) for s in td.random_split(TorchSquares(), [3, 4])]
    with pytest.raises(ValueError, match="Fraction at index 0"):
        tld.random_split(Squares(), [1.5, -0.5])


# ---------------------------------------------------------------------------------- samplers


def test_sequential_and_batch_sampler():
    assert list(tld.SequentialSampler(range(5))) == list(td.SequentialSampler(range(5)))
    for drop_last in (False, True):
        ours = tld.BatchSampler(tld.SequentialSampler(range(10)), 3, drop_last)
        ref = td.BatchSampler(td.SequentialSampler(range(10)), 3, drop_last)
        assert list(ours) == list(ref) and len(ours) == len(ref)
    for bad in [(0, False), (True, False), (2, 1)]:
        with pytest.raises(ValueError):
            tld.BatchSampler(range(3), *bad)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"num_samples": 11},
        {"num_samples": 3},
        {"replacement": True},
        {"replacement": True, "num_samples": 70},
    ],
)
def test_random_sampler_matches_torch(kwargs):
    ours = tld.RandomSampler(range(7), generator=tl.Generator().manual_seed(5), **kwargs)
    ref = td.RandomSampler(range(7), generator=torch.Generator().manual_seed(5), **kwargs)
    assert len(ours) == len(ref)
    assert list(ours) == list(ref)
    assert list(ours) == list(ref)  # the generator advances the same way


def test_random_sampler_global_rng_and_errors():
    tl.manual_seed(11)
    torch.manual_seed(11)
    assert list(tld.RandomSampler(range(9))) == list(td.RandomSampler(range(9)))
    with pytest.raises(TypeError):
        tld.RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError):
        tld.RandomSampler(range(3), num_samples=0)


def test_subset_and_weighted_samplers_match_torch():
    idx = [10, 20, 30, 40, 50]
    ours = tld.SubsetRandomSampler(idx, generator=tl.Generator().manual_seed(1))
    ref = td.SubsetRandomSampler(idx, generator=torch.Generator().manual_seed(1))
    assert list(ours) == list(ref) and len(ours) == 5

    w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    for replacement, n in [(True, 12), (False, 5)]:
        ours = tld.WeightedRandomSampler(w, n, replacement, generator=tl.Generator().manual_seed(2))
        ref = td.WeightedRandomSampler(
            w, n, replacement, generator=torch.Generator().manual_seed(2)
        )
        assert list(ours) == list(ref) and len(ours) == n
    for args in [(w, 0), (w, True), (w, 2, 1), ([[1.0, 2.0]], 1)]:
        with pytest.raises(ValueError):
            tld.WeightedRandomSampler(*args)


@pytest.mark.parametrize(
    "n,kwargs",
    [
        (10, {"num_replicas": 3, "rank": 1}),
        (10, {"num_replicas": 3, "rank": 2, "drop_last": True}),
        (10, {"num_replicas": 4, "rank": 0, "shuffle": False}),
        (2, {"num_replicas": 5, "rank": 4, "seed": 7}),
    ],
)
def test_distributed_sampler_matches_torch(n, kwargs):
    ours = tld.DistributedSampler(range(n), **kwargs)
    ref = td.DistributedSampler(range(n), **kwargs)
    for epoch in (0, 3):
        ours.set_epoch(epoch)
        ref.set_epoch(epoch)
        assert list(ours) == list(ref) and len(ours) == len(ref)


def test_distributed_sampler_errors():
    with pytest.raises(ValueError, match="Invalid rank 3"):
        tld.DistributedSampler(range(3), num_replicas=3, rank=3)
    with pytest.raises((RuntimeError, ValueError)):
        tld.DistributedSampler(range(3))


# ---------------------------------------------------------------------- single-process DataLoader


class Records(tld.Dataset):
    """Samples of mixed types: array, number, string, nested dict."""

    def __len__(self):
        return 7

    def __getitem__(self, i):
        return {
            "x": np.full((2,), i, np.float32),
            "y": i,
            "meta": (f"s{i}", float(i) / 2),
        }


class TorchRecords(td.Dataset):
    def __len__(self):
        return 7

    def __getitem__(self, i):
        return Records()[i]


def batches(lib, mod, ds, **kwargs):
    return [as_py(b) for b in mod.DataLoader(ds, **kwargs)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"batch_size": 3},
        {"batch_size": 3, "drop_last": True},
        {"batch_size": None},
        {"batch_size": 2, "collate_fn": lambda b: [len(b), b[0]["y"]]},
    ],
)
def test_dataloader_matches_torch(kwargs):
    ours = tld.DataLoader(Records(), **kwargs)
    ref = td.DataLoader(TorchRecords(), **kwargs)
    assert len(ours) == len(ref)
    assert batches(tl, tld, Records(), **kwargs) == batches(torch, td, TorchRecords(), **kwargs)


def test_dataloader_samplers_match_torch():
    for make in [
        lambda m, lib: {"sampler": [6, 0, 3], "batch_size": 2},
        lambda m, lib: {"batch_sampler": [[1, 2], [6], [0, 5, 4]]},
        lambda m, lib: {
            "sampler": m.SubsetRandomSampler([1, 3, 5], generator=lib.Generator().manual_seed(0)),
            "batch_size": 2,
        },
    ]:
        ours = batches(tl, tld, Records(), **make(tld, tl))
        assert ours == batches(torch, td, TorchRecords(), **make(td, torch))


def test_dataloader_shuffle_matches_torch():
    # the base seed and the RandomSampler's seed both come from the global RNG, in torch's order
    for seed in (0, 123):
        tl.manual_seed(seed)
        torch.manual_seed(seed)
        kw = {"batch_size": 3, "shuffle": True}
        for _ in range(2):  # two epochs
            assert batches(tl, tld, Records(), **kw) == batches(torch, td, TorchRecords(), **kw)
    kw = {"batch_size": 2, "shuffle": True}
    ours = batches(tl, tld, Records(), generator=tl.Generator().manual_seed(9), **kw)
    assert ours == batches(
        torch, td, TorchRecords(), generator=torch.Generator().manual_seed(9), **kw
    )


def test_dataloader_tensor_dataset_matches_torch():
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10) % 3
    ours = tld.DataLoader(tld.TensorDataset(tl.tensor(x), tl.tensor(y)), batch_size=4)
    ref = td.DataLoader(td.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=4)
    assert [as_py(b) for b in ours] == [as_py(b) for b in ref]
    assert all(isinstance(t, tl.Tensor) for b in ours for t in b)

    # batches gathered in one step must equal the stacked samples, through Subset and for a
    # collate_fn or a subclass that sees the samples themselves
    class Plus(td.TensorDataset):
        def __getitem__(self, i):
            return tuple(t[i] + 1 for t in self.tensors)

    class OurPlus(tld.TensorDataset):
        def __getitem__(self, i):
            return tuple(t[i] + 1 for t in self.tensors)

    def first_and_len(batch):
        return [batch[0], len(batch), list(zip(*batch))[1]]

    tds = td.TensorDataset(torch.tensor(x), torch.tensor(y))
    ods = tld.TensorDataset(tl.tensor(x), tl.tensor(y))
    for make_ref, make_ours, kw in [
        (lambda: td.Subset(tds, [9, 2, 4, 4, 0]), lambda: tld.Subset(ods, [9, 2, 4, 4, 0]), {}),
        (lambda: tds, lambda: ods, {"collate_fn": first_and_len}),
        (lambda: Plus(*tds.tensors), lambda: OurPlus(*ods.tensors), {}),
    ]:
        ref = [as_py(b) for b in td.DataLoader(make_ref(), batch_size=3, **kw)]
        assert [as_py(b) for b in tld.DataLoader(make_ours(), batch_size=3, **kw)] == ref


def test_dataloader_iterable_dataset():
    for kw in [{}, {"batch_size": 2}, {"batch_size": 2, "drop_last": True}, {"batch_size": None}]:
        ours = tld.DataLoader(Stream(5), **kw)
        ref = td.DataLoader(TorchStream(5), **kw)
        assert len(ours) == len(ref)
        assert [as_py(b) for b in ours] == [as_py(b) for b in ref]

    class Liar(Stream):
        def __len__(self):
            return 2

    loader = tld.DataLoader(Liar(3), batch_size=None)
    assert len(loader) == 2
    with pytest.warns(UserWarning, match="was reported to be 2"):
        list(loader)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_workers": -1},
        {"timeout": -1},
        {"prefetch_factor": 2},
        {"num_workers": 1, "prefetch_factor": -1},
        {"persistent_workers": True},
        {"shuffle": True, "sampler": [0]},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_sampler": [[0]], "drop_last": True},
        {"batch_size": None, "drop_last": True},
        {"multiprocessing_context": "fork"},
        {"num_workers": 1, "multiprocessing_context": "nope"},
        {"num_workers": 1, "multiprocessing_context": 3},
    ],
)
def test_dataloader_argument_errors_match_torch(kwargs):
    def err(mod, ds):
        try:
            mod.DataLoader(ds, **kwargs)
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e)
        return None

    assert err(tld, Records()) == err(td, TorchRecords())


def test_dataloader_iterable_argument_errors_match_torch():
    for kw in [{"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}]:
        with pytest.raises(ValueError) as ours:
            tld.DataLoader(Stream(2), **kw)
        with pytest.raises(ValueError) as ref:
            td.DataLoader(TorchStream(2), **kw)
        assert str(ours.value).split(",")[0] == str(ref.value).split(",")[0]


def test_dataloader_misc():
    loader = tld.DataLoader(Records(), batch_size=2, pin_memory=True)
    assert loader.pin_memory and len(list(loader)) == 4
    with pytest.raises(ValueError, match="should not be set"):
        loader.batch_size = 3
    assert tld.get_worker_info() is None
    with pytest.raises(AssertionError):  # as torch: timeout needs workers
        iter(tld.DataLoader(Records(), timeout=1))
    it = iter(loader)
    assert len(it) == 4
    with pytest.raises(NotImplementedError):
        import pickle

        pickle.dumps(it)
    with pytest.raises(NotImplementedError, match="DataPipes"):
        _ = tld.IterDataPipe
