"""torchmetrics, unmodified, on numbatorch through the run command: values equal real torchmetrics and sklearn."""
import numpy as np
import pytest

from ._scripts import check, numbers, run_numbatorch, run_torch, write_script

SCRIPT = """
    import numpy as np
    import torch
    import torchmetrics

    rng = np.random.default_rng(0)
    metric = torchmetrics.Accuracy(task="multiclass", num_classes=10)
    for _ in range(3):
        preds = torch.tensor(rng.normal(size=(40, 10)), dtype=torch.float32)
        target = torch.tensor(rng.integers(0, 10, size=40))
        print("batch", metric(preds, target).item())
    print("epoch", metric.compute().item())
"""


def test_accuracy_matches_torchmetrics_on_pytorch(tmp_path):
    pytest.importorskip("torchmetrics")
    pytest.importorskip("torch")
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    script = write_script(tmp_path, SCRIPT)
    ours = check(run_numbatorch(script))
    theirs = check(run_torch(script))
    np.testing.assert_allclose(numbers(ours, "batch "), numbers(theirs, "batch "), rtol=1e-6)
    np.testing.assert_allclose(numbers(ours, "epoch "), numbers(theirs, "epoch "), rtol=1e-6)
    rng = np.random.default_rng(0)
    preds, targets = [], []
    for _ in range(3):
        preds.append(rng.normal(size=(40, 10)).astype(np.float32).argmax(1))
        targets.append(rng.integers(0, 10, size=40))
    expected = sklearn_metrics.accuracy_score(np.concatenate(targets), np.concatenate(preds))
    assert numbers(ours, "epoch ")[0] == pytest.approx(expected, rel=1e-6)
