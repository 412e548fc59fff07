"""numba.cuda kernels for the masked softmax of scaled dot-product attention and its backward.

Scores come in as (N, L, S) raw q @ k^T products; one block per row (n, l), its threads striding over the S
keys, with shared-memory reductions for the row max and sum. Same semantics as ``backends.cpu``: scale,
additive mask, causal mask (key s > query l), a fully masked row gives zeros (or NaN with ``nan_rows``),
masked entries get probability exactly 0.
"""
import math

from numba import cuda, float64

from ._array import THREADS
from ._reduce import block_max, block_sum


@cuda.jit
def masked_softmax(attn, mask, has_mask, is_causal, scale, nan_rows, keep, has_dropout, drop_scale, attn_drop):
    """In place on attn (N, L, S): probabilities; attn_drop gets the dropped-out copy."""
    buf = cuda.shared.array(THREADS, float64)
    N, L, S = attn.shape
    t0 = cuda.threadIdx.x
    for row in range(cuda.blockIdx.x, N * L, cuda.gridDim.x):
        n = row // L
        l = row % L  # noqa: E741 (the query position, as in the CPU kernels)
        local = -math.inf
        for s in range(t0, S, THREADS):
            val = attn[n, l, s] * scale
            if has_mask:
                val += mask[n, l, s]
            if is_causal and s > l:
                val = -math.inf
            attn[n, l, s] = val
            if val > local:
                local = val
        row_max = block_max(buf, local)
        if row_max == -math.inf:  # a fully masked row stays -inf: exp gives 0, sum 0
            row_max = 0.0
        local = 0.0
        for s in range(t0, S, THREADS):
            e = math.exp(attn[n, l, s] - row_max)
            attn[n, l, s] = e
            local += e
        total = block_sum(buf, local)
        for s in range(t0, S, THREADS):
            fully_masked = total == 0.0  # otherwise the max entry alone contributes exp(0) = 1
            if fully_masked:
                p = math.nan if nan_rows else 0.0
            else:
                p = attn[n, l, s] / total
            attn[n, l, s] = p
            if has_dropout:
                if fully_masked:
                    attn_drop[n, l, s] = p
                else:
                    attn_drop[n, l, s] = p * drop_scale if keep[n, l, s] else 0.0


@cuda.jit
def masked_softmax_backward(grad, attn, keep, has_dropout, drop_scale):
    """In place: grad (N, L, S) = dL/d(dropped probabilities) -> dL/d(masked, scaled scores)."""
    buf = cuda.shared.array(THREADS, float64)
    N, L, S = attn.shape
    t0 = cuda.threadIdx.x
    for row in range(cuda.blockIdx.x, N * L, cuda.gridDim.x):
        n = row // L
        l = row % L  # noqa: E741
        local = 0.0
        for s in range(t0, S, THREADS):
            g = grad[n, l, s]
            if has_dropout:
                g = g * drop_scale if keep[n, l, s] else 0.0
                grad[n, l, s] = g
            local += g * attn[n, l, s]
        dot = block_sum(buf, local)
        for s in range(t0, S, THREADS):
            grad[n, l, s] = attn[n, l, s] * (grad[n, l, s] - dot)
