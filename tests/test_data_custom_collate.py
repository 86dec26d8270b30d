"""A custom collate_fn that builds tensors, with worker processes, as in PyTorch."""

import numpy as np

import torchlike as tl
from tests._oracle import import_torch

torch = import_torch()


class _TorchPairs(torch.utils.data.Dataset):
    def __init__(self):
        self.x = torch.arange(40.0).reshape(20, 2)

    def __len__(self):
        return 20

    def __getitem__(self, i):
        return {"x": self.x[i], "i": i}


class _TlPairs(tl.utils.data.Dataset):
    def __init__(self):
        self.x = tl.arange(40.0).reshape(20, 2)

    def __len__(self):
        return 20

    def __getitem__(self, i):
        return {"x": self.x[i], "i": i}


def _torch_collate(items):
    return torch.stack([it["x"] for it in items]), torch.tensor([it["i"] for it in items])


def _tl_collate(items):
    return tl.stack([it["x"] for it in items]), tl.tensor([it["i"] for it in items])


def _batches(lib, ds, collate):
    loader = lib.utils.data.DataLoader(ds, batch_size=6, num_workers=2, collate_fn=collate)
    return [(x.numpy(), i.numpy(), type(x).__name__) for x, i in loader]


def test_custom_collate_with_workers_matches_torch():
    a = _batches(torch, _TorchPairs(), _torch_collate)
    b = _batches(tl, _TlPairs(), _tl_collate)
    assert len(a) == len(b) == 4
    for (xa, ia, ta), (xb, ib, tb) in zip(a, b):
        np.testing.assert_array_equal(xb, xa)
        np.testing.assert_array_equal(ib, ia)
        assert ta == tb == "Tensor"
