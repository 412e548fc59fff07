"""Callbacks: TensorBoard (scalars grouped per metric, weight histograms, history CSV), EarlyStopping,
ModelCheckpoint, CSVLogger."""
import numpy as np
import pytest

from numbatorch.keras import CSVLogger, EarlyStopping, ModelCheckpoint, TensorBoard
from numbatorch.optim import SGD
from numbatorch.serialization import load

from ._helpers import ring_net
from .test_model import _fit, _snapshot


def test_tensorboard_callback_logs_history(tmp_path):
    pytest.importorskip("tensorboard")
    import pandas as pd
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    cb = TensorBoard(save_dir=str(tmp_path / "runs"), model_name="ring", log_weight=True, log_weight_freq=1)
    model, history = _fit(tmp_path, epochs=2, patience=10, callbacks=[cb])
    for column in ("train_loss", "val_loss", "train_auc", "val_auc", "lr"):
        group = column.replace("train_", "").replace("val_", "")
        ea = EventAccumulator(f"{cb.log_path}/{group}_{column}")
        ea.Reload()
        events = ea.Scalars(group)
        assert [e.step for e in events] == [1, 2]
        np.testing.assert_allclose([e.value for e in events], history[column], rtol=1e-6)
    ea = EventAccumulator(cb.log_path, size_guidance={"histograms": 0})
    ea.Reload()
    assert [e.step for e in ea.Histograms("fc1.weight")] == [0, 1, 2, 2]
    saved = pd.read_csv(f"{cb.log_path}/dfhistory.csv")
    assert list(saved.columns) == list(history.columns)
    np.testing.assert_allclose(saved.to_numpy(), history.to_numpy(), rtol=1e-9)


def test_early_stopping_callback(tmp_path):
    net = ring_net()
    cb = EarlyStopping(monitor="val_loss", patience=1, mode="min")
    # lr=0: nothing improves after epoch 1; the callback stops one epoch later (fit's own patience is larger).
    _, history = _fit(tmp_path, net=net, epochs=6, patience=10, optimizer=SGD(net.parameters(), lr=0.0),
                      callbacks=[cb])
    assert history["epoch"].tolist() == [1, 2]
    assert cb.stopped_epoch == 2


def test_model_checkpoint_saves_best(tmp_path):
    from .test_model import _Snapshots
    net = ring_net()
    snaps = _Snapshots()
    path = str(tmp_path / "best_{epoch}.pt")
    cb = ModelCheckpoint(path, monitor="val_auc", mode="max")
    _, history = _fit(tmp_path, net=net, epochs=4, patience=10, optimizer=SGD(net.parameters(), lr=0.5),
                      callbacks=[snaps, cb])
    best = int(np.nanargmax(history["val_auc"].to_numpy()))
    assert cb.last_saved == path.format(epoch=best + 1)
    for key, value in load(cb.last_saved).items():
        np.testing.assert_array_equal(value.numpy(), snaps.states[best][key])


def test_csv_logger(tmp_path):
    import pandas as pd
    _, history = _fit(tmp_path, epochs=2, patience=10, callbacks=[CSVLogger(str(tmp_path / "h.csv"))])
    saved = pd.read_csv(tmp_path / "h.csv")
    np.testing.assert_allclose(saved.to_numpy(), history.to_numpy(), rtol=1e-9)


def test_snapshot_helper_copies():
    net = ring_net()
    snap = _snapshot(net)
    net.fc1.weight.detach().numpy()[...] += 1.0
    assert not np.array_equal(snap["fc1.weight"], net.fc1.weight.detach().numpy())


def test_epoch_checkpoint_keeps_the_latest_max_ckpt(tmp_path):
    from numbatorch.keras import EpochCheckpoint

    from .test_model import _Snapshots
    snaps = _Snapshots()
    cb = EpochCheckpoint(ckpt_dir=str(tmp_path / "weights"), save_freq=2, max_ckpt=2)
    _fit(tmp_path, epochs=7, patience=10, callbacks=[snaps, cb])
    names = sorted((tmp_path / "weights").iterdir())
    assert [p.name for p in names] == ["checkpoint_epoch4.pt", "checkpoint_epoch6.pt"]
    for path, epoch in zip(names, (4, 6)):
        for key, value in load(str(path)).items():
            np.testing.assert_array_equal(value.numpy(), snaps.states[epoch - 1][key])
    with pytest.raises(ValueError, match="save_freq"):
        EpochCheckpoint(save_freq=0)
