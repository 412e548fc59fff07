"""softmax and log_softmax along one dim on device arrays, with the names and arguments of
``backends.cpu.softmax``.

The input is viewed as (outer, n, inner) with the softmax dim in the middle, so any dim is handled without a
transposing copy; one block per (outer, inner) column of length n, with shared-memory reductions.
"""
import math

import numpy as np
from numba import cuda, float64

from ._array import THREADS, read_only, xp
from ._reduce import block_max, block_sum

__all__ = ["softmax_forward", "softmax_backward"]

# Columns handled by one launch's blocks (grid-stride beyond that).
_MAX_COLUMN_BLOCKS = 65535


@cuda.jit
def _softmax_columns(x, out, log):
    """Stable (max-subtracted) softmax or log_softmax of every column x[a, :, b]."""
    buf = cuda.shared.array(THREADS, float64)
    outer, n, inner = x.shape
    t0 = cuda.threadIdx.x
    for col in range(cuda.blockIdx.x, outer * inner, cuda.gridDim.x):
        a = col // inner
        b = col % inner
        local = -math.inf
        for j in range(t0, n, THREADS):
            v = x[a, j, b]
            if v > local or v != v:  # NaN propagates like PyTorch
                local = v
        m = block_max(buf, local)
        local = 0.0
        for j in range(t0, n, THREADS):
            local += math.exp(x[a, j, b] - m)
        total = block_sum(buf, local)
        shift = m + math.log(total)
        for j in range(t0, n, THREADS):
            if log:
                out[a, j, b] = x[a, j, b] - shift
            else:
                out[a, j, b] = math.exp(x[a, j, b] - m) / total


@cuda.jit
def _softmax_backward_columns(g, y, out, log):
    """softmax: y * (g - sum(g*y)); log_softmax: g - exp(y) * sum(g); sums over each column."""
    buf = cuda.shared.array(THREADS, float64)
    outer, n, inner = g.shape
    t0 = cuda.threadIdx.x
    for col in range(cuda.blockIdx.x, outer * inner, cuda.gridDim.x):
        a = col // inner
        b = col % inner
        local = 0.0
        for j in range(t0, n, THREADS):
            local += g[a, j, b] if log else g[a, j, b] * y[a, j, b]
        s = block_sum(buf, local)
        for j in range(t0, n, THREADS):
            if log:
                out[a, j, b] = g[a, j, b] - math.exp(y[a, j, b]) * s
            else:
                out[a, j, b] = y[a, j, b] * (g[a, j, b] - s)


def _as_blocks(arr, d):
    """Contiguous (outer, n, inner) view of ``arr`` around axis ``d``."""
    shape = arr.shape
    outer = int(np.prod(shape[:d], dtype=np.int64))
    inner = int(np.prod(shape[d + 1:], dtype=np.int64))
    return xp.ascontiguousarray(arr).reshape(outer, shape[d] if shape else 1, inner)


def _columns(kernel, blocks):
    return kernel[max(1, min(_MAX_COLUMN_BLOCKS, blocks.shape[0] * blocks.shape[2])), THREADS]


def softmax_forward(x, dim, log):
    """softmax (or log_softmax when ``log``) of float array ``x`` along axis ``dim``, in ``x``'s dtype."""
    work = x.astype(np.float32) if x.dtype == np.float16 else x  # float16 math in float32, as the CPU twin
    out = xp.empty(work.shape, work.dtype)
    if work.size:
        blocks = _as_blocks(work, dim)
        _columns(_softmax_columns, blocks)(read_only(blocks), out.reshape(blocks.shape), log)
    return out.astype(x.dtype, copy=False)


def softmax_backward(grad, y, dim, log):
    """Gradient of softmax (or log_softmax) with output ``y`` along axis ``dim`` for upstream ``grad``."""
    g = xp.broadcast_to(grad, y.shape).astype(y.dtype, copy=False)
    if y.size == 0:
        return xp.zeros_like(y)
    yb = _as_blocks(y, dim)
    res = xp.empty(yb.shape, y.dtype)
    gb = _as_blocks(g, dim)
    _columns(_softmax_backward_columns, gb)(read_only(gb), read_only(yb), res, log)
    return res.reshape(y.shape)
