"""Piecewise-linear activations as Numba kernels: LeakyReLU, Hardtanh (ReLU6), Hardsigmoid and Hardswish, forward
and backward.

Their numpy forms pick per element with ``np.where``, which branches on every element: on random signs half the
branches are mispredicted, and 8 MiB took ~10 ms (two numpy passes of arithmetic take ~1 ms), so LeakyReLU's
forward and backward cost 17x PyTorch's and ReLU6's 9x; the clips are numpy passes on one thread. A Numba loop
selects without branching, vectorises and splits over the threads.
Each element sees the numpy form's operations in its order, in the array's dtype, so the kernels give its bits;
the numpy forms stand in while a kernel is not compiled. Float32/float64 only; anything else (another dtype, a
gradient of another dtype) runs the numpy form. Memory-bound: on Numba's threads from ``MIN_BACKWARD_BYTES`` of
output, as the other pointwise kernels.
"""
import numpy as np
from numba import njit

from ._parallel import twin_kernels
from .pointwise import map_arrays


def _make_leaky_relu(loop):
    def leaky_relu(x, slope, out):
        for i in loop(x.size):
            v = x[i]
            out[i] = v if v > 0 else v * slope
    return leaky_relu


def _make_leaky_relu_backward(loop):
    def leaky_relu_backward(grad, x, slope, out):
        for i in loop(x.size):
            g = grad[i]
            out[i] = g if x[i] > 0 else g * slope
    return leaky_relu_backward


@njit(cache=True, nogil=True, inline="always")
def _clip(v, low, high):
    """``np.clip`` of one value: NaN and -0.0 pass through."""
    return low if v < low else (high if v > high else v)


def _make_hardtanh(loop):
    def hardtanh(x, low, high, out):
        for i in loop(x.size):
            out[i] = _clip(x[i], low, high)
    return hardtanh


def _make_hardsigmoid(loop):
    def hardsigmoid(x, zero, three, six, out):
        for i in loop(x.size):
            out[i] = _clip(x[i] + three, zero, six) / six
    return hardsigmoid


def _make_hardswish(loop):
    def hardswish(x, zero, three, six, out):
        for i in loop(x.size):
            v = x[i]
            out[i] = v * _clip(v + three, zero, six) / six
    return hardswish


# Constants come in the arrays' dtype (``zero``, ``three``, ``six``): a Python literal in the arithmetic would
# make float32 math run in float64 (comparisons with small integers are exact either way).

def _make_hardtanh_backward(loop):
    def hardtanh_backward(grad, x, low, high, zero, out):
        for i in loop(x.size):
            v = x[i]
            out[i] = grad[i] if low < v < high else zero
    return hardtanh_backward


def _make_hardsigmoid_backward(loop):
    def hardsigmoid_backward(grad, x, zero, six, out):
        for i in loop(x.size):
            v = x[i]
            out[i] = grad[i] / six if -3 < v < 3 else zero
    return hardsigmoid_backward


def _make_hardswish_backward(loop):
    def hardswish_backward(grad, x, zero, three, six, out):
        for i in loop(x.size):
            v, g = x[i], grad[i]
            out[i] = zero if v < -3 else (g * ((v + v) + three) / six if v <= 3 else g)  # v + v: 2 * v exactly
    return hardswish_backward


# The numpy forms (the ops' own before the kernels): stand-ins with the kernels' arguments and bits.

def _leaky_relu_numpy(x, slope, out):
    np.copyto(out, np.where(x > 0, x, x * slope))


def _hardtanh_numpy(x, low, high, out):
    np.clip(x, low, high, out=out)


def _hardsigmoid_numpy(x, zero, three, six, out):
    np.copyto(out, np.clip(x + three, zero, six) / six)


def _hardswish_numpy(x, zero, three, six, out):
    np.copyto(out, x * np.clip(x + three, zero, six) / six)


def _leaky_relu_backward_numpy(grad, x, slope, out):
    np.copyto(out, np.where(x > 0, grad, grad * slope))


def _hardtanh_backward_numpy(grad, x, low, high, zero, out):
    np.copyto(out, np.where((x > low) & (x < high), grad, zero))


def _hardsigmoid_backward_numpy(grad, x, zero, six, out):
    np.copyto(out, np.where((x > -3) & (x < 3), grad / six, zero))


def _hardswish_backward_numpy(grad, x, zero, three, six, out):
    np.copyto(out, np.where(x < -3, zero, np.where(x <= 3, grad * (2 * x + three) / six, grad)))


_LEAKY_RELU = twin_kernels(_make_leaky_relu, _leaky_relu_numpy)
_HARDTANH = twin_kernels(_make_hardtanh, _hardtanh_numpy)
_HARDSIGMOID = twin_kernels(_make_hardsigmoid, _hardsigmoid_numpy)
_HARDSWISH = twin_kernels(_make_hardswish, _hardswish_numpy)
_LEAKY_RELU_BACKWARD = twin_kernels(_make_leaky_relu_backward, _leaky_relu_backward_numpy)
_HARDTANH_BACKWARD = twin_kernels(_make_hardtanh_backward, _hardtanh_backward_numpy)
_HARDSIGMOID_BACKWARD = twin_kernels(_make_hardsigmoid_backward, _hardsigmoid_backward_numpy)
_HARDSWISH_BACKWARD = twin_kernels(_make_hardswish_backward, _hardswish_backward_numpy)


def _run(twin, arrays, scalars, numpy_form):
    """``twin`` over ``arrays`` and ``scalars`` (``pointwise.map_arrays``); ``numpy_form()`` where it does not
    apply."""
    out = map_arrays(twin, arrays, scalars)
    return numpy_form() if out is None else out


def leaky_relu(x, slope):
    """``x`` where ``x > 0``, else ``x * slope``."""
    return _run(_LEAKY_RELU, (x,), (slope,), lambda: np.where(x > 0, x, x * slope).astype(x.dtype, copy=False))


def hardtanh(x, low, high):
    """``x`` clipped to ``[low, high]`` as ``np.clip`` does (NaN and -0.0 kept)."""
    return _run(_HARDTANH, (x,), (low, high), lambda: np.clip(x, low, high).astype(x.dtype, copy=False))


def hardsigmoid(x):
    """``clip(x + 3, 0, 6) / 6``."""
    return _run(_HARDSIGMOID, (x,), (0, 3, 6), lambda: (np.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False))


def hardswish(x):
    """``x * clip(x + 3, 0, 6) / 6``."""
    return _run(_HARDSWISH, (x,), (0, 3, 6), lambda: (x * np.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False))


def leaky_relu_backward(grad, x, slope):
    """``grad`` where ``x > 0``, else ``grad * slope``."""
    return _run(_LEAKY_RELU_BACKWARD, (grad, x), (slope,), lambda: np.where(x > 0, grad, grad * slope))


def hardtanh_backward(grad, x, low, high):
    """``grad`` where ``low < x < high``, else 0, in ``grad``'s dtype."""
    return _run(_HARDTANH_BACKWARD, (grad, x), (low, high, 0),
                lambda: np.where((x > low) & (x < high), grad, 0).astype(grad.dtype, copy=False))


def hardsigmoid_backward(grad, x):
    """``grad / 6`` where ``-3 < x < 3``, else 0, in ``grad``'s dtype."""
    return _run(_HARDSIGMOID_BACKWARD, (grad, x), (0, 6),
                lambda: np.where((x > -3) & (x < 3), grad / 6, 0).astype(grad.dtype, copy=False))


def hardswish_backward(grad, x):
    """0 where ``x < -3``, ``grad * (2x + 3) / 6`` up to 3, ``grad`` above, in ``grad``'s dtype."""
    return _run(_HARDSWISH_BACKWARD, (grad, x), (0, 3, 6),
                lambda: np.where(x < -3, 0, np.where(x <= 3, grad * (2 * x + 3) / 6, grad)).astype(grad.dtype,
                                                                                                  copy=False))
