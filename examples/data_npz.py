"""Classification from arrays in an .npz file, through a DataLoader with workers.

Run: python examples/data_npz.py   (written the PyTorch way; only the import differs)
"""

import os
import tempfile

import numpy as np

import torchlike as torch
from torchlike import nn
from torchlike.utils.data import DataLoader, Dataset, random_split


class NpzDataset(Dataset):
    """Samples (features, label) from the arrays "x" and "y" of an .npz file."""

    def __init__(self, path):
        with np.load(path) as f:
            self.x = f["x"].astype(np.float32)
            self.y = f["y"].astype(np.int64)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        # a little per-item work, done in the workers: standardise the features
        x = self.x[i]
        return (x - x.mean()) / (x.std() + 1e-6), self.y[i]


def write_npz(path, n=600, d=8, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=3.0, size=(classes, d))
    y = rng.integers(0, classes, size=n)
    x = centers[y] + rng.normal(size=(n, d))
    np.savez(path, x=x, y=y)


def accuracy(model, loader):
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
            total += y.shape[0]
    return correct / total


def main(epochs=5):
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data.npz")
        write_npz(path)
        dataset = NpzDataset(path)

    train, test = random_split(dataset, [0.8, 0.2], generator=torch.Generator().manual_seed(0))
    train_loader = DataLoader(train, batch_size=32, shuffle=True, num_workers=2, drop_last=True)
    test_loader = DataLoader(test, batch_size=64, num_workers=2)

    model = nn.Linear(8, 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()

    for epoch in range(epochs):
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
        print(
            f"epoch {epoch}: loss {loss.item():.4f} test accuracy {accuracy(model, test_loader):.3f}"
        )
    return accuracy(model, test_loader)


if __name__ == "__main__":
    main()
