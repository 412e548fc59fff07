"""``VisProgress``: torchkeras's one progress display over all epochs of ``fit``.

In a notebook it is an HTML progress bar redrawn in place (IPython's ``display``), with the running step
logs of the current stage; on a terminal it degrades to a tqdm bar over the epochs, and in a log file to one
plain line per epoch. ``fit(plot=True)`` adds it when ``quiet`` is left to its default.
"""
import html
import sys
import time

from .._optional import import_optional
from ._progress import format_logs, is_interactive, is_jupyter
from .callbacks import Callback

__all__ = ["VisProgress"]


class _NotebookBar:
    """An HTML ``<progress>`` bar with the epoch count, elapsed time and the latest logs."""

    def __init__(self, total, mininterval):
        display_mod = import_optional("IPython.display", "keras", "VisProgress in a notebook")
        self._html = display_mod.HTML
        self.total, self.mininterval = total, mininterval
        self.start = time.monotonic()
        self.done, self.logs, self.comment = 0, {}, ""
        self._next = 0.0
        self.handle = display_mod.display(self._html(self._render()), display_id=True)

    def _render(self):
        elapsed = time.monotonic() - self.start
        text = f"epoch {self.done}/{self.total} [{elapsed:.0f}s]"
        if self.comment:
            text += f" {self.comment}"
        if self.logs:
            text += f" {format_logs(self.logs)}"
        return (f'<div><progress value="{self.done}" max="{self.total}" style="width:300px"></progress> '
                f"<span>{html.escape(text)}</span></div>")

    def _redraw(self, force=False):
        now = time.monotonic()
        if force or now >= self._next:
            self._next = now + self.mininterval
            self.handle.update(self._html(self._render()))

    def set_postfix(self, **logs):
        self.logs = logs
        self._redraw()

    def update(self, epoch_done, logs):
        self.done, self.logs = epoch_done, logs
        self._redraw(force=True)

    def close(self, interrupted):
        if interrupted:
            self.comment = "(stopped early)"
        self._redraw(force=True)


class _TerminalBar:
    """A tqdm bar over the epochs; the running step logs go into its postfix."""

    def __init__(self, total, mininterval, stream):
        tqdm = import_optional("tqdm", "keras", "KerasModel's progress bar").tqdm
        self.bar = tqdm(total=total, desc="epochs", file=stream, ncols=100, mininterval=mininterval, leave=True)
        self.mininterval = mininterval
        self._next = 0.0

    def set_postfix(self, **logs):
        now = time.monotonic()
        if now >= self._next:
            self._next = now + self.mininterval
            self.bar.set_postfix_str(format_logs(logs))

    def update(self, epoch_done, logs):
        self.bar.set_postfix_str(format_logs(logs), refresh=False)
        self.bar.update(epoch_done - self.bar.n)

    def close(self, interrupted):
        self.bar.close()


class _LogLines:
    """One line per finished epoch (stdout is a file: no redraws)."""

    def __init__(self, total, stream):
        self.total, self.stream = total, stream

    def set_postfix(self, **logs):
        pass

    def update(self, epoch_done, logs):
        self.stream.write(f"[epoch {epoch_done}/{self.total}] {format_logs(logs)}\n")
        self.stream.flush()

    def close(self, interrupted):
        pass


class VisProgress(Callback):
    """Progress over the epochs of ``fit``; each ``EpochRunner`` reports its steps to it via ``progress``."""

    def __init__(self, mininterval=0.5):
        self.mininterval = mininterval

    def on_fit_start(self, model):
        first = 1 if model.from_scratch else 0
        self.total = model.epochs - first + 1
        self.first = first
        stream = sys.stdout
        if is_jupyter():
            self.display = _NotebookBar(self.total, self.mininterval)
        elif is_interactive(stream):
            self.display = _TerminalBar(self.total, self.mininterval, stream)
        else:
            self.display = _LogLines(self.total, stream)
        # torchkeras hands the display to the runners as ``EpochRunner.progress``; a subclass kept on this
        # model only, so other models' runners are untouched.
        self._instance_runner = vars(model).get("EpochRunner")
        runner_cls = model.EpochRunner
        model.EpochRunner = type(runner_cls.__name__, (runner_cls,), {"progress": self.display})

    def on_validation_epoch_end(self, model):
        logs = {k: v[-1] for k, v in model.history.items() if k != "epoch"}
        self.display.update(model.history["epoch"][-1] - self.first + 1, logs)

    def on_fit_end(self, model):
        epochs = model.history.get("epoch", [])
        self.display.close(interrupted=not epochs or epochs[-1] < model.epochs)
        if self._instance_runner is None:
            vars(model).pop("EpochRunner", None)
        else:
            model.EpochRunner = self._instance_runner
