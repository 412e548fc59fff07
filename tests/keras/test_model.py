"""``KerasModel.fit`` on small data: history, early stopping, checkpoint restore, NaN stop, gradient
accumulation, scheduler stepping, progress output, plot, evaluate and predict."""
import os

import numpy as np
import pytest

import numbatorch
from numbatorch.keras import KerasModel
from numbatorch.keras.callbacks import Callback
from numbatorch.keras.metrics import AUC, Accuracy
from numbatorch.optim import SGD, Adam
from numbatorch.optim.lr_scheduler import ReduceLROnPlateau, StepLR
from numbatorch.serialization import load

from ._helpers import bce_with_logits, loaders, ring_net


def _snapshot(net):
    return {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}


class _Snapshots(Callback):
    """Keeps the weights after every epoch's validation."""

    def on_fit_start(self, model):
        self.states = []

    def on_validation_epoch_end(self, model):
        self.states.append(_snapshot(model.net))


def _fit(tmp_path, net=None, epochs=3, **kwargs):
    net = net if net is not None else ring_net()
    optimizer = kwargs.pop("optimizer", None) or Adam(net.parameters(), lr=0.02)
    model = KerasModel(net, kwargs.pop("loss_fn", bce_with_logits()),
                       metrics_dict=kwargs.pop("metrics_dict", {"acc": Accuracy(), "auc": AUC()}),
                       optimizer=optimizer, lr_scheduler=kwargs.pop("lr_scheduler", None))
    dl_train, dl_val = kwargs.pop("data", None) or loaders()
    kwargs.setdefault("plot", False)
    kwargs.setdefault("quiet", True)
    kwargs.setdefault("cpu", True)
    history = model.fit(dl_train, dl_val, epochs=epochs, ckpt_path=str(tmp_path / "checkpoint"), **kwargs)
    return model, history


def test_history_columns_in_torchkeras_order_and_values_match_evaluate(tmp_path):
    model, history = _fit(tmp_path, epochs=3, patience=10)
    assert list(history.columns) == ["epoch", "train_loss", "train_acc", "train_auc", "lr",
                                     "val_loss", "val_acc", "val_auc"]
    assert history["epoch"].tolist() == [1, 2, 3]
    assert history["lr"].tolist() == [0.02] * 3
    # The restored weights are the best epoch's (lowest val_loss): evaluating them reproduces its row.
    best = history.loc[history["val_loss"].idxmin()]
    _, dl_val = loaders()
    logs = model.evaluate(dl_val, quiet=True)
    assert list(logs) == ["val_loss", "val_acc", "val_auc"]
    for key in logs:
        assert logs[key] == pytest.approx(best[key], rel=1e-6)


def test_checkpoint_restores_best_weights(tmp_path):
    # A large learning rate makes val_loss bounce, so the best epoch is usually not the last one.
    net = ring_net()
    snaps = _Snapshots()
    model, history = _fit(tmp_path, net=net, epochs=6, patience=10, optimizer=SGD(net.parameters(), lr=0.5),
                          monitor="val_auc", mode="max", callbacks=[snaps])
    best = int(np.nanargmax(history["val_auc"].to_numpy()))
    final = _snapshot(model.net)
    for key, value in snaps.states[best].items():
        np.testing.assert_array_equal(final[key], value)
    for key, value in load(str(tmp_path / "checkpoint")).items():
        np.testing.assert_array_equal(value.numpy(), final[key])
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]  # atomic write left no temp file


def test_early_stopping_after_patience(tmp_path, capsys):
    net = ring_net()
    # lr=0: the monitored value never improves after epoch 1, so training stops after 1 + patience epochs.
    model, history = _fit(tmp_path, net=net, epochs=10, patience=2, optimizer=SGD(net.parameters(), lr=0.0),
                          quiet=False)
    assert history["epoch"].tolist() == [1, 2, 3]
    out = capsys.readouterr().out
    assert "<<<<<< val_loss without improvement in 2 epoch,early stopping >>>>>>" in out
    assert out.count("<<<<<< reach best val_loss") == 1


def test_callback_can_stop_training(tmp_path):
    class StopAtTwo(Callback):
        def on_validation_epoch_end(self, model):
            if model.history["epoch"][-1] == 2:
                model.stop_training = True

    _, history = _fit(tmp_path, epochs=5, patience=10, callbacks=[StopAtTwo()])
    assert history["epoch"].tolist() == [1, 2]


def test_nan_loss_stops_with_epoch_and_step_and_keeps_best(tmp_path):
    calls = {"n": 0}
    base = bce_with_logits()
    steps_per_epoch = len(loaders()[0])

    def loss_fn(preds, labels):
        loss = base(preds, labels)
        if preds.requires_grad:  # count training steps only
            calls["n"] += 1
            if calls["n"] == steps_per_epoch + 2:  # epoch 2, step 2
                return loss * float("nan")
        return loss

    net = ring_net()
    snaps = _Snapshots()
    with pytest.warns(RuntimeWarning, match=r"train loss is nan at epoch 2, step 2"):
        model, history = _fit(tmp_path, net=net, epochs=5, loss_fn=loss_fn, callbacks=[snaps])
    assert history["epoch"].tolist() == [1]
    assert "epoch 2, step 2" in model.stop_reason
    for key, value in snaps.states[0].items():
        np.testing.assert_array_equal(_snapshot(model.net)[key], value)


def _manual_accumulated_sgd(net, batches, lr, accumulate):
    loss_fn = bce_with_logits()
    opt = SGD(net.parameters(), lr=lr)
    opt.zero_grad()
    for i, (x, y) in enumerate(batches, 1):
        (loss_fn(net(x), y) / accumulate).backward()
        if i % accumulate == 0 or i == len(batches):
            opt.step()
            opt.zero_grad()


@pytest.mark.parametrize("accumulate", [2, 3])
def test_gradient_accumulation_matches_manual_loop(tmp_path, accumulate):
    dl_train, dl_val = loaders(batch_size=50)  # 280 samples: 6 batches, the last one partial
    numbatorch.manual_seed(1)
    net = ring_net()
    numbatorch.manual_seed(1)
    reference = ring_net()
    _manual_accumulated_sgd(reference, list(dl_train), 0.1, accumulate)
    _fit(tmp_path, net=net, epochs=1, optimizer=SGD(net.parameters(), lr=0.1), data=(dl_train, dl_val),
         gradient_accumulation_steps=accumulate, metrics_dict={}, clip_grad_norm=None)
    for key, value in _snapshot(reference).items():
        np.testing.assert_allclose(_snapshot(net)[key], value, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("accumulate", [1, 2])
def test_scheduler_steps_once_per_optimizer_step(tmp_path, accumulate):
    dl_train, dl_val = loaders(batch_size=50)  # 6 batches per epoch
    net = ring_net()
    optimizer = SGD(net.parameters(), lr=0.1)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.5)
    _, history = _fit(tmp_path, net=net, epochs=2, optimizer=optimizer, lr_scheduler=scheduler,
                      data=(dl_train, dl_val), gradient_accumulation_steps=accumulate, patience=10)
    steps = -(-len(dl_train) // accumulate)
    np.testing.assert_allclose(history["lr"].to_numpy(), [0.1 * 0.5 ** steps, 0.1 * 0.5 ** (2 * steps)])


def test_reduce_lr_on_plateau_steps_per_epoch_on_monitor(tmp_path):
    net = ring_net()
    optimizer = SGD(net.parameters(), lr=1.0)
    scheduler = ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=0)
    base = bce_with_logits()

    def flat_loss(preds, labels):  # zero gradient: val_loss never improves after epoch 1
        return base(preds, labels) * 0.0 + 1.0

    _, history = _fit(tmp_path, net=net, epochs=4, optimizer=optimizer, lr_scheduler=scheduler, patience=10,
                      loss_fn=flat_loss, metrics_dict={})
    # lr is logged during each epoch; the scheduler steps after validation.
    np.testing.assert_allclose(history["lr"].to_numpy(), [1.0, 1.0, 0.5, 0.25])


def test_mixed_precision_not_implemented(tmp_path):
    with pytest.raises(NotImplementedError, match="mixed_precision"):
        _fit(tmp_path, mixed_precision="fp16")


def test_unknown_monitor_is_a_clear_error(tmp_path):
    with pytest.raises(KeyError, match="val_f1"):
        _fit(tmp_path, epochs=1, monitor="val_f1")


def test_quiet_prints_nothing(tmp_path, capsys):
    _fit(tmp_path, epochs=2, quiet=True, plot=True)
    assert capsys.readouterr().out == ""


def test_log_file_output_has_no_control_characters(tmp_path, capsys):
    _fit(tmp_path, epochs=2, quiet=False)
    out = capsys.readouterr().out
    assert "\r" not in out and "\x1b" not in out
    assert out.count("[train]: train_loss=") == 2 and out.count("[val]: val_loss=") == 2


def test_plot_saves_history_png_next_to_checkpoint(tmp_path):
    from PIL import Image
    _fit(tmp_path, epochs=2, plot=True)
    with Image.open(tmp_path / "history.png") as img:
        assert img.size[0] > 100 and img.size[1] > 100


def test_plot_title_names_best_epoch(tmp_path):
    from numbatorch.keras import VisMetric
    model, history = _fit(tmp_path, epochs=3, patience=10, monitor="val_auc", mode="max")
    best = history.loc[history["val_auc"].idxmax()]
    expected = f"best val_auc={best['val_auc']:.4f} (@epoch {int(best['epoch'])})"
    assert VisMetric()._title(model) == expected


def test_predict_concatenates_batches(tmp_path):
    model, _ = _fit(tmp_path, epochs=1)
    dl_train, _ = loaders()
    preds = model.predict(dl_train)
    x = numbatorch.cat([b[0] for b in dl_train])
    with numbatorch.no_grad():
        np.testing.assert_allclose(preds.numpy(), model.net(x).numpy(), rtol=1e-6)


def test_load_ckpt_then_fit_starts_with_evaluation_epoch_zero(tmp_path):
    model, _ = _fit(tmp_path, epochs=1)
    assert model.from_scratch is False  # fit restored the checkpoint
    dl_train, dl_val = loaders()
    restored_train_loss = model.evaluate(dl_train, quiet=True)["val_loss"]
    history = model.fit(dl_train, dl_val, epochs=1, ckpt_path=str(tmp_path / "checkpoint"), plot=False,
                        quiet=True, cpu=True)
    assert history["epoch"].tolist() == [0, 1]
    # Epoch 0 only evaluates: its train loss is that of the restored weights.
    assert history["train_loss"][0] == pytest.approx(restored_train_loss, rel=1e-6)


def test_loader_size_attribute_limits_steps(tmp_path):
    dl_train, dl_val = loaders(batch_size=50)
    dl_train.size = 2
    counted = {"n": 0}
    base = bce_with_logits()

    def loss_fn(preds, labels):
        counted["n"] += preds.requires_grad
        return base(preds, labels)

    _fit(tmp_path, epochs=1, data=(dl_train, dl_val), loss_fn=loss_fn)
    assert counted["n"] == 2


def test_clip_grad_norm_matches_manual_clipping(tmp_path):
    from numbatorch.nn.utils.clip_grad import clip_grad_norm_
    dl_train, dl_val = loaders(batch_size=100)
    numbatorch.manual_seed(2)
    net = ring_net()
    numbatorch.manual_seed(2)
    reference = ring_net()
    opt = SGD(reference.parameters(), lr=0.5)
    loss_fn = bce_with_logits()
    for x, y in dl_train:
        loss_fn(reference(x), y).backward()
        clip_grad_norm_(reference.parameters(), 0.01)
        opt.step()
        opt.zero_grad()
    _fit(tmp_path, net=net, epochs=1, optimizer=SGD(net.parameters(), lr=0.5), data=(dl_train, dl_val),
         clip_grad_norm=0.01, metrics_dict={})
    for key, value in _snapshot(reference).items():
        np.testing.assert_allclose(_snapshot(net)[key], value, rtol=1e-6, atol=1e-7)
