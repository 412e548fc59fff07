"""Numba kernels of the reductions whose rows need sequential passes: cumprod's backward, cummax/cummin, mode.

Each works on a (rows, length) array, one row per output line.
"""
import numpy as np
from numba import njit, prange


_PARALLEL_MIN_SIZE = 1 << 16


@njit(cache=True, error_model="numpy")
def _cumprod_backward_rows(x, out, g, res):
    """Exact gradient of cumprod per row, zeros included: entries after the first zero get none, the zero gets
    the sum of the later products with it left out, earlier ones sum(g*out)/x over the prefix before it."""
    rows, n = x.shape
    for r in range(rows):
        z = n
        for i in range(n):
            if x[r, i] == 0:
                z = i
                break
        acc = 0.0
        for i in range(z - 1, -1, -1):
            acc += g[r, i] * out[r, i]
            res[r, i] = acc / x[r, i]
        if z < n:
            p = out[r, z - 1] if z > 0 else 1.0
            acc = p * g[r, z]
            for j in range(z + 1, n):
                p *= x[r, j]
                acc += g[r, j] * p
            res[r, z] = acc
            for i in range(z + 1, n):
                res[r, i] = 0.0


def _cum_extreme_kernel(parallel):
    """Running max (sign=1) or min (sign=-1) per row with the index of the latest extreme (ties move it, NaN
    sticks), as PyTorch's cummax/cummin. One compiled function per threading option."""
    loop = prange if parallel else range

    def kernel(x, values, indices, sign):
        rows, n = x.shape
        for r in loop(rows):
            if n == 0:
                continue
            best = x[r, 0]
            at = 0
            for i in range(n):
                v = x[r, i]
                if v != v or (best == best and (v >= best if sign > 0 else v <= best)):
                    best = v
                    at = i
                values[r, i] = best
                indices[r, i] = at

    return kernel


_cum_extreme_serial = njit(cache=True, error_model="numpy")(_cum_extreme_kernel(False))


_cum_extreme_parallel = njit(parallel=True, cache=True, error_model="numpy")(_cum_extreme_kernel(True))


@njit(cache=True, error_model="numpy")
def _mode_rows(x, values, indices):
    """Most frequent value per row (smallest among equally frequent) and the index of its last occurrence."""
    rows, n = x.shape
    for r in range(rows):
        s = np.sort(x[r])
        best, best_len, run = s[0], 0, 0
        for i in range(n):
            run = run + 1 if i > 0 and s[i] == s[i - 1] else 1
            if run > best_len:
                best_len = run
                best = s[i]
        values[r] = best
        for i in range(n - 1, -1, -1):
            if x[r, i] == best:
                indices[r] = i
                break
