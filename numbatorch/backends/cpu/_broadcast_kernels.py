"""Large float32/float64 add, subtract, multiply and divide of a whole array and a smaller one broadcast against it,
split over Numba's threads: a per-channel scale or bias (``(N, C, H, W) * (C, 1, 1)``), a row or column of a matrix
(``(N, D) + (D,)``, ``(N, D) / (N, 1)``), and the gradients of those products.

numpy runs these on one thread (PyTorch on all of its own); ``_arithmetic_kernels`` splits only operands of one
shape or a scalar. The shapes are collapsed to three groups of dimensions, alternating between those where the
small operand is broadcast and those where it runs along the whole one, so that the small operand is indexed by
``(i, j, k) -> i * s0 + j * s1 + k * s2`` (each stride 0 or its own extent) and the kernel runs over rows of the
last group: a scalar of the small operand per row (``s2 == 0``) or a row of it. Shapes that need more groups stay
with numpy. Each element is one correctly rounded IEEE operation in the ufunc's operand order, so the results are
numpy's bits (tested, special values included). From ``MIN_ARITHMETIC_BYTES`` moved the kernels run, on Numba's
threads under ``_arithmetic_kernels``'s rule (a spare core, enough rows), else on the calling thread.
"""
import numba
import numpy as np
from numba import njit

from . import _arithmetic_kernels as arithmetic  # imports this module: its names are read at call time
from ._parallel import choose, twin_kernels

# Rows (of the last group) per thread below which a kernel runs on the calling thread: too few to share out evenly.
MIN_ROWS_PER_THREAD = 4

_ADD, _SUBTRACT, _MULTIPLY, _DIVIDE = range(4)
_CODES = {np.add: _ADD, np.subtract: _SUBTRACT, np.multiply: _MULTIPLY, np.true_divide: _DIVIDE}
_UFUNCS = {code: ufunc for ufunc, code in _CODES.items()}


@njit(cache=True, nogil=True, inline="always")
def _apply(code, a, b):
    """``a <op> b`` for the op ``code`` (a constant of the kernel: the other branches fold away)."""
    if code == _ADD:
        return a + b
    if code == _SUBTRACT:
        return a - b
    if code == _MULTIPLY:
        return a * b
    return a / b


def _make(code):
    def make(loop):
        def broadcast(whole, small, out, mid, inner, s0, s1, s2, small_first):
            for row in loop(out.size // inner):
                r = np.int64(row)
                at = (r // mid) * s0 + (r % mid) * s1
                # slices, indexed from 0: an index offset by a variable start is checked for wrap-around, which
                # keeps the loop from vectorising
                dest, src = out[r * inner:(r + 1) * inner], whole[r * inner:(r + 1) * inner]
                if s2 == 0:
                    c = small[at]
                    if small_first:
                        for k in range(inner):
                            dest[k] = _apply(code, c, src[k])
                    else:
                        for k in range(inner):
                            dest[k] = _apply(code, src[k], c)
                else:
                    other = small[at:at + inner]
                    if small_first:
                        for k in range(inner):
                            dest[k] = _apply(code, other[k], src[k])
                    else:
                        for k in range(inner):
                            dest[k] = _apply(code, src[k], other[k])
        return broadcast
    return make


def _stand_in(code):
    """The numpy run of a kernel (same arguments, same bits), while its serial build is neither compiled nor
    cached."""
    ufunc = _UFUNCS[code]

    def run(whole, small, out, mid, inner, s0, s1, s2, small_first):
        shape = (out.size // (mid * inner), mid, inner)
        item = small.itemsize
        spread = np.lib.stride_tricks.as_strided(small, shape, (s0 * item, s1 * item, s2 * item), writeable=False)
        operands = (spread, whole.reshape(shape)) if small_first else (whole.reshape(shape), spread)
        ufunc(*operands, out=out.reshape(shape))
    return run


_TWINS = {code: twin_kernels(_make(code), _stand_in(code)) for code in _UFUNCS}


def groups(shape, small_shape):
    """``(mid, inner, s0, s1, s2)``: ``shape`` collapsed to three groups of dimensions ``(outer, mid, inner)`` and
    the C-ordered ``small_shape``'s strides (in elements) over them, 0 where it is broadcast; None when its
    broadcast and whole dimensions alternate more often than three groups hold."""
    small_shape = (1,) * (len(shape) - len(small_shape)) + tuple(small_shape)
    merged = []  # [size, broadcast] per group, from the last dimension
    for size, own in zip(reversed(shape), reversed(small_shape)):
        if size == 1:
            continue
        broadcast = own == 1
        if merged and merged[-1][1] == broadcast:
            merged[-1][0] *= size
        else:
            merged.append([size, broadcast])
    if len(merged) > 3:
        return None
    merged += [[1, True]] * (3 - len(merged))
    (inner, b2), (mid, b1), (_, b0) = merged
    s2 = 0 if b2 else 1
    s1 = 0 if b1 else (inner if not b2 else 1)
    s0 = 0 if b0 else (s1 * mid if s1 else max(s2 * inner, 1))
    return mid, inner, s0, s1, s2


def run(ufunc, x, y, out=None):
    """``ufunc(x, y, out=out)`` on Numba's threads when one operand is a whole C-ordered float array and the other a
    smaller one of its dtype broadcast against it (``out``: None or the whole operand) and the bytes moved pay for
    it; else None, the caller runs numpy."""
    code = _CODES.get(ufunc)
    if code is None or type(x) is not np.ndarray or type(y) is not np.ndarray or x.dtype != y.dtype or \
            x.dtype not in arithmetic.FLOAT_DTYPES or x.shape == y.shape:
        return None
    small_first = y.size > x.size
    whole, small = (y, x) if small_first else (x, y)
    if whole.ndim < small.ndim or not (whole.flags.c_contiguous and small.flags.c_contiguous) or \
            np.broadcast_shapes(whole.shape, small.shape) != whole.shape:
        return None
    # written in place, the whole operand must not hold the small one (a row of itself): numpy buffers that case
    if out is not None and not (out is whole and out.flags.writeable and not np.may_share_memory(whole, small)):
        return None
    moved = whole.nbytes * 2 + small.nbytes
    layout = groups(whole.shape, small.shape)
    if layout is None or moved < arithmetic.MIN_ARITHMETIC_BYTES:
        return None
    twin = _TWINS[code]
    # on one thread too the serial build beats numpy's broadcast loop (8 MiB times a per-channel scale: 640 us
    # against 840-980), with its bits
    threaded = whole.size // layout[1] >= MIN_ROWS_PER_THREAD * numba.get_num_threads() and arithmetic.splits(moved)
    kernel = choose(twin, moved, arithmetic.MIN_ARITHMETIC_BYTES) if threaded else twin.serial
    result = np.empty_like(whole) if out is None else out
    kernel(whole.reshape(-1), small.reshape(-1), result.reshape(-1), *layout, small_first)
    return result
