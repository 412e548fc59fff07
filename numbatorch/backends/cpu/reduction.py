"""Reductions whose rows need sequential passes: cumprod's backward, cummax/cummin, mode.

Each works on a (rows, length) array, one row per output line (the caller moves the reduced dim last).
"""
import numpy as np
from numba import njit

from . import _parallel
from ._parallel import choose, twin_kernels


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


def _make_cum_extreme(loop):
    def cum_extreme(x, values, indices, sign):
        """Running max (sign=1) or min (sign=-1) per row with the index of the latest extreme (ties move it, NaN
        sticks), as PyTorch's cummax/cummin."""
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
    return cum_extreme


_cum_extreme = twin_kernels(_make_cum_extreme)


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


def _rows_dtype(x):
    """The array the kernels run on: float16 as float32 (Numba has no half arithmetic), bool as uint8."""
    if x.dtype == np.float16:
        return x.astype(np.float32)
    return x.view(np.uint8) if x.dtype == np.bool_ else x


def cumprod_backward(x, out, grad):
    """Gradient of ``out = cumprod(x)`` along the rows of (rows, length) arrays, exact when ``x`` has zeros."""
    res = np.empty_like(x)
    _cumprod_backward_rows(x, out, grad, res)
    return res


def cum_extreme_forward(x, largest):
    """(values, indices) of the running max (``largest``) or min along the rows of ``x`` (rows, length)."""
    work = np.ascontiguousarray(_rows_dtype(x))
    values = np.empty_like(work)
    indices = np.empty(work.shape, np.int64)
    kernel = choose(_cum_extreme, work.size if work.shape[0] > 1 else 0, _parallel.MIN_SCAN_ELEMENTS)
    kernel(work, values, indices, 1 if largest else -1)
    return values.astype(x.dtype, copy=False), indices


def mode_forward(x):
    """(values, indices) per row of ``x`` (rows, length > 0): the most frequent value and its last index."""
    work = np.ascontiguousarray(_rows_dtype(x))
    values = np.empty(work.shape[0], work.dtype)
    indices = np.empty(work.shape[0], np.int64)
    _mode_rows(work, values, indices)
    return values.astype(x.dtype), indices
