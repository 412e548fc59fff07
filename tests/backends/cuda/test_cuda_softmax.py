"""CUDA softmax/log_softmax kernels equal their CPU twins along any dim (forward and backward)."""
import numpy as np
import pytest

from numbatorch.backends.cpu import softmax as cpu
from numbatorch.backends.cuda import softmax as gpu

from ._host import assert_close, device

rng = np.random.default_rng(5)


@pytest.mark.parametrize("shape,dim", [((3, 5), 1), ((2, 4, 3), 1), ((4, 2, 3), 0), ((7,), 0)])
@pytest.mark.parametrize("log", [False, True])
def test_softmax(shape, dim, log):
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    y = gpu.softmax_forward(device(x), dim, log)
    ey = cpu.softmax_forward(x, dim, log)
    assert_close(y, ey)
    g = rng.standard_normal(shape).astype(np.float32)
    assert_close(gpu.softmax_backward(device(g), y, dim, log), cpu.softmax_backward(g, ey, dim, log))


# the simulator runs the kernel's scalar math in numpy, which warns on inf - inf (a GPU does not)
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_softmax_nan_and_inf_like_cpu():
    x = rng.standard_normal((3, 4)).astype(np.float32)
    x[0, 1] = np.nan
    x[1, :] = -np.inf
    x[2, 2] = np.inf
    for log in (False, True):
        assert_close(gpu.softmax_forward(device(x), 1, log), cpu.softmax_forward(x, 1, log))
