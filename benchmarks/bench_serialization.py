"""save + load of a 100M-parameter float32 state_dict: torchlike against PyTorch in the same run,
and load with mmap=True against a full load. Run: python benchmarks/bench_serialization.py"""

import argparse
import gc
import os
import sys
import tempfile
import time
from collections import OrderedDict

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torchlike as tl
import torchlike.serialization as ser


def race(fa, fb, repeat):
    """Best-of-`repeat` seconds of two functions run alternately (so a busy disk or CPU hits
    both alike), and their last results."""
    best, outs = [float("inf")] * 2, [None, None]
    for _ in range(repeat):
        for i, fn in enumerate((fa, fb)):
            outs[i] = None
            gc.collect()
            t0 = time.perf_counter()
            outs[i] = fn()
            best[i] = min(best[i], time.perf_counter() - t0)
    return best[0], best[1], outs[0], outs[1]


def block(sd):
    for v in sd.values():
        v._data.block_until_ready() if isinstance(v, tl.Tensor) else None
    return sd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tensors", type=int, default=100)
    ap.add_argument("--numel", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", default=None, help="where to write the checkpoints (default: tmp)")
    args = ap.parse_args()
    import torch

    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(args.numel, dtype=np.float32) for _ in range(args.tensors)]
    # from_numpy copies into JAX asynchronously: finish before timing anything
    tl_sd = block(OrderedDict((f"layer{i}.weight", tl.from_numpy(a)) for i, a in enumerate(arrays)))
    t_sd = OrderedDict((f"layer{i}.weight", torch.from_numpy(a)) for i, a in enumerate(arrays))
    n_params = args.tensors * args.numel
    print(
        f"state_dict: {args.tensors} float32 tensors of {args.numel:,} ({n_params / 1e6:.0f}M "
        f"parameters, {n_params * 4 / 2**20:.0f} MiB); best of {args.repeat}"
    )

    with tempfile.TemporaryDirectory(dir=args.dir) as d:
        p_tl, p_t = os.path.join(d, "tl.pt"), os.path.join(d, "torch.pt")
        s_tl, s_t, _, _ = race(
            lambda: ser.save(tl_sd, p_tl), lambda: torch.save(t_sd, p_t), args.repeat
        )
        print(
            f"save          torchlike {s_tl:7.3f} s   torch {s_t:7.3f} s   ratio {s_tl / s_t:5.2f}x"
        )
        l_tl, l_t, out, tout = race(
            lambda: block(ser.load(p_tl)), lambda: torch.load(p_t, weights_only=True), args.repeat
        )
        print(
            f"load          torchlike {l_tl:7.3f} s   torch {l_t:7.3f} s   ratio {l_tl / l_t:5.2f}x"
        )
        # what verifying every storage's CRC-32 costs (opt-in; PyTorch never checks them)
        os.environ["TORCHLIKE_LOAD_CHECK_CRC32"] = "1"
        try:
            n_tl, n_t, _, _ = race(
                lambda: block(ser.load(p_tl)), lambda: torch.load(p_t, weights_only=True),
                args.repeat,
            )
        finally:
            del os.environ["TORCHLIKE_LOAD_CHECK_CRC32"]
        print(
            f"load + CRCs   torchlike {n_tl:7.3f} s   torch {n_t:7.3f} s   ratio {n_tl / n_t:5.2f}x"
            "   (TORCHLIKE_LOAD_CHECK_CRC32=1: every storage's CRC-32 verified)"
        )
        m_tl, m_t, mout, _ = race(
            lambda: block(ser.load(p_tl, mmap=True)),
            lambda: torch.load(p_t, weights_only=True, mmap=True),
            args.repeat,
        )
        print(
            f"load mmap     torchlike {m_tl:7.3f} s   torch {m_t:7.3f} s   ratio {m_tl / m_t:5.2f}x"
        )
        print(
            f"torchlike mmap=True vs full load: {m_tl / l_tl:5.2f}x the time (a full load "
            "reads every storage into memory; mmap=True aliases the file's pages)"
        )
        print(
            "torchlike's save writes a temp file, fsyncs it and renames it over the target "
            "(torch truncates the target and writes it in place); like torch's, a load checks "
            "no storage CRC-32 unless TORCHLIKE_LOAD_CHECK_CRC32=1"
        )
        # the files are interchangeable and the values survive
        cross = ser.load(p_t)
        k = next(iter(t_sd))
        for res in (out, mout, cross):
            np.testing.assert_array_equal(np.asarray(res[k]), arrays[0])
        np.testing.assert_array_equal(tout[k].numpy(), arrays[0])
        print("values checked: torchlike load (full, mmap) and torch.save -> torchlike.load")


if __name__ == "__main__":
    main()
