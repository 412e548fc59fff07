"""A large float gradient summed back to the shape of an operand that was broadcast against it (the engine's
``reduce_to_shape``: a per-channel scale's or bias's gradient, a row vector's), in one pass on Numba's threads.

numpy sums such a gradient in two reductions on one thread (the leading dimensions, then the broadcast ones), each
a pass over memory. Here the shapes are collapsed as for ``_broadcast_kernels`` into (outer, mid, inner) groups,
and two forms cover what broadcasting leaves: the operand runs along ``mid`` only (a per-channel sum of rows:
``(N, C, H, W) -> (C, 1, 1)``, ``(N, D) -> (N, 1)``), or along ``outer`` and ``inner`` (a sum of rows over ``mid``:
``(N, D) -> (D,)``, ``(A, B, C) -> (A, 1, C)``). Every sum is float64 (a float32 gradient is rounded once, at the
end) in a fixed order -- a row's elements in the compiled loop's vector lanes, rows in order -- whichever build runs
and on how many threads, so a result never depends on the load or the thread count. Its bits differ from numpy's
pairwise float32 sums (it is more accurate than them); there is no numpy stand-in for that reason, and a first
call compiles (``python -m numbatorch warmup`` caches the builds).
"""
import numba
import numpy as np
from numba import njit

from . import _arithmetic_kernels as arithmetic
from ._broadcast_kernels import groups
from ._parallel import choose, twin_kernels

# Bytes of gradient from which the sums run here (one pass on the threads, or on one when no core is spare).
MIN_SUM_BYTES = 2 << 20
# Columns a thread sums over all rows at a time in the row-sum form (float64 partial sums: 2 KiB, in L1; 512
# columns make two jobs).
_COLUMN_BLOCK = 256


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def _row_sum(row):
    """``sum(row)`` in float64, in the order of the compiled loop (vector lanes, then across them): reassociation
    lets it run in vector registers, 4x a sequential sum; one compiled function serves both builds, so both sum
    alike."""
    total = 0.0
    for t in range(row.size):
        total += row[t]
    return total


def _make_mid_sums(loop):
    def mid_sums(g, out, outer, mid, inner):
        for m in loop(mid):
            c = np.int64(m)
            total = 0.0
            for o in range(outer):
                start = (o * mid + c) * inner
                total += _row_sum(g[start:start + inner])
            out[c] = total
    return mid_sums


def _make_row_sums(loop):
    def row_sums(g, out, outer, mid, inner):
        blocks = (inner + _COLUMN_BLOCK - 1) // _COLUMN_BLOCK
        for job in loop(outer * blocks):
            o, b = np.int64(job) // blocks, np.int64(job) % blocks
            low = b * _COLUMN_BLOCK
            width = min(inner, low + _COLUMN_BLOCK) - low
            base = o * mid * inner + low
            sums = np.zeros(width, np.float64)
            for r in range(mid):
                row = g[base + r * inner:base + r * inner + width]  # a slice: indices from 0, no wrap-around checks
                for k in range(width):
                    sums[k] += row[k]
            dest = out[o * inner + low:o * inner + low + width]
            for k in range(width):
                dest[k] = sums[k]
    return row_sums


_MID_SUMS = twin_kernels(_make_mid_sums)
_ROW_SUMS = twin_kernels(_make_row_sums)


def sum_to(grad, shape):
    """``grad`` summed to ``shape`` (which broadcasts to ``grad.shape``), or None where numpy sums it: a gradient
    under ``MIN_SUM_BYTES``, not C-ordered float32/float64, or a shape whose broadcast and kept dimensions alternate
    beyond the two forms."""
    if type(grad) is not np.ndarray or grad.nbytes < MIN_SUM_BYTES or grad.dtype not in arithmetic.FLOAT_DTYPES or \
            not grad.flags.c_contiguous:
        return None
    layout = groups(grad.shape, shape)
    if layout is None:
        return None
    mid, inner, s0, s1, s2 = layout
    outer = grad.size // (mid * inner)
    if s1 and not s0 and not s2:
        kernel, jobs = _MID_SUMS, mid
    elif s2 and not s1:
        kernel, jobs = _ROW_SUMS, outer * -(-inner // _COLUMN_BLOCK)
    else:
        return None
    out = np.empty(shape, grad.dtype)
    threaded = jobs >= numba.get_num_threads() and arithmetic.splits(grad.nbytes)
    run = choose(kernel, grad.nbytes, MIN_SUM_BYTES) if threaded else kernel.serial
    run(grad.reshape(-1), out.reshape(-1), outer, mid, inner)
    return out
