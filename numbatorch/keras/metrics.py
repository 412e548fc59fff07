"""Streaming metrics for ``KerasModel`` (torchkeras's API): ``forward(preds, targets)`` returns the batch value
and accumulates, ``compute()`` returns the value over everything seen since the last ``reset()``.

Binary metrics take logits (a sample is predicted positive when ``sigmoid(pred) >= 0.5``, i.e. ``pred >= 0``)
and targets in {0, 1} (positive when ``target >= 0.5``). ``AUC`` and ``KS`` are exact: they keep every score
and use the rank formulas scikit-learn's ``roc_auc_score`` / ``roc_curve`` agree with (ties get average ranks),
instead of torchkeras's 10,001-bin histogram. All arithmetic is numpy in float64; values come back as 0-dim
float32 tensors.
"""
import sys

import numpy as np

from .._creation import tensor
from .._tensor import Tensor
from ..nn.modules.module import Module

__all__ = ["Accuracy", "AUC", "Precision", "Recall", "F1", "KS", "MSE", "MAE", "IOU", "roc_auc", "ks_statistic"]


def _as_array(x):
    # metrics are counted on the host, whatever device the predictions come from
    if isinstance(x, Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def _scalar(value):
    return tensor(float(value))


def _ratio(num, den):
    """``num / den``, 0.0 when ``den == 0`` (scikit-learn's ``zero_division`` default)."""
    return num / den if den else 0.0


def _flat_pair(name, preds, targets):
    """Both arrays flattened; they must describe the same samples (same number of elements)."""
    p, t = _as_array(preds), _as_array(targets)
    if p.size != t.size:
        raise ValueError(f"{name}: preds of shape {tuple(p.shape)} and targets of shape {tuple(t.shape)} "
                         f"do not describe the same samples (need the same number of elements)")
    return p.reshape(-1), t.reshape(-1)


def _binary_pair(name, preds, targets):
    """(predicted positive, actually positive) boolean vectors."""
    p, t = _flat_pair(name, preds, targets)
    return p >= 0, t >= 0.5


def roc_auc(scores, positive):
    """Exact ROC AUC (Mann-Whitney U with average ranks for ties); NaN when only one class is present."""
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    positive = np.asarray(positive, dtype=bool).reshape(-1)
    n = scores.size
    n_pos = int(np.count_nonzero(positive))
    n_neg = n - n_pos
    if n_pos == 0 or n_neg == 0 or np.isnan(scores).any():
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = scores[order]
    starts = np.concatenate(([0], np.flatnonzero(np.diff(sorted_scores)) + 1))
    ends = np.concatenate((starts[1:], [n]))
    # A tie group occupying 1-based ranks starts+1 .. ends gets their mean rank.
    ranks = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    rank_sum = ranks[positive[order]].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def ks_statistic(scores, positive):
    """Kolmogorov-Smirnov statistic ``max |TPR - FPR|`` over all distinct thresholds; NaN with one class."""
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    positive = np.asarray(positive, dtype=bool).reshape(-1)
    n_pos = int(np.count_nonzero(positive))
    n_neg = positive.size - n_pos
    if n_pos == 0 or n_neg == 0 or np.isnan(scores).any():
        return float("nan")
    order = np.argsort(-scores, kind="mergesort")
    sorted_scores = scores[order]
    # Curve points only where the threshold changes (the last index of each tie group).
    group_ends = np.concatenate((np.flatnonzero(np.diff(sorted_scores)), [scores.size - 1]))
    tps = np.cumsum(positive[order])[group_ends]
    fps = group_ends + 1 - tps
    return float(np.max(np.abs(tps / n_pos - fps / n_neg)))


class _StreamingMetric(Module):
    """Base: subclasses implement ``_update(preds, targets) -> batch value``, ``_value()`` and ``reset()``."""

    def __init__(self):
        super().__init__()
        self.reset()

    def forward(self, preds, targets):
        return _scalar(self._update(preds, targets))

    def compute(self):
        return _scalar(self._value())

    def reset(self):
        raise NotImplementedError


class Accuracy(_StreamingMetric):
    """Binary accuracy on logits (same number of elements in preds and targets) or multiclass accuracy
    (preds ``(N, C, ...)`` scores with C > 1, targets ``(N, ...)`` class indices; the prediction is the argmax
    over dim 1)."""

    def reset(self):
        self.correct = 0
        self.total = 0

    def _update(self, preds, targets):
        p, t = _as_array(preds), _as_array(targets)
        if p.ndim == t.ndim + 1 and p.ndim >= 2 and p.shape[1] > 1 and p.shape[:1] + p.shape[2:] == t.shape:
            if t.size and (np.issubdtype(t.dtype, np.floating) and np.any(t != np.floor(t))):
                raise ValueError("Accuracy: multiclass targets must be class indices, got fractional values")
            hits = np.argmax(p, axis=1) == t
        elif p.size == t.size:
            hits = (p.reshape(-1) >= 0) == (t.reshape(-1) >= 0.5)
        else:
            raise ValueError(f"Accuracy: preds of shape {tuple(p.shape)} and targets of shape {tuple(t.shape)} "
                             f"fit neither binary (same number of elements) nor multiclass "
                             f"(preds (N, C, ...) with targets (N, ...)) accuracy")
        correct = int(np.count_nonzero(hits))
        self.correct += correct
        self.total += hits.size
        return _ratio(correct, hits.size)

    def _value(self):
        return _ratio(self.correct, self.total)


class _ConfusionMetric(_StreamingMetric):
    """Binary metrics from true-positive / false-positive / false-negative counts."""

    name = "metric"

    def reset(self):
        self.tp = self.fp = self.fn = 0

    def _update(self, preds, targets):
        pred_pos, true_pos = _binary_pair(type(self).__name__, preds, targets)
        tp = int(np.count_nonzero(pred_pos & true_pos))
        fp = int(np.count_nonzero(pred_pos & ~true_pos))
        fn = int(np.count_nonzero(~pred_pos & true_pos))
        self.tp += tp
        self.fp += fp
        self.fn += fn
        return self._formula(tp, fp, fn)

    def _value(self):
        return self._formula(self.tp, self.fp, self.fn)


class Precision(_ConfusionMetric):
    """Binary precision ``tp / (tp + fp)`` on logits (0 when nothing is predicted positive)."""

    @staticmethod
    def _formula(tp, fp, fn):
        return _ratio(tp, tp + fp)


class Recall(_ConfusionMetric):
    """Binary recall ``tp / (tp + fn)`` on logits (0 when there is no positive target)."""

    @staticmethod
    def _formula(tp, fp, fn):
        return _ratio(tp, tp + fn)


class F1(_ConfusionMetric):
    """Binary F1 ``2 tp / (2 tp + fp + fn)`` on logits."""

    @staticmethod
    def _formula(tp, fp, fn):
        return _ratio(2 * tp, 2 * tp + fp + fn)


class _RankMetric(_StreamingMetric):
    """Keeps every (score, label) seen; ``compute`` ranks them all at once."""

    def reset(self):
        self.scores = []
        self.labels = []

    def _update(self, preds, targets):
        p, t = _flat_pair(type(self).__name__, preds, targets)
        positive = t >= 0.5
        self.scores.append(p.astype(np.float64))
        self.labels.append(positive)
        return self._formula(p, positive)

    def _value(self):
        if not self.scores:
            return float("nan")
        return self._formula(np.concatenate(self.scores), np.concatenate(self.labels))


class AUC(_RankMetric):
    """Exact binary ROC AUC (equals ``sklearn.metrics.roc_auc_score``); NaN while only one class was seen."""

    _formula = staticmethod(roc_auc)


class KS(_RankMetric):
    """Exact Kolmogorov-Smirnov statistic ``max |TPR - FPR|`` of the ROC curve."""

    _formula = staticmethod(ks_statistic)


class _ErrorMetric(_StreamingMetric):
    """Mean of an elementwise error over all elements seen."""

    def reset(self):
        self.error_sum = 0.0
        self.count = 0

    def _update(self, preds, targets):
        p, t = _flat_pair(type(self).__name__, preds, targets)
        err = float(self._elementwise(p.astype(np.float64) - t.astype(np.float64)).sum())
        self.error_sum += err
        self.count += p.size
        return err / p.size if p.size else float("nan")

    def _value(self):
        return self.error_sum / self.count if self.count else float("nan")


class MSE(_ErrorMetric):
    """Mean squared error."""

    _elementwise = staticmethod(np.square)


class MAE(_ErrorMetric):
    """Mean absolute error."""

    _elementwise = staticmethod(np.abs)


class IOU(_StreamingMetric):
    """Mean intersection over union for segmentation (torchkeras's ``IOU``), from a streaming confusion matrix.

    ``num_classes >= 2``: preds ``(N, C, ...)`` scores (the class is the argmax over dim 1), targets ``(N, ...)``
    class indices; ``num_classes == 1``: binary, preds are logits (positive when ``> 0``) and targets 0/1.
    Targets outside ``[0, n)`` (e.g. an ignore index of 255) are skipped. The mean runs over the classes
    present in the targets or the predictions, which is scikit-learn's ``jaccard_score(average='macro')``;
    torchkeras instead returns NaN when a class is absent from both. ``if_print`` prints the per-class table
    on ``compute()``.
    """

    def __init__(self, num_classes, if_print=False):
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"IOU: num_classes must be a positive integer, got {num_classes!r}")
        self.num_classes = num_classes
        self.if_print = if_print
        super().__init__()

    def reset(self):
        n = max(self.num_classes, 2)
        self.mat = np.zeros((n, n), dtype=np.int64)

    def _confusion(self, preds, targets):
        p, t = _as_array(preds), _as_array(targets)
        n = self.mat.shape[0]
        if self.num_classes >= 2:
            if p.ndim != t.ndim + 1 or p.shape[1] != self.num_classes or p.shape[:1] + p.shape[2:] != t.shape:
                raise ValueError(f"IOU(num_classes={self.num_classes}): preds of shape {tuple(p.shape)} and "
                                 f"targets of shape {tuple(t.shape)}: expected preds (N, {self.num_classes}, ...) "
                                 f"and targets (N, ...)")
            predicted = np.argmax(p, axis=1).reshape(-1)
        else:
            if p.size != t.size:
                raise ValueError(f"IOU(num_classes=1): preds of shape {tuple(p.shape)} and targets of shape "
                                 f"{tuple(t.shape)} do not describe the same pixels")
            predicted = (p.reshape(-1) > 0).astype(np.int64)
        actual = t.reshape(-1)
        keep = (actual >= 0) & (actual < n)
        index = n * actual[keep].astype(np.int64) + predicted[keep]
        return np.bincount(index, minlength=n * n).reshape(n, n)

    @staticmethod
    def eval_iou(mat):
        """(global accuracy, per-class IoU with NaN for classes absent from targets and predictions)."""
        h = mat.astype(np.float64)
        diag = np.diag(h)
        union = h.sum(1) + h.sum(0) - diag
        with np.errstate(invalid="ignore", divide="ignore"):
            return diag.sum() / h.sum(), diag / union

    @classmethod
    def _mean_iou(cls, mat):
        iou = cls.eval_iou(mat)[1]
        present = ~np.isnan(iou)
        return float(iou[present].mean()) if present.any() else float("nan")

    def _update(self, preds, targets):
        mat = self._confusion(preds, targets)
        self.mat += mat
        return self._mean_iou(mat)

    def _value(self):
        if self.if_print:
            print(self, file=sys.stderr)
        return self._mean_iou(self.mat)

    def __str__(self):
        acc_global, iou = self.eval_iou(self.mat)
        return (f"global correct: {acc_global:.4f}\nIoU: {['{:.4f}'.format(v) for v in iou.tolist()]}\n"
                f"mean IoU: {self._mean_iou(self.mat):.4f}")
