"""Strided views of storage, Python-number or list operands and the constants ops build stay on the device for
'cuda' tensors (issue #11): ``as_strided`` once viewed the host memory under the simulator's device arrays, and
numbers, lists, index grids and identity matrices made as host arrays joined device ops, which CuPy refuses.
These tests run with device arrays as strict as CuPy's (``_strict_device``)."""
import numpy as np
import pytest

import numbatorch as torch

from ._strict_device import strict_device_arrays
from .test_cuda_ops import _assert_same_on_cuda, _spd


@pytest.fixture(autouse=True)
def _host_arrays_raise_in_device_ops():
    with strict_device_arrays():
        yield


def _setitem_lists(x):
    z = x * 1
    z[[0, 2], [1, 1]] = x[0, :2] * 3
    z[1] = [1.0, 2.0, 3.0, 4.0]
    return z


def _index_put_accumulate(x):
    return (x * 1).index_put((torch.tensor([0, 0, 2], device=x.device),), x[1] * 2, accumulate=True)


def _scatter_reductions(x):
    index = torch.tensor([[0, 1, 0, 2], [2, 1, 0, 0]], device=x.device)
    return x.scatter_reduce(0, index, x[1:] * 2, "amax") + x.scatter_reduce(0, index, x[:2], "sum")


DIFFERENTIABLE = {
    "as_strided": lambda x: x.as_strided((2, 3), (1, 2), 1) * x[0, :3],
    "as_strided_of_a_view": lambda x: x[1:].as_strided((2, 2), (4, 1)) ** 2,
    "as_strided_scatter": lambda x: torch.as_strided_scatter(x * 1, x[0, :2].reshape(1, 2) * 3, (1, 2), (1, 2), 1),
    "diagonal": lambda x: torch.diagonal(x, 1) ** 2,
    "where_scalar_values": lambda x: torch.where(x > 0, 1.0, -2.0) * x + torch.where(x > 0, x, 2.0),
    "xlogy_with_numbers": lambda x: torch.xlogy(2.0, x.abs() + 1) + torch.xlogy(x, 3.0),
    "number_to_tensor_power": lambda x: 2.0 ** x,
    "copysign_number": lambda x: torch.copysign(x, -0.0) + torch.copysign(x, 2),
    "list_indices": lambda x: x[[0, 2]].sum(0) + x[[True, False, True]][1] + x[[0, 2], [1, 3]].sum(),
    "setitem_lists": _setitem_lists,
    "index_put_accumulate": _index_put_accumulate,
    "scatter_reduce_amax_sum": _scatter_reductions,
    "cholesky_inverse": lambda x: torch.cholesky_inverse(torch.linalg.cholesky(_spd(x))),
}


@pytest.mark.parametrize("name", list(DIFFERENTIABLE))
def test_results_and_gradients_stay_on_the_device(name):
    _assert_same_on_cuda(DIFFERENTIABLE[name], (3, 4))


SECOND_ORDER = {  # backward_graph of ops with a number operand
    "xlogy_number_first": lambda x: torch.xlogy(2.0, x.abs() + 1),
    "number_to_tensor_power": lambda x: 1.5 ** x,
}


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_second_order_gradients_with_number_operands_stay_on_the_device(name):
    x = torch.randn(3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    grads = []
    for device in ("cpu", "cuda"):
        leaf = x.to(device).requires_grad_()
        (g,) = torch.autograd.grad(SECOND_ORDER[name](leaf).sum(), leaf, create_graph=True)
        (gg,) = torch.autograd.grad((g * g).sum(), leaf)
        grads.append((g, gg))
    for want, got in zip(*grads):
        assert got.device == torch.device("cuda", 0)
        np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(), rtol=1e-12)


def _integer_results(i):
    """Results of integer operands with numbers, of ``i`` (3, 4) int64."""
    return (torch.atan2(i, i + 1), torch.xlogy(i, 2), torch.xlogy(3, i), torch.copysign(i, -1),
            i.to(torch.uint8) + (-1), torch.where(i > 5, 1, 0), i << 1, 1 << i, i.unfold(1, 2, 1))


def test_integer_operands_with_numbers_stay_on_the_device():
    i = torch.arange(12).reshape(3, 4)
    for want, got in zip(_integer_results(i), _integer_results(i.cuda())):
        assert got.device == torch.device("cuda", 0) and got.dtype == want.dtype
        np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())


def test_strict_device_arrays_refuse_host_operands():
    device = torch.zeros(3, device="cuda")._data
    with pytest.raises(TypeError, match="host arrays"):
        device + np.ones(3)
    with pytest.raises(TypeError, match="host arrays"):
        device[np.array([0, 2])]


def _hooks_and_stacked_scalars(device):
    """Gradients of ``x`` on ``device`` through a retained, a hooked and a stacked 0-d intermediate."""
    x = torch.arange(3.0, dtype=torch.float64, device=device).requires_grad_()
    doubled, total = x * 2, x.sum()
    doubled.retain_grad()
    total.retain_grad()
    tripled = x * 3
    tripled.register_hook(lambda g: g * 10)
    stacked = torch.stack([total, x[0]]) * torch.tensor([1.0, 2.0], dtype=torch.float64, device=device)
    (doubled.pow(2).sum() + tripled.sum() + stacked.sum()).backward()
    return x.grad, doubled.grad, total.grad


def test_tensor_hooks_and_stacked_scalars_keep_gradients_on_the_device():
    for want, got in zip(_hooks_and_stacked_scalars("cpu"), _hooks_and_stacked_scalars("cuda")):
        assert got.device == torch.device("cuda", 0)
        np.testing.assert_allclose(got.cpu().numpy(), want.numpy(), rtol=1e-12)
