"""compat_suite/run.py: whole PyTorch programs agree step by step under torch and torchlike."""

import os
import subprocess
import sys

import pytest

from tests._oracle import import_torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.slow
def test_compat_suite_has_no_failures():
    import_torch()  # the reference runs need real PyTorch
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
