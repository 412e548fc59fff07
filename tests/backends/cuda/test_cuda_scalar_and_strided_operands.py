"""Strided views of storage and Python-number or list operands of 'cuda' tensors stay on the device (issue #11):
``as_strided`` once viewed the host memory under the simulator's device arrays, and numbers or lists made into
host arrays joined device ops."""
import numpy as np

import numbatorch as torch

from ._strict_device import strict_device_arrays
from .test_cuda_ops import _assert_same_on_cuda

STRIDED = {
    "as_strided": lambda x: x.as_strided((2, 3), (1, 2), 1) * x[0, :3],
    "as_strided_of_a_view": lambda x: x[1:].as_strided((2, 2), (4, 1)) ** 2,
    "as_strided_scatter": lambda x: torch.as_strided_scatter(x * 1, x[0, :2].reshape(1, 2) * 3, (1, 2), (1, 2), 1),
    "diagonal": lambda x: torch.diagonal(x, 1) ** 2,
}


def _setitem_lists(x):
    z = x * 1
    z[[0, 2], [1, 1]] = x[0, :2] * 3
    z[1] = [1.0, 2.0, 3.0, 4.0]
    return z


def _index_put_accumulate(x):
    return (x * 1).index_put((torch.tensor([0, 0, 2], device=x.device),), x[1] * 2, accumulate=True)


NUMBERS_AND_LISTS = {  # forward and gradient: Python numbers and lists join 'cuda' tensors as device arrays
    "where_scalar_values": lambda x: torch.where(x > 0, 1.0, -2.0) * x + torch.where(x > 0, x, 2.0),
    "xlogy_with_numbers": lambda x: torch.xlogy(2.0, x.abs() + 1) + torch.xlogy(x, 3.0),
    "number_to_tensor_power": lambda x: 2.0 ** x,
    "copysign_number": lambda x: torch.copysign(x, -0.0) + torch.copysign(x, 2),
    "list_indices": lambda x: x[[0, 2]].sum(0) + x[[True, False, True]][1] + x[[0, 2], [1, 3]].sum(),
    "setitem_lists": _setitem_lists,
    "index_put_accumulate": _index_put_accumulate,
}


def test_numbers_and_lists_join_device_ops_as_device_arrays():
    for fn in list(NUMBERS_AND_LISTS.values()) + list(STRIDED.values()):
        with strict_device_arrays():
            _assert_same_on_cuda(fn, (3, 4))


SECOND_ORDER = {  # backward_graph of ops with a number operand
    "xlogy_number_first": lambda x: torch.xlogy(2.0, x.abs() + 1),
    "number_to_tensor_power": lambda x: 1.5 ** x,
}


def test_second_order_gradients_with_number_operands_stay_on_the_device():
    for fn in SECOND_ORDER.values():
        grads = []
        for x in (torch.randn(3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(3)),):
            for device in ("cpu", "cuda"):
                leaf = x.to(device).requires_grad_()
                with strict_device_arrays():
                    (g,) = torch.autograd.grad(fn(leaf).sum(), leaf, create_graph=True)
                    (gg,) = torch.autograd.grad((g * g).sum(), leaf)
                grads.append((g, gg))
        for want, got in zip(*grads):
            assert got.device == torch.device("cuda", 0)
            np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(), rtol=1e-12)


def _integer_results(i):
    """Results of integer operands with numbers, of ``i`` (3, 4) int64."""
    return (torch.atan2(i, i + 1), torch.xlogy(i, 2), torch.xlogy(3, i), torch.copysign(i, -1),
            i.to(torch.uint8) + (-1), torch.where(i > 5, 1, 0))


def test_integer_operands_with_numbers_stay_on_the_device():
    i = torch.arange(12).reshape(3, 4)
    with strict_device_arrays():
        got = _integer_results(i.cuda())
    for want, result in zip(_integer_results(i), got):
        assert result.device == torch.device("cuda", 0) and result.dtype == want.dtype
        np.testing.assert_array_equal(result.cpu().numpy(), want.numpy())
