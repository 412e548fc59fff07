"""Fused in-place float kernels behind ``_ops/_inplace_direct``: ``x += alpha * y`` (``add_``/``sub_`` with
``alpha``), ``x += value * (a * b)`` (``addcmul_``), ``x += value * (a / b)`` (``addcdiv_``) and ``x.lerp_(end, w)``
in one pass over memory, where the out-of-place ops allocate a temporary per step and the result.

Bits: each product, quotient, difference and sum is rounded on its own, in the out-of-place op's order (no fused
multiply-add), so the results are numpy's bits of those steps; where both terms of a sum are NaN, numpy's array
add returns the first one's, chosen here explicitly since the compiler may swap a sum's terms.

x is written in place and read only at the index written (the callers pass no operand overlapping x in part): a
separate output array that is x made every loop take the compiler's overlap fallback, which does not vectorise
(2x numpy's separate passes on 64 K floats, 0.5x this loop). Large operands run on the spin pool's helpers or Numba's
threads under the same rules as ``_arithmetic_kernels`` (bytes moved, a spare core), small ones on one thread.
"""
import numpy as np
from numba import njit

from . import _spin_jobs, _spin_pool
from ._arithmetic_kernels import EXACT_INT, FLOAT_DTYPES, MIN_ARITHMETIC_BYTES, splits
from ._parallel import choose, twin_kernels


@njit(cache=True, nogil=True, inline="always")
def _sum(a, t):
    """``a + t``, and a's NaN where both are NaN (numpy's array add)."""
    return a + a if a != a else a + t


def _make_scaled(subtract):
    def make(loop):
        def scaled(x, y, alpha):
            for i in loop(x.size):
                x[i] = x[i] - y[i] * alpha if subtract else _sum(x[i], y[i] * alpha)
        return scaled
    return make


def _make_addc(divide):
    def make(loop):
        def addc(x, a, b, value):
            for i in loop(x.size):
                x[i] = _sum(x[i], value * (a[i] / b[i] if divide else a[i] * b[i]))
        return addc
    return make


def _make_lerp(loop):
    def lerp(x, end, weight, from_start):
        for i in loop(x.size):
            e = end[i]
            # |weight| < 0.5: x + w * (e - x); else e - (e - x) * (1 - w), as PyTorch's accurate form
            x[i] = _sum(x[i], weight * (e - x[i])) if from_start else e - (e - x[i]) * weight
    return lerp


def _scaled_steps(ufunc):
    def run(x, y, alpha):
        ufunc(x, np.multiply(y, alpha), out=x)
    return run


def _addcmul_steps(x, a, b, value):
    t = np.multiply(a, b)
    np.add(x, np.multiply(value, t, out=t), out=x)


def _addcdiv_steps(x, a, b, value):
    with np.errstate(divide="ignore", invalid="ignore"):  # as addcdiv: PyTorch divides by zero silently
        t = np.divide(a, b)
    np.add(x, np.multiply(value, t, out=t), out=x)


def _lerp_steps(x, end, weight, from_start):
    diff = np.subtract(end, x)
    if from_start:
        np.add(x, np.multiply(weight, diff, out=diff), out=x)
    else:
        np.subtract(end, np.multiply(diff, weight, out=diff), out=x)


_SCALED = {np.add: twin_kernels(_make_scaled(False), _scaled_steps(np.add)),
           np.subtract: twin_kernels(_make_scaled(True), _scaled_steps(np.subtract))}
_ADDCMUL = twin_kernels(_make_addc(False), _addcmul_steps)
_ADDCDIV = twin_kernels(_make_addc(True), _addcdiv_steps)
# The same bodies as the spin pool's jobs (module-level functions: see _spin_jobs.Job).
_add_scaled_body, _subtract_scaled_body, _addcmul_body, _addcdiv_body = (
    _spin_jobs.loop_body(make) for make in (_make_scaled(False), _make_scaled(True), _make_addc(False),
                                            _make_addc(True)))


def _add_scaled_job(start, stop, ints, floats):
    _spin_jobs.in_place_one_operand(_add_scaled_body, start, stop, ints, floats)


def _subtract_scaled_job(start, stop, ints, floats):
    _spin_jobs.in_place_one_operand(_subtract_scaled_body, start, stop, ints, floats)


def _addcmul_job(start, stop, ints, floats):
    _spin_jobs.in_place_two_operands(_addcmul_body, start, stop, ints, floats)


def _addcdiv_job(start, stop, ints, floats):
    _spin_jobs.in_place_two_operands(_addcdiv_body, start, stop, ints, floats)


_JOBS = {_SCALED[np.add]: _spin_jobs.Job(_add_scaled_job), _SCALED[np.subtract]: _spin_jobs.Job(_subtract_scaled_job),
         _ADDCMUL: _spin_jobs.Job(_addcmul_job), _ADDCDIV: _spin_jobs.Job(_addcdiv_job)}
_LERP = twin_kernels(_make_lerp, _lerp_steps)


def _fusable(x, a, b, scalar):
    """Whether the kernels take x and the arrays ``a`` and ``b`` (None: no second array): one float dtype and
    shape, C-contiguous, and a Python ``scalar`` exact in float64. At any size: a fused kernel's call costs less than
    numpy's separate steps even on 10 elements (float32, us, steps / kernel, 2 cores: addcdiv 4.0 / 0.8 at 10
    elements, 7.1 / 1.5 at 4 K; addcmul 2.0 / 1.1 and 4.2 / 1.4; x + y * a 2.0 / 1.3 and 3.0 / 1.4). No generators
    or numpy scalars here: a hand-written optimizer step pays these checks per parameter."""
    if x.dtype not in FLOAT_DTYPES or not x.flags.c_contiguous:
        return False
    kind = type(scalar)
    if (kind is not float and kind is not int) or not -EXACT_INT <= scalar <= EXACT_INT:
        return False
    return _same_layout(x, a) and (b is None or _same_layout(x, b))


def _same_layout(x, a):
    return type(a) is np.ndarray and a.shape == x.shape and a.dtype == x.dtype and a.flags.c_contiguous


def _run(twin, x, a, b, scalar, *flags):
    """``twin`` on x, the arrays ``a`` and ``b`` (None: none) and ``scalar`` (then ``flags``), all flat: on the
    spin pool's helpers or Numba's threads where the bytes moved pay for it."""
    moved = x.nbytes * (3 if b is None else 4)  # x read and written, each array read
    job = _JOBS.get(twin)
    pool = None if job is None else _spin_pool.ready(job, moved)
    if pool is not None:
        _spin_pool.run(pool, job, x.reshape(-1), a.reshape(-1), None if b is None else b.reshape(-1),
                       scalar=float(scalar), moved=moved)
        return x
    run = choose(twin, moved, MIN_ARITHMETIC_BYTES) if splits(moved) else twin.serial
    arrays = (x.reshape(-1), a.reshape(-1)) if b is None else (x.reshape(-1), a.reshape(-1), b.reshape(-1))
    run(*arrays, x.dtype.type(scalar), *flags)
    return x


def scaled(ufunc, x, y, alpha):
    """``ufunc(x, y * alpha, out=x)`` (np.add or np.subtract; alpha a Python number)."""
    if not _fusable(x, y, None, alpha):
        return ufunc(x, y * alpha, out=x)
    return _run(_SCALED[ufunc], x, y, None, alpha)


def addcmul(x, a, b, value):
    """``x += value * (a * b)`` as ``addcmul``'s steps (a and b broadcast to x)."""
    if not _fusable(x, a, b, value):
        _addcmul_steps(x, a, b, value)
        return x
    return _run(_ADDCMUL, x, a, b, value)


def addcdiv(x, a, b, value):
    """``x += value * (a / b)`` as ``addcdiv``'s steps (a and b broadcast to x)."""
    if not _fusable(x, a, b, value):
        _addcdiv_steps(x, a, b, value)
        return x
    return _run(_ADDCDIV, x, a, b, value)


def lerp(x, end, weight):
    """``x = lerp(x, end, weight)`` for a Python number ``weight``, as ``lerp``'s steps (end broadcasts to x)."""
    from_start = abs(weight) < 0.5
    factor = weight if from_start else 1 - weight
    if not _fusable(x, end, None, factor):
        _lerp_steps(x, end, factor, from_start)
        return x
    return _run(_LERP, x, end, None, factor, from_start)
