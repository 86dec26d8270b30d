"""torch.autograd.profiler: the legacy profiler and record_function.

Differs from PyTorch: only `record_function` ranges are recorded (see torchlike.profiler).
"""

import time
from collections import defaultdict

__all__ = ["EventList", "FunctionEvent", "emit_nvtx", "profile", "record_function"]


class _Recorder:
    """Where finished ranges go: one list per active profiler."""

    def __init__(self):
        self.sinks = []


_recorder = _Recorder()


class FunctionEvent:
    def __init__(self, name, start_us, duration_us):
        self.name = self.key = name
        self.start_us = start_us
        self.duration_us = duration_us
        self.count = 1
        self.cpu_time_total = self.self_cpu_time_total = duration_us
        self.device_time_total = self.self_device_time_total = 0.0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0

    @property
    def cpu_time(self):
        return self.cpu_time_total / max(self.count, 1)

    def __repr__(self):
        return (f"<FunctionEvent name={self.name} count={self.count} "
                f"cpu_time_total={self.cpu_time_total:.3f}us>")


def _fmt_us(us):
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class EventList(list):
    """A list of FunctionEvents with PyTorch's key_averages() and table()."""

    def key_averages(self, group_by_input_shapes=False, group_by_stack_n=0,
                     group_by_overload_name=False):
        groups = defaultdict(list)
        for e in self:
            groups[e.name].append(e)
        out = EventList()
        for name, evs in groups.items():
            avg = FunctionEvent(name, evs[0].start_us, 0.0)
            avg.count = sum(e.count for e in evs)
            avg.cpu_time_total = avg.self_cpu_time_total = sum(e.cpu_time_total for e in evs)
            out.append(avg)
        return out

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False,
              time_unit=None):
        rows = list(self)
        if sort_by:
            key = sort_by if hasattr(FunctionEvent("", 0, 0), sort_by) else "cpu_time_total"
            rows.sort(key=lambda e: getattr(e, key), reverse=True)
        if row_limit is not None and row_limit > 0:
            rows = rows[:row_limit]
        total = sum(e.self_cpu_time_total for e in self) or 1.0
        cols = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg",
                "# of Calls"]
        body = [[e.name[:max_name_column_width], f"{100 * e.self_cpu_time_total / total:.2f}%",
                 _fmt_us(e.self_cpu_time_total), f"{100 * e.cpu_time_total / total:.2f}%",
                 _fmt_us(e.cpu_time_total), _fmt_us(e.cpu_time), str(e.count)] for e in rows]
        widths = [max([len(c)] + [len(r[i]) for r in body]) + 2 for i, c in enumerate(cols)]
        line = "-" * (sum(widths) + len(widths) - 1)

        def fmt(r):
            return " ".join(v.rjust(w) if i else v.ljust(w) for i, (v, w) in
                            enumerate(zip(r, widths)))

        lines = ([header] if header else []) + [line, fmt(cols), line] + [fmt(r) for r in body]
        lines += [line, f"Self CPU time total: {_fmt_us(total if self else 0.0)}", ""]
        return "\n".join(lines)

    def total_average(self):
        avg = FunctionEvent("Total", 0.0, 0.0)
        avg.count = sum(e.count for e in self)
        avg.cpu_time_total = avg.self_cpu_time_total = sum(e.cpu_time_total for e in self)
        return avg

    def export_chrome_trace(self, path):
        import json
        import os

        with open(path, "w") as f:
            json.dump({"traceEvents": [{"name": e.name, "ph": "X", "ts": e.start_us,
                                        "dur": e.duration_us, "pid": os.getpid(), "tid": 0}
                                       for e in self]}, f)


class record_function:
    """Label a range of code (a context manager or decorator), timed by active profilers."""

    def __init__(self, name, args=None):
        self.name = name
        self.args = args
        self._start = None

    def __enter__(self):
        self._start = time.perf_counter_ns()
        return self

    def __exit__(self, *exc):
        if _recorder.sinks and self._start is not None:
            now = time.perf_counter_ns()
            ev = FunctionEvent(self.name, self._start / 1e3, (now - self._start) / 1e3)
            for sink in _recorder.sinks:
                sink.append(ev)
        self._start = None
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with record_function(self.name, self.args):
                return fn(*args, **kwargs)

        return wrapper


class profile:
    """torch.autograd.profiler.profile: records record_function ranges while enabled."""

    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False,
                 with_flops=False, profile_memory=False, with_stack=False, with_modules=False,
                 use_kineto=False, use_cpu=True, experimental_config=None, acc_events=False,
                 custom_trace_id_callback=None):
        self.enabled = enabled
        self.function_events = None
        self._events = []

    def __enter__(self):
        if self.enabled:
            if self.function_events is not None or self._events in _recorder.sinks:
                raise RuntimeError("Profiler context manager is not reentrant")
            _recorder.sinks.append(self._events)
        return self

    def __exit__(self, *exc):
        if self.enabled:
            _recorder.sinks.remove(self._events)
            self.function_events = EventList(self._events)
        return False

    def _check_finish(self):
        if self.function_events is None:
            raise RuntimeError("Profiler didn't finish running")

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0,
                     group_by_overload_name=False):
        self._check_finish()
        return self.function_events.key_averages()

    def table(self, *args, **kwargs):
        self._check_finish()
        return self.function_events.table(*args, **kwargs)

    def total_average(self):
        self._check_finish()
        return self.function_events.total_average()

    def export_chrome_trace(self, path):
        self._check_finish()
        self.function_events.export_chrome_trace(path)

    def events(self):
        self._check_finish()
        return self.function_events

    def __str__(self):
        return self.table()


class emit_nvtx:
    """NVTX ranges for nsys: needs CUDA, as in PyTorch."""

    def __init__(self, enabled=True, record_shapes=False):
        self.enabled = enabled

    def __enter__(self):
        if self.enabled:
            from .. import cuda

            cuda._lazy_check()
        return self

    def __exit__(self, *exc):
        return False


emit_itt = emit_nvtx
