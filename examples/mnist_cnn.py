"""Train a small CNN on handwritten-digit-like images, written the ordinary PyTorch way.

Run it on torchlike without changing a line:

    python -m torchlike examples/mnist_cnn.py

or under real PyTorch with `python examples/mnist_cnn.py`. The data are generated here
(seven-segment digit strokes on a 16x16 canvas, jittered, thickened and noised), so the
example needs no download.
"""

import argparse
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

# Seven-segment layout: which segments each digit lights (a top, b upper right, c lower
# right, d bottom, e lower left, f upper left, g middle).
SEGMENTS = {
    0: "abcdef",
    1: "bc",
    2: "abged",
    3: "abgcd",
    4: "fgbc",
    5: "afgcd",
    6: "afgedc",
    7: "abc",
    8: "abcdefg",
    9: "abcdfg",
}


def digit_template(digit, size=16):
    """A 1x16x16 stroke image of a digit."""
    img = np.zeros((size, size), np.float32)
    top, mid, bottom, left, right = 2, size // 2 - 1, size - 3, 4, size - 5
    strokes = {
        "a": (slice(top, top + 1), slice(left, right + 1)),
        "g": (slice(mid, mid + 1), slice(left, right + 1)),
        "d": (slice(bottom, bottom + 1), slice(left, right + 1)),
        "f": (slice(top, mid + 1), slice(left, left + 1)),
        "b": (slice(top, mid + 1), slice(right, right + 1)),
        "e": (slice(mid, bottom + 1), slice(left, left + 1)),
        "c": (slice(mid, bottom + 1), slice(right, right + 1)),
    }
    for s in SEGMENTS[digit]:
        img[strokes[s]] = 1.0
    # Two-pixel-wide pen.
    return np.maximum(img, np.maximum(np.roll(img, 1, axis=0), np.roll(img, 1, axis=1)))


def make_digits(n, seed):
    """n noisy digit images (float32, N x 1 x 16 x 16) and their labels (int64)."""
    rng = np.random.RandomState(seed)
    templates = np.stack([digit_template(d) for d in range(10)])
    labels = rng.randint(0, 10, size=n)
    images = np.empty((n, 1, 16, 16), np.float32)
    for i, y in enumerate(labels):
        img = templates[y]
        if rng.rand() < 0.3:  # a thicker pen
            img = np.maximum(img, np.roll(img, 1, axis=1))
        img = np.roll(img, (rng.randint(-2, 3), rng.randint(-2, 3)), axis=(0, 1))
        img = img * rng.uniform(0.6, 1.0) + rng.normal(0.0, 0.3, img.shape)
        images[i, 0] = img
    return images.astype(np.float32), labels.astype(np.int64)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
        self.dropout = nn.Dropout(0.1)
        self.fc1 = nn.Linear(16 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


def train(model, device, loader, optimizer, epoch):
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    start = time.time()
    for data, target in loader:
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * data.size(0)
        correct += (output.argmax(dim=1) == target).sum().item()
        seen += data.size(0)
    print(
        f"epoch {epoch}: train loss {total_loss / seen:.4f}  "
        f"train accuracy {100.0 * correct / seen:.1f}%  ({time.time() - start:.1f}s)"
    )


def evaluate(model, device, loader):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(dim=1) == target).sum().item()
    n = len(loader.dataset)
    return loss / n, 100.0 * correct / n


def main():
    parser = argparse.ArgumentParser(description="CNN on synthetic handwritten digits")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--train-size", type=int, default=3000)
    parser.add_argument("--test-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"

    x_train, y_train = make_digits(args.train_size, seed=args.seed)
    x_test, y_test = make_digits(args.test_size, seed=args.seed + 1)
    train_set = TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train))
    test_set = TensorDataset(torch.from_numpy(x_test), torch.from_numpy(y_test))
    # drop_last keeps every batch the same shape (one compiled kernel per op).
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, drop_last=True)
    test_loader = DataLoader(test_set, batch_size=500)

    model = Net().to(device)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    print(
        f"device {device}, {sum(p.numel() for p in model.parameters())} parameters, "
        f"{len(train_set)} training and {len(test_set)} test images"
    )

    for epoch in range(1, args.epochs + 1):
        train(model, device, train_loader, optimizer, epoch)
        scheduler.step()
        test_loss, test_acc = evaluate(model, device, test_loader)
        print(f"epoch {epoch}: test loss {test_loss:.4f}  test accuracy {test_acc:.1f}%")

    print(f"final test accuracy: {test_acc:.1f}%")


if __name__ == "__main__":
    main()
