"""Integral powers of float arrays taken from the magnitudes (_ops/arithmetic._power): within an ulp of the exact
power as numpy's own, signed zeros and infinities as numpy's, gradients, and PyTorch's values."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch._ops.arithmetic import _power

SPECIALS = [0.0, -0.0, np.inf, -np.inf, 1.0, -1.0, 2.0, -2.0, 1e-30, -1e-30, 3e10, -3e10]


def _values(dtype, seed, size=4096):
    a = (np.random.default_rng(seed).standard_normal(size) * 3).astype(dtype)
    a[:len(SPECIALS)] = SPECIALS
    return a


def _same_bits_but_nan_signs(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    nan = np.isnan(want)
    assert np.array_equal(np.isnan(got), nan)
    assert np.array_equal(got[~nan].view(np.uint8), want[~nan].view(np.uint8))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("exponent", [3, 4, 5, -1, -2, -3, 7.0, np.float32(3.0), 10])
def test_within_an_ulp_and_numpys_special_values(dtype, exponent):
    """numpy's own power of positive float32 bases takes a SIMD path that rounds differently from libm's (which it
    calls for negative ones): both are within 1 ulp of the exact power, as is this one."""
    x = _values(dtype, 0)
    with np.errstate(all="ignore"):
        got, want = _power(x, exponent), np.power(x, exponent)
        exact = np.power(x.astype(np.longdouble), int(exponent))
    assert got.dtype == want.dtype
    finite = np.isfinite(want) & (np.abs(exact) < np.finfo(dtype).max)
    ulp = np.spacing(np.abs(exact[finite]).astype(dtype)).astype(np.longdouble)
    assert np.all(np.abs(got[finite].astype(np.longdouble) - exact[finite]) <= ulp)
    special = slice(0, len(SPECIALS))  # signed zeros, infinities and their signs exactly as numpy's
    _same_bits_but_nan_signs(got[special][~finite[special]], want[special][~finite[special]])
    assert np.array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize("exponent", [0, 1, 2, 2.5, -0.5, True])
def test_other_exponents_are_numpys_own(exponent):
    x = _values(np.float32, 1)
    with np.errstate(all="ignore"):
        _same_bits_but_nan_signs(_power(x, exponent), np.power(x, exponent))


@pytest.mark.parametrize("exponent", [3, 4, -2])
def test_gradients_match_pytorch(exponent):
    torch = pytest.importorskip("torch")
    values = _values(np.float32, 2)[len(SPECIALS):]
    results = []
    for lib in (nt, torch):
        x = lib.tensor(values, requires_grad=True)
        y = x.pow(exponent)
        y.backward(lib.ones_like(y))
        results.append((y.detach().numpy(), x.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=2e-6)
