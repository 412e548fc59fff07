"""The softmax kernels' numpy stand-ins give the kernels' results bit for bit (NaN positions compared as such)."""
import numpy as np
import pytest

from numbatorch.backends.cpu import _softmax_stand_ins, _tiered, softmax

SHAPES = [(1, 7, 1), (6, 3, 1), (2, 5, 4), (3, 1, 6), (1, 40, 33)]


def _inputs(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * rng.choice([1.0, 30.0, 1e3], shape)).astype(dtype)
    flat = x.reshape(-1)
    special = [np.nan, np.inf, -np.inf, 0.0, -0.0, np.finfo(dtype).max, np.finfo(dtype).tiny]
    picks = rng.choice(flat.size, min(flat.size // 3, 6), replace=False)
    flat[picks] = rng.choice(special, picks.size)
    return x


def _assert_same(ours, theirs):
    nan = np.isnan(ours)
    np.testing.assert_array_equal(nan, np.isnan(theirs))
    bits = f"u{ours.dtype.itemsize}"
    np.testing.assert_array_equal(ours[~nan].view(bits), theirs[~nan].view(bits))


@pytest.mark.skipif(_softmax_stand_ins._libm() is None, reason="no C math library, or Numba's kernels use SVML")
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("log", [False, True])
def test_softmax_stand_ins_equal_kernels(shape, dtype, log):
    for seed in range(3):
        x = _inputs(shape, dtype, seed)
        ours, theirs = np.empty_like(x), np.empty_like(x)
        softmax._softmax_blocks.serial.kernel(x, ours, log)
        _softmax_stand_ins.softmax_blocks(x, theirs, log)
        _assert_same(ours, theirs)
        g = _inputs(shape, dtype, seed + 10)
        ours_g, theirs_g = np.empty_like(x), np.empty_like(x)
        softmax._softmax_backward_blocks.serial.kernel(g, ours, ours_g, log)
        _softmax_stand_ins.softmax_backward_blocks(g, ours, theirs_g, log)
        _assert_same(ours_g, theirs_g)


def test_large_input_is_left_to_the_kernel():
    x = np.zeros((1, _softmax_stand_ins.MAX_ELEMENTS + 1, 1))
    with pytest.raises(_tiered.Unsupported):
        _softmax_stand_ins.softmax_blocks(x, np.empty_like(x), False)
