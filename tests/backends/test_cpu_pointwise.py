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


def _relu_values(dtype, size):
    """Random values led by the IEEE specials relu must pass on or zero as PyTorch does."""
    rng = np.random.default_rng(size)
    x = rng.standard_normal(size).astype(dtype)
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1e-40, -1e-40], dtype)
    x[:specials.size] = specials
    return x


def _bits(a):
    return a.view(np.uint32 if a.dtype == np.float32 else np.uint64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [0.5, 2])
def test_relu_kernels_keep_signed_zeros_and_nan_in_both_builds(dtype, scale, monkeypatch):
    monkeypatch.setattr(_parallel, "PARALLEL_AFTER_SECONDS", 0)
    size = int(pointwise.MIN_BACKWARD_BYTES * scale) // np.dtype(dtype).itemsize
    x = _relu_values(dtype, size)
    want = np.where(x < 0, dtype(0), x)  # -0.0 and NaN pass through; numpy's maximum would give +0.0 for -0.0
    assert np.signbit(want[1]) and np.isnan(want[4:6]).all()
    assert np.array_equal(_bits(pointwise.relu(x.reshape(-1, 64))).reshape(-1), _bits(want))
    inplace = x.copy()
    assert pointwise.relu_(inplace) is inplace
    assert np.array_equal(_bits(inplace), _bits(want))
    for build in (*pointwise._relu, pointwise._relu_stand_in):
        out = np.empty_like(x)
        build(x, out)
        assert np.array_equal(_bits(out), _bits(want))
    for build in (*pointwise._relu_inplace, pointwise._relu_inplace_stand_in):
        out = x.copy()
        build(dtype(1), out)
        assert np.array_equal(_bits(out), _bits(want))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [0.5, 2])
def test_relu_backward_zeroes_even_infinite_gradients(dtype, scale, monkeypatch):
    """PyTorch's threshold_backward: 0 where y <= 0 whatever the gradient (``grad * (y > 0)`` gave NaN for inf)."""
    monkeypatch.setattr(_parallel, "PARALLEL_AFTER_SECONDS", 0)
    size = int(pointwise.MIN_BACKWARD_BYTES * scale) // np.dtype(dtype).itemsize
    y = np.where(_relu_values(dtype, size) < 0, dtype(0), _relu_values(dtype, size))
    grad = np.random.default_rng(1).standard_normal(size).astype(dtype)
    grad[:8] = [np.inf, -np.inf, np.nan, 1.0, -2.0, np.inf, -np.inf, np.nan]
    want = np.where(y <= 0, dtype(0), grad)
    assert np.array_equal(_bits(pointwise.relu_backward(grad, y)), _bits(want))
    for build in (*pointwise._relu_backward, pointwise._relu_backward_stand_in):
        out = np.empty_like(y)
        build(grad, y, dtype(1), out)
        assert np.array_equal(_bits(out), _bits(want))


def test_relu_and_its_gradient_match_pytorch_bit_for_bit():
    torch = pytest.importorskip("torch")
    import numbatorch as nt
    x = _relu_values(np.float32, 4096)
    grad = np.random.default_rng(2).standard_normal(4096).astype(np.float32)
    grad[:8] = [np.inf, -np.inf, np.nan, 1.0, -2.0, np.inf, -np.inf, np.nan]
    results = []
    for lib in (nt, torch):
        t = lib.tensor(x, requires_grad=True)
        y = lib.relu(t * 1)
        y.backward(lib.tensor(grad))
        results.append((y.detach().numpy(), t.grad.numpy(), lib.relu_(lib.tensor(x)).numpy()))
    for ours, theirs in zip(*results):
        nan = np.isnan(theirs)
        assert np.array_equal(np.isnan(ours), nan)
        assert np.array_equal(_bits(ours[~nan]), _bits(theirs[~nan]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [0.5, 2])
def test_sqrt_kernel_gives_numpys_bits_in_both_builds(dtype, scale, monkeypatch):
    """Negatives give numpy's NaN (silently, as in PyTorch), -0.0 stays -0.0, subnormals and inf are exact."""
    monkeypatch.setattr(_parallel, "PARALLEL_AFTER_SECONDS", 0)
    size = int(pointwise.MIN_BACKWARD_BYTES * scale) // np.dtype(dtype).itemsize
    x = _relu_values(dtype, size) * dtype(3)
    x[8:12] = [-1.0, -np.inf, 4.0, 2.0]
    with np.errstate(invalid="ignore"):
        want = np.sqrt(x)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = pointwise.sqrt(x.reshape(-1, 64))
    assert np.array_equal(_bits(got).reshape(-1), _bits(want))
    for build in (*pointwise._sqrt, pointwise._sqrt_stand_in):
        out = np.empty_like(x)
        build(x, out)
        assert np.array_equal(_bits(out), _bits(want))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_on_the_vector_exp_within_rounding(dtype):
    """A large sigmoid in the array's float type on the vectorisable exp: within 3 ulp of the exact value where
    that is a normal float, 0.5 at zero, 0 and 1 at the infinities, NaN kept, both builds alike."""
    P = pointwise
    x = np.concatenate([np.random.default_rng(0).standard_normal(140000) * 8,
                        [0.0, -0.0, np.inf, -np.inf, np.nan, 60.0, -60.0]]).astype(dtype)
    got = P.sigmoid(x)
    serial, parallel = np.empty_like(x), np.empty_like(x)
    P._sigmoid_vector.serial(x, serial)
    P._sigmoid_vector.parallel(x, parallel)
    assert np.array_equal(serial, got, equal_nan=True) and np.array_equal(parallel, got, equal_nan=True)
    exact = 1 / (1 + np.exp(-x.astype(np.longdouble)))
    normal = np.isfinite(exact) & (exact >= np.finfo(dtype).tiny)
    ulp = np.spacing(exact[normal].astype(dtype)).astype(np.longdouble)
    assert np.all(np.abs(got[normal] - exact[normal]) <= 3 * ulp)
    assert got[-7] == 0.5 and got[-6] == 0.5 and got[-5] == 1.0 and got[-4] == 0.0 and np.isnan(got[-3])


def _tanh_values(size):
    """float32 values over tanh's whole range (saturated tails, the series near 0), led by the IEEE specials."""
    rng = np.random.default_rng(size)
    x = (rng.standard_normal(size) * 4).astype(np.float32)
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, -1e-30, 0.29, 0.31, 9.5, -20.0], np.float32)
    x[:specials.size] = specials
    return x


@pytest.mark.parametrize("scale", [0.5, 1, 4])
def test_float32_tanh_within_two_ulp_with_pytorchs_special_values(scale, monkeypatch):
    monkeypatch.setattr(_parallel, "PARALLEL_AFTER_SECONDS", 0)
    size = int(pointwise.TANH_MIN_BYTES * scale) // 4 + 3
    x = _tanh_values(size)
    got = pointwise.tanh(x.reshape(-1, 1) if scale == 4 else x)
    assert got.dtype == np.float32 and got.size == size
    got = got.reshape(-1)
    exact = np.tanh(x.astype(np.float64))
    finite = np.isfinite(exact)
    ulps = np.abs(got[finite] - exact[finite]) / np.spacing(np.abs(exact[finite]).astype(np.float32))
    assert ulps.max() <= 2.1
    assert np.array_equal(_bits(got[:5]), _bits(np.array([0.0, -0.0, 1.0, -1.0, np.nan], np.float32)))
    assert got[5] == x[5] and got[6] == x[6]  # tanh(x) == x where x * x underflows


def test_float32_tanh_kernel_builds_and_stand_in_give_the_same_bits(monkeypatch):
    monkeypatch.setattr(_parallel, "PARALLEL_AFTER_SECONDS", 0)
    x = _tanh_values(100_003)
    outs = [np.empty_like(x) for _ in range(3)]
    for build, out in zip((*pointwise._tanh32, pointwise._tanh32_stand_in), outs):
        build(x, out)
    assert np.array_equal(_bits(outs[0]), _bits(outs[1])) and np.array_equal(_bits(outs[0]), _bits(outs[2]))


def test_tanh_below_the_kernel_size_and_float64_are_numpys():
    x = _tanh_values(pointwise.TANH_MIN_BYTES // 4 - 1)
    assert np.array_equal(_bits(pointwise.tanh(x)), _bits(np.tanh(x)))
    x64 = x.astype(np.float64).repeat(4)
    assert np.array_equal(_bits(pointwise.tanh(x64)), _bits(np.tanh(x64)))
