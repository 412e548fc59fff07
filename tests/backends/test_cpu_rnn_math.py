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
    for column_sums in (_rnn_math.column_sums.kernel, _rnn_math.column_sums.stand_in):
        out = np.empty(shape[1], dtype)
        column_sums(a, out)
        np.testing.assert_array_equal(out.view(np.uint8), a.sum(axis=0).view(np.uint8))
