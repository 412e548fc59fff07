"""Mid-sized matrix products split into blocks of rows, one single-threaded BLAS call per block, the blocks run
side by side on Numba's thread pool.

Why not OpenBLAS's own threads: on 2 cores a float32 256^3 product took 219 us on one OpenBLAS thread and
154-161 us on two, while two threads each running one 128-row half on one OpenBLAS thread finish both in
~130 us. A Numba ``prange`` over the blocks wakes the pool in microseconds (a Python worker woken by an Event
added ~90 us).

float32 only: OpenBLAS's sgemm kernels round every row alike, so the blocks give the whole product's bits
(tested; blocks start at multiples of ``ROW_ALIGN`` rows, where the kernels tile rows, to keep it so), and the
caller may run the whole product instead (``blocks.serial``: blocks in turn cost 12-20% more CPU, each packing
the other operand again) without changing a result. Its dgemm kernels do not (in 136 of 300 random shapes a
row of blocks differed from the whole product in the last bit), so float64 is not split.
"""
import ctypes

import numpy as np
from numba import njit, prange

from . import _cblas
from ._parallel import Twin, choose

# Block boundaries fall on multiples of this many rows (a multiple of OpenBLAS's sgemm row tiles).
ROW_ALIGN = 64

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_sgemm = None     # numpy's CBLAS sgemm taking addresses as integers, looked up on first need
_searched = False


def _make_blocks(loop):
    def _blocks(gemm, a, trans_a, b, trans_b, c, parts):
        m, n = c.shape
        k = a.shape[0] if trans_a else a.shape[1]
        item = c.itemsize
        lda, ldb = a.shape[1], b.shape[1]
        for p in loop(parts):
            start, stop = block_rows(m, parts, p)
            offset_a = start if trans_a else start * lda  # op(a)'s rows are a's columns when transposed
            gemm(_ROW_MAJOR, _TRANS if trans_a else _NO_TRANS, _TRANS if trans_b else _NO_TRANS, stop - start, n,
                 k, 1.0, a.ctypes.data + offset_a * item, lda, b.ctypes.data, ldb, 0.0,
                 c.ctypes.data + start * n * item, n)
    return _blocks


@njit(cache=True, inline="always")
def _boundary(m, parts, q):
    """Row where block ``q`` of ``parts`` starts: ``q * m / parts`` rounded to a multiple of ``ROW_ALIGN``."""
    if q == parts:
        return m
    return min(m, (m * q // parts + ROW_ALIGN // 2) // ROW_ALIGN * ROW_ALIGN)


@njit(cache=True, inline="always")
def block_rows(m, parts, p):
    """Rows [start, stop) of block ``p`` of ``parts`` over ``m`` rows. Blocks of fewer than ~64 rows would take
    other OpenBLAS paths (gemv, small-matrix kernels) with other bits: ``blas`` asks for blocks of ~128 rows."""
    return _boundary(m, parts, p), _boundary(m, parts, p + 1)


def _whole(gemm, a, trans_a, b, trans_b, c, parts):
    """The product as one BLAS call in the calling thread: the blocks' bits (see the module docstring)."""
    np.matmul(a.T if trans_a else a, b.T if trans_b else b, out=c)


blocks = Twin(_whole, njit(parallel=True, cache=True, error_model="numpy")(_make_blocks(prange)))


def _integer_address_sgemm():
    """numpy's CBLAS sgemm re-typed to take addresses as integers (what a kernel has), or None without it."""
    if not _cblas.available():
        return None
    function = _cblas.gemm_function(np.float32)
    index = function.argtypes[3]
    prototype = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_int, ctypes.c_int, index, index, index, ctypes.c_float,
                                 ctypes.c_int64, index, ctypes.c_int64, index, ctypes.c_float, ctypes.c_int64, index)
    return prototype(ctypes.cast(function, ctypes.c_void_p).value)


def _row_major(x):
    """(x's C-ordered base, whether x is its transpose), or None where x is neither C- nor F-contiguous."""
    if x.flags.c_contiguous:
        return x, False
    if x.flags.f_contiguous:
        return x.T, True
    return None


def matmul(a, b, parts, side_by_side):
    """``a @ b`` (2-d float32, BLAS at one thread) in ``parts`` blocks of rows run side by side on Numba's threads
    when ``side_by_side``, else as one BLAS call; None where it does not apply: other dtypes, an operand neither
    C- nor F-contiguous, no CBLAS found, or shapes that do not match (numpy raises its error)."""
    global _sgemm, _searched
    if a.dtype != np.float32 or b.dtype != np.float32 or a.shape[1] != b.shape[0]:
        return None
    if not _searched:
        _sgemm, _searched = _integer_address_sgemm(), True
    left, right = _row_major(a), _row_major(b)
    if _sgemm is None or left is None or right is None:
        return None
    out = np.empty((a.shape[0], b.shape[1]), np.float32)
    run = choose(blocks, parts, minimum=2) if side_by_side else blocks.serial
    run(_sgemm, *left, *right, out, parts)
    return out
