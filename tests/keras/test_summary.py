"""``summary``: torchkeras's table layout, shapes and parameter counts (checked against PyTorch's counts)."""
import pytest

import numbatorch
from numbatorch import nn
from numbatorch.keras import summary

from ._helpers import ring_net

RULE = "-" * 74


def _row(name, shape, params):
    return "{:<30}  {:>20} {:>20}".format(name, str(shape), f"{params:,}")


def test_ring_net_table(capsys):
    net = ring_net()
    features = numbatorch.randn(100, 2)
    text = summary(net, features)
    assert capsys.readouterr().out.rstrip("\n") == text
    lines = text.split("\n")
    assert lines[0] == RULE and lines[2] == "=" * 74
    assert lines[1] == "{:<30}  {:>20} {:>20}".format("Layer (type)", "Output Shape", "Param #")
    layers = [net.fc1, net.fc2, net.fc3]
    for i, layer in enumerate(layers):
        params = sum(p.numel() for p in layer.parameters())
        assert lines[3 + i] == _row(f"Linear-{i + 1}", [-1, layer.out_features], params)
    total = sum(p.numel() for p in net.parameters())
    assert f"Total params: {total:,}" in lines
    assert f"Trainable params: {total:,}" in lines
    assert "Non-trainable params: 0" in lines
    assert "Input size (MB): %0.6f" % (features.numel() * 4 / 1024 ** 2) in lines
    outputs = 4 + 8 + 1
    assert "Forward/backward pass size (MB): %0.6f" % (2 * outputs * 4 / 1024 ** 2) in lines
    assert "Params size (MB): %0.6f" % (total * 4 / 1024 ** 2) in lines
    assert lines[-1] == RULE


def test_frozen_params_thousands_separator_and_input_shape():
    net = nn.Sequential(nn.Linear(30, 100), nn.ReLU(), nn.Linear(100, 20))
    net[0].weight.requires_grad_(False)
    text = summary(net, input_shape=(30,), batch_size=-1)
    lines = text.split("\n")
    assert lines[3] == _row("Linear-1", [-1, 100], 3100)
    assert lines[4] == _row("ReLU-2", [-1, 100], 0)
    assert lines[5] == _row("Linear-3", [-1, 20], 2020)
    assert "Total params: 5,120" in lines
    assert "Trainable params: 2,120" in lines
    assert "Non-trainable params: 3,000" in lines
    assert "Input size (MB): %0.6f" % (30 * 4 / 1024 ** 2) in lines


def test_counts_match_pytorch():
    torch = pytest.importorskip("torch")
    tnet = torch.nn.Sequential(torch.nn.Linear(7, 33), torch.nn.Tanh(), torch.nn.Linear(33, 5))
    net = nn.Sequential(nn.Linear(7, 33), nn.Tanh(), nn.Linear(33, 5))
    expected = sum(p.numel() for p in tnet.parameters())
    assert f"Total params: {expected:,}" in summary(net, numbatorch.zeros(3, 7)).split("\n")


def _cifar2_net():
    class Net(nn.Module):
        """The tutorial's cifar2 network."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(in_channels=3, out_channels=32, kernel_size=3)
            self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
            self.conv2 = nn.Conv2d(in_channels=32, out_channels=64, kernel_size=5)
            self.dropout = nn.Dropout2d(p=0.1)
            self.adaptive_pool = nn.AdaptiveMaxPool2d((1, 1))
            self.flatten = nn.Flatten()
            self.linear1 = nn.Linear(64, 32)
            self.relu = nn.ReLU()
            self.linear2 = nn.Linear(32, 1)

        def forward(self, x):
            x = self.pool(self.conv1(x))
            x = self.pool(self.conv2(x))
            x = self.adaptive_pool(self.dropout(x))
            return self.linear2(self.relu(self.linear1(self.flatten(x))))

    return Net()


def test_cifar2_network_has_54273_params():
    net = _cifar2_net()
    lines = summary(net, input_shape=(3, 32, 32)).split("\n")
    assert "Total params: 54,273" in lines
    assert lines[3] == _row("Conv2d-1", [-1, 32, 30, 30], 896)
    assert lines[4] == _row("MaxPool2d-2", [-1, 32, 15, 15], 0)
    assert lines[5] == _row("Conv2d-3", [-1, 64, 11, 11], 51264)
