"""Streaming metrics against scikit-learn on random data: batch values, accumulated values, reset, errors."""
import numpy as np
import pytest

import numbatorch
from numbatorch.keras import metrics as M

skm = pytest.importorskip("sklearn.metrics")


def _binary_data(seed, n=300, ties=False):
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.35).astype(np.float32)
    logits = (rng.normal(size=n) + 1.2 * labels).astype(np.float32)
    if ties:  # coarse scores: many exact ties, which the exact AUC must rank by averages
        logits = np.round(logits * 2) / 2
    return logits[:, None], labels[:, None]


def _batches(*arrays, size=64):
    n = len(arrays[0])
    for start in range(0, n, size):
        yield tuple(numbatorch.tensor(a[start:start + size]) for a in arrays)


def _stream(metric, preds, labels):
    """Feed batches; return the batch values and compute()."""
    batch_values = [float(metric(p, t).item()) for p, t in _batches(preds, labels)]
    return batch_values, float(metric.compute().item())


def _ks_reference(y, scores):
    fpr, tpr, _ = skm.roc_curve(y, scores)
    return np.max(np.abs(tpr - fpr))


BINARY_CASES = [
    (M.AUC, lambda y, s: skm.roc_auc_score(y, s)),
    (M.KS, _ks_reference),
    (M.Precision, lambda y, s: skm.precision_score(y, s >= 0, zero_division=0)),
    (M.Recall, lambda y, s: skm.recall_score(y, s >= 0, zero_division=0)),
    (M.F1, lambda y, s: skm.f1_score(y, s >= 0, zero_division=0)),
    (M.Accuracy, lambda y, s: skm.accuracy_score(y, s >= 0)),
]


@pytest.mark.parametrize("metric_cls,reference", BINARY_CASES, ids=[c[0].__name__ for c in BINARY_CASES])
@pytest.mark.parametrize("ties", [False, True])
def test_binary_metric_matches_sklearn(metric_cls, reference, ties):
    preds, labels = _binary_data(1, ties=ties)
    metric = metric_cls()
    batch_values, total = _stream(metric, preds, labels)
    y, s = labels.ravel(), preds.ravel()
    assert total == pytest.approx(reference(y, s), rel=1e-6, abs=1e-7)
    for (p, t), value in zip(_batches(preds, labels), batch_values):
        assert value == pytest.approx(reference(t.numpy().ravel(), p.numpy().ravel()), rel=1e-6, abs=1e-7)
    metric.reset()
    preds2, labels2 = _binary_data(2, n=100, ties=ties)
    _, total2 = _stream(metric, preds2, labels2)
    assert total2 == pytest.approx(reference(labels2.ravel(), preds2.ravel()), rel=1e-6, abs=1e-7)


def test_auc_is_exact_where_a_histogram_is_not():
    # Scores squeezed into a tiny range: a 10,001-bin histogram of sigmoid(x) puts them all in one bin.
    rng = np.random.default_rng(3)
    labels = (rng.random(500) < 0.5).astype(np.float32)
    logits = (1e-4 * (rng.random(500) + labels)).astype(np.float32)
    metric = M.AUC()
    metric(numbatorch.tensor(logits), numbatorch.tensor(labels))
    assert metric.compute().item() == pytest.approx(skm.roc_auc_score(labels, logits), rel=1e-6)


def test_auc_single_class_is_nan():
    metric = M.AUC()
    value = metric(numbatorch.tensor([0.1, 0.3]), numbatorch.tensor([1.0, 1.0]))
    assert np.isnan(value.item())


def test_multiclass_accuracy_matches_sklearn():
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(200, 5)).astype(np.float32)
    targets = rng.integers(0, 5, size=200)
    metric = M.Accuracy()
    _, total = _stream(metric, logits, targets)
    assert total == pytest.approx(skm.accuracy_score(targets, logits.argmax(1)), rel=1e-6)


@pytest.mark.parametrize("metric_cls,reference", [(M.MSE, skm.mean_squared_error),
                                                  (M.MAE, skm.mean_absolute_error)])
def test_regression_metrics_match_sklearn(metric_cls, reference):
    rng = np.random.default_rng(5)
    preds = rng.normal(size=(150, 1))
    targets = rng.normal(size=(150, 1))
    metric = metric_cls()
    batch_values, total = _stream(metric, preds, targets)
    assert total == pytest.approx(reference(targets, preds), rel=1e-6)
    assert batch_values[0] == pytest.approx(reference(targets[:64], preds[:64]), rel=1e-6)


def test_metric_values_are_float32_scalars_and_accept_grad_tensors():
    preds = numbatorch.tensor([[0.5], [-1.0]], requires_grad=True)
    value = M.Accuracy()(preds, numbatorch.tensor([[1.0], [0.0]]))
    assert value.dtype == numbatorch.float32 and value.shape == ()
    assert value.item() == 1.0


@pytest.mark.parametrize("metric_cls", [M.Accuracy, M.AUC, M.Precision, M.MSE])
def test_wrong_shapes_raise_clear_errors(metric_cls):
    with pytest.raises(ValueError, match="shape"):
        metric_cls()(numbatorch.zeros(4, 3), numbatorch.zeros(5))


def _segmentation(seed, n_classes, shape=(3, 6, 5)):
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=(shape[0], n_classes) + shape[1:]).astype(np.float32)
    targets = rng.integers(0, n_classes, size=shape)
    return scores, targets


@pytest.mark.parametrize("n_classes", [3, 5])
def test_iou_multiclass_matches_sklearn_jaccard(n_classes):
    scores, targets = _segmentation(0, n_classes)
    metric = M.IOU(n_classes)
    values = []
    for s, t in ((scores[:1], targets[:1]), (scores[1:], targets[1:])):
        values.append(metric(numbatorch.tensor(s), numbatorch.tensor(t)).item())
        expected = skm.jaccard_score(t.reshape(-1), s.argmax(1).reshape(-1), average="macro")
        assert values[-1] == pytest.approx(expected, rel=1e-6)
    expected_all = skm.jaccard_score(targets.reshape(-1), scores.argmax(1).reshape(-1), average="macro")
    assert metric.compute().item() == pytest.approx(expected_all, rel=1e-6)
    metric.reset()
    assert metric.mat.sum() == 0


def test_iou_binary_logits_and_ignored_targets():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(4, 1, 8, 8)).astype(np.float32)
    targets = (rng.random((4, 1, 8, 8)) < 0.4).astype(np.int64)
    targets[0, 0, 0, :4] = 255  # an ignore index: outside [0, 2), skipped
    keep = targets.reshape(-1) != 255
    value = M.IOU(1)(numbatorch.tensor(logits), numbatorch.tensor(targets)).item()
    expected = skm.jaccard_score(targets.reshape(-1)[keep], (logits.reshape(-1) > 0)[keep].astype(int),
                                 average="macro")
    assert value == pytest.approx(expected, rel=1e-6)


def test_iou_hand_computed_and_shape_errors():
    # targets 0 0 1 2, predicted 0 1 1 1: IoU(0)=1/2, IoU(1)=1/3, IoU(2)=0/2 -> mean 5/18
    scores = np.eye(3, dtype=np.float32)[[0, 1, 1, 1]].T[None]  # (1, 3, 4)
    metric = M.IOU(3)
    assert metric(numbatorch.tensor(scores), numbatorch.tensor([[0, 0, 1, 2]])).item() == pytest.approx(5 / 18)
    assert "mean IoU: 0.2778" in str(metric)
    with pytest.raises(ValueError, match=r"preds of shape \(1, 3, 4\) and targets of shape \(1, 5\)"):
        metric(numbatorch.tensor(scores), numbatorch.tensor([[0, 0, 1, 2, 1]]))
