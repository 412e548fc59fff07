"""CUDA im2col/col2im convolutions equal their CPU twins (forward, input/weight/bias gradients, unfold/fold)."""
import numpy as np
import pytest

from numbatorch.backends.cpu import conv as cpu
from numbatorch.backends.cpu import fold as cpu_fold
from numbatorch.backends.cuda import conv as gpu
from numbatorch.backends.cuda import fold as gpu_fold

from ._host import assert_close, device

rng = np.random.default_rng(3)

CASES = [  # x shape, weight shape, stride, padding, dilation, groups
    ((2, 3, 6, 5), (4, 3, 3, 2), (1, 1), (1, 0), (1, 1), 1),
    ((2, 4, 7, 7), (6, 2, 3, 3), (2, 2), (1, 2), (1, 2), 2),
    ((3, 2, 9), (3, 2, 3), (2,), (1,), (2,), 1),
    ((1, 2, 4, 4, 3), (2, 2, 2, 2, 2), (1, 2, 1), (1, 0, 1), (1, 1, 1), 1),
]


def _compare(got, want, tol=1e-4):
    for a, e in zip(got, want):
        assert (a is None) == (e is None)
        if e is not None:
            assert_close(a, e, rtol=tol, atol=tol)


@pytest.mark.parametrize("xs,ws,s,p,d,g", CASES)
def test_conv(xs, ws, s, p, d, g):
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    b = rng.standard_normal(ws[0]).astype(np.float32)
    y = gpu.conv_forward(device(x), device(w), device(b), s, p, d, g)
    ey = cpu.conv_forward(x, w, b, s, p, d, g)
    assert_close(y, ey, rtol=1e-4, atol=1e-4)
    gy = rng.standard_normal(ey.shape).astype(np.float32)
    _compare(gpu.conv_backward(device(gy), device(x), device(w), s, p, d, g),
             cpu.conv_backward(gy, x, w, s, p, d, g))


@pytest.mark.parametrize("xs,ws,s,p,op,d,g", [
    ((2, 4, 3, 4), (4, 3, 3, 2), (2, 1), (1, 0), (1, 0), (1, 1), 2),
    ((2, 3, 5), (3, 2, 3), (2,), (1,), (0,), (2,), 1),
])
def test_conv_transpose(xs, ws, s, p, op, d, g):
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    b = rng.standard_normal(ws[1] * g).astype(np.float32)
    y = gpu.conv_transpose_forward(device(x), device(w), device(b), s, p, op, g, d)
    ey = cpu.conv_transpose_forward(x, w, b, s, p, op, g, d)
    assert_close(y, ey, rtol=1e-4, atol=1e-4)
    gy = rng.standard_normal(ey.shape).astype(np.float32)
    _compare(gpu.conv_transpose_backward(device(gy), device(x), device(w), s, p, op, g, d),
             cpu.conv_transpose_backward(gy, x, w, s, p, op, g, d))


def test_unfold_fold():
    x = rng.standard_normal((2, 3, 5, 6)).astype(np.float32)
    args = ((2, 3), (1, 2), (1, 1), (2, 1))
    cols = gpu_fold.unfold(device(x), *args)
    ecols = cpu_fold.unfold(x, *args)
    assert_close(cols, ecols)
    assert_close(gpu_fold.fold(cols, (5, 6), *args), cpu_fold.fold(ecols, (5, 6), *args))
