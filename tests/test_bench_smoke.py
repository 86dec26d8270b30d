"""Smoke test of benchmarks/bench_train.py: it runs, prints its table, and torchlike.compile
trains exactly like torchlike eager. Timings are never asserted (shared, noisy machines)."""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.slow
def test_bench_train_quick_mlp():
    pytest.importorskip("torch")
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "bench_train.py"), "--quick",
         "--workloads", "mlp", "--no-write"],
        check=False, capture_output=True, text=True, timeout=170, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "| workload | mode | step ms (median) |" in out
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 10 and cells[0] == "mlp":
            rows[cells[1]] = cells
    for mode in ("PyTorch eager", "torchlike eager", "torchlike.compile", "pure JAX jit"):
        assert mode in rows, out
        assert not rows[mode][2].startswith("n/a"), rows[mode]
    m = re.search(r"loss check mlp: torchlike eager (\S+) vs torchlike\.compile (\S+) after", out)
    assert m, out
    eager, compiled = float(m.group(1)), float(m.group(2))
    assert compiled == pytest.approx(eager, rel=1e-6, abs=1e-7)
    # every mode starts from the same weights and trains on the same batch
    torch_loss = float(rows["PyTorch eager"][-1])
    assert eager == pytest.approx(torch_loss, rel=1e-3)
