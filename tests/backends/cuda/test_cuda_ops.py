"""Ops on 'cuda' tensors through the public API equal the same ops on the CPU, forward and gradients, and every
result and gradient stays on the device (the kernels of backends.cuda, or the array library, ran)."""
import numpy as np
import pytest

import numbatorch as torch
import numbatorch.nn as nn
import numbatorch.nn.functional as F

from ._strict_device import strict_device_arrays


def _cuda_twin(module, make):
    """A new module from ``make()`` holding copies of ``module``'s parameters on 'cuda' (Module.to is tested with
    the modules)."""
    twin = make()
    for p, q in zip(module.parameters(), twin.parameters()):
        q.data = p.data.cuda()
    return twin


def _assert_same_on_cuda(fn, *shapes, seed=0, atol=1e-10):
    """``fn`` on CPU float64 inputs and on copies on 'cuda': equal results and input gradients, all on the device."""
    gen = torch.Generator().manual_seed(seed)
    host = [torch.randn(*s, generator=gen, dtype=torch.float64).requires_grad_() for s in shapes]
    dev = [h.detach().cuda().requires_grad_() for h in host]
    want, got = fn(*host), fn(*dev)
    want, got = (want if isinstance(want, tuple) else (want,)), (got if isinstance(got, tuple) else (got,))
    for w, g in zip(want, got):
        assert g.device == torch.device("cuda", 0)
        np.testing.assert_allclose(g.detach().cpu().numpy(), w.detach().numpy(), atol=atol, rtol=1e-7)
    seed_grads = [torch.randn(*w.shape, generator=gen, dtype=w.dtype) for w in want]
    torch.autograd.backward(want, seed_grads)
    torch.autograd.backward(got, [s.cuda() for s in seed_grads])
    for h, d in zip(host, dev):
        assert d.grad.device == torch.device("cuda", 0)
        np.testing.assert_allclose(d.grad.cpu().numpy(), h.grad.numpy(), atol=atol, rtol=1e-7)


def test_conv2d():
    _assert_same_on_cuda(lambda x, w, b: F.conv2d(x, w, b, stride=1, padding=1), (2, 3, 5, 5), (4, 3, 3, 3), (4,))


def test_pooling():
    _assert_same_on_cuda(lambda x: F.max_pool2d(x, 2), (2, 2, 4, 4))
    _assert_same_on_cuda(lambda x: F.avg_pool2d(x, 2), (2, 2, 4, 4))
    _assert_same_on_cuda(lambda x: F.adaptive_avg_pool2d(x, 1), (2, 2, 3, 3))


def test_batch_norm_training_updates_running_stats_on_the_device():
    stats = {}
    for device in ("cpu", "cuda"):
        stats[device] = (torch.zeros(3, dtype=torch.float64, device=device),
                         torch.ones(3, dtype=torch.float64, device=device))

    def bn(x, w, b):
        rm, rv = stats["cuda" if x.is_cuda else "cpu"]
        return F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.1)
    _assert_same_on_cuda(bn, (4, 3, 2, 2), (3,), (3,))
    for host, dev in zip(stats["cpu"], stats["cuda"]):
        assert dev.is_cuda and torch.allclose(dev.cpu(), host)


def test_softmax_log_softmax_and_cross_entropy():
    _assert_same_on_cuda(lambda x: F.softmax(x, dim=-1), (3, 5))
    _assert_same_on_cuda(lambda x: F.log_softmax(x, dim=0), (3, 5))
    _assert_same_on_cuda(lambda x: F.cross_entropy(x, torch.tensor([0, 4, 2], device=x.device)), (3, 5))


def test_linear_and_a_kernel_without_cuda_twin():
    _assert_same_on_cuda(lambda x, w, b: F.linear(x, w, b), (2, 4), (3, 4), (3,))
    # layer_norm has no backends/cuda kernel yet: it runs on host copies and comes back to the device
    _assert_same_on_cuda(lambda x, w, b: F.layer_norm(x, (4,), w, b), (3, 4), (4,), (4,))


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_recurrent_layers(kind):
    torch.manual_seed(0)
    host = getattr(nn, kind)(3, 4, batch_first=True).double()
    dev = _cuda_twin(host, lambda: getattr(nn, kind)(3, 4, batch_first=True).double())
    _assert_same_on_cuda(lambda x: (dev if x.is_cuda else host)(x)[0], (2, 3, 3))
    for p, q in zip(host.parameters(), dev.parameters()):
        assert q.grad.is_cuda and torch.allclose(q.grad.cpu(), p.grad)


def test_multihead_attention():
    torch.manual_seed(0)
    host = nn.MultiheadAttention(4, 2, batch_first=True).double()
    dev = _cuda_twin(host, lambda: nn.MultiheadAttention(4, 2, batch_first=True).double())
    _assert_same_on_cuda(lambda x: (dev if x.is_cuda else host)(x, x, x), (2, 3, 4))


def test_operands_on_two_devices_raise_like_torch():
    message = r"^Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!$"
    with pytest.raises(RuntimeError, match=message):
        torch.ones(2, device="cuda") + torch.ones(2)
    with pytest.raises(RuntimeError, match=message):
        F.conv2d(torch.ones(1, 1, 3, 3, device="cuda"), torch.ones(1, 1, 2, 2))
    with pytest.raises(RuntimeError, match=message.replace("cuda:0 and cpu", "cpu and cuda:0")):
        F.conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2, device="cuda"))  # no CPU kernel sees device memory
    d, h = torch.ones(2, 2, device="cuda"), torch.ones(2, 2)
    for mixed in (lambda: d @ h, lambda: torch.addcmul(d, h, d), lambda: torch.where(d > 0, h, h)):
        with pytest.raises(RuntimeError, match=message):
            mixed()
    # a 0-d CPU tensor is a scalar operand, as in PyTorch
    assert (torch.ones(2, device="cuda") * torch.tensor(3.0)).device == torch.device("cuda", 0)


_INDEX = [2, 0]
GENERIC_OPS = {  # ops with no kernel of their own: numpy functions on the device arrays (CuPy's on a GPU)
    "sum_mean": lambda x: x.sum() + x.mean(1).sum(),
    "var_std_norm": lambda x: x.var(1) + x.std(0).sum() + x.norm(),
    "max_index": lambda x: x.max(1)[0] + x[1:, ::2].sum(),
    "gather_index_select": lambda x: x.gather(1, torch.tensor([[0], [1], [2]], device=x.device)).sum()
    + x.index_select(0, torch.tensor(_INDEX, device=x.device)).sum(),
    "embedding": lambda w: F.embedding(torch.tensor(_INDEX, device=w.device), w),
    "pad_cat_where": lambda x: torch.where(x > 0, F.pad(x, (1, 1))[:, 1:-1], torch.cat([x, x])[:3] * 2),
    "unary_and_activations": lambda x: torch.exp(x).log1p() + F.relu(x) + torch.sigmoid(x) + F.gelu(x),
    "cumulative_and_sorting": lambda x: x.cumsum(1) + x.cumprod(0) + x.cummax(1)[0] + x.sort(1)[0]
    + x.topk(4)[0] + x.rot90(2).flip(0, 1),
    "paddings": lambda x: F.pad(x.view(1, 3, 4), (2, 1), mode="reflect").sum() + F.pad(x.view(1, 3, 4), (1, 2),
                                                                                         mode="replicate"),
    "affine_grid_sample": lambda x: F.grid_sample(x.view(1, 1, 3, 4), F.affine_grid(
        x[:2, :3].unsqueeze(0) * 0.5, (1, 1, 2, 3), align_corners=False), align_corners=False),
    "gamma_functions": lambda x: torch.lgamma(x.abs() + 0.5) + torch.digamma(x.abs() + 0.5),
    "losses": lambda x: F.cross_entropy(x, torch.tensor([0, 2, 1], device=x.device)) + F.mse_loss(x, x.flip(0)),
    "linear_algebra": lambda x: _linear_algebra(_spd(x), x),
}


def _spd(x):
    """A symmetric positive definite matrix from ``x`` (3, 4), differentiable."""
    return x @ x.mT + 4 * torch.eye(3, dtype=x.dtype, device=x.device)


def _linear_algebra(a, x):
    return (torch.linalg.inv(a).sum() + torch.linalg.det(a) + torch.linalg.solve(a, x).sum()
            + torch.linalg.cholesky(a).sum() + torch.linalg.eigh(a)[0].sum())


@pytest.mark.parametrize("name", list(GENERIC_OPS))
def test_generic_ops_stay_on_the_device(name):
    with strict_device_arrays():  # a host array joining their device arrays raises, as CuPy's would
        _assert_same_on_cuda(GENERIC_OPS[name], (3, 4))
