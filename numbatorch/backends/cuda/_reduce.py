"""Block-wide sum and max for kernels that reduce with one block per output (batch-norm channel, softmax row)."""
from numba import cuda

from ._array import THREADS


@cuda.jit(device=True)
def block_sum(buf, value):
    """Sum of ``value`` over the block's threads (``buf``: a float64 shared array of THREADS entries), seen by
    every thread. A tree in shared memory: THREADS is a power of two."""
    t = cuda.threadIdx.x
    buf[t] = value
    cuda.syncthreads()
    half = THREADS // 2
    while half > 0:
        if t < half:
            buf[t] += buf[t + half]
        cuda.syncthreads()
        half //= 2
    total = buf[0]
    # no thread may overwrite buf[0] (a next block_sum) before all have read it
    cuda.syncthreads()
    return total


@cuda.jit(device=True)
def block_max(buf, value):
    """Maximum of ``value`` over the block's threads, seen by every thread; a NaN wins, like PyTorch's max."""
    t = cuda.threadIdx.x
    buf[t] = value
    cuda.syncthreads()
    half = THREADS // 2
    while half > 0:
        if t < half and (buf[t + half] > buf[t] or buf[t + half] != buf[t + half]):
            buf[t] = buf[t + half]
        cuda.syncthreads()
        half //= 2
    best = buf[0]
    cuda.syncthreads()
    return best
