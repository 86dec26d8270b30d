"""Run each compat program under real PyTorch and under torchlike, and compare their metrics.

    python compat_suite/run.py [-j N] [-k SUBSTRING] [--record] [--golden] [--isolated]

Each program in compat_suite/programs imports `torch` the ordinary way and prints metric
lines `step N name value ...`. The program runs once with plain python (real PyTorch) and
once with `python -m torchlike`; the metrics must agree step by step (rtol 1e-4 unless the
program holds a line `# compat: rtol=... atol=...`). A program with a line
`# compat-xfail: reason` documents a known torchlike bug: its failure is reported, not
counted. Where real PyTorch is not installed, its metrics are read from
compat_suite/golden/<program>.txt, which `--record` writes. Prints a table and
`N passed, M failed`; exits 1 on any failure. See compat_suite/README.md.
"""

import argparse
import contextlib
import hashlib
import io
import json
import math
import os
import re
import subprocess
import sys
import time
import traceback
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


def source_hash(name):
    """sha256 of a program and the shared helper, so a golden file knows when it is stale."""
    h = hashlib.sha256()
    for f in (name + ".py", "_common.py"):
        with open(os.path.join(PROGRAMS, f), "rb") as fh:
            # Adding or removing an xfail mark does not change what the program prints.
            h.update(re.sub(rb"(?m)^# compat-xfail:.*\n", b"", fh.read()))
    return h.hexdigest()[:16]


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


def _env(torchlike):
    env = dict(os.environ, PYTHONHASHSEED="0", OMP_NUM_THREADS="1")
    if torchlike:
        env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
        # Most of a short program's time is compiling small kernels: keep them across runs.
        env.setdefault(
            "JAX_COMPILATION_CACHE_DIR",
            os.path.join(os.path.expanduser("~"), ".cache", "torchlike", "jax-compat"),
        )
        env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    return env


def execute(name, torchlike, timeout):
    """(returncode, stdout, stderr, seconds) of one program run in a process of its own."""
    cmd = [sys.executable]
    if torchlike:
        cmd += ["-m", "torchlike"]
    cmd.append(os.path.join(PROGRAMS, name + ".py"))
    start = time.time()
    try:
        r = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            env=_env(torchlike),
            timeout=timeout,
            cwd=PROGRAMS,
            check=False,
        )
        return r.returncode, r.stdout, r.stderr, time.time() - start
    except subprocess.TimeoutExpired:
        return -1, "", f"timed out after {timeout}s", time.time() - start


_TORCH_DEFAULT_SEED = 67280421310721  # the CPU generator's seed in a fresh torch process


def _global_state(torch):
    """What a program may change globally and the next program in a batch must not see."""
    state = {"dtype": torch.get_default_dtype(), "grad": torch.is_grad_enabled()}
    if torch.__name__ == "torchlike":
        import jax

        state["matmul_precision"] = jax.config.jax_default_matmul_precision
    return state


def _restore(torch, state):
    torch.set_default_dtype(state["dtype"])
    torch.set_grad_enabled(state["grad"])
    torch.manual_seed(_TORCH_DEFAULT_SEED)
    if "matmul_precision" in state:
        import jax

        jax.config.update("jax_default_matmul_precision", state["matmul_precision"])


def run_batch(names):
    """Run programs one after another in this process; print their results as JSON.

    Under plain python this is the real-PyTorch reference; under `python -m torchlike` it is
    the torchlike side. Importing the library once instead of per program more than halves
    the suite's time on a small machine; global settings are restored between programs.
    """
    import runpy

    import torch

    sys.path.insert(0, PROGRAMS)
    state = _global_state(torch)
    results = {}
    for name in names:
        _restore(torch, state)
        path = os.path.join(PROGRAMS, name + ".py")
        sys.argv = [path]
        out, err, rc = io.StringIO(), io.StringIO(), 0
        start = time.time()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                runpy.run_path(path, run_name="__main__")
            except SystemExit as e:
                rc = e.code if isinstance(e.code, int) else 1
            except BaseException:  # noqa: BLE001 - reported as the program's failure
                traceback.print_exc()
                rc = 1
        results[name] = [rc, out.getvalue(), err.getvalue(), time.time() - start]
    sys.__stdout__.write(json.dumps(results))


def batch_outputs(names, timeout, torchlike):
    """{name: (returncode, stdout, stderr, seconds)} of programs run in one process."""
    if not names:
        return {}
    cmd = [sys.executable, *(["-m", "torchlike"] if torchlike else []), os.path.abspath(__file__)]
    env = _env(torchlike)
    try:
        r = subprocess.run(
            [*cmd, "--batch", *names],
            capture_output=True,
            text=True,
            env=env,
            cwd=PROGRAMS,
            timeout=timeout * len(names),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {n: (-1, "", "the batch run timed out", 0.0) for n in names}
    try:
        return {n: tuple(v) for n, v in json.loads(r.stdout).items()}
    except ValueError:
        return {n: (r.returncode or 1, "", r.stderr, 0.0) for n in names}


def has_real_torch():
    import importlib.util

    return importlib.util.find_spec("torch") is not None


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


def check_one(name, ours, reference):
    """A result row: torchlike's (rc, stdout, stderr, s) against real torch's, or golden."""
    rc, out, err, secs = ours
    got = parse(out)
    row = {"name": name, "steps": len(got), "err": 0.0, "time": secs, "problem": None}
    if rc != 0:
        row["problem"] = f"torchlike exit {rc}: {last_error_line(err)}"
        return row
    if reference is not None:
        rc, out, err = reference[:3]
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
            text = f.read()
        if f"# source {source_hash(name)}" not in text:
            row["problem"] = "golden file is stale (rerun run.py --record with real torch)"
            return row
        ref = parse(text)
    if not ref:
        row["problem"] = "no metric lines under real torch"
        return row
    row["err"], row["problem"] = compare(ref, got, **tolerances(name))
    return row


def record(names, timeout):
    os.makedirs(GOLDEN, exist_ok=True)
    outputs = batch_outputs(names, timeout, torchlike=False)
    for name in names:
        rc, out, err, _ = outputs[name]
        if rc != 0:
            sys.exit(f"{name} fails under real torch: {last_error_line(err)}")
        with open(os.path.join(GOLDEN, name + ".txt"), "w") as f:
            f.write(f"# source {source_hash(name)}\n")
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
    parser.add_argument(
        "--golden", action="store_true", help="compare with the golden files even if torch is here"
    )
    parser.add_argument(
        "--isolated", action="store_true", help="run each torchlike program in its own process"
    )
    parser.add_argument("--batch", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.batch:
        run_batch(args.batch)
        return 0
    names = programs(args.pattern)
    if args.record:
        record(names, args.timeout)
        return 0
    live = has_real_torch() and not args.golden
    where = "real PyTorch" if live else "golden files" + ("" if args.golden else " (no torch here)")
    print(f"reference: {where}")
    jobs = max(1, args.jobs)
    with ThreadPoolExecutor(jobs + 1) as pool:
        # The reference batch runs alongside the torchlike runs.
        ref = pool.submit(batch_outputs, names, args.timeout, False) if live else None
        if args.isolated:
            ours = dict(zip(names, pool.map(lambda n: execute(n, True, args.timeout), names)))
        else:
            chunks = [names[i::jobs] for i in range(jobs)]
            ours = {}
            for part in pool.map(lambda c: batch_outputs(c, args.timeout, True), chunks):
                ours.update(part)
        refs = ref.result() if ref else {}
    rows = [check_one(n, ours[n], refs.get(n)) for n in names]
    if not args.isolated:
        # A failure in a shared process is confirmed in a process of its own, so nothing a
        # previous program left behind can fail the next one.
        for i, r in enumerate(rows):
            if r["problem"] is not None and not xfail_reason(r["name"]):
                rows[i] = check_one(
                    r["name"], execute(r["name"], True, args.timeout), refs.get(r["name"])
                )
    width = max([len(r["name"]) for r in rows] + [7])
    print(f"{'program':<{width}}  steps  max rel err  torchlike s  result")
    xfailed = 0
    for r in rows:
        reason = xfail_reason(r["name"])
        if reason and r["problem"] is not None:
            result, r["problem"] = f"xfail ({reason}): {r['problem'][:100]}", None
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
