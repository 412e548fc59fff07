"""Scalar activations and a state copy for the recurrent-cell kernels.

``math.tanh`` measured ~17 ns (float32) / ~9 ns (float64) per call here, several
times an ``exp``; it dominated the LSTM step. ``tanh`` below uses one ``exp``
(2*sigmoid(2x) - 1) and an odd Taylor polynomial near 0, where the exp form
would lose relative precision; max relative error ~1e-15 in float64. The ``exp`` is the vectorisable one of
``_vector_exp``, so a loop over a row of gates runs several lanes at a time. Float32 gates take
``sigmoid_or_tanh32``: float32 arithmetic with ``_vector_exp32``, within 2 ulp.
"""
import numpy as np
from numba import njit, types
from numba.extending import overload

from ._tiered import Tiered
from ._vector_exp import exp
from ._vector_exp32 import exp32

# Below this |x| the Taylor series to x^9 is exact to float64 rounding; below the float32 one, to float32's.
_TAYLOR_LIMIT = 0.05
_TAYLOR_LIMIT32 = np.float32(0.3)
_ONE32 = np.float32(1.0)
_ZERO32 = np.float32(0.0)
_T3, _T5, _T7, _T9 = (np.float32(c) for c in (-1.0 / 3.0, 2.0 / 15.0, -17.0 / 315.0, 62.0 / 2835.0))


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


@njit(cache=True, error_model="numpy", inline="always")
def sigmoid_or_tanh32(x, is_tanh):
    """``sigmoid_or_tanh`` in float32 arithmetic (``_vector_exp32``), for float32 gates: twice the lanes of the
    float64 ``exp`` and a shorter series; within 2 ulp of float32 rounding. tanh is (1 - e) / (1 + e) with
    e = exp(-2|x|), where the exp's error is not amplified as in 2 * sigmoid(2x) - 1."""
    x = np.float32(x)
    ax = abs(x)
    e = exp32(-(ax + ax) if is_tanh else -x)
    r = (_ONE32 - e if is_tanh else _ONE32) / (_ONE32 + e)
    if is_tanh:
        if ax < _TAYLOR_LIMIT32:
            x2 = x * x
            return x * (_ONE32 + x2 * (_T3 + x2 * (_T5 + x2 * (_T7 + x2 * _T9))))
        return r if x >= _ZERO32 else -r
    return r


def sigmoid_gate(x):
    """A gate's sigmoid in its dtype's arithmetic: ``sigmoid_or_tanh32(x, False)`` for float32, else ``sigmoid``.
    Numba picks the one body while typing, so a kernel compiles only its dtype's math and is written once."""
    return sigmoid_or_tanh32(x, False) if isinstance(x, np.float32) else sigmoid(x)


def tanh_gate(x):
    """A gate's tanh in its dtype's arithmetic: ``sigmoid_or_tanh32(x, True)`` for float32, else ``tanh``."""
    return sigmoid_or_tanh32(x, True) if isinstance(x, np.float32) else tanh(x)


@overload(sigmoid_gate, inline="always")
def _sigmoid_gate(x):
    if x == types.float32:
        return lambda x: sigmoid_or_tanh32(x, False)
    return lambda x: sigmoid(x)


@overload(tanh_gate, inline="always")
def _tanh_gate(x):
    if x == types.float32:
        return lambda x: sigmoid_or_tanh32(x, True)
    return lambda x: tanh(x)


@njit(cache=True, error_model="numpy")
def copy_rows(dst, src):
    """``dst[...] = src`` for 2-d arrays of one shape. Numba's slice assignment formats its shape-mismatch message
    with string code that took 8 s to compile on a cold cache (most of a fresh process's first GRU step)."""
    for i in range(dst.shape[0]):
        for j in range(dst.shape[1]):
            dst[i, j] = src[i, j]


@njit(cache=True, nogil=True, error_model="numpy")
def sum_columns(a, out):
    """``out[...] = a.sum(axis=0)`` for a C-contiguous 2-d ``a`` of at least two columns, with numpy's bits: numpy
    adds the rows in order, but took 36 us for the 1600 x 128 float32 bias gradient of an LSTM(64->32) batch,
    this loop 15 us. (With one column numpy sums pairwise: callers keep numpy's sum there.) numpy's sum starts
    from +0, so a column of -0 sums to +0: the + 0 below."""
    for j in range(a.shape[1]):
        out[j] = a[0, j] + _ZERO32
    for i in range(1, a.shape[0]):
        for j in range(a.shape[1]):
            out[j] += a[i, j]


def _column_sums_numpy(a, out):
    out[...] = a.sum(axis=0)


column_sums = Tiered(sum_columns, _column_sums_numpy)


@njit(cache=True, nogil=True, error_model="numpy")
def outer_plus_row(x, w, c, out):
    """``out[i, j] = x[i] * w[j] + c[j]`` (x (N,), w and c (G,), out (N, G) C-contiguous): a one-feature input's
    projection and its biases in one pass. numpy's broadcast multiply and add took 30 us for 97 x 204 float64,
    this loop 6 us; same operations, same bits."""
    for i in range(out.shape[0]):
        xi = x[i]
        row = out[i]
        for j in range(out.shape[1]):
            row[j] = xi * w[j] + c[j]


def _outer_plus_row_numpy(x, w, c, out):
    np.multiply(x[:, None], w, out=out)
    out += c


outer_plus_row = Tiered(outer_plus_row, _outer_plus_row_numpy)


@njit(cache=True, nogil=True, error_model="numpy")
def add_row(out, c):
    """``out += c`` for a C-contiguous (N, G) ``out`` and a row ``c`` (G,): numpy's broadcast add took 8 us for
    97 x 204 float64, this loop 3 us."""
    for i in range(out.shape[0]):
        row = out[i]
        for j in range(out.shape[1]):
            row[j] += c[j]


def _add_row_numpy(out, c):
    out += c


add_row = Tiered(add_row, _add_row_numpy)
