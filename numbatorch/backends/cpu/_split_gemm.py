"""Mid-sized matrix products on Numba's thread pool with BLAS at one thread: one product split into blocks of rows,
or two independent products (a product's two gradients) side by side, one single-threaded BLAS call per block or
product.

Why not OpenBLAS's own threads: on 2 cores a float32 256^3 product took 219 us on one OpenBLAS thread and
154-161 us on two, while two threads each running one 128-row half on one OpenBLAS thread finish both in
~130 us. A Numba ``prange`` over the blocks wakes the pool in microseconds (a Python worker woken by an Event
added ~90 us).

Bits: each block is one single-threaded BLAS call, so a result never depends on the load (OpenBLAS's own
threads round differently from one thread: 16 of 30 random float32 and 29 of 30 float64 shapes from 256 to 700
differed in the last bit, so the old policy's results depended on whether a core was spare). The block count
depends on the shape and the thread count only. OpenBLAS's AVX-512 sgemm kernels round every row alike, so float32
blocks give the whole product's one-thread bits (tested; blocks start at multiples of ``ROW_ALIGN`` rows, where the
kernels tile rows, to keep it so) and the product may run whole instead, when no core is spare (blocks in turn
cost 12-20% more CPU, each packing the other operand again). Its AVX2 kernels did not, so this is checked once per
BLAS on the machine (``float32_blocks_match``). Its dgemm kernels round some rows by the rows around them (136 of
300 random shapes differed), so float64 blocks always run as blocks, in turn when no core is spare (~3% more CPU
than whole).

Two products side by side need no split, so no packing twice: in the tanh chain a pair of 256^3 gradient
products took about one product's time on one thread, where two products in blocks took 1.3x that. Each is one
whole BLAS call, so both dtypes give the products' own bits.

With Intel MKL (``_mkl``: the ``mkl`` wheel installed, ``NUMBATORCH_BLAS`` not "openblas") every block, product
and in-turn run calls MKL's sequential gemm instead of numpy's. Its float32 blocks gave the whole product's bits
in every layout (240 random shapes from 256 to 700), and its float64 blocks too unless the right operand is
transposed (26 of 60 shapes differed), so float64 keeps the rule above: blocks in turn when no core is spare.
"""
import ctypes

import numpy as np
from numba import njit, prange

from . import _cblas, _mkl, _spin_jobs, _spin_pool
from ._atomics import call_void
from ._parallel import Twin, choose

# Block boundaries fall on multiples of this many rows (a multiple of OpenBLAS's sgemm row tiles).
ROW_ALIGN = 64

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_gemms = None  # {dtype: the CBLAS gemm taking addresses as integers}, looked up on first need
_through_numpy = True  # whether a whole product may run as np.matmul (the same library: OpenBLAS, not MKL)


@njit(cache=True, inline="always")
def _gemm_rows(gemm, a, trans_a, b, trans_b, c, start, stop):
    """Rows [start, stop) of ``c = op(a) @ op(b)`` by one BLAS call; a and b C-ordered, op a transpose where asked."""
    n = c.shape[1]
    k = a.shape[0] if trans_a else a.shape[1]
    lda, ldb, item = a.shape[1], b.shape[1], c.itemsize
    offset_a = start if trans_a else start * lda  # op(a)'s rows are a's columns when transposed
    gemm(_ROW_MAJOR, _TRANS if trans_a else _NO_TRANS, _TRANS if trans_b else _NO_TRANS, stop - start, n, k, 1.0,
         a.ctypes.data + offset_a * item, lda, b.ctypes.data, ldb, 0.0, c.ctypes.data + start * n * item, n)


def _make_blocks(loop):
    def _blocks(gemm, a, trans_a, b, trans_b, c, parts):
        for p in loop(parts):
            start, stop = block_rows(c.shape[0], parts, p)
            _gemm_rows(gemm, a, trans_a, b, trans_b, c, start, stop)
    return _blocks


def _make_pair(loop):
    def _pair(gemm, a1, trans_a1, b1, trans_b1, c1, a2, trans_a2, b2, trans_b2, c2):
        for p in loop(2):
            if p == 0:
                _gemm_rows(gemm, a1, trans_a1, b1, trans_b1, c1, 0, c1.shape[0])
            else:
                _gemm_rows(gemm, a2, trans_a2, b2, trans_b2, c2, 0, c2.shape[0])
    return _pair


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


def _rows_here(gemm, a, trans_a, b, trans_b, c, start, stop):
    """Rows [start, stop) of the product by one BLAS call in the calling thread: np.matmul where that runs the same
    library (OpenBLAS), else a ctypes call."""
    if _through_numpy:
        np.matmul((a.T if trans_a else a)[start:stop], b.T if trans_b else b, out=c[start:stop])
        return
    n = c.shape[1]
    k = a.shape[0] if trans_a else a.shape[1]
    offset_a = start if trans_a else start * a.shape[1]
    gemm(_ROW_MAJOR, _TRANS if trans_a else _NO_TRANS, _TRANS if trans_b else _NO_TRANS, stop - start, n, k, 1.0,
         a.ctypes.data + offset_a * c.itemsize, a.shape[1], b.ctypes.data, b.shape[1], 0.0,
         c.ctypes.data + start * n * c.itemsize, n)


def _whole(gemm, a, trans_a, b, trans_b, c, parts):
    """The product as one BLAS call in the calling thread."""
    _rows_here(gemm, a, trans_a, b, trans_b, c, 0, c.shape[0])


def _blocks_in_turn(gemm, a, trans_a, b, trans_b, c, parts):
    """The blocks one after the other in the calling thread: whole for float32 where its blocks give its bits."""
    if c.dtype == np.float32 and float32_blocks_match(gemm):
        _whole(gemm, a, trans_a, b, trans_b, c, parts)
        return
    for p in range(parts):
        start, stop = block_rows(c.shape[0], parts, p)
        _rows_here(gemm, a, trans_a, b, trans_b, c, start, stop)


# Products the float32 check runs, (m, k, n), each in every layout: the row counts blas splits, ragged sides.
_CHECK_SHAPES = ((256, 256, 256), (300, 257, 259))


def float32_blocks_match(gemm):
    """Whether the float32 ``gemm``'s blocks of rows give the whole product's bits on this machine, checked once on
    a few products (``_CHECK_SHAPES`` in every layout, 2 blocks; ~10 ms): the kernels the BLAS picks for the CPU
    decide. MKL's kernels and OpenBLAS's AVX-512 ones round every row alike; OpenBLAS's AVX2 kernels (an EPYC without
    AVX-512) did not, so there float32 blocks run as blocks in turn, as float64's do."""
    match = getattr(gemm, "float32_blocks_match", None)
    if match is None:
        rng = np.random.default_rng(0)
        match = True
        for m, k, n in _CHECK_SHAPES:
            for trans_a in (False, True):
                for trans_b in (False, True):
                    a = rng.standard_normal((k, m) if trans_a else (m, k)).astype(np.float32)
                    b = rng.standard_normal((n, k) if trans_b else (k, n)).astype(np.float32)
                    whole, halves = np.empty((m, n), np.float32), np.empty((m, n), np.float32)
                    _whole(gemm, a, trans_a, b, trans_b, whole, 1)
                    for p in range(2):
                        _rows_here(gemm, a, trans_a, b, trans_b, halves, *block_rows(m, 2, p))
                    match = match and np.array_equal(whole, halves)
        gemm.float32_blocks_match = match
    return match


def _in_turn(gemm, a1, trans_a1, b1, trans_b1, c1, a2, trans_a2, b2, trans_b2, c2):
    """The two products one after the other in the calling thread."""
    _whole(gemm, a1, trans_a1, b1, trans_b1, c1, 1)
    _whole(gemm, a2, trans_a2, b2, trans_b2, c2, 1)


blocks = Twin(_blocks_in_turn, njit(parallel=True, cache=True, error_model="numpy")(_make_blocks(prange)))
pairs = Twin(_in_turn, njit(parallel=True, cache=True, error_model="numpy")(_make_pair(prange)))

# The spin pool's job (``_spin_pool.run_indices``): index p is block p of one product's rows, or product p of a pair.
# Its ints: the gemm's address, whether its integers are 64-bit, the dtype's itemsize, the block count (0: a
# pair), then per product ``_PRODUCT`` values: addresses and transposes of a, b and c, and m, n, k, lda, ldb.
_GEMM, _WIDE, _ITEM, _PARTS, _FIRST = 0, 1, 2, 3, 4
_PRODUCT = 10


@njit(inline="always")
def _call_gemm(ints, base, start, stop, index, scalar):
    """Rows [start, stop) of the product described at ``ints[base:]``, as ``_gemm_rows`` (``index``/``scalar``:
    the BLAS's integer type and the dtype)."""
    a, trans_a, b, trans_b, c = ints[base], ints[base + 1], ints[base + 2], ints[base + 3], ints[base + 4]
    n, k, lda, ldb, item = ints[base + 6], ints[base + 7], ints[base + 8], ints[base + 9], ints[_ITEM]
    offset_a = start if trans_a else start * lda
    call_void(ints[_GEMM], (np.int32(_ROW_MAJOR), np.int32(_TRANS if trans_a else _NO_TRANS),
                            np.int32(_TRANS if trans_b else _NO_TRANS), index(stop - start), index(n), index(k),
                            scalar(1.0), a + offset_a * item, index(lda), b, index(ldb), scalar(0.0),
                            c + start * n * item, index(n)))


@njit(inline="always")
def _gemm_part(ints, base, start, stop):
    if ints[_ITEM] == 4:
        if ints[_WIDE]:
            _call_gemm(ints, base, start, stop, np.int64, np.float32)
        else:
            _call_gemm(ints, base, start, stop, np.int32, np.float32)
    elif ints[_WIDE]:
        _call_gemm(ints, base, start, stop, np.int64, np.float64)
    else:
        _call_gemm(ints, base, start, stop, np.int32, np.float64)


def _gemm_job(start, stop, ints, floats):
    for p in range(start, stop):
        if ints[_PARTS] == 0:
            base = _FIRST + p * _PRODUCT
            _gemm_part(ints, base, 0, ints[base + 5])
        else:
            rows, rows_stop = block_rows(ints[_FIRST + 5], ints[_PARTS], p)
            _gemm_part(ints, _FIRST, rows, rows_stop)


_GEMM_JOB = _spin_jobs.Job(_gemm_job)


@njit(cache=True)
def _describe(values, base, a, trans_a, b, trans_b, c):
    values[base], values[base + 1] = a.ctypes.data, trans_a
    values[base + 2], values[base + 3] = b.ctypes.data, trans_b
    values[base + 4], values[base + 5], values[base + 6] = c.ctypes.data, c.shape[0], c.shape[1]
    values[base + 7] = a.shape[0] if trans_a else a.shape[1]
    values[base + 8], values[base + 9] = a.shape[1], b.shape[1]


def warm():
    """Compiles what ``_on_spin_pool`` runs for float32 and float64 (its job compiles with the pool's others)."""
    for dtype in (np.float32, np.float64):
        x = np.ones((2, 2), dtype)
        for trans_a, trans_b in ((False, False), (True, False), (False, True)):
            _describe(np.zeros(_FIRST + _PRODUCT, np.int64), _FIRST, x, trans_a, x, trans_b, x)


def _on_spin_pool(gemm, parts, *products):
    """Runs ``products`` (each ``a, trans_a, b, trans_b, c``: one in ``parts`` blocks, or a pair) on the spin pool
    where it runs; False where it does not."""
    pool = _spin_pool.ready(_GEMM_JOB, _spin_pool.WAKE_BYTES)
    if pool is None:
        return False
    pair = len(products) == 2
    values = np.empty(_FIRST + _PRODUCT * len(products), np.int64)
    values[:_FIRST] = (*gemm.spin_header, products[0][-1].itemsize, 0 if pair else parts)
    for i, product in enumerate(products):
        _describe(values, _FIRST + i * _PRODUCT, *product)
    _spin_pool.run_indices(pool, _GEMM_JOB, values, 2 if pair else parts)
    return True


def _integer_address_gemms():
    """MKL's (``_mkl.available()``) or else numpy's CBLAS gemms re-typed to take addresses as integers (what a
    kernel has), by dtype; {} without them."""
    global _through_numpy
    library = _mkl if _mkl.available() else _cblas
    _through_numpy = library is _cblas
    if not library.available():
        return {}
    gemms = {}
    for dtype, scalar in ((np.float32, ctypes.c_float), (np.float64, ctypes.c_double)):
        function = library.gemm_function(dtype)
        index = function.argtypes[3]
        prototype = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_int, ctypes.c_int, index, index, index, scalar,
                                     ctypes.c_int64, index, ctypes.c_int64, index, scalar, ctypes.c_int64, index)
        address = ctypes.cast(function, ctypes.c_void_p).value
        gemm = gemms[np.dtype(dtype)] = prototype(address)
        gemm.spin_header = (address, ctypes.sizeof(index) == 8)  # for the spin pool's job (~3 us of ctypes per call)
    return gemms


def _row_major(x):
    """(x's C-ordered base, whether x is its transpose), or None where x is neither C- nor F-contiguous."""
    if x.flags.c_contiguous:
        return x, False
    if x.flags.f_contiguous:
        return x.T, True
    return None


def _gemm_for(*operands):
    """The gemm for 2-d operands of one float dtype, or None: another or mixed dtypes, or no CBLAS found."""
    dtype = operands[0].dtype
    if any(x.dtype != dtype for x in operands):
        return None
    return _provider_gemms().get(dtype)


def _provider_gemms():
    """{dtype: gemm} of the BLAS products use, looked up (and MKL loaded) at the first product."""
    global _gemms
    if _gemms is None:
        _gemms = _integer_address_gemms()
    return _gemms


def direct():
    """Whether products call MKL's gemm here rather than numpy's BLAS (loads MKL at the first call)."""
    _provider_gemms()
    return not _through_numpy


def matmul(a, b, parts, side_by_side):
    """``a @ b`` (2-d float32 or float64, BLAS at one thread) in ``parts`` blocks of rows run side by side on
    Numba's threads when ``side_by_side``, else in turn (float32: whole where that gives the same bits); None where
    it does not apply: other or mixed dtypes, an operand neither C- nor F-contiguous, no CBLAS found, or shapes that
    do not match (numpy raises its error)."""
    if a.shape[1] != b.shape[0]:
        return None
    gemm = _gemm_for(a, b)
    left, right = _row_major(a), _row_major(b)
    if gemm is None or left is None or right is None:
        return None
    out = np.empty((a.shape[0], b.shape[1]), a.dtype)
    if side_by_side and parts > 1 and _on_spin_pool(gemm, parts, (*left, *right, out)):
        return out
    run = choose(blocks, parts, minimum=2) if side_by_side else blocks.serial
    run(gemm, *left, *right, out, parts)
    return out


@njit(cache=True, nogil=True)
def _whole_kernel(gemm, a, trans_a, b, trans_b, c):
    """The product as one BLAS call from compiled code: ~1 us over np.matmul, where a ctypes call from Python
    (14 arguments converted, three ``.ctypes.data``) cost ~5 us."""
    _gemm_rows(gemm, a, trans_a, b, trans_b, c, 0, c.shape[0])


def whole(a, b):
    """``a @ b`` (2-d, float32 or float64) by one call of MKL's gemm (``direct()`` must be True) in this thread,
    the fewest steps from Python; None where it does not apply (as for ``matmul``)."""
    if a.shape[1] != b.shape[0] or a.dtype != b.dtype or a.dtype not in _gemms:
        return None
    left, right = _row_major(a), _row_major(b)
    if left is None or right is None:
        return None
    out = np.empty((a.shape[0], b.shape[1]), a.dtype)
    _whole_kernel(_gemms[a.dtype], *left, *right, out)
    return out


def pair(a1, b1, a2, b2, side_by_side):
    """``(a1 @ b1, a2 @ b2)`` (2-d, float32 or float64, BLAS at one thread), side by side on Numba's threads when
    ``side_by_side``, else one after the other; None where it does not apply (as for ``matmul``)."""
    if a1.shape[1] != b1.shape[0] or a2.shape[1] != b2.shape[0]:
        return None
    gemm = _gemm_for(a1, b1, a2, b2)
    operands = [_row_major(x) for x in (a1, b1, a2, b2)]
    if gemm is None or None in operands:
        return None
    out1, out2 = np.empty((a1.shape[0], b1.shape[1]), a1.dtype), np.empty((a2.shape[0], b2.shape[1]), a1.dtype)
    if side_by_side and _on_spin_pool(gemm, 2, (*operands[0], *operands[1], out1), (*operands[2], *operands[3], out2)):
        return out1, out2
    run = choose(pairs, 2, minimum=2) if side_by_side else pairs.serial
    run(gemm, *operands[0], *operands[1], out1, *operands[2], *operands[3], out2)
    return out1, out2
