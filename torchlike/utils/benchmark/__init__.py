"""torch.utils.benchmark: Timer and Measurement, with PyTorch's measuring loops and report.

Differs from PyTorch: `collect_callgrind` and C++ statements are not supported, and `Compare`
prints a plain table (median times) rather than PyTorch's colourised one.
"""

import dataclasses
import enum
import math
import statistics
import textwrap
import timeit
from typing import Any

__all__ = ["Compare", "Language", "Measurement", "Timer", "select_unit"]

_IQR_WARN_THRESHOLD = 0.1
_IQR_GROSS_WARN_THRESHOLD = 0.25


class Language(enum.Enum):
    PYTHON = 0
    CPP = 1


def select_unit(t: float) -> tuple[str, float]:
    """The unit ('ns', 'us', 'ms', 's') that makes `t` seconds O(1), and its scale."""
    time_unit = {-3: "ns", -2: "us", -1: "ms"}.get(int(math.log10(t) // 3) if t > 0 else -3, "s")
    return time_unit, {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}[time_unit]


@dataclasses.dataclass(frozen=True)
class TaskSpec:
    stmt: str
    setup: str
    global_setup: str = ""
    label: str | None = None
    sub_label: str | None = None
    description: str | None = None
    env: str | None = None
    num_threads: int = 1

    @property
    def title(self) -> str:
        if self.label is not None:
            return self.label + (f": {self.sub_label}" if self.sub_label else "")
        if "\n" not in self.stmt:
            return self.stmt + (f": {self.sub_label}" if self.sub_label else "")
        return (f"stmt:{f' ({self.sub_label})' if self.sub_label else ''}\n"
                f"{textwrap.indent(self.stmt, '  ')}")

    def setup_str(self) -> str:
        if not self.setup or self.setup == "pass":
            return ""
        return ("setup:\n" + textwrap.indent(self.setup, "  ") if "\n" in self.setup
                else f"setup: {self.setup}")

    def summarize(self) -> str:
        sections = [self.title, self.description or "", self.setup_str()]
        return "\n".join([f"{i}\n" if "\n" in i else i for i in sections if i])


def _quantile(sorted_values, q):
    """Linear interpolation between closest ranks, as torch.quantile."""
    pos = (len(sorted_values) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


@dataclasses.dataclass(init=True, repr=False)
class Measurement:
    """The result of a Timer measurement: per-run times and their statistics."""

    number_per_run: int
    raw_times: list
    task_spec: TaskSpec
    metadata: dict | None = None

    def __post_init__(self):
        self._sorted_times = ()
        self._warnings = ()

    def __getattr__(self, name):
        # The TaskSpec's fields (stmt, label, num_threads, ...) read as the Measurement's own.
        if name in {f.name for f in dataclasses.fields(TaskSpec)}:
            return getattr(self.task_spec, name)
        raise AttributeError(name)

    @property
    def times(self) -> list:
        return [t / self.number_per_run for t in self.raw_times]

    def _lazy_init(self):
        if self.raw_times and not self._sorted_times:
            self._sorted_times = tuple(sorted(self.times))
            self._median = _quantile(self._sorted_times, 0.5)
            self._mean = statistics.fmean(self._sorted_times)
            self._p25 = _quantile(self._sorted_times, 0.25)
            self._p75 = _quantile(self._sorted_times, 0.75)

            def add_warning(msg):
                rel_iqr = self.iqr / self.median * 100
                self._warnings += ((f"  WARNING: Interquartile range is {rel_iqr:.1f}% of the "
                                    f"median measurement.\n           {msg}"),)

            if not self.meets_confidence(_IQR_GROSS_WARN_THRESHOLD):
                add_warning("This suggests significant environmental influence.")
            elif not self.meets_confidence(_IQR_WARN_THRESHOLD):
                add_warning("This could indicate system fluctuation.")

    @property
    def median(self) -> float:
        self._lazy_init()
        return self._median

    @property
    def mean(self) -> float:
        self._lazy_init()
        return self._mean

    @property
    def iqr(self) -> float:
        self._lazy_init()
        return self._p75 - self._p25

    @property
    def has_warnings(self) -> bool:
        self._lazy_init()
        return bool(self._warnings)

    @property
    def title(self) -> str:
        return self.task_spec.title

    @property
    def env(self) -> str:
        return "Unspecified env" if self.task_spec.env is None else self.task_spec.env

    @property
    def significant_figures(self) -> int:
        self._lazy_init()
        n_total = len(self._sorted_times)
        lower_bound = n_total // 4
        upper_bound = math.ceil(3 * n_total / 4)
        interquartile_points = self._sorted_times[lower_bound:upper_bound]
        std = statistics.stdev(interquartile_points) if len(interquartile_points) > 1 else 0.0
        sqrt_n = math.sqrt(len(interquartile_points))
        confidence_interval = max(1.645 * std / sqrt_n, 1e-300)
        relative_ci = math.log10(self._median / confidence_interval)
        return min(max(math.floor(relative_ci), 1), 4)

    def meets_confidence(self, threshold: float = _IQR_WARN_THRESHOLD) -> bool:
        return self.iqr / self.median < threshold

    def __repr__(self) -> str:
        self._lazy_init()
        skip = "MEASUREMENT_REPR_SKIP_LINE"
        n = len(self._sorted_times)
        unit, scale = select_unit(self._median)
        iqr_filter = "" if n >= 4 else skip
        text = f"""
{object.__repr__(self).replace("torchlike.utils.benchmark", "torch.utils.benchmark.utils.common")}
{self.task_spec.summarize()}
  {'Median: ' if n > 1 else ''}{self._median / scale:.2f} {unit}
  {iqr_filter}IQR:    {self.iqr / scale:.2f} {unit} ({self._p25 / scale:.2f} to {self._p75 / scale:.2f})
  {n} measurement{'s' if n > 1 else ''}, {self.number_per_run} runs {'per measurement,' if n > 1 else ','} {self.num_threads} thread{'s' if self.num_threads > 1 else ''}
{chr(10).join(self._warnings)}""".strip()
        return "\n".join(line for line in text.splitlines() if skip not in line)

    @staticmethod
    def merge(measurements) -> list:
        """Merge replicates of the same task (times extrapolated to one run each)."""
        groups: dict[Any, list] = {}
        for m in measurements:
            groups.setdefault(m.task_spec, []).append(m)
        return [Measurement(1, [t for m in group for t in m.times], spec)
                for spec, group in groups.items()]


def _default_timer():
    import torchlike

    if torchlike.cuda.is_available():
        torchlike.cuda.synchronize()
    return timeit.default_timer()


class Timer:
    """Time a Python statement, as torch.utils.benchmark.Timer."""

    def __init__(self, stmt="pass", setup="pass", global_setup="", timer=_default_timer,
                 globals=None, label=None, sub_label=None, description=None, env=None,
                 num_threads=1, language=Language.PYTHON):
        if not isinstance(stmt, str):
            raise ValueError(  # noqa: TRY004 - PyTorch's type
                "Currently only a `str` stmt is supported.")
        if language in (Language.CPP, "cpp", "c++"):
            raise NotImplementedError("torch.utils.benchmark.Timer: C++ statements are not "
                                      "supported by torchlike")
        import torchlike

        self._globals = dict(globals or {})
        self._globals.setdefault("torch", torchlike)
        self._timer = timeit.Timer(stmt=textwrap.dedent(stmt).strip() or "pass",
                                   setup=textwrap.dedent(setup).strip() or "pass",
                                   timer=timer, globals=self._globals)
        self._task_spec = TaskSpec(stmt=stmt, setup=setup, global_setup=global_setup, label=label,
                                   sub_label=sub_label, description=description, env=env,
                                   num_threads=num_threads)

    def _timeit(self, number: int) -> float:
        return self._timer.timeit(number=max(int(number), 1) if number else 0)

    def timeit(self, number: int = 1000000) -> Measurement:
        self._timeit(number=max(int(number // 100), 2))  # warm-up, as PyTorch's
        return Measurement(number_per_run=number, raw_times=[self._timeit(number)],
                           task_spec=self._task_spec)

    def repeat(self, repeat: int = -1, number: int = -1):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def autorange(self, callback=None):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def _estimate_block_size(self, min_run_time: float) -> int:
        overhead = statistics.median([self._timeit(0) for _ in range(5)])
        number = 1
        while True:
            time_taken = self._timeit(number)
            relative_overhead = overhead / time_taken if time_taken > 0 else 1.0
            if relative_overhead <= 1e-4 and time_taken >= min_run_time / 1000:
                break
            if time_taken > min_run_time or number * 10 > 2147483647:
                break
            number *= 10
        return number

    def _loop(self, number, stop_hook, min_run_time, max_run_time=None, callback=None):
        total_time, can_stop, times = 0.0, False, []
        while total_time < min_run_time or not can_stop:
            spent = self._timeit(number)
            times.append(spent)
            total_time += spent
            if callback:
                callback(number, spent)
            can_stop = stop_hook(times)
            if max_run_time and total_time > max_run_time:
                break
        return times

    def blocked_autorange(self, callback=None, min_run_time: float = 0.2) -> Measurement:
        number = self._estimate_block_size(min_run_time)
        times = self._loop(number, lambda times: True, min_run_time, callback=callback)
        return Measurement(number_per_run=number, raw_times=times, task_spec=self._task_spec)

    def adaptive_autorange(self, threshold: float = 0.1, *, min_run_time: float = 0.01,
                           max_run_time: float = 10.0, callback=None) -> Measurement:
        number = self._estimate_block_size(min_run_time=0.05)

        def stop_hook(times):
            return len(times) > 3 and Measurement(number, times, self._task_spec) \
                .meets_confidence(threshold=threshold)

        times = self._loop(number, stop_hook, min_run_time, max_run_time, callback=callback)
        return Measurement(number_per_run=number, raw_times=times, task_spec=self._task_spec)

    def collect_callgrind(self, *args, **kwargs):
        raise NotImplementedError("torch.utils.benchmark.Timer.collect_callgrind is not supported "
                                  "by torchlike")


class Compare:
    """A table of measurements: rows by sub_label/stmt, columns by description, median times."""

    def __init__(self, results):
        self._results = list(results)
        self._trim = False
        self._colorize = False

    def trim_significant_figures(self):
        self._trim = True

    def colorize(self, rowwise=False):
        self._colorize = True

    def highlight_warnings(self):
        pass

    def extend_results(self, results):
        self._results.extend(results)

    def __str__(self):
        results = Measurement.merge(self._results)
        rows = list(dict.fromkeys(r.sub_label or r.stmt for r in results))
        cols = list(dict.fromkeys(r.description or "" for r in results))
        cell = {(r.sub_label or r.stmt, r.description or ""): r.median for r in results}
        unit, scale = select_unit(min(cell.values())) if cell else ("us", 1e-6)
        label = next((r.label for r in results if r.label), "")
        widths = [max([len(x) for x in rows] + [1])] + [max(len(c), 10) for c in cols]
        lines = [f"[{'-' * 20} {label} {'-' * 20}]", "  ".join(
            [" " * widths[0]] + [c.rjust(w) for c, w in zip(cols, widths[1:])])]
        for row in rows:
            vals = [f"{cell[(row, c)] / scale:.1f}" if (row, c) in cell else "" for c in cols]
            lines.append("  ".join([row.ljust(widths[0])] +
                                   [v.rjust(w) for v, w in zip(vals, widths[1:])]))
        lines.append(f"\nTimes are in {'microseconds' if unit == 'us' else unit} ({unit}).\n")
        return "\n".join(lines)

    def print(self):
        print(str(self))
