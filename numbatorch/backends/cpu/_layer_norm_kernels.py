"""Layer norm of large arrays over their last D elements: forward, and a backward giving the input's, the weight's
and the bias's gradients in one pass, as Numba kernels.

``_norm_kernels``'s row kernels (shared with group norm) sum each row in one running float64 sum, which waits on
every add, index the affine parameters through an integer division per element, and leave the weight and bias
gradients to numpy passes: ``nn.LayerNorm(64)`` forward and backward on 8 MiB took 6.5x PyTorch's time. Here the
row sums run on float64 copies in eight partial sums (``_row_sums.sum8``: the order depends only on D), the output
passes in the array's dtype (as PyTorch's), and the backward adds each chunk of rows' weight and bias gradients
into float64 partial rows of its own; the caller sums the chunks' partials in a fixed order, so no result depends
on the thread count. Chunks hold ``_CHUNK_ELEMENTS`` elements, and there are at most ``MAX_CHUNKS`` of them.
"""
import math

import numpy as np
from numba import njit

from ._float_math import as_type_of
from ._parallel import twin_kernels
from ._row_sums import dot8, sum8

_CHUNK_ELEMENTS = 1 << 14
MAX_CHUNKS = 64


def chunk_rows(rows, width):
    """Rows per chunk for ``rows`` rows of ``width`` elements."""
    return max(1, _CHUNK_ELEMENTS // max(width, 1), -(-rows // MAX_CHUNKS))


@njit(cache=True, error_model="numpy", inline="always")
def _normalize_row(x, weight, bias, eps, y, wide, r):
    """``y[r]`` = the normalised row ``x[r]`` (times ``weight``, plus ``bias`` where those are not empty); returns
    (mean, 1 / std) in float64. ``wide`` is a float64 scratch row: sums of float32 values converted as they are
    added stay scalar, sums of a converted copy vectorise (2x). Rows are indexed, not sliced: a slice is an array
    whose reference count a serial build updates atomically, twice a row per array (2 ms on 8 MiB)."""
    n = x.shape[1]
    for j in range(n):
        wide[j] = x[r, j]
    mean = sum8(wide, n) / n
    for j in range(n):
        wide[j] -= mean
    rstd = 1.0 / math.sqrt(dot8(wide, wide, n) / n + eps)
    m = as_type_of(mean, x[r, 0])
    rs = as_type_of(rstd, x[r, 0])
    if weight.size and bias.size:
        for j in range(n):
            y[r, j] = (x[r, j] - m) * rs * weight[j] + bias[j]
    elif weight.size:
        for j in range(n):
            y[r, j] = (x[r, j] - m) * rs * weight[j]
    elif bias.size:
        for j in range(n):
            y[r, j] = (x[r, j] - m) * rs + bias[j]
    else:
        for j in range(n):
            y[r, j] = (x[r, j] - m) * rs
    return mean, rstd


def _make_forward(loop):
    def layer_norm_rows(x, weight, bias, eps, per, y, mean, rstd):
        rows = x.shape[0]
        for c in loop((rows + per - 1) // per):
            wide = np.empty(x.shape[1])
            for r in range(c * per, min(rows, (c + 1) * per)):
                mean[r], rstd[r] = _normalize_row(x, weight, bias, eps, y, wide, np.int64(r))
    return layer_norm_rows


forward = twin_kernels(_make_forward)


@njit(cache=True, error_model="numpy")
def _backward_row(gy, x, mean, rstd, weight, gx, weight_sums, bias_sums, g, xhat, r):
    """``gx[r]`` = the input's gradient of row r; adds its terms to the weight's and bias's gradients (empty when
    not wanted). ``g`` and ``xhat`` are float64 scratch rows; rows are indexed as in ``_normalize_row``."""
    n = x.shape[1]
    mean_r, rstd_r = mean[r], rstd[r]
    for j in range(n):
        xhat[j] = (x[r, j] - mean_r) * rstd_r
        g[j] = gy[r, j] * weight[j] if weight.size else gy[r, j]
    for j in range(weight_sums.size):
        weight_sums[j] += gy[r, j] * xhat[j]
    for j in range(bias_sums.size):
        bias_sums[j] += gy[r, j]
    mean_g = as_type_of(sum8(g, n) / n, x[r, 0])
    mean_gh = as_type_of(dot8(g, xhat, n) / n, x[r, 0])
    m = as_type_of(mean_r, x[r, 0])
    rs = as_type_of(rstd_r, x[r, 0])
    if weight.size:
        for j in range(n):
            gx[r, j] = rs * (gy[r, j] * weight[j] - mean_g - (x[r, j] - m) * rs * mean_gh)
    else:
        for j in range(n):
            gx[r, j] = rs * (gy[r, j] - mean_g - (x[r, j] - m) * rs * mean_gh)


def _make_backward(loop):
    def layer_norm_rows_backward(gy, x, mean, rstd, weight, per, gx, weight_partials, bias_partials):
        rows, n = x.shape
        for c in loop((rows + per - 1) // per):
            weight_sums = weight_partials[c]
            bias_sums = bias_partials[c]
            for j in range(weight_sums.size):
                weight_sums[j] = 0.0
            for j in range(bias_sums.size):
                bias_sums[j] = 0.0
            g = np.empty(n)
            xhat = np.empty(n)
            for r in range(c * per, min(rows, (c + 1) * per)):
                _backward_row(gy, x, mean, rstd, weight, gx, weight_sums, bias_sums, g, xhat, np.int64(r))
    return layer_norm_rows_backward


backward = twin_kernels(_make_backward)
