"""Elementwise Numba kernels: functions numpy lacks (erf, erfc, erfinv), fused sigmoid/tanh formulas (a large
sigmoid on the vectorisable exp in the array's float type, see ``sigmoid``), sqrt, and
relu with PyTorch's signed zeros and NaN (numpy's maximum turns -0.0 into +0.0; its backward ``grad * (y > 0)``
made NaN from an infinite gradient where y <= 0). sqrt, relu and the backward kernels run on Numba's threads from
``MIN_BACKWARD_BYTES``: numpy's single thread took ~2x PyTorch's two on a few MiB. sqrt, relu, relu_ and the relu,
tanh and sigmoid backward kernels run on the spin pool's helpers instead where it runs (``_run_kernel``).

Kernels take flat contiguous arrays and write a preallocated flat output; the public functions at the end
take arrays of any shape.
"""
import math

import numpy as np
from numba import njit

from . import _spin_jobs, _spin_pool, _ufunc_halves
from ._float_math import one_like, vector_exp
from ._parallel import CONTRACT, choose, twin_kernels
from ._rnn_math import sigmoid_or_tanh32

TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
# Bytes of output from which the backward kernels (a multiply-add per element, memory-bound) run in parallel.
# Measured on 2 cores (median us, serial / parallel): float32 2^16 elements 7.1 / 10.2, 2^17 16.1 / 13.4; float64
# 2^15 7.0 / 10.2, 2^16 17.4 / 13.6: the thread pool pays once the arrays outgrow a core's cache, not before.
MIN_BACKWARD_BYTES = 1 << 19
# Bytes of float32 output from which tanh runs on the recurrent kernels' vectorisable float32 tanh (within 2 ulp of
# float32 rounding; PyTorch's is within 1), split over the spin pool's helpers where they run: numpy's float32 tanh
# is a SIMD loop only on AVX-512 machines (float32, 64 K elements, us: numpy 172, this kernel 93 on one thread,
# PyTorch 210 on one and 116-144 on two, on an AVX2 EPYC). From the pool's smallest op on, so that the op splits.
TANH_MIN_BYTES = _spin_pool.MIN_BYTES // 2


def _make_erf(loop):
    def _erf(x, out):
        for i in loop(x.size):
            out[i] = math.erf(x[i])
    return _erf


_erf = twin_kernels(_make_erf)


def _make_erfc(loop):
    def _erfc(x, out):
        for i in loop(x.size):
            out[i] = math.erfc(x[i])
    return _erfc


_erfc = twin_kernels(_make_erfc)


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


def _make_erfinv(loop):
    def _erfinv(x, out):
        for i in loop(x.size):
            out[i] = _erfinv_scalar(float(x[i]))
    return _erfinv


_erfinv = twin_kernels(_make_erfinv)


def _make_sigmoid(loop):
    def _sigmoid(x, out):
        for i in loop(x.size):
            out[i] = 1.0 / (1.0 + math.exp(-x[i]))
    return _sigmoid


_sigmoid = twin_kernels(_make_sigmoid)


def _make_sigmoid_vector(loop):
    def _sigmoid_vector(x, out):
        for i in loop(x.size):
            v = x[i]
            out[i] = one_like(v) / (one_like(v) + vector_exp(-v))
    return _sigmoid_vector


_sigmoid_vector = twin_kernels(_make_sigmoid_vector, fastmath=CONTRACT)


def _make_sigmoid_backward(loop):
    def _sigmoid_backward(grad, y, one, out):
        for i in loop(y.size):
            out[i] = grad[i] * y[i] * (one - y[i])
    return _sigmoid_backward


_sigmoid_backward = twin_kernels(_make_sigmoid_backward)


def _make_tanh32(loop):
    def _tanh32(x, out):
        for i in loop(x.size):
            out[i] = sigmoid_or_tanh32(x[i], True)
    return _tanh32


def _tanh32_stand_in(x, out):
    from ._rnn_stand_ins import tanh32  # only on cold starts: not at import (~9 ms with what it imports)
    out[:] = tanh32(x)  # the kernel's operations on whole arrays: the same bits


_tanh32 = twin_kernels(_make_tanh32, _tanh32_stand_in)


def _make_tanh_backward(loop):
    def _tanh_backward(grad, y, one, out):
        for i in loop(y.size):
            out[i] = grad[i] * (one - y[i] * y[i])
    return _tanh_backward


_tanh_backward = twin_kernels(_make_tanh_backward)


def _make_relu(loop):
    def _relu(x, out):
        for i in loop(x.size):
            v = x[i]
            out[i] = 0 if v < 0 else v  # PyTorch's: -0.0 and NaN pass through
    return _relu


def _relu_stand_in(x, out):
    """numpy's run of ``_relu`` (the same bits) while its build is neither compiled nor cached: a first step
    in a fresh process does not wait for a compile."""
    np.copyto(out, x)
    np.copyto(out, 0, where=x < 0)


_relu = twin_kernels(_make_relu, _relu_stand_in)
# The dtypes relu's and sqrt's kernels take; the ops run numpy's ufuncs for the others.
KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _make_relu_inplace(loop):
    def _relu_inplace(one, x):
        # its own kernel: an output array that is x made the loop take the compiler's unvectorised overlap fallback.
        # ``v * one`` (one: 1 passed in, exact) keeps every store: storing v back unchanged lets LLVM store only the
        # zeros, with AVX masked stores, which AMD's cores run microcoded (8 MiB, one thread: 1.0-1.5 ms, 0.16 ms so)
        for i in loop(x.size):
            v = x[i]
            x[i] = 0 if v < 0 else v * one
    return _relu_inplace


def _relu_inplace_stand_in(one, x):
    np.copyto(x, 0, where=x < 0)


_relu_inplace = twin_kernels(_make_relu_inplace, _relu_inplace_stand_in)


def _make_relu_backward(loop):
    def _relu_backward(grad, y, one, out):
        for i in loop(y.size):
            out[i] = 0 if y[i] <= 0 else grad[i]  # PyTorch's threshold_backward: no NaN * 0 where y <= 0
    return _relu_backward


def _relu_backward_stand_in(grad, y, one, out):
    np.copyto(out, grad)
    np.copyto(out, 0, where=y <= 0)


_relu_backward = twin_kernels(_make_relu_backward, _relu_backward_stand_in)


def _make_sqrt(loop):
    def _sqrt(x, out):
        for i in loop(x.size):
            out[i] = np.sqrt(x[i])  # the correctly rounded instruction numpy's sqrt runs: the same bits
    return _sqrt


def _sqrt_stand_in(x, out):
    with np.errstate(invalid="ignore"):
        np.sqrt(x, out=out)


_sqrt = twin_kernels(_make_sqrt, _sqrt_stand_in)


# Bodies of the kernels the spin pool runs too, and their jobs (module-level functions: see _spin_jobs.Job).
(_sqrt_body, _relu_body, _relu_inplace_body, _relu_backward_body, _tanh32_body, _tanh_backward_body,
 _sigmoid_backward_body) = (_spin_jobs.loop_body(make) for make in (
    _make_sqrt, _make_relu, _make_relu_inplace, _make_relu_backward, _make_tanh32, _make_tanh_backward,
    _make_sigmoid_backward))


def _sqrt_job(start, stop, ints, floats):
    _spin_jobs.map_one(_sqrt_body, start, stop, ints, floats)


def _relu_job(start, stop, ints, floats):
    _spin_jobs.map_one(_relu_body, start, stop, ints, floats)


def _relu_inplace_job(start, stop, ints, floats):
    _spin_jobs.in_place_alone(_relu_inplace_body, start, stop, ints, floats)


def _tanh32_job(start, stop, ints, floats):
    _spin_jobs.map_one(_tanh32_body, start, stop, ints, floats)


def _relu_backward_job(start, stop, ints, floats):
    _spin_jobs.map_two(_relu_backward_body, start, stop, ints, floats)


def _tanh_backward_job(start, stop, ints, floats):
    _spin_jobs.map_two(_tanh_backward_body, start, stop, ints, floats)


def _sigmoid_backward_job(start, stop, ints, floats):
    _spin_jobs.map_two(_sigmoid_backward_body, start, stop, ints, floats)


_JOBS = {_sqrt: _spin_jobs.Job(_sqrt_job), _relu: _spin_jobs.Job(_relu_job),
         _relu_inplace: _spin_jobs.Job(_relu_inplace_job), _tanh32: _spin_jobs.Job(_tanh32_job),
         _relu_backward: _spin_jobs.Job(_relu_backward_job), _tanh_backward: _spin_jobs.Job(_tanh_backward_job),
         _sigmoid_backward: _spin_jobs.Job(_sigmoid_backward_job)}


def _run_kernel(kernel, arrays, scalars, out):
    """``kernel(*arrays, *scalars, out)`` on flat arrays: on the spin pool's helpers where it has a job and they
    run it, else on Numba's threads from ``MIN_BACKWARD_BYTES`` of output."""
    job = _JOBS.get(kernel)
    moved = out.nbytes * max(len(arrays) + 1, 2)  # without other arrays, out is read and written
    pool = None if job is None else _spin_pool.ready(job, moved)
    if pool is None:
        choose(kernel, out.nbytes, MIN_BACKWARD_BYTES)(*arrays, *scalars, out)
    else:
        _spin_pool.run(pool, job, out, *arrays, scalar=float(scalars[0]) if scalars else 0.0, moved=moved)


def _map_unary(kernel, x):
    """Run a one-input elementwise kernel; float16 is computed in float32 (Numba has no half arithmetic)."""
    if x.dtype == np.float16:
        return _map_unary(kernel, x.astype(np.float32)).astype(np.float16)
    flat = x.reshape(-1) if x.flags.c_contiguous else np.ascontiguousarray(x).reshape(-1)
    out = np.empty(x.shape, x.dtype)
    choose(kernel, flat.size)(flat, out.reshape(-1))
    return out


def _map_backward(kernel, grad, y):
    """Run a backward kernel over an upstream gradient and a saved array of the same shape (and y's dtype)."""
    if y.dtype == np.float16:
        return _map_backward(kernel, grad.astype(np.float32), y.astype(np.float32)).astype(np.float16)
    if grad.dtype != y.dtype or not grad.flags.c_contiguous:
        grad = np.ascontiguousarray(grad, dtype=y.dtype)
    flat_y = y.reshape(-1) if y.flags.c_contiguous else np.ascontiguousarray(y).reshape(-1)
    # an array of its own (no base): the engine hands such a gradient to a leaf's .grad without a copy
    out = np.empty(y.shape, y.dtype)
    # ``one`` in y's dtype: a float literal would make float32 math run in float64 (half the SIMD width), unlike
    # PyTorch's float32 formula
    _run_kernel(kernel, (grad.reshape(-1), flat_y), (y.dtype.type(1),), out.reshape(-1))
    return out


def map_arrays(kernel, arrays, scalars=()):
    """A memory-bound kernel's result over ``arrays`` of one float32/float64 dtype and shape (any layout: flattened
    in C order) and ``scalars`` converted to that dtype, on Numba's threads from ``MIN_BACKWARD_BYTES``; None where
    the arrays do not qualify, for the caller's numpy form."""
    like = arrays[-1]
    if like.dtype not in KERNEL_DTYPES or any(type(a) is not np.ndarray or a.dtype != like.dtype or
                                              a.shape != like.shape for a in arrays):
        return None
    out = np.empty(like.shape, like.dtype)
    flat = [a.reshape(-1) if a.flags.c_contiguous else np.ascontiguousarray(a).reshape(-1) for a in arrays]
    _run_kernel(kernel, flat, [like.dtype.type(s) for s in scalars], out.reshape(-1))
    return out


def relu(x):
    """``max(x, 0)`` of a float32/float64 array as PyTorch computes it: -0.0 and NaN pass through."""
    return map_arrays(_relu, (x,))


def relu_(x):
    """``relu`` written into the float32/float64 array ``x``; returns x."""
    if x.flags.c_contiguous:
        _run_kernel(_relu_inplace, (), (x.dtype.type(1),), x.reshape(-1))
    else:
        _relu_inplace_stand_in(1, x)
    return x


def sqrt(x):
    """Square root of a float32/float64 array (NaN for negatives, silently): numpy's single-threaded sqrt took
    2.2x PyTorch's two threads on 3 MiB."""
    return map_arrays(_sqrt, (x,))


def relu_backward(grad, result):
    """``grad`` where ``result = relu(x)`` is positive (or NaN), 0 elsewhere, in ``result``'s dtype."""
    return _map_backward(_relu_backward, grad, result)


def erf(x):
    """Error function of a float16/32/64 array."""
    return _map_unary(_erf, np.asarray(x))


def erfc(x):
    return _map_unary(_erfc, np.asarray(x))


def erfinv(x):
    return _map_unary(_erfinv, x)


def sigmoid(x):
    """``1 / (1 + exp(-x))``. From ``MIN_BACKWARD_BYTES`` of output on the vectorisable exp in the array's own
    float type (within 3 ulp; libm's exp in float64 kept 8 MiB at 2.7x PyTorch), below it with libm's exp: the
    vector kernel's compile added 0.7 s to a small model's cold start (the ring tutorial), where it saves nothing.
    So a value's last bit may depend on the array's size, as PyTorch's vector and scalar loops do."""
    return _map_unary(_sigmoid_vector if x.nbytes >= MIN_BACKWARD_BYTES else _sigmoid, x)


def sigmoid_backward(grad, result):
    """``grad * y * (1 - y)`` for ``y = sigmoid(x)``, in ``result``'s dtype."""
    return _map_backward(_sigmoid_backward, grad, result)


def tanh(x):
    """tanh of a float array: float32 from ``TANH_MIN_BYTES`` on the vectorisable kernel (so a value's last bit may
    depend on the array's size, as PyTorch's vector and scalar loops do), else numpy's (two halves where large)."""
    if x.dtype == np.float32 and x.nbytes >= TANH_MIN_BYTES:
        return map_arrays(_tanh32, (x,))
    return _ufunc_halves.run(np.tanh, x)


def tanh_backward(grad, result):
    """``grad * (1 - y * y)`` for ``y = tanh(x)``, in ``result``'s dtype."""
    return _map_backward(_tanh_backward, grad, result)
