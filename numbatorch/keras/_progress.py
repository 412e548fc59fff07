"""Per-epoch progress display for ``KerasModel``: a tqdm bar in a terminal or Jupyter, plain lines in a log file.

A log file (stdout not a TTY and not a notebook) gets one line per stage and epoch, written when the stage
ends, instead of tqdm's carriage-return redraws. The postfix (running loss and metrics) is formatted at most
every ``mininterval`` seconds, so the bar costs little per step.
"""
import sys
import time

from .._optional import import_optional

__all__ = ["EpochProgress", "is_jupyter", "is_interactive"]


def is_jupyter():
    """True inside a Jupyter kernel (IPython with a ZMQ shell)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def is_interactive(stream=None):
    """Whether ``stream`` (stdout by default) can redraw a progress bar."""
    stream = sys.stdout if stream is None else stream
    try:
        tty = stream.isatty()
    except Exception:
        tty = False
    return tty or is_jupyter()


def format_logs(logs):
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in logs.items())


class EpochProgress:
    """Progress of one stage (train or val) of one epoch; ``enabled=False`` prints nothing at all."""

    def __init__(self, total, desc, enabled=True, mininterval=0.1, stream=None):
        self.total = total
        self.desc = desc
        self.enabled = enabled
        self.stream = sys.stdout if stream is None else stream
        self.mininterval = mininterval
        self.bar = None
        self._next_refresh = 0.0
        if enabled and is_interactive(self.stream):
            tqdm = import_optional("tqdm", "keras", "KerasModel's progress bar").tqdm
            self.bar = tqdm(total=total, desc=desc, file=self.stream, ncols=100, mininterval=mininterval,
                            leave=True, dynamic_ncols=False)

    def update(self, step, logs_fn):
        """Step ``step`` is done; ``logs_fn()`` gives the running logs (called only when they are shown)."""
        bar = self.bar
        if bar is None:
            return
        now = time.monotonic()
        if now >= self._next_refresh:
            self._next_refresh = now + self.mininterval
            bar.set_postfix_str(format_logs(logs_fn()), refresh=False)
        bar.update(step - bar.n)

    def close(self, logs):
        """The stage ended with ``logs`` (epoch values)."""
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.set_postfix_str(format_logs(logs), refresh=False)
            if self.total and self.bar.n < self.total:
                self.bar.update(self.total - self.bar.n)
            self.bar.close()
        else:
            self.stream.write(f"{self.desc}: {format_logs(logs)}\n")
            self.stream.flush()
