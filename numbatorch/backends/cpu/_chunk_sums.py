"""Whole-array sums of large float arrays in float64 on Numba's threads: ``total`` (sum, mean) and ``norm2``.

``np.add.reduce`` (a pairwise float32 sum for float32) and the 2-norm's ``np.sqrt(np.sum(a * a))`` (three passes and
an 8 MiB temporary) run on one thread: ``x.sum()`` forward took 2.4x PyTorch's time on 8 MiB of float32, ``x.norm()``
forward and backward 3.3x. Here fixed chunks of ``CHUNK`` elements are summed (or their squares) in float64, each
block copied to a float64 row first, whose eight partial sums vectorise (see ``_row_sums``), and the chunks'
sums then added in order: the result depends neither on the thread count nor on the load, and is correctly rounded
far more often than a float32 pairwise sum. A float32 result beyond float32's range is inf, as PyTorch's and numpy's
float32 sums give (``clip_grad_norm_``'s non-finite check relies on it).
"""
import math

import numpy as np

from ._parallel import choose, twin_kernels
from ._row_sums import dot8, sum8
from .pointwise import MIN_BACKWARD_BYTES

CHUNK = 1 << 16
_BLOCK = 1024
# Bytes from which the whole-array sums here replace numpy's; smaller arrays keep numpy's bits.
MIN_BYTES = MIN_BACKWARD_BYTES


def _make_chunk_sums(loop):
    def chunk_sums(x, squares, sums):
        n = x.size
        for c in loop(sums.size):
            wide = np.empty(_BLOCK)
            total = 0.0
            for start in range(c * CHUNK, min(n, (c + 1) * CHUNK), _BLOCK):
                block = x[start:min(n, start + _BLOCK)]
                for j in range(block.size):
                    wide[j] = block[j]
                total += dot8(wide, wide, block.size) if squares else sum8(wide, block.size)
            sums[c] = total
    return chunk_sums


_chunk_sums = twin_kernels(_make_chunk_sums)


def applies(x):
    """Whether ``x`` is a float32/float64 numpy array of ``MIN_BYTES`` or more."""
    return type(x) is np.ndarray and x.dtype in (np.float32, np.float64) and x.nbytes >= MIN_BYTES


def _sum(x, squares):
    flat = x.reshape(-1) if x.flags.c_contiguous else np.ascontiguousarray(x).reshape(-1)
    sums = np.empty(-(-flat.size // CHUNK))
    choose(_chunk_sums, flat.size)(flat, squares, sums)
    total = np.add.reduce(sums)
    return math.copysign(math.inf, total) if abs(total) > np.finfo(x.dtype).max else total


def total(x):
    """The sum of a float32/float64 numpy array's elements, as a float64 number (see the module docstring)."""
    return _sum(x, False)


def norm2(x):
    """``sqrt(sum(x * x))`` of a float32/float64 numpy array, in ``x``'s dtype."""
    return x.dtype.type(math.sqrt(_sum(x, True)))
