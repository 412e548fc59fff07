"""``record_function``: wall-clock timing of labelled blocks, handed to the ``profile`` that is recording."""
import contextlib
import threading
import time

from ._events import FunctionEvent

__all__ = ["record_function"]

_lock = threading.Lock()
_recorder = {"events": None}  # the list the recording profile collects into, or None
_local = threading.local()  # per thread: the stack of open blocks, [start_ns, children_ns]


def start_recording(events):
    """Route finished blocks (from every thread) into ``events`` until :func:`stop_recording`."""
    with _lock:
        _recorder["events"] = events


def stop_recording():
    """Stop routing finished blocks anywhere."""
    with _lock:
        _recorder["events"] = None


class record_function(contextlib.ContextDecorator):
    """Label a block (``with record_function("name"):`` or as a decorator) so an active ``profile`` times it.

    The time is wall-clock from entry to exit; a block's self time excludes the nested blocks in the same thread.
    Outside a recording ``profile`` only two clock reads are spent."""

    def __init__(self, name, args=None):
        self.name = name
        self.args = args

    def __enter__(self):
        stack = getattr(_local, "stack", None)
        if stack is None:
            stack = _local.stack = []
        stack.append([time.perf_counter_ns(), 0])
        return self

    def __exit__(self, *exc_info):
        end = time.perf_counter_ns()
        start, children = _local.stack.pop()
        duration = end - start
        if _local.stack:
            _local.stack[-1][1] += duration
        events = _recorder["events"]
        if events is not None:
            event = FunctionEvent(self.name, threading.get_ident(), start / 1e3, end / 1e3,
                                  (duration - children) / 1e3, self.args)
            with _lock:
                events.append(event)
        return False
