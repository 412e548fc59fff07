"""softmax and log_softmax of large arrays on the vectorisable exps (``_float_math.vector_exp``).

``softmax.py``'s block kernels call libm's exp one element at a time, and along a contiguous last dim (blocks of
inner size 1) they allocate two arrays a row: softmax over a 16x32x64x64 float32 tensor's last dim took 15x
PyTorch's time forward and backward. Here a last-dim softmax runs row by row on a float64 scratch row per chunk
of rows: the max, the exps into the scratch row (a loop LLVM vectorises), their sum in eight running partial sums
(``_row_sums.sum8``), then one scaling pass. Other dims keep the (outer, n, inner) columns
of ``softmax.py`` with the vector exp. Sums stay float64 as there, so results are within an ulp of theirs; the
order of the eight partial sums depends only on the row length, never on threads or load.
"""
import math

import numpy as np
from numba import njit

from ._float_math import as_type_of, vector_exp
from ._parallel import twin_kernels
from ._row_sums import sum8

# elements a chunk of rows holds (one parallel work item): enough rows to amortise the scratch row
_CHUNK_ELEMENTS = 1 << 14
# columns a work item of the (outer, n, inner) form normalises: its running maxima and sums stay in L1
_COLUMN_WIDTH = 512


@njit(cache=True, error_model="numpy", inline="always")
def _larger(top, v):
    """``v`` where it is larger than ``top``, else ``top``. A NaN is skipped unless it came first (as ``top``): it
    reaches the result anyway, as ``exp(NaN - top)`` makes the row's sum NaN and so every entry NaN, as in
    PyTorch; a comparison without the NaN test vectorises."""
    return v if v > top else top


@njit(cache=True, error_model="numpy", inline="always")
def _row_max(x, r):
    """Largest entry of row ``r`` of ``x`` in its dtype, NaNs aside (see ``_larger``). Eight running maxima: one
    would wait on each comparison."""
    m0 = m1 = m2 = m3 = m4 = m5 = m6 = m7 = x[r, 0]
    n = x.shape[1]
    whole = n - n % 8
    for j in range(0, whole, 8):
        m0 = _larger(m0, x[r, j])
        m1 = _larger(m1, x[r, j + 1])
        m2 = _larger(m2, x[r, j + 2])
        m3 = _larger(m3, x[r, j + 3])
        m4 = _larger(m4, x[r, j + 4])
        m5 = _larger(m5, x[r, j + 5])
        m6 = _larger(m6, x[r, j + 6])
        m7 = _larger(m7, x[r, j + 7])
    for j in range(whole, n):
        m0 = _larger(m0, x[r, j])
    return _larger(_larger(_larger(m0, m1), _larger(m2, m3)), _larger(_larger(m4, m5), _larger(m6, m7)))


@njit(cache=True, error_model="numpy")
def _exp_of_difference(v, top):
    """``exp(v - top)`` in their dtype with the rounding of ``v - top`` compensated: in float32 that rounding alone
    is |v - top| * 2**-25 relative (several ulp of softmax's output from a spread of 10), where the libm kernels,
    subtracting in float64, have none. ``v - top = d + t`` exactly (Knuth's two-sum), and exp(t) is 1 + t."""
    d = v - top
    back = d - v
    t = (v - (d - back)) + (-top - back)
    t = t if t == t else np.float32(0.0)  # NaN where d is infinite (exp(d) then 0): no correction
    e = vector_exp(d)
    return e + e * t


@njit(cache=True, error_model="numpy")
def _softmax_row(x, out, scratch, wide, log, r):
    """Row ``r`` of ``x`` into ``out``. ``scratch`` (the dtype's) takes the exps; ``wide`` (float64) their copy,
    which is summed: a sum converting float32 values as it adds stays scalar, one over a float64 copy vectorises.
    Rows are indexed, not sliced: a slice is an array whose reference count a serial build updates atomically,
    twice a row per array."""
    n = x.shape[1]
    top = _row_max(x, r)
    if log:  # only the sum takes the exps
        for j in range(n):
            scratch[j] = vector_exp(x[r, j] - top)
    else:
        for j in range(n):
            scratch[j] = _exp_of_difference(x[r, j], top)
    for j in range(n):
        wide[j] = scratch[j]
    total = sum8(wide, n)
    if log:
        log_total = as_type_of(math.log(total), top)
        for j in range(n):
            out[r, j] = (x[r, j] - top) - log_total
    else:
        inv = as_type_of(1.0 / total, top)
        for j in range(n):
            out[r, j] = scratch[j] * inv


def _make_softmax_rows(loop):
    def softmax_rows(x, out, log):
        rows, n = x.shape
        per = max(1, _CHUNK_ELEMENTS // max(n, 1))
        for c in loop((rows + per - 1) // per):
            scratch = np.empty(n, x.dtype)
            wide = np.empty(n)
            for r in range(c * per, min(rows, (c + 1) * per)):
                _softmax_row(x, out, scratch, wide, log, np.int64(r))
    return softmax_rows


softmax_rows = twin_kernels(_make_softmax_rows)


@njit(cache=True, error_model="numpy")
def _softmax_backward_row(g, y, out, wide, log, r):
    """Row ``r``'s gradient into ``out``; ``wide`` a float64 scratch row for the sum (see ``_softmax_row``)."""
    n = y.shape[1]
    if log:  # g - exp(y) * sum(g)
        for j in range(n):
            wide[j] = g[r, j]
    else:  # y * (g - sum(g * y))
        for j in range(n):
            wide[j] = float(g[r, j]) * y[r, j]
    total = as_type_of(sum8(wide, n), y[r, 0])
    if log:
        for j in range(n):
            out[r, j] = g[r, j] - vector_exp(y[r, j]) * total
    else:
        for j in range(n):
            out[r, j] = y[r, j] * (g[r, j] - total)


def _make_softmax_backward_rows(loop):
    def softmax_backward_rows(g, y, out, log):
        rows, n = y.shape
        per = max(1, _CHUNK_ELEMENTS // max(n, 1))
        for c in loop((rows + per - 1) // per):
            wide = np.empty(n)
            for r in range(c * per, min(rows, (c + 1) * per)):
                _softmax_backward_row(g, y, out, wide, log, np.int64(r))
    return softmax_backward_rows


softmax_backward_rows = twin_kernels(_make_softmax_backward_rows)


@njit(cache=True, inline="always")
def _column_items(outer, inner):
    """(items, width): work items of up to ``_COLUMN_WIDTH`` columns of one outer block each."""
    width = min(inner, _COLUMN_WIDTH)
    return outer * ((inner + width - 1) // width), width


def _make_softmax_columns(loop):
    def softmax_columns(x, out, log):
        outer, n, inner = x.shape
        items, width = _column_items(outer, inner)
        per_block = (inner + width - 1) // width
        for item in loop(items):
            a = item // per_block
            start = (item % per_block) * width
            stop = min(inner, start + width)
            w = stop - start
            top = x[a, 0, start:stop].copy()
            total = np.zeros(w)
            for j in range(1, n):
                row = x[a, j, start:stop]
                for b in range(w):
                    top[b] = _larger(top[b], row[b])
            for j in range(n):
                row = x[a, j, start:stop]
                dest = out[a, j, start:stop]
                if log:
                    for b in range(w):
                        total[b] += vector_exp(row[b] - top[b])
                else:
                    for b in range(w):
                        e = _exp_of_difference(row[b], top[b])
                        dest[b] = e
                        total[b] += e
            scale = np.empty(w, x.dtype)  # log of the sums, or their inverses
            for b in range(w):
                scale[b] = math.log(total[b]) if log else 1.0 / total[b]
            for j in range(n):
                row = x[a, j, start:stop]
                dest = out[a, j, start:stop]
                if log:
                    for b in range(w):
                        dest[b] = (row[b] - top[b]) - scale[b]
                else:
                    for b in range(w):
                        dest[b] = dest[b] * scale[b]
    return softmax_columns


softmax_columns = twin_kernels(_make_softmax_columns)


def _make_softmax_backward_columns(loop):
    def softmax_backward_columns(g, y, out, log):
        outer, n, inner = y.shape
        items, width = _column_items(outer, inner)
        per_block = (inner + width - 1) // width
        for item in loop(items):
            a = item // per_block
            start = (item % per_block) * width
            stop = min(inner, start + width)
            w = stop - start
            total = np.zeros(w)
            for j in range(n):
                grow = g[a, j, start:stop]
                yrow = y[a, j, start:stop]
                if log:
                    for b in range(w):
                        total[b] += grow[b]
                else:
                    for b in range(w):
                        total[b] += float(grow[b]) * yrow[b]
            sums = np.empty(w, y.dtype)
            for b in range(w):
                sums[b] = total[b]
            for j in range(n):
                grow = g[a, j, start:stop]
                yrow = y[a, j, start:stop]
                dest = out[a, j, start:stop]
                if log:
                    for b in range(w):
                        dest[b] = grow[b] - vector_exp(yrow[b]) * sums[b]
                else:
                    for b in range(w):
                        dest[b] = yrow[b] * (grow[b] - sums[b])
    return softmax_backward_columns


softmax_backward_columns = twin_kernels(_make_softmax_backward_columns)
