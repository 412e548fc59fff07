"""Timed ``record_function`` blocks and their tables (PyTorch's ``FunctionEvent``/``EventList``/``key_averages``)."""
import gzip
import json
import os

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg"]


def _format_time(us):
    """PyTorch's profiler time format: microseconds, milliseconds or seconds with three decimals."""
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class FunctionEvent:
    """One finished ``record_function`` block: wall-clock start/end (µs), its thread and time spent in children."""

    def __init__(self, name, thread, start_us, end_us, self_cpu_time_total, args=None):
        self.name = self.key = name
        self.thread = thread
        self.start_us, self.end_us = start_us, end_us
        self.self_cpu_time_total = self_cpu_time_total
        self.args = args
        self.count = 1

    @property
    def cpu_time_total(self):
        """Wall-clock microseconds from entering to leaving the block."""
        return self.end_us - self.start_us

    def __repr__(self):
        return (f"<FunctionEvent name={self.name} thread={self.thread} cpu_time_total="
                f"{_format_time(self.cpu_time_total)} self_cpu_time_total={_format_time(self.self_cpu_time_total)}>")


class FunctionEventAvg:
    """The events sharing one name, summed: ``count``, ``cpu_time_total``, ``self_cpu_time_total`` (µs)."""

    def __init__(self, key):
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0

    def add(self, event):
        """Accumulate one event (or average) into this one."""
        self.count += event.count
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        return self

    @property
    def cpu_time(self):
        """Average wall-clock microseconds per call."""
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} count={self.count} cpu_time_total="
                f"{_format_time(self.cpu_time_total)} self_cpu_time_total={_format_time(self.self_cpu_time_total)}>")


class EventList(list):
    """A list of events with PyTorch's ``table``, ``key_averages``, ``total_average`` and ``export_chrome_trace``."""

    _SORT_KEYS = ("cpu_time", "cpu_time_total", "self_cpu_time_total", "count")

    def key_averages(self):
        """One :class:`FunctionEventAvg` per event name, in order of first appearance; as in PyTorch, the
        ``ProfilerStep#N`` blocks average together as ``ProfilerStep*``."""
        averages = {}
        for event in self:
            key = "ProfilerStep*" if event.key.startswith("ProfilerStep#") else event.key
            averages.setdefault(key, FunctionEventAvg(key)).add(event)
        return EventList(averages.values())

    def total_average(self):
        """All events summed into one :class:`FunctionEventAvg` keyed ``Total``."""
        total = FunctionEventAvg("Total")
        for event in self:
            total.add(event)
        return total

    @property
    def self_cpu_time_total(self):
        """Sum of the events' self times (µs): the wall-clock time covered by recorded blocks."""
        return sum(event.self_cpu_time_total for event in self)

    def table(self, sort_by=None, row_limit=100, max_name_column_width=55, header=None, **columns):
        """PyTorch's profiler table over these events. Only the CPU columns exist (nothing else is measured), so
        PyTorch's options for source, shape and device columns (``**columns``) have nothing to act on."""
        rows = list(self)
        if sort_by is not None:
            if sort_by not in self._SORT_KEYS:
                raise AttributeError(f"'FunctionEventAvg' object has no attribute '{sort_by}' (sortable here: "
                                     f"{', '.join(self._SORT_KEYS)})")
            rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        if row_limit is not None and row_limit > 0:
            rows = rows[:row_limit]
        total = self.self_cpu_time_total or 1.0

        def name(event):
            n = event.key
            return n if len(n) <= max_name_column_width else n[:max_name_column_width - 3] + "..."

        headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls"]
        body = [[name(e), f"{100 * e.self_cpu_time_total / total:.2f}%", _format_time(e.self_cpu_time_total),
                 f"{100 * e.cpu_time_total / total:.2f}%", _format_time(e.cpu_time_total), _format_time(e.cpu_time),
                 str(e.count)] for e in rows]
        widths = [max([len(headers[0])] + [len(r[0]) for r in body])] + [12] * (len(headers) - 1)
        line = "  ".join("-" * w for w in widths) + "  "

        def fmt(cells):
            return "  ".join(cell.rjust(w) for cell, w in zip(cells, widths)) + "  "

        out = [header] if header else []
        out += [line, fmt(headers), line] + [fmt(r) for r in body] + [line]
        out.append(f"Self CPU time total: {_format_time(self.self_cpu_time_total)}")
        return "\n".join(out) + "\n"

    def __str__(self):
        return self.table()

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (``chrome://tracing``, Perfetto, TensorBoard's profile plugin);
        a path ending in ``.gz`` is gzip-compressed."""
        trace = {"traceEvents": [
            {"name": e.name, "ph": "X", "cat": "user_annotation", "ts": e.start_us, "dur": e.cpu_time_total,
             "pid": os.getpid(), "tid": e.thread, **({"args": {"args": e.args}} if e.args is not None else {})}
            for e in self if isinstance(e, FunctionEvent)]}
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "wt") as f:
            json.dump(trace, f)
