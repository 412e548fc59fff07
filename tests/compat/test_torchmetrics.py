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

    if torch.__name__ == "numbatorch":  # torchkeras (numbatorch.keras) is there only under the run command
        import torchkeras
        from sklearn.metrics import accuracy_score
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset

        x = torch.tensor(rng.normal(size=(64, 4)), dtype=torch.float32)
        y = torch.tensor((rng.normal(size=64) > 0).astype(np.int64))
        loader = DataLoader(TensorDataset(x, y), batch_size=16)
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        model = torchkeras.KerasModel(net, loss_fn=nn.CrossEntropyLoss(),
                                      optimizer=torch.optim.Adam(net.parameters(), lr=0.01),
                                      metrics_dict={"acc": torchmetrics.Accuracy(task="multiclass", num_classes=2)})
        history = model.fit(train_data=loader, val_data=loader, epochs=2, patience=5, monitor="val_acc",
                            mode="max", plot=False, quiet=True)
        with torch.no_grad():
            predicted = net(x).argmax(1).numpy()
        print("val_acc", history["val_acc"].max())  # fit ends with the best epoch's weights restored
        print("sklearn", accuracy_score(y.numpy(), predicted))
"""


def test_accuracy_matches_torchmetrics_on_pytorch_and_sklearn(tmp_path):
    """Accuracy values equal torchmetrics on PyTorch and sklearn's, also as a metric of a KerasModel fit."""
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
    assert len(numbers(ours, "val_acc ")) == 1
    assert numbers(ours, "val_acc ") == pytest.approx(numbers(ours, "sklearn "), rel=1e-6)


HIDE_TORCH = """
import importlib.metadata as metadata, runpy, sys
real_distribution, real_version = metadata.distribution, metadata.version
def hidden(real):
    def lookup(name):
        if name.lower() in ("torch", "torchvision"):
            raise metadata.PackageNotFoundError(name)
        return real(name)
    return lookup
metadata.distribution, metadata.version = hidden(real_distribution), hidden(real_version)
sys.argv = ["numbatorch", "run", *sys.argv[1:]]
runpy.run_module("numbatorch", run_name="__main__", alter_sys=True)
"""


def test_accuracy_without_pytorch_installed(tmp_path):
    """With no torch distribution (a numbatorch-only environment), torchmetrics takes its old-PyTorch paths."""
    import subprocess
    import sys

    pytest.importorskip("torchmetrics")
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    script = write_script(tmp_path, """
        import torch
        import torchmetrics
        from torchmetrics.utilities.imports import _TORCH_GREATER_EQUAL_2_3
        print("new_torch_paths", bool(_TORCH_GREATER_EQUAL_2_3))
        metric = torchmetrics.Accuracy(task="multiclass", num_classes=3)
        print("acc", metric(torch.tensor([0, 1, 2, 2]), torch.tensor([0, 1, 1, 2])).item())
    """)
    result = subprocess.run([sys.executable, "-c", HIDE_TORCH, str(script)], capture_output=True, text=True,
                            timeout=240, cwd=tmp_path)
    out = check(result)
    assert "new_torch_paths False" in out
    expected = sklearn_metrics.accuracy_score([0, 1, 1, 2], [0, 1, 2, 2])
    assert numbers(out, "acc ") == pytest.approx([expected], rel=1e-6)
