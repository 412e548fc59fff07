"""Large float32/float64 add, subtract, multiply and divide split over the spin pool's helpers or Numba's threads.

numpy runs a ufunc on one thread; PyTorch splits every elementwise op of 32,768 elements or more over its
threads, whose OpenMP workers spin between ops. Numba's TBB workers sleep, and waking one costs more than half of
an op whose operands fit a core's caches, so here only larger ops are split (``MIN_ARITHMETIC_BYTES``). These four
are correctly rounded IEEE operations, so a Numba loop gives numpy's bits exactly (the tests compare them bit for
bit, -0.0, inf and nan included). An operand broadcast against the other (beyond a scalar or 0-d array) goes to
``_broadcast_kernels``. Everything else stays with numpy: other dtypes,
mixed dtypes, non-contiguous operands, small arrays, one thread,
and while another process is using a core (``_spare_core``, as for the BLAS blocks): a thread of a split op that
waits for a busy core costs whole scheduler ticks, far more than the op.

Where the spin pool (``_spin_pool``) runs, the same loop bodies run there as jobs instead: its helpers spin
between ops, so ops from ``_spin_pool.MIN_BYTES`` moved split while they spin (from ``MIN_ARITHMETIC_BYTES``
while they sleep, which wakes them).
"""
import numba
import numpy as np
from numba import types
from numba.extending import overload

from . import _broadcast_kernels, _spin_jobs, _spin_pool
from ._parallel import choose, twin_kernels
from ._spare_core import spare_core

# Bytes read and written (the array operands, and the output whether new or an operand: x *= 0.5 moves what x * 0.5
# does) from which the threaded kernels beat numpy on 2 cores: each half must outgrow a core's caches. Measured on a
# quiet machine (us, numpy / threaded): float32 256 KiB x * 0.5 (512 KiB moved) 7.3 / 12.0, in the tanh chain
# 11.6 / 21.7 (a thread woken per op); 512 KiB x * 0.5 (1 MiB) 14 / 16, x += y (1.5 MiB) 13 / 15; 768 KiB x += y
# (2.25 MiB) 21 / 17; 1 MiB x * 0.5 (2 MiB) 51 / 21 (benchmarks/README.md). Counting an in-place op's output too
# (it was not) put 1 MiB x *= 0.5 on the threads: a hand-written SGD step 680 -> 590 us, Adam 1890 -> 1760.
MIN_ARITHMETIC_BYTES = 2 << 20
# Elements below which no operands reach MIN_ARITHMETIC_BYTES (three float64 arrays), or, while the spin pool's
# helpers spin, its MIN_BYTES: the cheap first check (``small``).
MIN_ARITHMETIC_ELEMENTS = MIN_ARITHMETIC_BYTES // 24
MIN_SPIN_ELEMENTS = _spin_pool.MIN_BYTES // 24
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# Python ints beyond this are not exact in float64, so their conversion to the array's dtype could round twice.
EXACT_INT = 1 << 53


def small(size):
    """Whether an op with an operand of ``size`` elements (the larger) runs numpy's bare ufunc without further
    checks: below ``MIN_ARITHMETIC_ELEMENTS``, and below ``MIN_SPIN_ELEMENTS`` or while the spin pool sleeps."""
    return size < MIN_ARITHMETIC_ELEMENTS and (size < MIN_SPIN_ELEMENTS or not _spin_pool.spinning())


def _element(a, i):
    """``a[i]`` for an array, ``a`` itself for a scalar (Numba only)."""


@overload(_element, inline="always")
def _element_overload(a, i):
    if isinstance(a, types.Array):
        return lambda a, i: a[i]
    return lambda a, i: a


def _make_add(loop):
    def _add(x, y, out):
        for i in loop(out.size):
            out[i] = _element(x, i) + _element(y, i)
    return _add


def _make_subtract(loop):
    def _subtract(x, y, out):
        for i in loop(out.size):
            out[i] = _element(x, i) - _element(y, i)
    return _subtract


def _make_multiply(loop):
    def _multiply(x, y, out):
        for i in loop(out.size):
            out[i] = _element(x, i) * _element(y, i)
    return _multiply


def _make_divide(loop):
    def _divide(x, y, out):
        for i in loop(out.size):
            out[i] = _element(x, i) / _element(y, i)
    return _divide


def _stand_in(ufunc):
    """The numpy run of a kernel, while its serial build is neither compiled nor cached."""
    def run(x, y, out):
        ufunc(x, y, out=out)
    return run


_TWINS = {np.add: twin_kernels(_make_add, _stand_in(np.add)),
          np.subtract: twin_kernels(_make_subtract, _stand_in(np.subtract)),
          np.multiply: twin_kernels(_make_multiply, _stand_in(np.multiply)),
          np.true_divide: twin_kernels(_make_divide, _stand_in(np.true_divide))}
# The same bodies as the spin pool's jobs (module-level functions: see _spin_jobs.Job).
_add_body, _subtract_body, _multiply_body, _divide_body = (
    _spin_jobs.loop_body(make) for make in (_make_add, _make_subtract, _make_multiply, _make_divide))


def _add_job(start, stop, ints, floats):
    _spin_jobs.binary(_add_body, start, stop, ints, floats)


def _subtract_job(start, stop, ints, floats):
    _spin_jobs.binary(_subtract_body, start, stop, ints, floats)


def _multiply_job(start, stop, ints, floats):
    _spin_jobs.binary(_multiply_body, start, stop, ints, floats)


def _divide_job(start, stop, ints, floats):
    _spin_jobs.binary(_divide_body, start, stop, ints, floats)


_JOBS = {np.add: _spin_jobs.Job(_add_job), np.subtract: _spin_jobs.Job(_subtract_job),
         np.multiply: _spin_jobs.Job(_multiply_job), np.true_divide: _spin_jobs.Job(_divide_job)}


def _scalar(value, dtype):
    """``value`` as the array dtype's scalar, as numpy converts it; None when numpy would not keep ``dtype``."""
    exact = _float_scalar(value, dtype)
    return None if exact is None else dtype.type(exact)


def _float_scalar(value, dtype):
    """``value`` as a Python float whose conversion to ``dtype`` gives numpy's (an int or a 0-d array of ``dtype``
    is exact in float64), or None when numpy would not keep ``dtype``."""
    kind = type(value)
    if kind is float:
        return value
    if kind is int:
        return float(value) if -EXACT_INT <= value <= EXACT_INT else None
    if kind is np.ndarray and value.ndim == 0 and value.dtype == dtype:
        return float(value)
    return None


def _operands(x, y, out):
    """``(first, second, scalar, big, bytes moved)`` ready for a kernel: the operands as flat arrays, or None for a
    scalar one, which is then ``scalar`` (a float, exact in the arrays' dtype); ``big`` the array giving the
    result's shape. None where numpy runs. Few steps: every large elementwise op pays them (~1 us)."""
    big = x if type(x) is np.ndarray and x.ndim else y
    if type(big) is not np.ndarray or big.size < MIN_SPIN_ELEMENTS:
        return None
    dtype = big.dtype
    if dtype not in FLOAT_DTYPES or not big.flags.c_contiguous:
        return None
    shape = big.shape
    # an ``out`` other than an operand might overlap one in part, which numpy's ufunc handles and a loop does not
    if out is not None and not ((out is x or out is y) and out.shape == shape and out.dtype == dtype and
                                out.flags.writeable):
        return None
    flat = big.reshape(-1)
    other = y if big is x else x
    scalar = 0.0
    # the output is written once whether it is new or an operand (in-place ops move as many bytes)
    moved = big.nbytes * 3
    if other is big:
        other_flat = flat
    elif type(other) is np.ndarray and other.ndim:
        if other.shape != shape or other.dtype != dtype or not other.flags.c_contiguous:
            return None
        other_flat = other.reshape(-1)
    else:
        scalar = _float_scalar(other, dtype)
        if scalar is None:
            return None
        other_flat, moved = None, big.nbytes * 2
    if big is x:
        return flat, other_flat, scalar, big, moved
    return other_flat, flat, scalar, big, moved


def splits(moved):
    """Whether an op moving ``moved`` bytes runs on Numba's threads: from ``MIN_ARITHMETIC_BYTES``, while a core is
    spare and Numba has two threads or more."""
    return moved >= MIN_ARITHMETIC_BYTES and spare_core() and numba.get_num_threads() > 1


def run(ufunc, x, y, out=None):
    """``ufunc(x, y, out=out)``, on the spin pool or Numba's threads where the kernels apply (callers check
    ``small`` first, so that small operands cost no more than the bare ufunc)."""
    twin = _TWINS.get(ufunc)
    ready = None if twin is None else _operands(x, y, out)
    if ready is None:
        result = None if twin is None else _broadcast_kernels.run(ufunc, x, y, out)
        if result is not None:
            return result
        return ufunc(x, y) if out is None else ufunc(x, y, out=out)
    first, second, scalar, big, moved = ready
    job = _JOBS[ufunc]
    pool = _spin_pool.ready(job, moved)
    if pool is None and not splits(moved):
        return ufunc(x, y) if out is None else ufunc(x, y, out=out)
    result = np.empty_like(big) if out is None else out
    if pool is not None:
        _spin_pool.run(pool, job, result.reshape(-1), first, second, scalar=scalar, moved=moved)
        return result
    typed = big.dtype.type(scalar)
    choose(twin, moved, MIN_ARITHMETIC_BYTES)(typed if first is None else first, typed if second is None else second,
                                              result.reshape(-1))
    return result


def _split_where_it_pays(ufunc):
    """``ufunc(x, y, out=out)`` for an array ``x`` (``out``: None or an operand), on Numba's threads where that pays.
    The forms the gradients use: the sizes are checked before any other call, so small operands pay ~50 ns over
    the bare ufunc (the forward ops come through ``_ops._elementwise._apply2``)."""
    def apply(x, y, out=None):
        if small(max(x.size, getattr(y, "size", 0))):
            return ufunc(x, y) if out is None else ufunc(x, y, out=out)
        return run(ufunc, x, y, out)
    apply.__name__ = apply.__qualname__ = ufunc.__name__
    apply.__doc__ = f"``np.{ufunc.__name__}(x, y, out=out)``, split over Numba's threads where that pays."
    return apply


add = _split_where_it_pays(np.add)
multiply = _split_where_it_pays(np.multiply)
divide = _split_where_it_pays(np.true_divide)
