"""The float32 gate activations of the LSTM kernels against float64 sigmoid and tanh rounded to float32; the bias
gradients' column sums against numpy's."""
import numpy as np
import pytest

from numbatorch.backends.cpu import _rnn_math
from numbatorch.backends.cpu._rnn_math import sigmoid_or_tanh32


def _ulps(got, want):
    """Distance in float32 units of the last place of ``want``."""
    return np.abs(got.astype(np.float64) - want) / np.spacing(np.abs(want).astype(np.float32)).astype(np.float64)


def _apply(x, is_tanh):
    return np.array([sigmoid_or_tanh32(v, is_tanh) for v in x], dtype=np.float32)


def _inputs():
    rng = np.random.default_rng(0)
    return np.concatenate([
        rng.uniform(-90.0, 90.0, 3000),          # saturation at both ends
        rng.uniform(-4.0, 4.0, 4000),            # the gates' working range
        np.linspace(-0.35, 0.35, 2001),          # tanh's Taylor branch and the switch to exp at 0.3
        rng.uniform(-1e-6, 1e-6, 200),
    ]).astype(np.float32)


def test_sigmoid_within_two_ulp():
    x = _inputs()
    want = 1.0 / (1.0 + np.exp(-x.astype(np.float64)))
    normal = want >= np.finfo(np.float32).tiny  # below, results only ever meet 1 + e in the kernels
    assert _ulps(_apply(x, False), want)[normal].max() <= 2.0


def test_tanh_within_two_ulp():
    x = _inputs()
    x = x[x != 0]
    assert _ulps(_apply(x, True), np.tanh(x.astype(np.float64))).max() <= 2.0


@pytest.mark.parametrize("is_tanh", [False, True])
def test_special_values(is_tanh):
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 200.0, -200.0], dtype=np.float32)
    got = _apply(x, is_tanh)
    want = (np.tanh if is_tanh else lambda v: 1.0 / (1.0 + np.exp(-v)))(x.astype(np.float64))
    assert np.isnan(got[0])
    np.testing.assert_array_equal(got[1:], want[1:].astype(np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1600, 128), (97, 204), (2, 2), (1, 7), (5000, 3), (33, 96)])
def test_column_sums_give_numpys_bits(dtype, shape):
    # the bias gradients of the recurrent layers and cells: numpy adds the rows in order, and so does the kernel
    rng = np.random.default_rng(shape[0])
    a = (rng.standard_normal(shape) * 10.0 ** rng.uniform(-4, 4, shape)).astype(dtype)
    a[:, 0] = -0.0  # numpy's sum of -0s is +0
    a[::2, 1] = 0.0
    a[1::2, 1] = -0.0
    for column_sums in (_rnn_math.column_sums.kernel, _rnn_math.column_sums.stand_in):
        out = np.empty(shape[1], dtype)
        column_sums(a, out)
        np.testing.assert_array_equal(out.view(np.uint8), a.sum(axis=0).view(np.uint8))


def _assert_same_bits(got, want):
    """Bit for bit, signed zeros included; NaNs compared as NaNs (their sign and payload are no result)."""
    got, want = (np.where(np.isnan(a), np.nan, a).astype(a.dtype) for a in (got, want))
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))


def _signed(rng, shape, dtype):
    """Values over eight decades with signed zeros and non-finite ones at the start."""
    a = (rng.standard_normal(shape) * 10.0 ** rng.uniform(-4, 4, shape)).astype(dtype)
    flat = a.reshape(-1)
    flat[:5] = (-0.0, 0.0, np.inf, -np.inf, np.nan)[:flat.size]
    return a


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows, cols", [(97, 204), (1, 1), (3, 5), (0, 4)])
def test_row_kernels_give_numpys_bits(dtype, rows, cols):
    # the input projection's outer product and bias pass (kernel and stand-in) against numpy's broadcast ops
    rng = np.random.default_rng(rows + cols)
    x, w, c = _signed(rng, rows, dtype), _signed(rng, cols, dtype)[::-1].copy(), _signed(rng, cols, dtype)
    a = _signed(rng, (rows, cols), dtype)
    with np.errstate(invalid="ignore"):
        want = x[:, None] * w
        want += c
        for outer_plus_row in (_rnn_math.outer_plus_row.kernel, _rnn_math.outer_plus_row.stand_in):
            out = np.empty((rows, cols), dtype)
            outer_plus_row(x, w, c, out)
            _assert_same_bits(out, want)
        for add_row in (_rnn_math.add_row.kernel, _rnn_math.add_row.stand_in):
            out = a.copy()
            add_row(out, c)
            _assert_same_bits(out, a + c)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", [False, True])
def test_one_feature_projection_gives_the_gemms_bits(dtype, bias):
    # one input feature takes an outer product instead of BLAS: same bits as the GEMM plus the bias, signed zeros
    # included (BLAS turns a -0 product into +0)
    from numbatorch.backends.cpu.rnn import project_inputs
    rng = np.random.default_rng(7)
    x = _signed(rng, (3, 97, 1), dtype)
    x[0, :4, 0] = (-0.0, 0.0, -0.0, 1.0)
    w = rng.standard_normal((204, 1)).astype(dtype)
    w[:3, 0] = (-0.0, 0.0, -1.0)
    b = rng.standard_normal(204).astype(dtype) if bias else None
    if bias:
        b[:2] = (-0.0, 0.0)
    with np.errstate(invalid="ignore"):
        want = np.matmul(x.reshape(-1, 1), w.T)
        if bias:
            want += b
        got = project_inputs(x, w, b)
    _assert_same_bits(got.reshape(-1, 204), want)
