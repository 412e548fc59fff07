"""A large gradient summed back to a broadcast operand's shape (backends/cpu/_broadcast_sums.py): float64 sums as
accurate as an exact reference allows, the same bits from both builds whatever the thread count or the load, NaN
and infinities, where numpy keeps the sum, and the engine's use of it."""
import numba
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd.engine import reduce_to_shape
from numbatorch.backends.cpu import _broadcast_sums as S

from ._threaded_spy import spy_on_threads
from .test_cpu_arithmetic_kernels import _assert_same_bits

needs_threads = pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="the kernels run from 2 threads")
# (gradient shape, operand shape): per-channel, per-sample-and-channel, a column, a row vector, a row per sample,
# an odd width, leading dimensions only
PAIRS = [((16, 32, 32, 32), (32, 1, 1)), ((16, 32, 32, 32), (16, 32, 1, 1)), ((4096, 200), (4096, 1)),
         ((4096, 200), (200,)), ((8, 300, 250), (8, 1, 250)), ((600, 1001), (1001,)), ((6, 700, 200), (700, 200))]


def _axes(shape, small):
    lead = len(shape) - len(small)
    return tuple(i for i in range(len(shape)) if i < lead or (small[i - lead] == 1 and shape[i] != 1))


def _reference(grad, small):
    """The exact sum (float64 terms, compensated by fsum-like float128 where numpy has it), rounded to grad's
    dtype."""
    wide = np.longdouble if np.finfo(np.longdouble).nmant > 52 else np.float64
    return grad.astype(wide).sum(axis=_axes(grad.shape, small)).reshape(small).astype(grad.dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,small", PAIRS)
def test_accurate_and_the_same_from_both_builds(shape, small, dtype):
    grad = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    got = S.sum_to(grad, small)
    assert got is not None and got.shape == small and got.dtype == dtype
    # float64 sums: off the exact sum by a few float64 ulps of the terms' size, under float32's rounding
    count = grad.size // int(np.prod(small))
    np.testing.assert_allclose(got, _reference(grad, small), rtol=6e-8 if dtype == np.float32 else 0,
                               atol=4 * count * np.finfo(np.float64).eps)
    mid, inner, s0, s1, s2 = S.groups(shape, small)
    kernel = S._MID_SUMS if s1 and not s0 and not s2 else S._ROW_SUMS
    for build in (kernel.serial, kernel.parallel):
        out = np.empty(small, dtype)
        build(grad.reshape(-1), out.reshape(-1), grad.size // (mid * inner), mid, inner)
        _assert_same_bits(out, got)


@needs_threads
def test_bits_do_not_depend_on_the_thread_count_or_the_load(monkeypatch):
    grad = np.random.default_rng(1).standard_normal((16, 32, 32, 32)).astype(np.float32)
    threaded = spy_on_threads(S, monkeypatch)
    first = S.sum_to(grad, (32, 1, 1))
    assert threaded == [S._MID_SUMS]
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        _assert_same_bits(S.sum_to(grad, (32, 1, 1)), first)
    finally:
        numba.set_num_threads(before)
    monkeypatch.setattr(S.arithmetic, "spare_core", lambda: False)  # a busy neighbour: the serial build
    _assert_same_bits(S.sum_to(grad, (32, 1, 1)), first)
    assert threaded == [S._MID_SUMS]


def test_nan_and_infinities_propagate():
    grad = np.zeros((16, 32, 32, 32), np.float32)
    grad[3, 1, 5, 7], grad[0, 2, 0, 0], grad[9, 2, 1, 1], grad[1, 4, 2, 2] = np.nan, np.inf, -np.inf, np.inf
    got = S.sum_to(grad, (32, 1, 1)).reshape(-1)
    assert np.isnan(got[1]) and np.isnan(got[2]) and got[4] == np.inf and np.all(got[5:] == 0)


@pytest.mark.parametrize("case", ["small", "float16", "transposed", "too many groups", "everything summed"])
def test_numpy_sums_where_the_kernels_do_not_apply(case):
    grad, small = np.random.default_rng(2).standard_normal((16, 32, 32, 32)).astype(np.float32), (32, 1, 1)
    if case == "small":
        grad = grad[:1].copy()
    elif case == "float16":
        grad = grad.astype(np.float16)
    elif case == "transposed":
        grad = grad.transpose(0, 1, 3, 2)
    elif case == "too many groups":
        small = (16, 1, 32, 1)
    else:
        small = (1, 1)
    assert S.sum_to(grad, small) is None
    got = reduce_to_shape(grad, small)
    assert got.shape == small and got.dtype == grad.dtype
    np.testing.assert_allclose(got.astype(np.float64), _reference(grad.astype(np.float64), small),
                               rtol=2e-2 if case == "float16" else 1e-5, atol=1e-2 if case == "float16" else 1e-4)


def test_engine_sums_broadcast_gradients_with_it():
    rng = np.random.default_rng(3)
    x = nt.tensor(rng.standard_normal((16, 32, 32, 32)).astype(np.float32))
    scale = nt.tensor(rng.standard_normal((32, 1, 1)).astype(np.float32), requires_grad=True)
    bias = nt.tensor(rng.standard_normal((32,)).astype(np.float32), requires_grad=True)
    (x * scale + bias).backward(nt.ones(16, 32, 32, 32))
    _assert_same_bits(scale.grad.numpy(), S.sum_to(x.numpy(), (32, 1, 1)))
    _assert_same_bits(bias.grad.numpy(), S.sum_to(np.ones((16, 32, 32, 32), np.float32), (32,)))
    np.testing.assert_allclose(bias.grad.numpy(), np.full(32, 16 * 32 * 32.0))
