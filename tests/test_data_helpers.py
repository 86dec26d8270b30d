"""Datasets for the DataLoader worker tests, importable by a spawned worker without the oracle."""

import numpy as np

import torchlike as tl
import torchlike.utils.data as tld


class MakesTensors(tld.Dataset):
    """Builds torchlike Tensors in __getitem__, with an op on an unusual shape (a fresh compile)."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        x = tl.from_numpy(np.full((3, 13, 7), i, np.float32)) * 3
        return x.sum(dim=(1, 2)), tl.tensor(i)


class ReportsBackend(tld.Dataset):
    """Returns the JAX backend its worker computes on."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        import jax

        (tl.ones(3) * i).sum()
        return jax.default_backend()
