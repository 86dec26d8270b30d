"""Run each compat program under real PyTorch and under torchlike, and compare their metrics.

    python compat_suite/run.py [-j N] [-k SUBSTRING] [--record]

Each program in compat_suite/programs imports `torch` the ordinary way and prints metric
lines `step N name value ...`. The program runs once with plain python (real PyTorch) and
once with `python -m torchlike`; the metrics must agree step by step (rtol 1e-4 unless the
program holds a line `# compat: rtol=... atol=...`). A program with a line
`# compat-xfail: reason` documents a known torchlike bug: its failure is reported, not counted. Where real PyTorch
is not installed, its metrics are read from compat_suite/golden/<program>.txt, which
`--record` writes. Prints a table and `N passed, M failed`; exits 1 on any failure.
"""

import argparse
import math
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "programs")
GOLDEN = os.path.join(HERE, "golden")
ROOT = os.path.dirname(HERE)
RTOL, ATOL = 1e-4, 1e-6
_STEP = re.compile(r"^step (\S+) (.*)$")
_TOL = re.compile(r"^# compat:(.*)$", re.MULTILINE)
_XFAIL = re.compile(r"^# compat-xfail:(.*)$", re.MULTILINE)


def programs(pattern=None):
    names = sorted(
        f[:-3] for f in os.listdir(PROGRAMS) if f.endswith(".py") and not f.startswith("_")
    )
    return [n for n in names if pattern is None or pattern in n]


def xfail_reason(name):
    """The reason a program is expected to fail under torchlike for now, or None."""
    with open(os.path.join(PROGRAMS, name + ".py")) as f:
        m = _XFAIL.search(f.read())
    return m.group(1).strip() if m else None


def tolerances(name):
    with open(os.path.join(PROGRAMS, name + ".py")) as f:
        m = _TOL.search(f.read())
    tol = {"rtol": RTOL, "atol": ATOL}
    if m:
        for item in m.group(1).split():
            k, _, v = item.partition("=")
            tol[k] = float(v)
    return tol


def parse(stdout):
    """[(step, [(name, value), ...])] from a program's metric lines."""
    steps = []
    for line in stdout.splitlines():
        m = _STEP.match(line.strip())
        if not m:
            continue
        words = m.group(2).split()
        pairs = [(words[i], float(words[i + 1])) for i in range(0, len(words) - 1, 2)]
        steps.append((m.group(1), pairs))
    return steps


def execute(name, torchlike, timeout):
    """(returncode, stdout, stderr, seconds) of one program run."""
    cmd = [sys.executable]
    if torchlike:
        cmd += ["-m", "torchlike"]
    cmd.append(os.path.join(PROGRAMS, name + ".py"))
    env = dict(os.environ, PYTHONHASHSEED="0")
    if torchlike:
        env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
        # Most of a short program's time is compiling small kernels: keep them across runs.
        env.setdefault(
            "JAX_COMPILATION_CACHE_DIR",
            os.path.join(os.path.expanduser("~"), ".cache", "torchlike", "jax-compat"),
        )
        env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    start = time.time()
    try:
        r = subprocess.run(
            cmd, capture_output=True, text=True, env=env, timeout=timeout, cwd=PROGRAMS, check=False
        )
        return r.returncode, r.stdout, r.stderr, time.time() - start
    except subprocess.TimeoutExpired:
        return -1, "", f"timed out after {timeout}s", time.time() - start


def has_real_torch():
    code = "import torch, sys; sys.exit(0 if hasattr(torch, '_C') else 1)"
    return (
        subprocess.run([sys.executable, "-c", code], capture_output=True, check=False).returncode
        == 0
    )


def compare(ref, got, rtol, atol):
    """(max relative error, first mismatch message or None)."""
    worst = 0.0
    if len(ref) != len(got):
        return worst, f"{len(got)} metric lines, expected {len(ref)}"
    for (s_ref, m_ref), (s_got, m_got) in zip(ref, got):
        if s_ref != s_got or [k for k, _ in m_ref] != [k for k, _ in m_got]:
            return (
                worst,
                f"step {s_got} {[k for k, _ in m_got]}, expected {s_ref} {[k for k, _ in m_ref]}",
            )
        for (k, a), (_, b) in zip(m_ref, m_got):
            if math.isnan(a) and math.isnan(b):
                continue
            err = abs(a - b)
            worst = max(worst, err / abs(a) if a else err)
            if not err <= atol + rtol * abs(a):
                return worst, f"step {s_ref} {k}: torchlike {b!r}, torch {a!r}"
    return worst, None


def last_error_line(stderr):
    lines = [x for x in stderr.strip().splitlines() if x.strip()]
    return lines[-1].strip()[:160] if lines else "no output"


def check_one(name, live, timeout):
    """A result row for one program."""
    row = {"name": name, "steps": 0, "err": 0.0, "time": 0.0, "problem": None}
    if live:
        rc, out, err, _ = execute(name, torchlike=False, timeout=timeout)
        if rc != 0:
            row["problem"] = f"fails under real torch: {last_error_line(err)}"
            return row
        ref = parse(out)
    else:
        path = os.path.join(GOLDEN, name + ".txt")
        if not os.path.exists(path):
            row["problem"] = "no real torch and no golden file"
            return row
        with open(path) as f:
            ref = parse(f.read())
    rc, out, err, secs = execute(name, torchlike=True, timeout=timeout)
    row["time"] = secs
    got = parse(out)
    row["steps"] = len(got)
    if rc != 0:
        row["problem"] = f"torchlike exit {rc}: {last_error_line(err)}"
        return row
    if not ref:
        row["problem"] = "no metric lines under real torch"
        return row
    row["err"], row["problem"] = compare(ref, got, **tolerances(name))
    return row


def record(names, timeout):
    os.makedirs(GOLDEN, exist_ok=True)
    for name in names:
        rc, out, err, _ = execute(name, torchlike=False, timeout=timeout)
        if rc != 0:
            sys.exit(f"{name} fails under real torch: {last_error_line(err)}")
        with open(os.path.join(GOLDEN, name + ".txt"), "w") as f:
            f.write("".join(line + "\n" for line in out.splitlines() if _STEP.match(line)))
        print(f"recorded {name}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-j", "--jobs", type=int, default=2, help="programs run at once")
    parser.add_argument("-k", dest="pattern", help="only programs whose name contains this")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per program run")
    parser.add_argument(
        "--record", action="store_true", help="write golden files from real PyTorch"
    )
    args = parser.parse_args(argv)
    names = programs(args.pattern)
    if args.record:
        record(names, args.timeout)
        return 0
    live = has_real_torch()
    print(f"reference: {'real PyTorch' if live else 'golden files (real PyTorch not found)'}")
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        rows = list(pool.map(lambda n: check_one(n, live, args.timeout), names))
    width = max([len(r["name"]) for r in rows] + [7])
    print(f"{'program':<{width}}  steps  max rel err  torchlike s  result")
    xfailed = 0
    for r in rows:
        reason = xfail_reason(r["name"])
        if reason and r["problem"] is not None:
            result, r["problem"] = f"xfail ({reason}): {r['problem']}", None
            xfailed += 1
        elif reason:
            result = "XPASS: passes now; remove its compat-xfail line"
        else:
            result = "ok" if r["problem"] is None else f"FAIL: {r['problem']}"
        print(
            f"{r['name']:<{width}}  {r['steps']:>5}  {r['err']:>11.2e}  {r['time']:>11.1f}  "
            f"{result}"
        )
    failed = sum(r["problem"] is not None for r in rows)
    xf = f" ({xfailed} expected failures)" if xfailed else ""
    print(f"{len(rows) - failed - xfailed} passed, {failed} failed{xf}")
    return 1 if failed or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
