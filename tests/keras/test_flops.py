"""``flop_summary``: multiply-adds of the cifar2 tutorial's network, a recurrent and an attention model,
against counts worked out by hand."""
import pytest

import numbatorch
from numbatorch import nn
from numbatorch.keras import flop_summary


def cifar2_net():
    """The network of tutorials/cifar2.py."""
    net = nn.Sequential()
    net.add_module("conv1", nn.Conv2d(in_channels=3, out_channels=32, kernel_size=3))
    net.add_module("pool1", nn.MaxPool2d(kernel_size=2, stride=2))
    net.add_module("conv2", nn.Conv2d(in_channels=32, out_channels=64, kernel_size=5))
    net.add_module("pool2", nn.MaxPool2d(kernel_size=2, stride=2))
    net.add_module("dropout", nn.Dropout2d(p=0.1))
    net.add_module("adaptive_pool", nn.AdaptiveMaxPool2d((1, 1)))
    net.add_module("flatten", nn.Flatten())
    net.add_module("linear1", nn.Linear(64, 32))
    net.add_module("relu", nn.ReLU())
    net.add_module("linear2", nn.Linear(32, 1))
    return net


def cifar2_hand_count(batch):
    conv1 = 32 * 30 * 30 * (3 * 3 * 3)  # output elements x (in channels x kernel)
    conv2 = 64 * 11 * 11 * (32 * 5 * 5)  # 15x15 after pool1, 5x5 kernel -> 11x11
    return batch * (conv1 + conv2 + 64 * 32 + 32 * 1)


def test_cifar2_network(capsys):
    assert flop_summary(cifar2_net(), input_shape=(3, 32, 32)) == cifar2_hand_count(1)
    out = capsys.readouterr().out
    assert "Conv2d-1" in out and f"{32 * 30 * 30 * 27:,}" in out
    assert f"Total multiply-adds: {cifar2_hand_count(1):,}" in out
    assert flop_summary(cifar2_net(), numbatorch.rand(4, 3, 32, 32)) == cifar2_hand_count(4)


@pytest.mark.parametrize("cls,gates", [(nn.LSTM, 4), (nn.GRU, 3), (nn.RNN, 1)])
def test_recurrent_layers(cls, gates):
    net = cls(5, 7, num_layers=2, batch_first=True, bidirectional=True)
    steps, batch = 6, 3
    per_step = gates * 7 * (5 + 7) + gates * 7 * (2 * 7 + 7)  # layer 0 sees the input, layer 1 both directions
    assert flop_summary(net, numbatorch.rand(batch, steps, 5)) == batch * steps * 2 * per_step


def test_attention_and_transposed_conv():
    mha = nn.MultiheadAttention(16, 4, kdim=8, vdim=12)
    tgt, src, batch = 5, 7, 2
    q, k, v = numbatorch.rand(tgt, batch, 16), numbatorch.rand(src, batch, 8), numbatorch.rand(src, batch, 12)
    expected = batch * (tgt * 16 * 16 + src * 16 * 8 + src * 16 * 12 + tgt * 16 * 16 + 2 * tgt * src * 16)
    assert flop_summary(mha, (q, k, v)) == expected
    up = nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2)
    assert flop_summary(up, numbatorch.rand(1, 4, 5, 5)) == 4 * 5 * 5 * (6 // 2) * 9
