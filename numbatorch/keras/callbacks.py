"""Callbacks for ``KerasModel.fit``: objects with any of the hooks ``on_fit_start``, ``on_train_epoch_end``,
``on_validation_epoch_end`` and ``on_fit_end``, each called as ``hook(model=keras_model)``.

In a data-parallel fit the callbacks run on rank 0 only (as in torchkeras), where ``model.net`` is the
DistributedDataParallel wrapper: those below save and log the module inside it (no ``module.`` prefix).

A callback reads ``model.history`` (dict of per-epoch lists), ``model.net``, ``model.monitor``, ``model.mode``,
``model.epochs`` and ``model.ckpt_path``; it can end training by setting ``model.stop_training = True``.
"""
import datetime
import os
import tempfile

import numpy as np

from .._optional import import_optional

__all__ = ["Callback", "TensorBoard", "TensorBoardCallback", "EarlyStopping", "ModelCheckpoint", "EpochCheckpoint",
           "CSVLogger"]


class Callback:
    """Base class with no-op hooks."""

    def on_fit_start(self, model):
        """Before the first epoch."""

    def on_train_epoch_end(self, model):
        """After each epoch's training stage (``model.history`` has its train values)."""

    def on_validation_epoch_end(self, model):
        """After each epoch's validation stage (``model.history`` has the whole epoch)."""

    def on_fit_end(self, model):
        """After the last epoch, before the best checkpoint is restored."""


def _history_frame(model):
    pd = import_optional("pandas", "keras", "the history of KerasModel's callbacks")
    return pd.DataFrame(model.history)


def _write_csv_atomically(frame, path, sep=","):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="") as f:
            frame.to_csv(f, index=False, sep=sep)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _improved(score, best, mode, min_delta=0.0):
    if score is None or np.isnan(score):
        return False
    if best is None:
        return True
    return score < best - min_delta if mode == "min" else score > best + min_delta


class TensorBoard(Callback):
    """Logs the epoch values to TensorBoard under ``save_dir/model_name/<YYYYmmdd_HHMMSS>``.

    Each metric is a scalars group (``loss`` holds ``train_loss`` and ``val_loss``), optionally with histograms
    of the weights every ``log_weight_freq`` epochs; at the end the history is saved as ``dfhistory.csv``.
    """

    def __init__(self, save_dir="runs", model_name="model", log_weight=False, log_weight_freq=5):
        from ..utils.tensorboard import SummaryWriter
        self.save_dir = save_dir
        self.model_name = model_name
        self.log_weight = log_weight
        self.log_weight_freq = log_weight_freq
        nowtime = datetime.datetime.now().strftime("%Y%m%d_%H%M%S")
        self.log_path = os.path.join(save_dir, model_name, nowtime)
        self.writer = SummaryWriter(self.log_path)

    def _log_weights(self, model, step):
        for name, param in model.accelerator.unwrap_model(model.net).named_parameters():
            self.writer.add_histogram(name, param.detach().cpu().numpy(), step)
        self.writer.flush()

    def on_fit_start(self, model):
        if self.log_weight:
            self._log_weights(model, 0)

    def on_train_epoch_end(self, model):
        epoch = model.history["epoch"][-1]
        if self.log_weight and epoch % self.log_weight_freq == 0:
            self._log_weights(model, epoch)

    def on_validation_epoch_end(self, model):
        epoch = model.history["epoch"][-1]
        groups = {}
        for key, values in model.history.items():
            if key == "epoch":
                continue
            group = key.replace("train_", "").replace("val_", "")
            groups.setdefault(group, {})[key] = values[-1]
        for group, scalars in groups.items():
            self.writer.add_scalars(group, scalars, epoch)
        self.writer.flush()

    def on_fit_end(self, model):
        if self.log_weight and model.history.get("epoch"):
            self._log_weights(model, model.history["epoch"][-1])
        self.writer.close()
        _write_csv_atomically(_history_frame(model), os.path.join(self.log_path, "dfhistory.csv"))


TensorBoardCallback = TensorBoard  # torchkeras's name


class EarlyStopping(Callback):
    """Stops training when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs."""

    def __init__(self, monitor="val_loss", patience=5, mode="min", min_delta=0.0):
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping mode must be 'min' or 'max', got {mode!r}")
        self.monitor, self.patience, self.mode, self.min_delta = monitor, patience, mode, min_delta

    def on_fit_start(self, model):
        self.best = None
        self.wait = 0
        self.stopped_epoch = None

    def on_validation_epoch_end(self, model):
        if self.monitor not in model.history:
            raise KeyError(f"EarlyStopping monitors {self.monitor!r}, which is not among the logged values "
                           f"{list(model.history)}")
        score = float(model.history[self.monitor][-1])
        if _improved(score, self.best, self.mode, self.min_delta):
            self.best, self.wait = score, 0
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = model.history["epoch"][-1]
            model.stop_training = True


class ModelCheckpoint(Callback):
    """Saves ``model.net``'s state dict to ``filepath`` (may contain ``{epoch}`` and history keys such as
    ``{val_loss:.4f}``) after each epoch, or only when ``monitor`` improves (``save_best_only``). Atomic writes."""

    def __init__(self, filepath, monitor="val_loss", mode="min", save_best_only=True):
        if mode not in ("min", "max"):
            raise ValueError(f"ModelCheckpoint mode must be 'min' or 'max', got {mode!r}")
        self.filepath, self.monitor, self.mode, self.save_best_only = filepath, monitor, mode, save_best_only

    def on_fit_start(self, model):
        self.best = None
        self.last_saved = None

    def on_validation_epoch_end(self, model):
        latest = {k: v[-1] for k, v in model.history.items()}
        if self.save_best_only:
            if self.monitor not in latest:
                raise KeyError(f"ModelCheckpoint monitors {self.monitor!r}, which is not among the logged values "
                               f"{list(latest)}")
            if not _improved(float(latest[self.monitor]), self.best, self.mode):
                return
            self.best = float(latest[self.monitor])
        from ..serialization import save
        path = self.filepath.format(**latest)
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        save(model.accelerator.get_state_dict(model.net), path)
        self.last_saved = path


class EpochCheckpoint(Callback):
    """torchkeras's per-epoch checkpoints, keeping only the latest ``max_ckpt`` files.

    Saves ``model.net``'s state dict to ``ckpt_dir/checkpoint_epoch{epoch}.pt`` every ``save_freq`` epochs
    (epoch 0 excluded), with atomic writes.
    """

    def __init__(self, ckpt_dir="weights", save_freq=1, max_ckpt=10):
        if not isinstance(save_freq, int) or save_freq < 1:
            raise ValueError(f"EpochCheckpoint save_freq must be a positive integer, got {save_freq!r}")
        if not isinstance(max_ckpt, int) or max_ckpt < 1:
            raise ValueError(f"EpochCheckpoint max_ckpt must be a positive integer, got {max_ckpt!r}")
        self.ckpt_dir, self.save_freq, self.max_ckpt = ckpt_dir, save_freq, max_ckpt

    def on_fit_start(self, model):
        os.makedirs(self.ckpt_dir, exist_ok=True)
        self.ckpt_list = []

    def on_validation_epoch_end(self, model):
        epoch = model.history["epoch"][-1]
        if epoch <= 0 or epoch % self.save_freq:
            return
        from ..serialization import save
        path = os.path.join(self.ckpt_dir, f"checkpoint_epoch{epoch}.pt")
        save(model.accelerator.get_state_dict(model.net), path)
        self.ckpt_list.append(path)
        while len(self.ckpt_list) > self.max_ckpt:
            old = self.ckpt_list.pop(0)
            if os.path.exists(old):
                os.remove(old)


class CSVLogger(Callback):
    """Rewrites the whole history to ``filename`` after every epoch (atomically), so the file is always complete."""

    def __init__(self, filename="dfhistory.csv", separator=","):
        self.filename, self.separator = filename, separator

    def on_validation_epoch_end(self, model):
        _write_csv_atomically(_history_frame(model), self.filename, self.separator)

    def on_fit_end(self, model):
        if model.history:
            _write_csv_atomically(_history_frame(model), self.filename, self.separator)
