"""Numba kernel laying out the attention weights that MultiheadAttention returns.

The softmax kernels leave the probabilities transposed, (N, S, L) (``_attention_softmax``); PyTorch returns them
C-contiguous as (N, L, S), averaged over each group of H heads by default. ``transposed_head_mean`` does the
average and the transpose in one pass, tile by tile: a tile's sums over the heads are elementwise updates along
contiguous queries, and its columns then go out as rows of ``TILE`` keys, so that neither side strides through
memory a float at a time (numpy's transposed copy of 8 heads' 200 x 200 scores wrote 2.4x slower than a
contiguous one).
"""
import numpy as np
from numba import njit

# Keys per tile: 16 float32 keys fill one 64-byte cache line of the output; a tile's sums (16 x L) stay in L1.
TILE = 16


@njit(cache=True, nogil=True, error_model="numpy")
def transposed_head_mean(used, heads, divisor, out):
    """``out[g, l, s] = (used[g * heads, s, l] + ... + used[g * heads + heads - 1, s, l]) / divisor`` for ``out``
    (G, L, S) and ``used`` (G * heads, S, L): heads summed in order, in the weights' dtype, as ``np.mean`` over
    them (``divisor`` = heads in that dtype; with one head a transposed copy)."""
    groups, L, S = out.shape
    tile = np.empty((TILE, L), dtype=out.dtype)
    for g in range(groups):
        first = g * heads
        for s0 in range(0, S, TILE):
            width = min(TILE, S - s0)
            for t in range(width):
                for l in range(L):
                    tile[t, l] = used[first, s0 + t, l]
                for h in range(1, heads):
                    for l in range(L):
                        tile[t, l] += used[first + h, s0 + t, l]
                for l in range(L):
                    tile[t, l] /= divisor
            for l in range(L):
                for t in range(width):
                    out[g, l, s0 + t] = tile[t, l]
