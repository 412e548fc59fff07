"""Normalisation kernels.  Statistics accumulate in float64 whatever the data dtype.

Batch norm works on x viewed as (N, C, S).  Group norm and layer norm share one kernel set
on rows: x viewed as (R, L) with R = N*G rows of L = Cg*S elements; the affine parameter of
row element j is w[(r % G) * Cg + j // S] (layer norm: G = 1, Cg = L, S = 1).
"""
import numpy as np
from numba import njit

from . import _stand_ins
from ._parallel import twin_kernels


# ------------------------------------------------------------------ batch norm

@njit(cache=True, error_model="numpy")
def _sum_in_order(acc):
    total = 0.0
    for s in range(acc.shape[0]):
        total += acc[s]
    return total


# Batch-norm sums run down the batch per position into a float64 row (a loop LLVM vectorises, converting float32
# several elements at a time), then along that row: one running sum over all N*S elements adds one converted
# element at a time and took 2.5x as long (BatchNorm2d(16) on 32x16x128x128).
@njit(cache=True, error_model="numpy")
def _bn_channel_stats(x, c, eps, mean, invstd):
    N, _, S = x.shape
    acc = np.zeros(S)
    for n in range(N):
        plane = x[n, c]
        for s in range(S):
            acc[s] += plane[s]
    m = _sum_in_order(acc) / (N * S)
    acc[:] = 0.0
    for n in range(N):
        plane = x[n, c]
        for s in range(S):
            d = plane[s] - m
            acc[s] += d * d
    mean[c] = m
    invstd[c] = 1.0 / np.sqrt(_sum_in_order(acc) / (N * S) + eps)


def _make_bn_stats(loop):
    def bn_stats(x, eps, mean, invstd):
        for c in loop(x.shape[1]):
            _bn_channel_stats(x, np.int64(c), eps, mean, invstd)
    return bn_stats


bn_stats = twin_kernels(_make_bn_stats, _stand_ins.bn_stats)


@njit(cache=True, error_model="numpy")
def _bn_apply_plane(x, mean, invstd, w, b, y, item):
    C = x.shape[1]
    n, c = item // C, item % C
    scale = invstd[c] * (w[c] if w.shape[0] else 1.0)
    shift = (b[c] if b.shape[0] else 0.0) - mean[c] * scale
    for s in range(x.shape[2]):
        y[n, c, s] = x[n, c, s] * scale + shift


def _make_bn_apply(loop):
    def bn_apply(x, mean, invstd, w, b, y):
        for item in loop(x.shape[0] * x.shape[1]):
            _bn_apply_plane(x, mean, invstd, w, b, y, np.int64(item))
    return bn_apply


bn_apply = twin_kernels(_make_bn_apply, _stand_ins.bn_apply)


@njit(cache=True, error_model="numpy")
def _bn_channel_grad_sums(gy, x, mean, invstd, c, sum_gy, sum_gy_xhat):
    N, _, S = x.shape
    acc_gy = np.zeros(S)
    acc_gy_x = np.zeros(S)
    m = mean[c]
    for n in range(N):
        g_plane, x_plane = gy[n, c], x[n, c]
        for s in range(S):
            g = g_plane[s]
            acc_gy[s] += g
            acc_gy_x[s] += g * (x_plane[s] - m)
    sum_gy[c] = _sum_in_order(acc_gy)
    sum_gy_xhat[c] = _sum_in_order(acc_gy_x) * invstd[c]


def _make_bn_grad_sums(loop):
    def bn_grad_sums(gy, x, mean, invstd, sum_gy, sum_gy_xhat):
        for c in loop(x.shape[1]):
            _bn_channel_grad_sums(gy, x, mean, invstd, np.int64(c), sum_gy, sum_gy_xhat)
    return bn_grad_sums


bn_grad_sums = twin_kernels(_make_bn_grad_sums, _stand_ins.bn_grad_sums)


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


def _make_bn_grad_input(loop):
    def bn_grad_input(gy, x, mean, invstd, w, sum_gy, sum_gy_xhat, training, gx):
        for item in loop(x.shape[0] * x.shape[1]):
            _bn_grad_input_plane(gy, x, mean, invstd, w, sum_gy, sum_gy_xhat, training, gx, np.int64(item))
    return bn_grad_input


bn_grad_input = twin_kernels(_make_bn_grad_input, _stand_ins.bn_grad_input)


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


def _make_rownorm_forward(loop):
    def rownorm_forward(x, w, b, G, Cg, S, eps, y, mean, rstd):
        for r in loop(x.shape[0]):
            _row_forward(x, w, b, G, Cg, S, eps, y, mean, rstd, np.int64(r))
    return rownorm_forward


rownorm_forward = twin_kernels(_make_rownorm_forward, _stand_ins.rownorm_forward)


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


def _make_rownorm_backward(loop):
    def rownorm_backward(gy, x, mean, rstd, w, G, Cg, S, gx):
        for r in loop(x.shape[0]):
            _row_backward(gy, x, mean, rstd, w, G, Cg, S, gx, np.int64(r))
    return rownorm_backward


rownorm_backward = twin_kernels(_make_rownorm_backward, _stand_ins.rownorm_backward)
