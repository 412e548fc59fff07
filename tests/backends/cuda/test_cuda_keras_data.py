"""KerasModel.fit on 'cuda' and DataLoader batches moved there give the numbers of the CPU run."""
import copy

import numpy as np
import pytest

import numbatorch
from numbatorch.keras import KerasModel
from numbatorch.keras.metrics import AUC, Accuracy
from numbatorch.optim import Adam
from numbatorch.utils.data import DataLoader, TensorDataset

from ...keras._helpers import bce_with_logits, loaders, ring_net

pytest.importorskip("pandas")

CUDA = numbatorch.device("cuda", 0)


class _Devices(numbatorch.keras.callbacks.Callback):
    """Where the parameters are while training runs."""

    def on_fit_start(self, model):
        self.devices = set()

    def on_train_epoch_end(self, model):
        self.devices.update(p.device for p in model.net.parameters())


def _fit(tmp_path, net, cpu):
    model = KerasModel(net, bce_with_logits(), metrics_dict={"acc": Accuracy(), "auc": AUC()},
                       optimizer=Adam(net.parameters(), lr=0.02))
    devices = _Devices()
    dl_train, dl_val = loaders(batch_size=40, n_pos=40, n_neg=60)
    history = model.fit(dl_train, dl_val, epochs=1, ckpt_path=str(tmp_path / f"ckpt_{cpu}"), plot=False,
                        quiet=True, cpu=cpu, callbacks=[devices])
    return model, history, devices.devices


def test_fit_one_epoch_on_cuda_equals_cpu(tmp_path):
    numbatorch.manual_seed(0)
    net = ring_net()
    model_cuda, history_cuda, devices = _fit(tmp_path, copy.deepcopy(net), cpu=False)
    model_cpu, history_cpu, _ = _fit(tmp_path, net, cpu=True)
    assert model_cuda.device == "cuda" and devices == {CUDA}
    assert list(history_cuda.columns) == list(history_cpu.columns)
    for column in history_cpu.columns:
        np.testing.assert_allclose(history_cuda[column].to_numpy(dtype=float),
                                   history_cpu[column].to_numpy(dtype=float), rtol=1e-4, atol=1e-5, err_msg=column)
    x = numbatorch.randn(7, 2)
    model_cuda.net.cuda()  # predict feeds batches to wherever the net is
    got = model_cuda.predict(x)
    assert got.device == CUDA
    np.testing.assert_allclose(got.cpu().numpy(), model_cpu.predict(x).numpy(), rtol=1e-4, atol=1e-5)


def test_pinned_loader_batches_moved_to_cuda_equal_cpu_batches():
    ds = TensorDataset(numbatorch.randn(10, 3), numbatorch.arange(10))
    plain = list(DataLoader(ds, batch_size=4))
    for (x, y), (px, py) in zip(plain, DataLoader(ds, batch_size=4, pin_memory=True)):
        dx, dy = px.to("cuda", non_blocking=True), py.to("cuda", non_blocking=True)
        assert dx.device == CUDA and dy.device == CUDA
        assert numbatorch.equal(dx.cpu(), x) and numbatorch.equal(dy.cpu(), y)
