"""Scalar activations and a state copy for the recurrent-cell kernels.

``math.tanh`` measured ~17 ns (float32) / ~9 ns (float64) per call here, several
times an ``exp``; it dominated the LSTM step. ``tanh`` below uses one ``exp``
(2*sigmoid(2x) - 1) and an odd Taylor polynomial near 0, where the exp form
would lose relative precision; max relative error ~1e-15 in float64. The ``exp`` is the vectorisable one of
``_vector_exp``, so a loop over a row of gates runs several lanes at a time.
"""
from numba import njit

from ._vector_exp import exp

# Below this |x| the Taylor series to x^9 is exact to float64 rounding.
_TAYLOR_LIMIT = 0.05


@njit(cache=True, error_model="numpy", inline="always")
def sigmoid(x):
    return 1.0 / (1.0 + exp(-x))


@njit(cache=True, error_model="numpy", inline="always")
def _tanh_near_zero(x):
    x2 = x * x
    return x * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 + x2 * (-17.0 / 315.0 + x2 * (62.0 / 2835.0)))))


@njit(cache=True, error_model="numpy", inline="always")
def tanh(x):
    if abs(x) < _TAYLOR_LIMIT:
        return _tanh_near_zero(x)
    return 2.0 / (1.0 + exp(-2.0 * x)) - 1.0


@njit(cache=True, error_model="numpy", inline="always")
def sigmoid_or_tanh(x, is_tanh):
    """``tanh(x)`` if ``is_tanh`` else ``sigmoid(x)``, with one ``exp`` and selects only: a loop over a row of
    LSTM gates (sigmoid, sigmoid, tanh, sigmoid) stays one vectorised loop instead of four short ones, whose
    scalar remainders and loop overhead cost more than the exps at hidden sizes near 50."""
    s = 1.0 / (1.0 + exp(-2.0 * x if is_tanh else -x))
    if is_tanh:
        return _tanh_near_zero(x) if abs(x) < _TAYLOR_LIMIT else 2.0 * s - 1.0
    return s


@njit(cache=True, error_model="numpy")
def copy_rows(dst, src):
    """``dst[...] = src`` for 2-d arrays of one shape. Numba's slice assignment formats its shape-mismatch message
    with string code that took 8 s to compile on a cold cache (most of a fresh process's first GRU step)."""
    for i in range(dst.shape[0]):
        for j in range(dst.shape[1]):
            dst[i, j] = src[i, j]
