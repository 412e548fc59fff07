"""A small stand-in for torchkeras on plain PyTorch, so ``--backend torch`` runs the tutorials without torchkeras.

Only what the tutorials use: ``KerasModel.fit`` (best checkpoint by ``monitor``, early stopping after
``patience`` epochs, history DataFrame, optional history plot), ``summary`` (parameter count) and the
``AUC``/``Accuracy`` metrics (logits in, scikit-learn's definitions), with torchkeras's gradient clipping to norm
1.0. It is a timing baseline, not a library.
"""
import os
import types

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

__all__ = ["KerasModel", "summary", "metrics", "callbacks"]


class _Metric(torch.nn.Module):
    """Streaming metric: ``forward`` returns the batch value and keeps the batch; ``compute`` uses all kept."""

    def __init__(self):
        super().__init__()
        self.reset()

    def reset(self):
        self.kept = []

    def forward(self, preds, targets):
        batch = self._prepare(preds.detach().cpu().numpy().astype(np.float64), targets.detach().cpu().numpy())
        self.kept.append(batch)
        return torch.tensor(self._value(*batch))

    def compute(self):
        return torch.tensor(self._value(*(np.concatenate(parts) for parts in zip(*self.kept))))

    @staticmethod
    def _prepare(p, t):
        """(scores, positive) for binary metrics on logits."""
        return p.reshape(-1), t.reshape(-1) >= 0.5


class AUC(_Metric):
    @staticmethod
    def _value(scores, positive):
        return float(roc_auc_score(positive, scores)) if 0 < positive.sum() < positive.size else float("nan")


class Accuracy(_Metric):
    """Binary accuracy on logits (positive when the logit is >= 0) or multiclass accuracy (argmax of dim 1)."""

    @staticmethod
    def _prepare(p, t):
        if p.ndim == 2 and p.shape[1] > 1:
            return (np.argmax(p, axis=1) == t,)
        return ((p.reshape(-1) >= 0) == (t.reshape(-1) >= 0.5),)

    @staticmethod
    def _value(hits):
        return float(np.mean(hits))


metrics = types.SimpleNamespace(AUC=AUC, Accuracy=Accuracy)
callbacks = types.SimpleNamespace()


def summary(model, input_data=None, **kwargs):
    """Prints the parameter counts (torchkeras's full table needs torchkeras)."""
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"Total params: {total:,}\nTrainable params: {trainable:,}")


class KerasModel(torch.nn.Module):
    def __init__(self, net, loss_fn, metrics_dict=None, optimizer=None, lr_scheduler=None):
        super().__init__()
        self.net, self.loss_fn = net, loss_fn
        self.metrics_dict = torch.nn.ModuleDict(metrics_dict or {})
        self.optimizer = optimizer or torch.optim.Adam(net.parameters(), lr=3e-4)
        self.lr_scheduler = lr_scheduler
        self.device = "cpu"

    def _run_epoch(self, data, stage):
        learn = stage == "train"
        self.net.train(learn)
        for m in self.metrics_dict.values():
            m.reset()
        total, steps = 0.0, 0
        with torch.set_grad_enabled(learn):
            for features, labels in data:
                features, labels = features.to(self.device), labels.to(self.device)
                preds = self.net(features)
                loss = self.loss_fn(preds, labels)
                if learn:
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(self.net.parameters(), 1.0)  # torchkeras's default clipping
                    self.optimizer.step()
                    if self.lr_scheduler is not None:
                        self.lr_scheduler.step()
                    self.optimizer.zero_grad()
                total += loss.item()
                steps += 1
                with torch.no_grad():
                    for m in self.metrics_dict.values():
                        m(preds, labels)
        logs = {f"{stage}_loss": total / steps}
        logs.update({f"{stage}_{name}": float(m.compute()) for name, m in self.metrics_dict.items()})
        return logs

    def evaluate(self, val_data, quiet=False):
        return self._run_epoch(val_data, "val")

    def fit(self, train_data, val_data=None, epochs=10, ckpt_path="checkpoint", patience=5, monitor="val_loss",
            mode="min", callbacks=None, plot=False, quiet=False, cpu=True, **kwargs):
        import pandas as pd
        self.device = "cpu" if cpu else "cuda"  # torchkeras's choice: the GPU unless cpu=True
        self.net.to(self.device)
        history = []
        best_score, best_epoch = None, 0
        for epoch in range(1, epochs + 1):
            logs = {"epoch": epoch, **self._run_epoch(train_data, "train")}
            if val_data is not None:
                logs.update(self._run_epoch(val_data, "val"))
            history.append(logs)
            if not quiet:
                print(", ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in logs.items()))
            score = logs[monitor]
            if best_score is None or (score > best_score if mode == "max" else score < best_score):
                best_score, best_epoch = score, epoch
                os.makedirs(os.path.dirname(os.path.abspath(ckpt_path)), exist_ok=True)
                torch.save(self.net.state_dict(), ckpt_path)
            if epoch - best_epoch >= patience:
                break
        self.net.cpu()  # torchkeras hands the model back on the CPU
        self.net.load_state_dict(torch.load(ckpt_path, map_location="cpu", weights_only=True))
        frame = pd.DataFrame(history)
        if plot:
            _plot_history(frame, monitor, os.path.join(os.path.dirname(ckpt_path), "history.png"))
        return frame


def _plot_history(frame, monitor, path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(6, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    metric = monitor.replace("val_", "", 1)
    for column in ("train_" + metric, "val_" + metric):
        if column in frame:
            ax.plot(frame["epoch"], frame[column], "o-", label=column)
    ax.legend()
    fig.savefig(path)
