"""The 2-norm of a whole large float array: its sum of squares in float64 on Numba's threads.

``np.sqrt(np.sum(a * a))`` is three passes on one thread and an 8 MiB temporary (``x.norm()`` forward and backward
on 8 MiB of float32 took 3.3x PyTorch's time). Here fixed chunks of ``CHUNK`` elements are squared and summed in
float64 (each block copied to a float64 row first, whose eight partial sums vectorise, see ``_softmax_vector``),
the chunks' sums then added in order: the result depends neither on the thread count nor on the load, is
correctly rounded far more often than a float32 pairwise sum, and float32 values beyond 1.8e19 square without
overflowing. ``gradient_scale`` gives the backward's ``grad / norm`` factor.
"""
import math

import numpy as np

from ._parallel import choose, twin_kernels
from ._softmax_vector import _dot8

CHUNK = 1 << 16
_BLOCK = 1024


def _make_chunk_squares(loop):
    def chunk_squares(x, sums):
        n = x.size
        for c in loop(sums.size):
            wide = np.empty(_BLOCK)
            total = 0.0
            for start in range(c * CHUNK, min(n, (c + 1) * CHUNK), _BLOCK):
                block = x[start:min(n, start + _BLOCK)]
                for j in range(block.size):
                    wide[j] = block[j]
                total += _dot8(wide, wide, block.size)
            sums[c] = total
    return chunk_squares


_chunk_squares = twin_kernels(_make_chunk_squares)


def norm2(x):
    """``sqrt(sum(x * x))`` of a float32/float64 numpy array, in ``x``'s dtype."""
    flat = x.reshape(-1) if x.flags.c_contiguous else np.ascontiguousarray(x).reshape(-1)
    sums = np.empty(-(-flat.size // CHUNK))
    choose(_chunk_squares, flat.size)(flat, sums)
    total = np.add.reduce(sums)
    if total > np.finfo(x.dtype).max:
        total = math.inf
    return x.dtype.type(math.sqrt(total))
