"""Backward kernels of tanh and sigmoid on either side of the size from which they run in parallel: equal to
the formulas PyTorch uses, and the serial and parallel builds equal bit for bit."""
import numpy as np
import pytest

from numbatorch.backends.cpu import _parallel, pointwise


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [0.5, 2])
@pytest.mark.parametrize("name, formula", [
    ("tanh_backward", lambda g, y: g * (1 - y * y)),
    ("sigmoid_backward", lambda g, y: g * y * (1 - y)),
])
def test_backward_kernels_around_the_parallel_size(dtype, scale, name, formula, monkeypatch):
    monkeypatch.setattr(_parallel, "PARALLEL_AFTER_SECONDS", 0)
    size = int(pointwise.MIN_BACKWARD_BYTES * scale) // np.dtype(dtype).itemsize
    rng = np.random.default_rng(size)
    grad = rng.standard_normal(size).astype(dtype).reshape(-1, 64)
    y = np.tanh(rng.standard_normal(size)).astype(dtype).reshape(-1, 64)
    got = getattr(pointwise, name)(grad, y)
    assert got.dtype == dtype and got.shape == y.shape
    np.testing.assert_allclose(got, formula(grad, y), rtol=1e-6 if dtype == np.float32 else 1e-14, atol=1e-7)
    twin = pointwise._tanh_backward if name == "tanh_backward" else pointwise._sigmoid_backward
    builds = [np.empty(size, dtype) for _ in range(2)]
    for build, out in zip(twin, builds):
        build(grad.reshape(-1), y.reshape(-1), dtype(1), out)
    assert np.array_equal(builds[0], builds[1])
