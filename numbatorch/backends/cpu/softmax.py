"""softmax and log_softmax along one dim, as fused Numba kernels on raw arrays.

The input is viewed as (outer, n, inner) with the softmax dim in the middle, so any dim is handled without a
transposing copy: each outer block normalises ``inner`` independent columns of length ``n``.
"""
import numpy as np
from numba import njit

from . import _softmax_stand_ins, _softmax_vector
from ._parallel import choose, twin_kernels
from .pointwise import MIN_BACKWARD_BYTES

# Output bytes from which float32/float64 softmax runs on the vectorised exp (``_softmax_vector``). Smaller arrays
# (a classifier's loss) keep these kernels' bits and their numpy stand-ins, which spare a cold start the compile.
VECTOR_MIN_BYTES = MIN_BACKWARD_BYTES
_VECTOR_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


@njit(cache=True, error_model="numpy")
def _softmax_block(x, out, log):
    """Stable (max-subtracted) softmax or log_softmax of the columns of one (n, inner) block."""
    n, inner = x.shape
    # np.empty and loops, not np.full/np.zeros: those compile ~1 s of library code on an empty kernel cache
    m = np.empty(inner)
    s = np.empty(inner)
    for b in range(inner):
        m[b] = -np.inf
        s[b] = 0.0
    for j in range(n):
        for b in range(inner):
            v = x[j, b]
            if v > m[b] or v != v:  # NaN propagates like PyTorch
                m[b] = v
    for j in range(n):
        for b in range(inner):
            s[b] += np.exp(x[j, b] - m[b])
    for b in range(inner):
        s[b] = np.log(s[b]) if log else 1.0 / s[b]
    for j in range(n):
        for b in range(inner):
            if log:
                out[j, b] = x[j, b] - m[b] - s[b]
            else:
                out[j, b] = np.exp(x[j, b] - m[b]) * s[b]


def _make_softmax(loop):
    def softmax_blocks(x, out, log):
        for a in loop(x.shape[0]):
            _softmax_block(x[a], out[a], log)
    return softmax_blocks


_softmax_blocks = twin_kernels(_make_softmax, _softmax_stand_ins.softmax_blocks)


@njit(cache=True, error_model="numpy")
def _softmax_backward_block(g, y, out, log):
    """softmax: y * (g - sum(g*y)); log_softmax: g - exp(y) * sum(g); sums over the n axis of one block."""
    n, inner = g.shape
    s = np.empty(inner)
    for b in range(inner):
        s[b] = 0.0
    for j in range(n):
        for b in range(inner):
            s[b] += g[j, b] if log else g[j, b] * y[j, b]
    for j in range(n):
        for b in range(inner):
            if log:
                out[j, b] = g[j, b] - np.exp(y[j, b]) * s[b]
            else:
                out[j, b] = y[j, b] * (g[j, b] - s[b])


def _make_softmax_backward(loop):
    def softmax_backward_blocks(g, y, out, log):
        for a in loop(g.shape[0]):
            _softmax_backward_block(g[a], y[a], out[a], log)
    return softmax_backward_blocks


_softmax_backward_blocks = twin_kernels(_make_softmax_backward, _softmax_stand_ins.softmax_backward_blocks)


def _as_blocks(arr, d):
    """Contiguous (outer, n, inner) view of ``arr`` around axis ``d``."""
    shape = arr.shape
    outer = int(np.prod(shape[:d], dtype=np.int64))
    inner = int(np.prod(shape[d + 1:], dtype=np.int64))
    return np.ascontiguousarray(arr).reshape(outer, shape[d] if shape else 1, inner)


def _work(blocks):
    """Work counted for the threshold: a parallel launch splits blocks, so a single block counts as none."""
    return blocks.size if blocks.shape[0] > 1 else 0


def _vectorised(y):
    return y.nbytes >= VECTOR_MIN_BYTES and y.dtype in _VECTOR_DTYPES


def _vector_run(rows_kernel, columns_kernel, blocks, *arrays):
    """Run the vector kernel for (outer, n, inner) ``blocks``; ``arrays`` are the kernel's arguments after the
    block-shaped ones (rows take them flattened to (outer, n) when inner is 1)."""
    if blocks[0].shape[2] == 1:
        rows = tuple(b.reshape(b.shape[:2]) for b in blocks)
        choose(rows_kernel, rows[0].nbytes, VECTOR_MIN_BYTES)(*rows, *arrays)
    else:
        choose(columns_kernel, blocks[0].nbytes, VECTOR_MIN_BYTES)(*blocks, *arrays)


def softmax_forward(x, dim, log):
    """softmax (or log_softmax when ``log``) of float array ``x`` along axis ``dim``, in ``x``'s dtype."""
    work = x.astype(np.float32) if x.dtype == np.float16 else x  # no float16 arithmetic in Numba
    out = np.empty(work.shape, work.dtype)
    if work.size:
        blocks = _as_blocks(work, dim)
        if _vectorised(out):
            _vector_run(_softmax_vector.softmax_rows, _softmax_vector.softmax_columns,
                        (blocks, out.reshape(blocks.shape)), log)
        else:
            choose(_softmax_blocks, _work(blocks))(blocks, out.reshape(blocks.shape), log)
    return out.astype(x.dtype, copy=False)


def softmax_backward(grad, y, dim, log):
    """Gradient of softmax (or log_softmax) with output ``y`` along axis ``dim`` for upstream ``grad``."""
    # broadcast only when needed: broadcast_to's view is read-only, a second array type for Numba to compile
    g = (grad if grad.shape == y.shape else np.broadcast_to(grad, y.shape)).astype(y.dtype, copy=False)
    if y.size == 0:
        return np.zeros_like(y)
    yb = _as_blocks(y, dim)
    res = np.empty(yb.shape, y.dtype)
    gb = _as_blocks(g, dim)
    if _vectorised(res):
        _vector_run(_softmax_vector.softmax_backward_rows, _softmax_vector.softmax_backward_columns,
                    (gb, yb, res), log)
    else:
        choose(_softmax_backward_blocks, _work(gb))(gb, yb, res, log)
    return res.reshape(y.shape)
