"""torchkeras 4's loop hooks: ``KerasModel.StepRunner``/``EpochRunner`` overridden as torchkeras users do
(dict batches with two inputs and a custom loss), the runners' return contract, default gradient clipping,
``quiet`` defaults and the ``VisProgress`` display."""
import sys
import types

import numpy as np
import pytest

import numbatorch
import numbatorch.nn.functional as F
from numbatorch import nn
from numbatorch.keras import Accelerator, EpochRunner, KerasModel, StepRunner
from numbatorch.keras.metrics import Accuracy
from numbatorch.nn.utils.clip_grad import clip_grad_norm_
from numbatorch.optim import SGD, Adam
from numbatorch.utils.data import DataLoader, Dataset

from ._helpers import bce_with_logits, loaders, ring_arrays, ring_net


class DictRings(Dataset):
    """The ring data as dict samples with the two coordinates as separate inputs."""

    def __init__(self, x, y):
        self.x, self.y = numbatorch.tensor(x), numbatorch.tensor(y)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"x1": self.x[i, :1], "x2": self.x[i, 1:], "label": self.y[i]}


class TwoInputNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(1, 8)
        self.b = nn.Linear(1, 8)
        self.out = nn.Linear(8, 1)

    def forward(self, x1, x2):
        return self.out(F.relu(self.a(x1) + self.b(x2)))


class DictStepRunner:
    """Written the way torchkeras 4's documentation overrides the step: same constructor and return values."""

    def __init__(self, net, loss_fn, accelerator=None, stage="train", metrics_dict=None,
                 optimizer=None, lr_scheduler=None, **kwargs):
        self.net, self.loss_fn, self.metrics_dict, self.stage = net, loss_fn, metrics_dict, stage
        self.optimizer, self.lr_scheduler = optimizer, lr_scheduler
        self.accelerator = accelerator
        if self.stage == "train":
            self.net.train()
        else:
            self.net.eval()

    def __call__(self, batch):
        labels = batch["label"]
        preds = self.net(batch["x1"], batch["x2"])
        loss = self.loss_fn(preds, labels)
        if self.optimizer is not None and self.stage == "train":
            self.accelerator.backward(loss)
            if self.accelerator.sync_gradients:
                self.accelerator.clip_grad_norm_(self.net.parameters(), 1.0)
            self.optimizer.step()
            if self.lr_scheduler is not None:
                self.lr_scheduler.step()
            self.optimizer.zero_grad()
        all_loss = self.accelerator.gather(loss).sum()
        all_preds = self.accelerator.gather(preds)
        all_labels = self.accelerator.gather(labels)
        step_losses = {self.stage + "_loss": all_loss.item()}
        step_metrics = {self.stage + "_" + name: metric_fn(all_preds, all_labels).item()
                        for name, metric_fn in self.metrics_dict.items()}
        if self.stage == "train":
            step_metrics["lr"] = (self.optimizer.state_dict()["param_groups"][0]["lr"]
                                  if self.optimizer is not None else 0.0)
        return step_losses, step_metrics


def _state(net):
    return {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}


def test_dict_batch_step_runner_trains_like_a_hand_written_loop(tmp_path):
    x, y = ring_arrays(n_pos=60, n_neg=60)
    dl_train = DataLoader(DictRings(x[:80], y[:80]), batch_size=20)
    dl_val = DataLoader(DictRings(x[80:], y[80:]), batch_size=20)
    numbatorch.manual_seed(3)
    net = TwoInputNet()
    numbatorch.manual_seed(3)
    reference = TwoInputNet()
    loss_fn = bce_with_logits()

    class DictModel(KerasModel):
        StepRunner = DictStepRunner

    model = DictModel(net, loss_fn, metrics_dict={"acc": Accuracy()}, optimizer=SGD(net.parameters(), lr=0.3))
    history = model.fit(dl_train, dl_val, epochs=3, patience=10, monitor="train_loss", ckpt_path=str(tmp_path / "c"),
                        plot=False, quiet=True, cpu=True)
    assert list(history.columns) == ["epoch", "train_loss", "train_acc", "lr", "val_loss", "val_acc"]
    assert history["train_loss"].iloc[-1] < history["train_loss"].iloc[0]

    opt = SGD(reference.parameters(), lr=0.3)
    for _ in range(3):
        losses = []
        for batch in dl_train:
            loss = loss_fn(reference(batch["x1"], batch["x2"]), batch["label"])
            loss.backward()
            clip_grad_norm_(reference.parameters(), 1.0)
            opt.step()
            opt.zero_grad()
            losses.append(loss.item())
    # The best train_loss is the last epoch's, so fit kept the final weights: the loop's.
    assert history["train_loss"].iloc[-1] == pytest.approx(np.mean(losses), rel=1e-5)
    for key, value in _state(reference).items():
        np.testing.assert_allclose(_state(model.net)[key], value, rtol=1e-5, atol=1e-7)
    assert model.evaluate(dl_val, quiet=True)["val_loss"] == pytest.approx(history["val_loss"].iloc[-1], rel=1e-5)


def test_default_step_runner_contract():
    dl_train, _ = loaders(batch_size=40)
    features, labels = next(iter(dl_train))
    net = ring_net()
    opt = SGD(net.parameters(), lr=0.1)
    runner = StepRunner(net=net, loss_fn=bce_with_logits(), accelerator=Accelerator(cpu=True), stage="train",
                        metrics_dict={"acc": Accuracy()}, optimizer=opt)
    with numbatorch.no_grad():
        expected_loss = bce_with_logits()(net(features), labels).item()
        expected_acc = Accuracy()(net(features), labels).item()
    step_losses, step_metrics = runner((features, labels))
    assert step_losses == {"train_loss": pytest.approx(expected_loss, rel=1e-6)}
    assert step_metrics == {"train_acc": pytest.approx(expected_acc), "lr": 0.1}
    with pytest.raises(ValueError, match="override KerasModel.StepRunner"):
        runner({"x": features})


def test_epoch_runner_averages_losses_and_computes_metrics():
    dl_train, _ = loaders(batch_size=50)
    net = ring_net()
    acc = Accelerator(cpu=True)
    runner = EpochRunner(StepRunner(net=net, loss_fn=bce_with_logits(), accelerator=acc, stage="val",
                                    metrics_dict={"acc": Accuracy()}), quiet=True)
    with numbatorch.no_grad():
        log = runner(acc.prepare(dl_train))
        losses = [bce_with_logits()(net(x), y).item() for x, y in dl_train]
        everything = Accuracy()
        for x, y in dl_train:
            everything(net(x), y)
    assert list(log) == ["val_loss", "val_acc"]
    assert log["val_loss"] == pytest.approx(np.mean(losses), rel=1e-6)
    assert log["val_acc"] == pytest.approx(everything.compute().item())


def test_overridden_epoch_runner_is_used_by_fit_and_evaluate(tmp_path):
    calls = []

    class CountingEpochRunner(EpochRunner):
        def __call__(self, dataloader):
            calls.append(self.stage)
            return super().__call__(dataloader)

    class Model(KerasModel):
        EpochRunner = CountingEpochRunner

    dl_train, dl_val = loaders()
    model = Model(ring_net(), bce_with_logits())
    model.fit(dl_train, dl_val, epochs=2, ckpt_path=str(tmp_path / "c"), plot=False, quiet=True, cpu=True)
    model.evaluate(dl_val, quiet=True)
    assert calls == ["train", "val", "train", "val", "val"]


def test_gradients_clipped_to_norm_one_by_default(tmp_path):
    dl_train, dl_val = loaders(batch_size=100)
    numbatorch.manual_seed(4)
    net = ring_net()
    numbatorch.manual_seed(4)
    reference = ring_net()
    loss_fn = bce_with_logits()

    def steep(preds, labels):  # large gradients, so that clipping matters
        return 50.0 * loss_fn(preds, labels)

    opt = SGD(reference.parameters(), lr=0.05)
    norms = []
    for x, y in dl_train:
        steep(reference(x), y).backward()
        norms.append(float(clip_grad_norm_(reference.parameters(), 1.0)))
        opt.step()
        opt.zero_grad()
    assert max(norms) > 1.0
    model = KerasModel(net, steep, optimizer=SGD(net.parameters(), lr=0.05))
    model.fit(dl_train, dl_val, epochs=1, ckpt_path=str(tmp_path / "c"), plot=False, quiet=True, cpu=True)
    for key, value in _state(reference).items():
        np.testing.assert_allclose(_state(model.net)[key], value, rtol=1e-5, atol=1e-7)


def _fit_printing(tmp_path, **kwargs):
    dl_train, dl_val = loaders()
    net = ring_net()
    model = KerasModel(net, bce_with_logits(), optimizer=Adam(net.parameters(), lr=0.01))
    model.fit(dl_train, dl_val, epochs=2, ckpt_path=str(tmp_path / "c"), cpu=True, **kwargs)
    return model


def test_plot_makes_fit_quiet_with_one_line_per_epoch(tmp_path, capsys):
    _fit_printing(tmp_path, plot=True)
    out = capsys.readouterr().out
    assert "Epoch 1 / 2" not in out and "[train]" not in out  # torchkeras: plot=True implies quiet
    assert "history.png" in out
    assert out.count("[epoch 1/2] train_loss=") == 1 and out.count("[epoch 2/2] train_loss=") == 1


def test_no_plot_prints_banners(tmp_path, capsys):
    _fit_printing(tmp_path, plot=False)
    out = capsys.readouterr().out
    assert "Epoch 1 / 2" in out and "Epoch 2 / 2" in out and "[epoch 1/2]" not in out


def test_vis_progress_in_a_notebook(tmp_path, monkeypatch):
    from numbatorch.keras import _vis_progress

    shown = []

    class Handle:
        def update(self, obj):
            shown.append(obj.data)

    def display(obj, display_id=False):
        shown.append(obj.data)
        return Handle()

    fake = types.ModuleType("IPython.display")
    fake.HTML = lambda text: types.SimpleNamespace(data=text)
    fake.display = display
    monkeypatch.setitem(sys.modules, "IPython.display", fake)
    monkeypatch.setattr(_vis_progress, "is_jupyter", lambda: True)
    model = _fit_printing(tmp_path, plot=False, callbacks=[_vis_progress.VisProgress(mininterval=0.0)], quiet=True)
    assert '<progress value="0" max="2"' in shown[0]
    assert '<progress value="2" max="2"' in shown[-1] and "val_loss=" in shown[-1]
    assert any("i=" in s and "n=6" in s for s in shown)  # running step logs from the EpochRunner
    assert "EpochRunner" not in vars(model) and not hasattr(KerasModel.EpochRunner, "progress")


def test_accelerator_device_and_version():
    import numbatorch.keras as keras
    model = KerasModel(ring_net(), bce_with_logits())
    assert model.accelerator.device == numbatorch.device("cpu")
    assert isinstance(keras.__version__, str) and keras.__version__.split(".")[0] == "4"


def test_extra_keyword_arguments_reach_the_step_runner(tmp_path):
    class WeightedStepRunner(StepRunner):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            base = self.loss_fn
            self.loss_fn = lambda preds, labels: self.kwargs["weight"] * base(preds, labels)

    class Model(KerasModel):
        StepRunner = WeightedStepRunner

    net = ring_net()
    before = _state(net)
    dl_train, dl_val = loaders()
    model = Model(net, bce_with_logits(), optimizer=SGD(net.parameters(), lr=0.5), weight=0.0)
    history = model.fit(list(dl_train), list(dl_val), epochs=2, ckpt_path=str(tmp_path / "c"), plot=False,
                        quiet=True, cpu=True)
    assert history["train_loss"].tolist() == [0.0, 0.0]  # a plain list of batches works as a loader too
    for key, value in before.items():
        np.testing.assert_array_equal(_state(model.net)[key], value)


def test_vis_progress_on_a_terminal_is_a_tqdm_bar_over_the_epochs(tmp_path, monkeypatch, capsys):
    pytest.importorskip("tqdm")
    from numbatorch.keras import _vis_progress
    monkeypatch.setattr(_vis_progress, "is_interactive", lambda stream=None: True)
    _fit_printing(tmp_path, plot=False, callbacks=[_vis_progress.VisProgress(mininterval=0.0)], quiet=True)
    out = capsys.readouterr().out
    assert "epochs: 100%" in out and "2/2" in out and "val_loss=" in out
