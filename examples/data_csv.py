"""Linear regression on a CSV file, read by a custom Dataset through a DataLoader with workers.

Run: python examples/data_csv.py   (written the PyTorch way; only the import differs)
"""

import csv
import os
import tempfile

import numpy as np

import torchlike as torch
from torchlike import nn
from torchlike.utils.data import DataLoader, Dataset

FEATURES = ("x1", "x2", "x3")
TRUE_W, TRUE_B = np.array([1.5, -2.0, 0.5]), 0.3


class CSVDataset(Dataset):
    """The rows of a CSV file with columns x1, x2, x3, y; parsed per item, in the workers."""

    def __init__(self, path):
        with open(path, newline="") as f:
            self.rows = list(csv.DictReader(f))

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        row = self.rows[i]
        x = np.array([float(row[k]) for k in FEATURES], dtype=np.float32)
        y = np.array([float(row["y"])], dtype=np.float32)
        return x, y


def write_csv(path, n=512, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = x @ TRUE_W + TRUE_B + 0.01 * rng.normal(size=n)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*FEATURES, "y"])
        writer.writerows([[*map(float, xi), float(yi)] for xi, yi in zip(x, y)])


def main(epochs=5):
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data.csv")
        write_csv(path)
        dataset = CSVDataset(path)

    loader = DataLoader(dataset, batch_size=32, shuffle=True, num_workers=2)
    model = nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.MSELoss()

    for epoch in range(epochs):
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * x.shape[0]
        print(f"epoch {epoch}: mse {total / len(dataset):.5f}")

    w = model.weight.detach().numpy().ravel()
    b = model.bias.item()
    print(f"learned w={np.round(w, 3)} b={b:.3f} (true w={TRUE_W} b={TRUE_B})")
    return total / len(dataset)


if __name__ == "__main__":
    main()
