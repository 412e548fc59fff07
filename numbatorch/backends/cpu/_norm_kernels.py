"""Normalisation kernels.  Statistics accumulate in float64 whatever the data dtype.

Batch norm works on x viewed as (N, C, S).  Group norm and layer norm share one kernel set
on rows: x viewed as (R, L) with R = N*G rows of L = Cg*S elements; the affine parameter of
row element j is w[(r % G) * Cg + j // S] (layer norm: G = 1, Cg = L, S = 1).
"""
import numpy as np
from numba import njit, prange


# ------------------------------------------------------------------ batch norm

@njit(cache=True, error_model="numpy")
def _bn_channel_stats(x, c, eps, mean, invstd):
    N, _, S = x.shape
    acc = 0.0
    for n in range(N):
        for s in range(S):
            acc += x[n, c, s]
    m = acc / (N * S)
    acc = 0.0
    for n in range(N):
        for s in range(S):
            d = x[n, c, s] - m
            acc += d * d
    mean[c] = m
    invstd[c] = 1.0 / np.sqrt(acc / (N * S) + eps)


@njit(cache=True, error_model="numpy")
def bn_stats_serial(x, eps, mean, invstd):
    for c in range(x.shape[1]):
        _bn_channel_stats(x, c, eps, mean, invstd)


@njit(parallel=True, cache=True, error_model="numpy")
def bn_stats_parallel(x, eps, mean, invstd):
    for c in prange(x.shape[1]):
        _bn_channel_stats(x, c, eps, mean, invstd)


@njit(cache=True, error_model="numpy")
def _bn_apply_plane(x, mean, invstd, w, b, y, item):
    C = x.shape[1]
    n, c = item // C, item % C
    scale = invstd[c] * (w[c] if w.shape[0] else 1.0)
    shift = (b[c] if b.shape[0] else 0.0) - mean[c] * scale
    for s in range(x.shape[2]):
        y[n, c, s] = x[n, c, s] * scale + shift


@njit(cache=True, error_model="numpy")
def bn_apply_serial(x, mean, invstd, w, b, y):
    for item in range(x.shape[0] * x.shape[1]):
        _bn_apply_plane(x, mean, invstd, w, b, y, item)


@njit(parallel=True, cache=True, error_model="numpy")
def bn_apply_parallel(x, mean, invstd, w, b, y):
    for item in prange(x.shape[0] * x.shape[1]):
        _bn_apply_plane(x, mean, invstd, w, b, y, item)


@njit(cache=True, error_model="numpy")
def _bn_channel_grad_sums(gy, x, mean, invstd, c, sum_gy, sum_gy_xhat):
    N, _, S = x.shape
    a = 0.0
    bsum = 0.0
    m = mean[c]
    for n in range(N):
        for s in range(S):
            g = gy[n, c, s]
            a += g
            bsum += g * (x[n, c, s] - m)
    sum_gy[c] = a
    sum_gy_xhat[c] = bsum * invstd[c]


@njit(cache=True, error_model="numpy")
def bn_grad_sums_serial(gy, x, mean, invstd, sum_gy, sum_gy_xhat):
    for c in range(x.shape[1]):
        _bn_channel_grad_sums(gy, x, mean, invstd, c, sum_gy, sum_gy_xhat)


@njit(parallel=True, cache=True, error_model="numpy")
def bn_grad_sums_parallel(gy, x, mean, invstd, sum_gy, sum_gy_xhat):
    for c in prange(x.shape[1]):
        _bn_channel_grad_sums(gy, x, mean, invstd, c, sum_gy, sum_gy_xhat)


@njit(cache=True, error_model="numpy")
def _bn_grad_input_plane(gy, x, mean, invstd, w, sum_gy, sum_gy_xhat, training, gx, item):
    N, C, S = x.shape
    n, c = item // C, item % C
    k = invstd[c] * (w[c] if w.shape[0] else 1.0)
    if training:
        M = N * S
        mg = sum_gy[c] / M
        mgx = sum_gy_xhat[c] / M * invstd[c]
        m = mean[c]
        for s in range(S):
            gx[n, c, s] = k * (gy[n, c, s] - mg - (x[n, c, s] - m) * mgx)
    else:
        for s in range(S):
            gx[n, c, s] = k * gy[n, c, s]


@njit(cache=True, error_model="numpy")
def bn_grad_input_serial(gy, x, mean, invstd, w, sum_gy, sum_gy_xhat, training, gx):
    for item in range(x.shape[0] * x.shape[1]):
        _bn_grad_input_plane(gy, x, mean, invstd, w, sum_gy, sum_gy_xhat, training, gx, item)


@njit(parallel=True, cache=True, error_model="numpy")
def bn_grad_input_parallel(gy, x, mean, invstd, w, sum_gy, sum_gy_xhat, training, gx):
    for item in prange(x.shape[0] * x.shape[1]):
        _bn_grad_input_plane(gy, x, mean, invstd, w, sum_gy, sum_gy_xhat, training, gx, item)


# ------------------------------------------------------------------ group / layer norm (rows)

@njit(cache=True, error_model="numpy")
def _row_forward(x, w, b, G, Cg, S, eps, y, mean, rstd, r):
    L = x.shape[1]
    acc = 0.0
    for j in range(L):
        acc += x[r, j]
    m = acc / L
    acc = 0.0
    for j in range(L):
        d = x[r, j] - m
        acc += d * d
    rs = 1.0 / np.sqrt(acc / L + eps)
    mean[r] = m
    rstd[r] = rs
    c0 = (r % G) * Cg
    for j in range(L):
        v = (x[r, j] - m) * rs
        if w.shape[0]:
            v = v * w[c0 + j // S]
        if b.shape[0]:
            v = v + b[c0 + j // S]
        y[r, j] = v


@njit(cache=True, error_model="numpy")
def rownorm_forward_serial(x, w, b, G, Cg, S, eps, y, mean, rstd):
    for r in range(x.shape[0]):
        _row_forward(x, w, b, G, Cg, S, eps, y, mean, rstd, r)


@njit(parallel=True, cache=True, error_model="numpy")
def rownorm_forward_parallel(x, w, b, G, Cg, S, eps, y, mean, rstd):
    for r in prange(x.shape[0]):
        _row_forward(x, w, b, G, Cg, S, eps, y, mean, rstd, r)


@njit(cache=True, error_model="numpy")
def _row_backward(gy, x, mean, rstd, w, G, Cg, S, gx, r):
    L = x.shape[1]
    c0 = (r % G) * Cg
    m, rs = mean[r], rstd[r]
    sg = 0.0
    sgx = 0.0
    for j in range(L):
        g = gy[r, j] * (w[c0 + j // S] if w.shape[0] else 1.0)
        sg += g
        sgx += g * (x[r, j] - m) * rs
    sg /= L
    sgx /= L
    for j in range(L):
        g = gy[r, j] * (w[c0 + j // S] if w.shape[0] else 1.0)
        gx[r, j] = rs * (g - sg - (x[r, j] - m) * rs * sgx)


@njit(cache=True, error_model="numpy")
def rownorm_backward_serial(gy, x, mean, rstd, w, G, Cg, S, gx):
    for r in range(x.shape[0]):
        _row_backward(gy, x, mean, rstd, w, G, Cg, S, gx, r)


@njit(parallel=True, cache=True, error_model="numpy")
def rownorm_backward_parallel(gy, x, mean, rstd, w, G, Cg, S, gx):
    for r in prange(x.shape[0]):
        _row_backward(gy, x, mean, rstd, w, G, Cg, S, gx, r)
