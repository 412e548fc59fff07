"""Strided views of storage and Python-number or list operands of 'cuda' tensors stay on the device (issue #11):
``as_strided`` once viewed the host memory under the simulator's device arrays, and numbers or lists made into
host arrays joined device ops."""
import numpy as np

import numbatorch as torch

from .test_cuda_ops import _assert_same_on_cuda

STRIDED = {
    "as_strided": lambda x: x.as_strided((2, 3), (1, 2), 1) * x[0, :3],
    "as_strided_of_a_view": lambda x: x[1:].as_strided((2, 2), (4, 1)) ** 2,
    "as_strided_scatter": lambda x: torch.as_strided_scatter(x * 1, x[0, :2].reshape(1, 2) * 3, (1, 2), (1, 2), 1),
    "diagonal": lambda x: torch.diagonal(x, 1) ** 2,
}


def test_strided_views_and_scatters_stay_on_the_device():
    for fn in STRIDED.values():
        _assert_same_on_cuda(fn, (3, 4))
