"""compat_suite/run.py: whole PyTorch programs agree step by step under torch and torchlike."""

import os
import re
import subprocess
import sys

import pytest

from tests._oracle import import_torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.slow
def test_compat_suite_has_no_failures():
    # run.py compares with real PyTorch where installed, else with its recorded golden files.
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, "compat_suite", "run.py")],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    lines = r.stdout.strip().splitlines()
    assert lines, r.stderr
    assert " 0 failed" in lines[-1] and r.returncode == 0, r.stdout + r.stderr[-2000:]


def _run_example(*prefix):
    args = ["--epochs", "2", "--train-size", "640", "--test-size", "200"]
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1")
    r = subprocess.run(
        [sys.executable, *prefix, os.path.join(ROOT, "examples", "mnist_cnn.py"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=env,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    # Per-epoch wall times differ; everything else must be the same text.
    return [re.sub(r"\s+\(\d+\.\d+s\)$", "", line) for line in r.stdout.splitlines()]


@pytest.mark.slow
def test_mnist_example_prints_the_same_metrics_as_pytorch():
    import_torch()
    ours = _run_example("-m", "torchlike")
    assert ours == _run_example()
    assert ours[-1].startswith("final test accuracy")
