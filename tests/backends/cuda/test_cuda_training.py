"""Issue 11's acceptance check: a small network (conv -> BN -> ReLU -> maxpool -> LSTM -> GRU -> attention ->
Linear) trained two Adam steps on 'cuda' equals the same training on the CPU (losses, gradients, weights and
running statistics to 1e-4). Tiny shapes: under the simulator every kernel thread is a Python thread."""
import copy

import numpy as np

import numbatorch as torch
from numbatorch import nn

TOLERANCE = dict(rtol=1e-4, atol=1e-4)


class SmallNet(nn.Module):
    """Images (N, 2, 6, 6) -> conv/BN/ReLU/pool -> rows of the feature map as a sequence -> LSTM -> GRU ->
    self-attention -> Linear -> one score per image.

    No bias where its exact gradient is zero (a conv before batch norm; attention's key bias): Adam would turn
    its rounding noise into full-size steps of either sign.
    """

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(3)
        self.pool = nn.MaxPool2d(2)
        self.lstm = nn.LSTM(9, 6, batch_first=True)
        self.gru = nn.GRU(6, 4, batch_first=True)
        self.attention = nn.MultiheadAttention(4, 2, batch_first=True, bias=False)
        self.head = nn.Linear(4, 1)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn(self.conv(x))))  # (N, 3, 3, 3)
        seq = x.permute(0, 2, 1, 3).reshape(x.shape[0], 3, 9)  # a sequence of 3 rows
        seq, _ = self.lstm(seq)
        seq, _ = self.gru(seq)
        seq, _ = self.attention(seq, seq, seq)
        return self.head(seq[:, -1])


def _train(net, x, y, steps=2):
    """Losses, gradients after each backward, the module's state after ``steps`` Adam steps, and the devices
    that losses and gradients were on."""
    opt = torch.optim.Adam(net.parameters(), lr=0.05)
    losses, grads, devices = [], [], set()
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.mse_loss(net(x), y)
        loss.backward()
        losses.append(loss.item())
        grads.append({name: p.grad.cpu().numpy() for name, p in net.named_parameters()})
        devices.update([loss.device] + [p.grad.device for p in net.parameters()])
        opt.step()
    return losses, grads, {k: v.cpu().numpy() for k, v in net.state_dict().items()}, devices


def test_two_adam_steps_on_cuda_equal_cpu():
    torch.manual_seed(0)
    net = SmallNet()
    x, y = torch.randn(2, 2, 6, 6), torch.randn(2, 1)
    on_cuda = copy.deepcopy(net).cuda()
    assert all(p.device.type == "cuda" for p in on_cuda.parameters())
    cpu_losses, cpu_grads, cpu_state, _ = _train(net, x, y)
    cuda_losses, cuda_grads, cuda_state, devices = _train(on_cuda, x.cuda(), y.cuda())
    assert devices == {torch.device("cuda", 0)}  # every loss and gradient was computed on the device
    np.testing.assert_allclose(cuda_losses, cpu_losses, **TOLERANCE)
    for cuda_step, cpu_step in zip(cuda_grads, cpu_grads):
        for name in cpu_step:
            np.testing.assert_allclose(cuda_step[name], cpu_step[name], err_msg=name, **TOLERANCE)
    assert cuda_state.keys() == cpu_state.keys()
    for name in cpu_state:
        np.testing.assert_allclose(cuda_state[name], cpu_state[name], err_msg=name, **TOLERANCE)
    assert all(p.device.type == "cuda" for p in on_cuda.parameters())
    assert all(b.device.type == "cuda" for b in on_cuda.buffers())
