"""numba.cuda batch-norm kernels on x viewed as (N, C, S). Statistics accumulate in float64.

Per-channel reductions run one block per channel (threads stride over the channel's N*S elements, then a
shared-memory tree); elementwise passes run one thread per element in grid-stride loops.
"""
import math

from numba import cuda, float64

from ._array import THREADS
from ._reduce import block_sum


@cuda.jit
def bn_stats(x, eps, mean, invstd):
    """Batch mean and 1/sqrt(biased var + eps) of each channel; launch with C blocks of THREADS threads."""
    buf = cuda.shared.array(THREADS, float64)
    N, C, S = x.shape
    M = N * S
    for c in range(cuda.blockIdx.x, C, cuda.gridDim.x):
        acc = 0.0
        for e in range(cuda.threadIdx.x, M, THREADS):
            acc += x[e // S, c, e % S]
        m = block_sum(buf, acc) / M
        acc = 0.0
        for e in range(cuda.threadIdx.x, M, THREADS):
            d = x[e // S, c, e % S] - m
            acc += d * d
        var = block_sum(buf, acc) / M
        if cuda.threadIdx.x == 0:
            mean[c] = m
            invstd[c] = 1.0 / math.sqrt(var + eps)


@cuda.jit
def bn_apply(x, mean, invstd, w, b, y):
    N, C, S = x.shape
    for t in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        c = (t // S) % C
        n = t // (S * C)
        s = t % S
        scale = invstd[c] * (w[c] if w.shape[0] else 1.0)
        shift = (b[c] if b.shape[0] else 0.0) - mean[c] * scale
        y[n, c, s] = x[n, c, s] * scale + shift


@cuda.jit
def bn_grad_sums(gy, x, mean, invstd, sum_gy, sum_gy_xhat):
    """Per channel: sum(gy) and sum(gy * xhat); launch with C blocks of THREADS threads."""
    buf = cuda.shared.array(THREADS, float64)
    N, C, S = x.shape
    M = N * S
    for c in range(cuda.blockIdx.x, C, cuda.gridDim.x):
        m = mean[c]
        a = 0.0
        bsum = 0.0
        for e in range(cuda.threadIdx.x, M, THREADS):
            g = gy[e // S, c, e % S]
            a += g
            bsum += g * (x[e // S, c, e % S] - m)
        a = block_sum(buf, a)
        bsum = block_sum(buf, bsum)
        if cuda.threadIdx.x == 0:
            sum_gy[c] = a
            sum_gy_xhat[c] = bsum * invstd[c]


@cuda.jit
def bn_grad_input(gy, x, mean, invstd, w, sum_gy, sum_gy_xhat, training, gx):
    N, C, S = x.shape
    M = N * S
    for t in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        c = (t // S) % C
        n = t // (S * C)
        s = t % S
        k = invstd[c] * (w[c] if w.shape[0] else 1.0)
        if training:
            gx[n, c, s] = k * (gy[n, c, s] - sum_gy[c] / M - (x[n, c, s] - mean[c]) * sum_gy_xhat[c] / M * invstd[c])
        else:
            gx[n, c, s] = k * gy[n, c, s]
