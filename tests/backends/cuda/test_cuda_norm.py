"""CUDA batch-norm kernels equal their CPU twins (statistics, output, input and affine gradients)."""
import numpy as np
import pytest

from numbatorch.backends.cpu import norm as cpu
from numbatorch.backends.cuda import norm as gpu

from ._host import assert_close, device

rng = np.random.default_rng(1)


@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (7, 5), (2, 4, 9)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_training(shape, affine):
    C = shape[1]
    x = (rng.standard_normal(shape) * 2 + 0.5).astype(np.float32)
    w = rng.standard_normal(C).astype(np.float32) if affine else None
    b = rng.standard_normal(C).astype(np.float32) if affine else None
    y, mean, invstd = gpu.batch_norm_forward(device(x), None if w is None else device(w),
                                             None if b is None else device(b), training=True, eps=1e-5)
    ey, emean, einvstd = cpu.batch_norm_forward(x, w, b, training=True, eps=1e-5)
    assert_close(y, ey)
    assert_close(mean, emean, rtol=1e-7, atol=1e-7)
    assert_close(invstd, einvstd, rtol=1e-6)
    count = x.size // C
    assert_close(gpu.batch_norm_unbiased_var(invstd, 1e-5, count), cpu.batch_norm_unbiased_var(einvstd, 1e-5, count),
                 rtol=1e-6)
    g = rng.standard_normal(shape).astype(np.float32)
    got = gpu.batch_norm_backward(device(g), device(x), None if w is None else device(w), mean, invstd, True)
    want = cpu.batch_norm_backward(g, x, w, emean, einvstd, True)
    for a, e in zip(got, want):
        assert (a is None) == (e is None)
        if e is not None:
            assert_close(a, e, rtol=1e-4, atol=1e-4)


def test_batch_norm_eval():
    x = rng.standard_normal((3, 4, 5)).astype(np.float32)
    w, b = rng.standard_normal(4).astype(np.float32), rng.standard_normal(4).astype(np.float32)
    rm, rv = rng.standard_normal(4).astype(np.float32), rng.uniform(0.5, 2, 4).astype(np.float32)
    y, _, invstd = gpu.batch_norm_forward(device(x), device(w), device(b), device(rm), device(rv), False, 1e-3)
    ey, _, einvstd = cpu.batch_norm_forward(x, w, b, rm, rv, False, 1e-3)
    assert_close(y, ey)
    g = rng.standard_normal(x.shape).astype(np.float32)
    got = gpu.batch_norm_backward(device(g), device(x), device(w), device(rm.astype(np.float64)), invstd, False)
    want = cpu.batch_norm_backward(g, x, w, rm.astype(np.float64), einvstd, False)
    for a, e in zip(got, want):
        assert_close(a, e, rtol=1e-4, atol=1e-4)
