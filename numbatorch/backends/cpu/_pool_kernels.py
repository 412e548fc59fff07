"""Pooling kernels on (P, D, H, W) planes (P = N*C; 1-d/2-d pools use unit leading dims).

Indices are flat offsets into one input plane (d*H*W + h*W + w), as PyTorch returns them.
Each kernel has a serial and a parallel (prange over planes) driver around a per-plane body.
"""
import numpy as np
from numba import njit

from . import _stand_ins
from ._parallel import twin_kernels
from ._row_sums import sum8


# ------------------------------------------------------------------ max pool (strided windows)

@njit(cache=True, error_model="numpy")
def _maxpool_plane(x, out, idx, p, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw):
    D, H, W = x.shape[1:]
    oD, oH, oW = out.shape[1:]
    for od in range(oD):
        d0 = od * sd - pd
        for oh in range(oH):
            h0 = oh * sh - ph
            for ow in range(oW):
                w0 = ow * sw - pw
                best = x[p, 0, 0, 0]    # of x's dtype (exact for int64); replaced by the first element in the window
                besti = -1
                for a in range(kd):
                    i = d0 + a * dd
                    if i < 0 or i >= D:
                        continue
                    for b in range(kh):
                        j = h0 + b * dh
                        if j < 0 or j >= H:
                            continue
                        for e in range(kw):
                            k = w0 + e * dw
                            if k < 0 or k >= W:
                                continue
                            v = x[p, i, j, k]
                            # PyTorch's scan: a NaN wins, so the window's last NaN stays
                            if besti < 0 or v > best or v != v:
                                best = v
                                besti = (i * H + j) * W + k
                out[p, od, oh, ow] = best
                idx[p, od, oh, ow] = besti


def _make_maxpool(loop):
    def maxpool(x, out, idx, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw):
        for p in loop(x.shape[0]):
            _maxpool_plane(x, out, idx, np.int64(p), kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw)
    return maxpool


maxpool = twin_kernels(_make_maxpool, _stand_ins.maxpool)


# ------------------------------------------------------------------ max pool 2x2, stride 2 (fast path)
# The common case: 2-d windows of 2x2 at stride 2, no padding or dilation, every window
# inside the input.  A window is reduced as a tree of selects, not a chain of branches:
# on real data the winner is random, and mispredicted branches made the general kernel
# several times slower.  The tree keeps PyTorch's scan semantics: a NaN wins, the last
# NaN of the window stays, otherwise the first maximum.

@njit(cache=True, error_model="numpy")
def _maxpool2x2_plane(x, out, idx, p):
    W = x.shape[3]
    oH, oW = out.shape[2], out.shape[3]
    for oh in range(oH):
        top = x[p, 0, 2 * oh]
        bot = x[p, 0, 2 * oh + 1]
        o = out[p, 0, oh]
        ix = idx[p, 0, oh]
        base = 2 * oh * W
        for ow in range(oW):
            k = 2 * ow
            a, b, c, d = top[k], top[k + 1], bot[k], bot[k + 1]
            t1 = (b > a) | (b != b)
            m1 = b if t1 else a
            i1 = k + 1 if t1 else k
            t2 = (d > c) | (d != d)
            m2 = d if t2 else c
            i2 = W + k + 1 if t2 else W + k
            t3 = (m2 > m1) | (m2 != m2)
            o[ow] = m2 if t3 else m1
            ix[ow] = base + (i2 if t3 else i1)


def _make_maxpool2x2(loop):
    def maxpool2x2(x, out, idx):
        """x: (P, 1, H, W), out/idx: (P, 1, oH, oW) with 2*oH <= H and 2*oW <= W."""
        for p in loop(x.shape[0]):
            _maxpool2x2_plane(x, out, idx, np.int64(p))
    return maxpool2x2


maxpool2x2 = twin_kernels(_make_maxpool2x2, _stand_ins.maxpool2x2)


# ------------------------------------------------------------------ scatter by index (max backward)

@njit(cache=True, error_model="numpy")
def _scatter_plane(gy, idx, gx, p):
    # plain 2-d indexing: per-plane views cost more than the work on small planes.  The plane is zeroed
    # here, just before its additions, not by np.zeros for the whole array: 1.1 -> 0.6 ms for cifar2's
    # first max-pool backward (50x32x30x30), the plane stays in cache between the two passes
    for j in range(gx.shape[1]):
        gx[p, j] = 0
    for t in range(gy.shape[1]):
        gx[p, idx[p, t]] += gy[p, t]


def _make_scatter_add(loop):
    def scatter_add(gy, idx, gx):
        """gx[p] = 0, then gx[p].flat[idx[p]] += gy[p], for each plane; gy/idx: (P, L), gx: (P, M)."""
        for p in loop(gy.shape[0]):
            _scatter_plane(gy, idx, gx, np.int64(p))
    return scatter_add


scatter_add = twin_kernels(_make_scatter_add, _stand_ins.scatter_add)


# ------------------------------------------------------------------ avg pool

@njit(cache=True, error_model="numpy")
def _avg_bounds(o, s, p, k, size):
    start = o * s - p
    end = min(start + k, size + p)
    span = end - start
    return max(start, 0), min(end, size), span


@njit(cache=True, error_model="numpy")
def _avgpool_plane(x, out, gy, gx, p, backward, kd, kh, kw, sd, sh, sw, pd, ph, pw,
                   count_include_pad, divisor):
    D, H, W = x.shape[1:]
    oD, oH, oW = (gy.shape[1:] if backward else out.shape[1:])
    for od in range(oD):
        d0, d1, sd_ = _avg_bounds(od, sd, pd, kd, D)
        for oh in range(oH):
            h0, h1, sh_ = _avg_bounds(oh, sh, ph, kh, H)
            for ow in range(oW):
                w0, w1, sw_ = _avg_bounds(ow, sw, pw, kw, W)
                if divisor > 0:
                    div = divisor
                elif count_include_pad:
                    div = sd_ * sh_ * sw_
                else:
                    div = (d1 - d0) * (h1 - h0) * (w1 - w0)
                if backward:
                    g = gy[p, od, oh, ow] / div
                    for i in range(d0, d1):
                        for j in range(h0, h1):
                            for k in range(w0, w1):
                                gx[p, i, j, k] += g
                else:
                    acc = 0.0
                    for i in range(d0, d1):
                        for j in range(h0, h1):
                            for k in range(w0, w1):
                                acc += x[p, i, j, k]
                    out[p, od, oh, ow] = acc / div


def _make_avgpool(loop):
    def avgpool(x, out, gy, gx, backward, kd, kh, kw, sd, sh, sw, pd, ph, pw,
                count_include_pad, divisor):
        for p in loop(x.shape[0]):
            _avgpool_plane(x, out, gy, gx, np.int64(p), backward, kd, kh, kw, sd, sh, sw, pd, ph, pw,
                           count_include_pad, divisor)
    return avgpool


avgpool = twin_kernels(_make_avgpool, _stand_ins.avgpool)


# ------------------------------------------------------------------ explicit windows
# Adaptive and fractional pools: window [start, end) per output position and dim.
# starts/ends have shape (Pq, out) where Pq is 1 (shared) or P (per plane).

# Max and average are separate kernels: one kernel for both compiled twice the code (about 1 s more on an
# empty kernel cache) for a network that uses one of them.

@njit(cache=True, error_model="numpy")
def _window_max_plane(x, out, idx, p, ds, de, hs, he, ws, we):
    H, W = x.shape[2], x.shape[3]
    pd_ = p if ds.shape[0] > 1 else 0
    ph_ = p if hs.shape[0] > 1 else 0
    pw_ = p if ws.shape[0] > 1 else 0
    for od in range(ds.shape[1]):
        d0, d1 = ds[pd_, od], de[pd_, od]
        for oh in range(hs.shape[1]):
            h0, h1 = hs[ph_, oh], he[ph_, oh]
            for ow in range(ws.shape[1]):
                w0, w1 = ws[pw_, ow], we[pw_, ow]
                # windows are never empty: start from the first element; selects, not
                # branches (a random winner mispredicts); PyTorch's scan: last NaN wins
                best = x[p, d0, h0, w0]
                besti = (d0 * H + h0) * W + w0
                for i in range(d0, d1):
                    for j in range(h0, h1):
                        for k in range(w0, w1):
                            v = x[p, i, j, k]
                            t = (v > best) | (v != v)
                            best = v if t else best
                            besti = (i * H + j) * W + k if t else besti
                out[p, od, oh, ow] = best
                idx[p, od, oh, ow] = besti


def _make_window_max(loop):
    def window_max(x, out, idx, ds, de, hs, he, ws, we):
        for p in loop(x.shape[0]):
            _window_max_plane(x, out, idx, np.int64(p), ds, de, hs, he, ws, we)
    return window_max


window_max = twin_kernels(_make_window_max, _stand_ins.window_max)


# Whole-plane windows (adaptive max pool to size 1, i.e. global max pooling): one flat scan per plane.  On
# cifar2's 5x5 planes the general kernel's nested window loops took 2.4x as long as this loop.

@njit(cache=True, error_model="numpy")
def _plane_max_row(x, out, idx, p):
    best = x[p, 0]
    besti = 0
    for t in range(1, x.shape[1]):
        v = x[p, t]
        c = (v > best) | (v != v)  # selects, not branches; PyTorch's scan: the last NaN wins
        best = v if c else best
        besti = t if c else besti
    out[p] = best
    idx[p] = besti


def _make_plane_max(loop):
    def plane_max(x, out, idx):
        """x: (P, L) non-empty planes; out[p] = the plane's maximum, idx[p] its first position (last NaN)."""
        for p in loop(x.shape[0]):
            _plane_max_row(x, out, idx, np.int64(p))
    return plane_max


plane_max = twin_kernels(_make_plane_max, _stand_ins.plane_max)


@njit(cache=True, error_model="numpy")
def _window_avg_plane(x, out, gy, gx, p, backward, ds, de, hs, he, ws, we):
    pd_ = p if ds.shape[0] > 1 else 0
    ph_ = p if hs.shape[0] > 1 else 0
    pw_ = p if ws.shape[0] > 1 else 0
    for od in range(ds.shape[1]):
        d0, d1 = ds[pd_, od], de[pd_, od]
        for oh in range(hs.shape[1]):
            h0, h1 = hs[ph_, oh], he[ph_, oh]
            for ow in range(ws.shape[1]):
                w0, w1 = ws[pw_, ow], we[pw_, ow]
                if backward:
                    g = gy[p, od, oh, ow] / ((d1 - d0) * (h1 - h0) * (w1 - w0))
                    for i in range(d0, d1):
                        for j in range(h0, h1):
                            for k in range(w0, w1):
                                gx[p, i, j, k] += g
                else:
                    acc = 0.0
                    for i in range(d0, d1):
                        for j in range(h0, h1):
                            for k in range(w0, w1):
                                acc += x[p, i, j, k]
                    out[p, od, oh, ow] = acc / ((d1 - d0) * (h1 - h0) * (w1 - w0))


def _make_window_avg(loop):
    def window_avg(x, out, gy, gx, backward, ds, de, hs, he, ws, we):
        """Forward: out = window means of x; backward: each gy spread evenly over its window of gx."""
        for p in loop(x.shape[0]):
            _window_avg_plane(x, out, gy, gx, np.int64(p), backward, ds, de, hs, he, ws, we)
    return window_avg


window_avg = twin_kernels(_make_window_avg, _stand_ins.window_avg)


@njit(cache=True, error_model="numpy")
def _plane_mean_row(x, out, wide, p):
    """out[p] = the mean of plane p, summed on a float64 copy in eight partial sums (``_row_sums.sum8``):
    ``_window_avg_plane``'s one running sum waits on every add."""
    n = x.shape[1]
    for j in range(n):
        wide[j] = x[p, j]
    out[p] = sum8(wide, n) / n


_PLANES_PER_ITEM = 16  # planes per parallel work item: one float64 scratch row each


def _make_plane_mean(loop):
    def plane_mean(x, out):
        """x: (P, L) non-empty planes; out[p] = the plane's mean: global average pooling of large inputs."""
        for c in loop((x.shape[0] + _PLANES_PER_ITEM - 1) // _PLANES_PER_ITEM):
            wide = np.empty(x.shape[1])
            for p in range(c * _PLANES_PER_ITEM, min(x.shape[0], (c + 1) * _PLANES_PER_ITEM)):
                _plane_mean_row(x, out, wide, np.int64(p))
    return plane_mean


plane_mean = twin_kernels(_make_plane_mean)


def _make_plane_spread(loop):
    def plane_spread(gy, gx):
        """gx[p, :] = gy[p] / L: global average pooling's backward, with ``window_avg``'s bits (the quotient in
        float64, rounded once into gx) but for -0.0, which stays -0.0 as in PyTorch (0 + -0.0 there gave +0.0)."""
        n = gx.shape[1]
        for p in loop(gx.shape[0]):
            g = gy[p] / n
            for j in range(n):
                gx[p, j] = g
    return plane_spread


plane_spread = twin_kernels(_make_plane_spread)
