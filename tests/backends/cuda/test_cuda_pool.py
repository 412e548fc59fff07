"""CUDA pooling kernels equal their CPU twins (forward, indices, input gradients)."""
import numpy as np
import pytest

from numbatorch.backends.cpu import pool as cpu
from numbatorch.backends.cuda import pool as gpu

from ._host import assert_close, device, host

rng = np.random.default_rng(0)

MAX_CASES = [  # shape, kernel, stride, padding, dilation, ceil_mode
    ((2, 3, 7, 6), (2, 2), (2, 2), (0, 0), (1, 1), False),
    ((2, 2, 7, 7), (3, 2), (2, 1), (1, 1), (1, 2), True),
    ((3, 9), (3,), (2,), (1,), (2,), False),
    ((1, 2, 4, 5, 4), (2, 3, 2), (1, 2, 2), (1, 1, 0), (1, 1, 1), True),
]


@pytest.mark.parametrize("shape,k,s,p,d,ceil", MAX_CASES)
def test_max_pool(shape, k, s, p, d, ceil):
    x = rng.standard_normal(shape).astype(np.float32)
    y, idx = gpu.max_pool_forward(device(x), k, s, p, d, ceil)
    ey, eidx = cpu.max_pool_forward(x, k, s, p, d, ceil)
    assert_close(y, ey)
    np.testing.assert_array_equal(host(idx), eidx)
    g = rng.standard_normal(ey.shape).astype(np.float32)
    nd = len(k)
    assert_close(gpu.max_pool_backward(device(g), x.shape, idx, nd), cpu.max_pool_backward(g, x.shape, eidx, nd))


AVG_CASES = [  # shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override
    ((2, 3, 7, 6), (3, 3), (2, 2), (1, 1), False, True, None),
    ((2, 2, 7, 8), (3, 2), (2, 3), (1, 1), True, False, None),
    ((2, 5, 9), (4,), (3,), (2,), True, True, 3),
    ((1, 2, 5, 4, 5), (2, 2, 3), (2, 1, 2), (1, 0, 1), False, False, None),
]


@pytest.mark.parametrize("shape,k,s,p,ceil,cip,div", AVG_CASES)
def test_avg_pool(shape, k, s, p, ceil, cip, div):
    x = rng.standard_normal(shape).astype(np.float32)
    y = gpu.avg_pool_forward(device(x), k, s, p, ceil, cip, div)
    ey = cpu.avg_pool_forward(x, k, s, p, ceil, cip, div)
    assert_close(y, ey)
    g = rng.standard_normal(ey.shape).astype(np.float32)
    assert_close(gpu.avg_pool_backward(device(g), x.shape, k, s, p, ceil, cip, div),
                 cpu.avg_pool_backward(g, x.shape, k, s, p, ceil, cip, div))


@pytest.mark.parametrize("shape,out", [((2, 3, 7, 5), (3, 4)), ((2, 9), (4,)), ((1, 2, 5, 4, 6), (2, None, 4)),
                                       ((2, 2, 3, 4), (5, 6))])
def test_adaptive_pools(shape, out):
    x = rng.standard_normal(shape).astype(np.float32)
    assert_close(gpu.adaptive_avg_pool_forward(device(x), out), cpu.adaptive_avg_pool_forward(x, out))
    y, idx = gpu.adaptive_max_pool_forward(device(x), out)
    ey, eidx = cpu.adaptive_max_pool_forward(x, out)
    assert_close(y, ey)
    np.testing.assert_array_equal(host(idx), eidx)
    g = rng.standard_normal(ey.shape).astype(np.float32)
    nd = len(out)
    assert_close(gpu.adaptive_avg_pool_backward(device(g), x.shape, nd), cpu.adaptive_avg_pool_backward(g, x.shape, nd))
    assert_close(gpu.adaptive_max_pool_backward(device(g), x.shape, idx, nd),
                 cpu.adaptive_max_pool_backward(g, x.shape, eidx, nd))


def test_max_pool_nan_wins_like_cpu():
    x = rng.standard_normal((1, 1, 4, 4)).astype(np.float32)
    x[0, 0, 1, 0] = np.nan
    y, idx = gpu.max_pool_forward(device(x), (2, 2), (2, 2), (0, 0), (1, 1), False)
    ey, eidx = cpu.max_pool_forward(x, (2, 2), (2, 2), (0, 0), (1, 1), False)
    assert_close(y, ey)
    np.testing.assert_array_equal(host(idx), eidx)
