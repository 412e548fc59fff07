"""Elementwise Numba kernels: functions numpy lacks (erf, erfc, erfinv) and fused sigmoid/tanh formulas.

Kernels take flat contiguous arrays and write a preallocated flat output; the public functions at the end
take arrays of any shape.
"""
import math

import numpy as np
from numba import njit, prange

TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


# Below this many elements a serial kernel beats waking the thread pool.
_PARALLEL_MIN_SIZE = 1 << 15


@njit(cache=True, error_model="numpy")
def _erf_serial(x, out):
    for i in range(x.size):
        out[i] = math.erf(x[i])


@njit(parallel=True, cache=True, error_model="numpy")
def _erf_parallel(x, out):
    for i in prange(x.size):
        out[i] = math.erf(x[i])


@njit(cache=True, error_model="numpy")
def _erfc_serial(x, out):
    for i in range(x.size):
        out[i] = math.erfc(x[i])


@njit(parallel=True, cache=True, error_model="numpy")
def _erfc_parallel(x, out):
    for i in prange(x.size):
        out[i] = math.erfc(x[i])


@njit(cache=True, error_model="numpy", inline="always")
def _fabs(v):
    return v if v >= 0.0 else -v


@njit(cache=True, error_model="numpy", inline="always")
def _erfinv_scalar(y):
    """Inverse error function in float64: Giles' (2010) polynomial guess refined by two Newton steps."""
    if not -1.0 <= y <= 1.0:
        return np.nan
    if y == 1.0:
        return np.inf
    if y == -1.0:
        return -np.inf
    w = -math.log((1.0 - y) * (1.0 + y))
    if w < 5.0:
        w -= 2.5
        p = 2.81022636e-08
        p = 3.43273939e-07 + p * w
        p = -3.5233877e-06 + p * w
        p = -4.39150654e-06 + p * w
        p = 0.00021858087 + p * w
        p = -0.00125372503 + p * w
        p = -0.00417768164 + p * w
        p = 0.246640727 + p * w
        p = 1.50140941 + p * w
    else:
        w = math.sqrt(w) - 3.0
        p = -0.000200214257
        p = 0.000100950558 + p * w
        p = 0.00134934322 + p * w
        p = -0.00367342844 + p * w
        p = 0.00573950773 + p * w
        p = -0.0076224613 + p * w
        p = 0.00943887047 + p * w
        p = 1.00167406 + p * w
        p = 2.83297682 + p * w
    x = p * y
    if -0.5 < y < 0.5:
        for _ in range(2):
            x -= (math.erf(x) - y) / (TWO_OVER_SQRT_PI * math.exp(-x * x))
        return x
    # Tail: the guess is single-precision only and loses accuracy beyond 1 - |y| < 1e-9, where erf is flat.
    # Newton on log(erfc(|x|)) = log(1 - |y|) is nearly linear there; 1 - |y| is exact for |y| >= 0.5.
    q = 1.0 - _fabs(y)
    log_q = math.log(q)
    a = _fabs(x)
    for _ in range(4):
        e = math.erfc(a)
        a += (math.log(e) - log_q) * e / (TWO_OVER_SQRT_PI * math.exp(-a * a))
    x = a if y > 0 else -a
    return x


@njit(cache=True, error_model="numpy")
def _erfinv_serial(x, out):
    for i in range(x.size):
        out[i] = _erfinv_scalar(float(x[i]))


@njit(parallel=True, cache=True, error_model="numpy")
def _erfinv_parallel(x, out):
    for i in prange(x.size):
        out[i] = _erfinv_scalar(float(x[i]))


@njit(cache=True, error_model="numpy")
def _sigmoid_serial(x, out):
    for i in range(x.size):
        out[i] = 1.0 / (1.0 + math.exp(-x[i]))


@njit(parallel=True, cache=True, error_model="numpy")
def _sigmoid_parallel(x, out):
    for i in prange(x.size):
        out[i] = 1.0 / (1.0 + math.exp(-x[i]))


@njit(cache=True, error_model="numpy")
def _sigmoid_backward_serial(grad, y, out):
    for i in range(y.size):
        out[i] = grad[i] * y[i] * (1.0 - y[i])


@njit(parallel=True, cache=True, error_model="numpy")
def _sigmoid_backward_parallel(grad, y, out):
    for i in prange(y.size):
        out[i] = grad[i] * y[i] * (1.0 - y[i])


@njit(cache=True, error_model="numpy")
def _tanh_backward_serial(grad, y, out):
    for i in range(y.size):
        out[i] = grad[i] * (1.0 - y[i] * y[i])


@njit(parallel=True, cache=True, error_model="numpy")
def _tanh_backward_parallel(grad, y, out):
    for i in prange(y.size):
        out[i] = grad[i] * (1.0 - y[i] * y[i])


def _map_unary(serial, parallel, x):
    """Run a one-input elementwise kernel; float16 is computed in float32 (Numba has no half arithmetic)."""
    if x.dtype == np.float16:
        return _map_unary(serial, parallel, x.astype(np.float32)).astype(np.float16)
    flat = x.reshape(-1) if x.flags.c_contiguous else np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    (parallel if flat.size >= _PARALLEL_MIN_SIZE else serial)(flat, out)
    return out.reshape(x.shape)


def _map_backward(serial, parallel, grad, y):
    """Run a backward kernel over an upstream gradient and a saved array of the same shape (and y's dtype)."""
    if y.dtype == np.float16:
        return _map_backward(serial, parallel, grad.astype(np.float32), y.astype(np.float32)).astype(np.float16)
    if grad.dtype != y.dtype or not grad.flags.c_contiguous:
        grad = np.ascontiguousarray(grad, dtype=y.dtype)
    flat_y = y.reshape(-1) if y.flags.c_contiguous else np.ascontiguousarray(y).reshape(-1)
    out = np.empty_like(flat_y)
    (parallel if out.size >= _PARALLEL_MIN_SIZE else serial)(grad.reshape(-1), flat_y, out)
    return out.reshape(y.shape)


def erf(x):
    """Error function of a float16/32/64 array."""
    return _map_unary(_erf_serial, _erf_parallel, np.asarray(x))


def erfc(x):
    return _map_unary(_erfc_serial, _erfc_parallel, np.asarray(x))


def erfinv(x):
    return _map_unary(_erfinv_serial, _erfinv_parallel, x)


def sigmoid(x):
    return _map_unary(_sigmoid_serial, _sigmoid_parallel, x)


def sigmoid_backward(grad, result):
    """``grad * y * (1 - y)`` for ``y = sigmoid(x)``, in ``result``'s dtype."""
    return _map_backward(_sigmoid_backward_serial, _sigmoid_backward_parallel, grad, result)


def tanh_backward(grad, result):
    """``grad * (1 - y * y)`` for ``y = tanh(x)``, in ``result``'s dtype."""
    return _map_backward(_tanh_backward_serial, _tanh_backward_parallel, grad, result)
