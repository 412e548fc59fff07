"""``KerasModel``: torchkeras's fit/evaluate loop around an ``nn.Module``, a loss function and streaming metrics.

Differences from torchkeras, where it was weak: exact AUC/KS metrics; a NaN or infinite loss stops training
with a warning naming the stage, epoch and step (the best checkpoint is kept and restored); gradient clipping
only when ``clip_grad_norm`` is given; ``ReduceLROnPlateau`` steps once per epoch on the monitored value;
progress bars that write plain lines when stdout is a log file; no dependency on ``accelerate``.
"""
import contextlib
import copy
import datetime
import math
import os
import warnings

import numpy as np

from .._tensor import Tensor
from ..autograd import no_grad
from ..nn.modules.container import ModuleDict
from ..nn.modules.module import Module
from ..serialization import load, save
from ._progress import EpochProgress, is_interactive

__all__ = ["KerasModel"]


def _colorful(text, color="green"):
    if not is_interactive():
        return text
    code = {"green": "32", "red": "31", "yellow": "33"}[color]
    return f"\033[0;{code};40m{text}\033[0m"


def _to_device(obj, device):
    if isinstance(obj, Tensor):
        return obj.to(device)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_device(o, device) for o in obj)
    if isinstance(obj, dict):
        return {k: _to_device(v, device) for k, v in obj.items()}
    return obj


def _batch_features_labels(batch):
    if isinstance(batch, (list, tuple)) and len(batch) == 2:
        return batch[0], batch[1]
    raise ValueError(f"KerasModel expects each batch to be a (features, labels) pair, got "
                     f"{type(batch).__name__}" + (f" of length {len(batch)}" if hasattr(batch, "__len__") else ""))


def _is_plateau_scheduler(scheduler):
    from ..optim.lr_scheduler import ReduceLROnPlateau
    return isinstance(scheduler, ReduceLROnPlateau)


class _NonFiniteLoss(Exception):
    def __init__(self, stage, step, value):
        super().__init__(stage, step, value)
        self.stage, self.step, self.value = stage, step, value


class KerasModel(Module):
    """Wraps ``net`` with ``loss_fn(preds, labels)``, a dict of streaming metrics and an optimizer
    (default ``Adam(lr=3e-4)``); ``lr_scheduler`` steps after each optimizer step, as torchkeras's does."""

    def __init__(self, net, loss_fn, metrics_dict=None, optimizer=None, lr_scheduler=None, **kwargs):
        super().__init__()
        self.net = net
        self.loss_fn = loss_fn
        self.metrics_dict = ModuleDict(metrics_dict)
        if optimizer is None:
            from ..optim import Adam
            optimizer = Adam(net.parameters(), lr=3e-4)
        self.optimizer = optimizer
        self.lr_scheduler = lr_scheduler
        self.kwargs = kwargs
        self.from_scratch = True
        self.history = {}
        self.device = "cpu"
        self.quiet = False

    def forward(self, x):
        return self.net(x)

    # ---- checkpoints --------------------------------------------------------------------------------------
    def save_ckpt(self, ckpt_path=None):
        """Save ``net``'s state dict (``save`` writes a temporary file and renames it, so this is atomic)."""
        path = ckpt_path if ckpt_path is not None else self.ckpt_path
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        save(self.net.state_dict(), path)

    def load_ckpt(self, ckpt_path=None):
        """Load ``net``'s weights; the next ``fit`` then starts with an evaluation-only epoch 0, like torchkeras."""
        path = ckpt_path if ckpt_path is not None else self.ckpt_path
        self.net.load_state_dict(load(path, map_location="cpu", weights_only=True))
        self.from_scratch = False

    # ---- training -----------------------------------------------------------------------------------------
    def fit(self, train_data, val_data=None, epochs=10, ckpt_path="checkpoint", patience=5, monitor="val_loss",
            mode="min", callbacks=None, plot=True, quiet=False, cpu=False, gradient_accumulation_steps=1,
            mixed_precision="no", clip_grad_norm=None, wandb=False):
        """Train for up to ``epochs`` epochs and return the history as a pandas DataFrame with columns
        ``epoch, train_loss, train_<metric>..., lr, val_loss, val_<metric>...``.

        The best weights by ``monitor``/``mode`` are checkpointed to ``ckpt_path`` and restored at the end;
        training stops after ``patience`` epochs without improvement, when a callback sets
        ``model.stop_training``, or at a non-finite loss. ``plot=True`` keeps ``history.png`` (next to the
        checkpoint) up to date; ``quiet=True`` prints nothing. A loader with an integer ``size`` attribute
        runs at most that many steps per epoch (torchkeras's convention).
        """
        import pandas as pd

        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if mixed_precision not in ("no", None, False):
            raise NotImplementedError(f"mixed_precision={mixed_precision!r} is not supported: numbatorch trains in "
                                      f"the parameters' dtype; use mixed_precision='no'")
        if wandb:
            raise NotImplementedError("wandb logging is not supported; use callbacks=[TensorBoard()]")
        if not isinstance(gradient_accumulation_steps, int) or gradient_accumulation_steps < 1:
            raise ValueError(f"gradient_accumulation_steps must be a positive integer, got "
                             f"{gradient_accumulation_steps!r}")
        self.epochs, self.ckpt_path, self.patience = epochs, ckpt_path, patience
        self.monitor, self.mode, self.quiet, self.cpu = monitor, mode, quiet, cpu
        self.gradient_accumulation_steps, self.clip_grad_norm = gradient_accumulation_steps, clip_grad_norm
        self.mixed_precision = mixed_precision
        self.stop_training = False
        self.stop_reason = None
        self._pick_device(cpu)
        self._say(_colorful(f"<<<<<< {'🐌' if self.device == 'cpu' else '⚡️'} {self.device} is used >>>>>>"))

        self.history = {}
        callbacks = list(callbacks) if callbacks is not None else []
        if plot:
            from ._plot import VisMetric
            callbacks.insert(0, VisMetric(save_path=os.path.join(os.path.dirname(ckpt_path), "history.png")))
        self.callbacks = callbacks
        self._call_back("on_fit_start")

        ckpt_saved = False
        early_stopped = False
        epoch = start_epoch = 1 if self.from_scratch else 0
        for epoch in range(start_epoch, epochs + 1):
            if not quiet:
                nowtime = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
                print("\n" + "==========" * 8 + nowtime)
                print(f"Epoch {epoch} / {epochs}\n")
            try:
                logs = {"epoch": epoch}
                logs.update(self._run_epoch(train_data, "train", learn=epoch > 0, quiet=quiet))
                self._record(logs)
                self._call_back("on_train_epoch_end")
                if val_data is not None:
                    with no_grad():
                        self._record(self._run_epoch(val_data, "val", learn=False, quiet=quiet))
            except _NonFiniteLoss as bad:
                self._stop_on_nonfinite(bad, epoch, ckpt_saved)
                break
            self._call_back("on_validation_epoch_end")

            scores = self._monitored_scores()
            if self.lr_scheduler is not None and _is_plateau_scheduler(self.lr_scheduler) and epoch > 0:
                self.lr_scheduler.step(scores[-1])
            best = self._best_index(scores)
            if best is not None and best == len(scores) - 1:
                self.save_ckpt(ckpt_path)
                ckpt_saved = True
                self._say(_colorful(f"<<<<<< reach best {monitor} : {scores[best]} >>>>>>"))
            if len(scores) - (best if best is not None else -1) > patience:
                early_stopped = True
                break
            if self.stop_training:
                break

        dfhistory = pd.DataFrame(self.history)
        self._call_back("on_fit_end")
        if early_stopped:
            self._say(_colorful(f"<<<<<< {monitor} without improvement in {patience} epoch,early stopping >>>>>> \n",
                                "red"))
        if self.device != "cpu":
            self.net.cpu()
            self.device = "cpu"
        if ckpt_saved:
            self.load_ckpt(ckpt_path)
        elif self.history:
            warnings.warn(f"no finite {monitor} was reached, so no checkpoint was saved and the final weights "
                          f"are kept", RuntimeWarning, stacklevel=2)
        return dfhistory

    def evaluate(self, val_data, quiet=False):
        """One pass over ``val_data`` without gradients; returns ``{'val_loss': ..., 'val_<metric>': ...}``."""
        with no_grad():
            return self._run_epoch(val_data, "val", learn=False, quiet=quiet, check_finite=False)

    def predict(self, data):
        """Concatenated outputs of ``net`` (eval mode, no grad) over a tensor or an iterable of batches
        (a batch is the features, or a tuple/list whose first item is)."""
        from .. import cat
        self.net.eval()
        with no_grad():
            if isinstance(data, Tensor):
                return self.net(_to_device(data, self.device))
            outputs = []
            for batch in data:
                features = batch[0] if isinstance(batch, (list, tuple)) else batch
                outputs.append(self.net(_to_device(features, self.device)))
        if not outputs:
            raise ValueError("predict: data yielded no batches")
        return cat(outputs, dim=0)

    # ---- internals ----------------------------------------------------------------------------------------
    def _say(self, text):
        if not self.quiet:
            print(text)

    def _pick_device(self, cpu):
        from .. import cuda
        device = "cuda" if not cpu and cuda.is_available() else "cpu"
        if device != self.device:
            self.net.to(device)
            self.device = device

    def _call_back(self, hook):
        for cb in self.callbacks:
            fn = getattr(cb, hook, None)
            if fn is not None:
                fn(model=self)

    def _record(self, logs):
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def _monitored_scores(self):
        if self.monitor not in self.history:
            raise KeyError(f"monitor {self.monitor!r} is not among the logged values {list(self.history)}; "
                           f"pass val_data or monitor one of those")
        return self.history[self.monitor]

    def _best_index(self, scores):
        arr = np.asarray(scores, dtype=np.float64)
        if np.all(np.isnan(arr)):
            return None
        return int(np.nanargmax(arr) if self.mode == "max" else np.nanargmin(arr))

    def _stop_on_nonfinite(self, bad, epoch, ckpt_saved):
        kept = (f"the best checkpoint ({self.ckpt_path!r}) is restored" if ckpt_saved
                else "no checkpoint had been saved yet, so the weights are those before that step")
        self.stop_reason = (f"<<<<<< {bad.stage} loss is {bad.value} at epoch {epoch}, step {bad.step}: "
                            f"training stopped; {kept} >>>>>>")
        warnings.warn(self.stop_reason, RuntimeWarning, stacklevel=3)

    def _run_epoch(self, data, stage, learn, quiet, check_finite=True):
        """One pass over ``data``; returns ``{stage_loss, stage_<metric>..., [lr]}`` for the epoch."""
        net, loss_fn, device = self.net, self.loss_fn, self.device
        net.train(stage == "train")
        metrics = [(f"{stage}_{name}", m) for name, m in copy.deepcopy(self.metrics_dict).items()]
        for _, m in metrics:
            m.reset()
        optimizer = self.optimizer if learn else None
        scheduler = self.lr_scheduler if learn and not _is_plateau_scheduler(self.lr_scheduler) else None
        accumulate = self.gradient_accumulation_steps if learn else 1
        clip = self.clip_grad_norm if learn else None
        params = [p for p in net.parameters() if p.requires_grad] if clip is not None else None
        total = len(data) if hasattr(data, "__len__") else None
        limit = data.size if isinstance(getattr(data, "size", None), int) else None
        if limit is not None:
            total = limit if total is None else min(limit, total)
        progress = EpochProgress(total, f"[{stage}]", enabled=not quiet)
        loss_key = stage + "_loss"
        step_logs = {}
        loss_sum = 0.0
        step = 0

        def running_logs():
            return dict({loss_key: loss_sum / max(step, 1)}, **step_logs)

        grad_ctx = no_grad() if not learn else contextlib.nullcontext()
        if optimizer is not None:
            optimizer.zero_grad()
        for step, batch in enumerate(data, 1):
            if limit is not None and step > limit:
                step -= 1
                break
            features, labels = _batch_features_labels(batch)
            if device != "cpu":
                features, labels = _to_device(features, device), _to_device(labels, device)
            with grad_ctx:
                preds = net(features)
                loss = loss_fn(preds, labels)
            loss_value = float(loss.item()) if isinstance(loss, Tensor) else float(loss)
            if check_finite and not math.isfinite(loss_value):
                progress.close(running_logs())
                raise _NonFiniteLoss(stage, step, loss_value)
            if optimizer is not None:
                (loss / accumulate if accumulate > 1 else loss).backward()
                if step % accumulate == 0:
                    self._optimizer_step(optimizer, scheduler, params, clip)
            loss_sum += loss_value
            if metrics:
                with no_grad():
                    for key, m in metrics:
                        step_logs[key] = float(m(preds, labels).item())
            if optimizer is not None:
                step_logs["lr"] = optimizer.param_groups[0]["lr"]
            progress.update(step, running_logs)
        if step == 0:
            progress.close({})
            raise ValueError(f"the {stage} data yielded no batches")
        if optimizer is not None and step % accumulate:
            self._optimizer_step(optimizer, scheduler, params, clip)  # the epoch's last, partial accumulation

        logs = {loss_key: loss_sum / step}
        for key, m in metrics:
            logs[key] = float(m.compute().item())
        if stage == "train":
            logs["lr"] = self.optimizer.param_groups[0]["lr"] if self.optimizer is not None else 0.0
        progress.close(logs)
        return logs

    @staticmethod
    def _optimizer_step(optimizer, scheduler, params, clip):
        if clip is not None:
            from ..nn.utils.clip_grad import clip_grad_norm_
            clip_grad_norm_(params, clip)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        optimizer.zero_grad()
