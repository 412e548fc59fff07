"""``VisMetric``: the monitored metric per epoch (train and validation), redrawn each epoch into a PNG.

Drawn with matplotlib's object API on an Agg canvas, so it works headless and never switches the user's
pyplot backend; in Jupyter the figure is also displayed and updated in place.
"""
import os

import numpy as np

from .._optional import import_optional
from .callbacks import Callback
from ._progress import is_jupyter

__all__ = ["VisMetric", "best_epoch_and_score"]


def best_epoch_and_score(history, monitor, mode):
    """(epoch, score) of the best finite ``monitor`` value so far, or (None, None)."""
    scores = np.asarray(history.get(monitor, []), dtype=np.float64)
    if scores.size == 0 or np.all(np.isnan(scores)):
        return None, None
    idx = int(np.nanargmax(scores) if mode == "max" else np.nanargmin(scores))
    return history["epoch"][idx], float(scores[idx])


class VisMetric(Callback):
    """Plot of ``train_<m>`` and ``val_<m>`` for the monitored metric, best epoch starred, saved to ``save_path``."""

    def __init__(self, figsize=(6, 4), save_path="history.png"):
        self.figsize = figsize
        self.save_path = save_path
        self._display = None

    def on_fit_start(self, model):
        self.metric = model.monitor.replace("val_", "", 1) if model.monitor.startswith("val_") else model.monitor
        if not getattr(model, "silent", model.quiet) and not is_jupyter():
            print("\nView dynamic loss/metric plot: \n" + os.path.abspath(self.save_path))
        self._draw(model, f"best {model.monitor} = ?")

    def on_validation_epoch_end(self, model):
        self._draw(model, self._title(model))

    def on_fit_end(self, model):
        self._draw(model, self._title(model))

    def _title(self, model):
        epoch, score = best_epoch_and_score(model.history, model.monitor, model.mode)
        if epoch is None:
            return f"best {model.monitor} = ?"
        return f"best {model.monitor}={score:.4f} (@epoch {epoch})"

    def _draw(self, model, title):
        import_optional("matplotlib", "keras", "KerasModel's history plot (VisMetric)")
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=self.figsize)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        history = model.history
        epochs = history.get("epoch", [])
        plotted = False
        for column, style in (("train_" + self.metric, "bo--"), ("val_" + self.metric, "co-"),
                              (self.metric, "co-")):
            if column in history:
                ax.plot(epochs, history[column], style, label=column, clip_on=False)
                plotted = True
        best_epoch, best_score = best_epoch_and_score(history, model.monitor, model.mode)
        if best_epoch is not None:
            ax.plot([best_epoch], [best_score], "r*", markersize=15, clip_on=False)
        ax.set_xlabel("epoch")
        ax.set_ylabel(self.metric)
        ax.set_title(title)
        if plotted:
            ax.legend(loc="best")
        if epochs:
            ax.set_xlim(min(epochs), max(max(epochs), min(10 + (len(epochs) // 10) * 10, model.epochs)))
        else:
            ax.set_xlim(0, min(10, model.epochs))
        directory = os.path.dirname(os.path.abspath(self.save_path))
        os.makedirs(directory, exist_ok=True)
        fig.savefig(self.save_path)
        if is_jupyter():
            self._show_in_notebook(fig)

    def _show_in_notebook(self, fig):
        from IPython.display import display
        if self._display is None:
            self._display = display(fig, display_id=True)
        else:
            self._display.update(fig)
