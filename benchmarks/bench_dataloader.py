"""DataLoader throughput (samples/s): torchlike against PyTorch, in the same run.

The dataset does light per-item numpy work (a 3x32x32 image: pad, random crop, random flip,
normalise), batch 64, num_workers 0 and 2. Each epoch includes the worker start-up, as a
training loop sees it; the best of a few epochs is reported.

Run: python benchmarks/bench_dataloader.py [--n 4096] [--epochs 3]
"""

import argparse
import time
import warnings

import numpy as np

MEAN = np.array([0.49, 0.48, 0.45], np.float32)[:, None, None]
STD = np.array([0.25, 0.24, 0.26], np.float32)[:, None, None]


class Images:
    """CIFAR-sized uint8 images with labels; __getitem__ applies a small augmentation."""

    def __init__(self, n):
        rng = np.random.default_rng(0)
        self.images = rng.integers(0, 256, size=(n, 3, 32, 32), dtype=np.uint8)
        self.labels = rng.integers(0, 10, size=n)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        rng = np.random.default_rng(i)
        img = np.pad(self.images[i], ((0, 0), (4, 4), (4, 4)))
        top, left = rng.integers(0, 9, size=2)
        img = img[:, top : top + 32, left : left + 32]
        if rng.random() < 0.5:
            img = img[:, :, ::-1]
        img = (img.astype(np.float32) / 255.0 - MEAN) / STD
        return img, int(self.labels[i])


def throughput(DataLoader, dataset, num_workers, epochs):
    best = 0.0
    for _ in range(epochs):
        loader = DataLoader(dataset, batch_size=64, shuffle=False, num_workers=num_workers)
        start = time.perf_counter()
        n = 0
        for x, y in loader:
            n += x.shape[0]
        best = max(best, n / (time.perf_counter() - start))
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=4096)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()

    import torch
    import torch.utils.data

    import torchlike
    import torchlike.utils.data

    # Both libraries fork workers after JAX has started; neither's workers touch JAX.
    warnings.filterwarnings("ignore", message="os.fork", category=RuntimeWarning)
    dataset = Images(args.n)
    torchlike.zeros(1)  # JAX is up before any worker is forked, as in a real program
    print(f"{'num_workers':>11} {'torchlike/s':>12} {'torch/s':>12} {'ratio':>7}")
    for num_workers in (0, 2):
        ours = throughput(torchlike.utils.data.DataLoader, dataset, num_workers, args.epochs)
        ref = throughput(torch.utils.data.DataLoader, dataset, num_workers, args.epochs)
        print(f"{num_workers:>11} {ours:>12.0f} {ref:>12.0f} {ours / ref:>7.2f}")


if __name__ == "__main__":
    main()
