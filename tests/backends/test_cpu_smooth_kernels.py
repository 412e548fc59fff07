"""SiLU kernels on the vectorised exp (backends/cpu/_smooth_kernels.py): both builds alike, within float rounding
of an exact reference and of PyTorch, special values, the threaded dispatch, and the numpy form for other
dtypes."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.backends.cpu import _smooth_kernels as S, pointwise

from ._threaded_spy import spy_on_threads
from .test_cpu_arithmetic_kernels import _assert_same_bits

pytestmark = pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")
SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan, 88.0, -88.0, 100.0, -100.0, 1e-30, -1e-30, 20.0, -20.0]


def _values(dtype, seed, size=20000):
    a = (np.random.default_rng(seed).standard_normal(size) * 6).astype(dtype)
    a[:len(SPECIALS)] = SPECIALS
    return a


def _reference(x, grad):
    """SiLU and its gradient in float64 from numpy's exp."""
    v = x.astype(np.float64)
    with np.errstate(all="ignore"):
        s = 1 / (1 + np.exp(-v))
        return v * s, grad.astype(np.float64) * s * (1 + v * (1 - s))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_builds_agree_and_stay_within_rounding_of_the_exact_values(dtype):
    x, grad = _values(dtype, 0), _values(dtype, 1)[::-1].copy()
    outs = []
    for twin, args in ((S._SILU, (x,)), (S._SILU_BACKWARD, (grad, x))):
        serial, parallel = np.empty_like(x), np.empty_like(x)
        twin.serial(*args, serial)
        twin.parallel(*args, parallel)
        _assert_same_bits(parallel, serial)
        outs.append(serial)
    want, want_grad = _reference(x, grad)
    eps = np.finfo(dtype).eps
    finite = np.isfinite(want) & np.isfinite(want_grad)
    # the forward: a few ulps of the value; the gradient: of the gradient's scale (it cancels to 0 near x = -1.28)
    np.testing.assert_allclose(outs[0][finite], want[finite], rtol=4 * eps, atol=1e-37)
    assert np.all(np.abs(outs[1][finite] - want_grad[finite]) <= 8 * eps * (np.abs(grad[finite]) + 1e-30))
    for got, exact in zip(outs, (want, want_grad)):  # NaN where the exact form gives NaN, infinities kept
        assert np.array_equal(np.isnan(got), np.isnan(exact))
        assert np.array_equal(got[np.isinf(exact)], exact[np.isinf(exact)].astype(dtype))


def test_large_arrays_run_on_the_threads(monkeypatch):
    threaded = spy_on_threads(pointwise, monkeypatch)  # the kernels run through pointwise.map_arrays
    x = np.random.default_rng(2).standard_normal((512, 1024)).astype(np.float32)
    S.silu(x)
    S.silu_backward(x, x)
    assert threaded == [S._SILU, S._SILU_BACKWARD]


def test_other_dtypes_keep_the_numpy_form():
    x = _values(np.float16, 3).reshape(100, -1)
    with np.errstate(all="ignore"):
        _assert_same_bits(S.silu(x), (x / (1 + np.exp(-x))).astype(np.float16))
        grad = x.astype(np.float32)  # a gradient of another dtype than x
        s = 1 / (1 + np.exp(-x))
        _assert_same_bits(S.silu_backward(grad, x), grad * s * (1 + x * (1 - s)))


@pytest.mark.parametrize("inplace", [False, True])
def test_values_and_gradients_match_pytorch(inplace):
    torch = pytest.importorskip("torch")
    values, grad = _values(np.float32, 4)[len(SPECIALS):], _values(np.float32, 5)[len(SPECIALS):]
    results = []
    for lib in (nt, torch):
        x = lib.tensor(values, requires_grad=True)
        y = lib.nn.functional.silu(x * 1.0, inplace=inplace)
        y.backward(lib.tensor(grad))
        results.append((y.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=4e-7, atol=1e-30)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=0, atol=8e-7 * np.abs(grad).max())
