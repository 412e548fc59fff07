"""numba.cuda pooling kernels on (P, D, H, W) planes (P = N*C; 1-d/2-d pools use unit leading dims).

One thread per output element (forward) or per input element (avg backward, a gather: no atomics), in
grid-stride loops. Indices are flat offsets into one input plane (d*H*W + h*W + w), as PyTorch returns them.
Max-pool backward scatters by index, so it adds atomically (windows may overlap).
"""
import math

from numba import cuda


@cuda.jit
def maxpool(x, out, idx, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw):
    P, D, H, W = x.shape
    oD, oH, oW = out.shape[1], out.shape[2], out.shape[3]
    for t in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        ow = t % oW
        oh = (t // oW) % oH
        od = (t // (oW * oH)) % oD
        p = t // (oW * oH * oD)
        best = -math.inf
        besti = -1
        for a in range(kd):
            i = od * sd - pd + a * dd
            if i < 0 or i >= D:
                continue
            for b in range(kh):
                j = oh * sh - ph + b * dh
                if j < 0 or j >= H:
                    continue
                for e in range(kw):
                    k = ow * sw - pw + e * dw
                    if k < 0 or k >= W:
                        continue
                    v = x[p, i, j, k]
                    # PyTorch's scan: a NaN wins, so the window's last NaN stays
                    if besti < 0 or v > best or v != v:
                        best = v
                        besti = (i * H + j) * W + k
        out[p, od, oh, ow] = best
        idx[p, od, oh, ow] = besti


@cuda.jit
def scatter_add(gy, idx, gx):
    """gx[p, idx[p, t]] += gy[p, t]; gy/idx: (P, L), gx: (P, M)."""
    L = gy.shape[1]
    for t in range(cuda.grid(1), gy.size, cuda.gridsize(1)):
        p = t // L
        q = t % L
        cuda.atomic.add(gx, (p, idx[p, q]), gy[p, q])


@cuda.jit(device=True)
def _avg_bounds(o, s, p, k, size):
    start = o * s - p
    end = min(start + k, size + p)
    return max(start, 0), min(end, size), end - start


@cuda.jit(device=True)
def _avg_divisor(od, oh, ow, D, H, W, kd, kh, kw, sd, sh, sw, pd, ph, pw, count_include_pad, divisor):
    if divisor > 0:
        return divisor
    d0, d1, sd_ = _avg_bounds(od, sd, pd, kd, D)
    h0, h1, sh_ = _avg_bounds(oh, sh, ph, kh, H)
    w0, w1, sw_ = _avg_bounds(ow, sw, pw, kw, W)
    if count_include_pad:
        return sd_ * sh_ * sw_
    return (d1 - d0) * (h1 - h0) * (w1 - w0)


@cuda.jit
def avgpool_forward(x, out, kd, kh, kw, sd, sh, sw, pd, ph, pw, count_include_pad, divisor):
    D, H, W = x.shape[1], x.shape[2], x.shape[3]
    oD, oH, oW = out.shape[1], out.shape[2], out.shape[3]
    for t in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        ow = t % oW
        oh = (t // oW) % oH
        od = (t // (oW * oH)) % oD
        p = t // (oW * oH * oD)
        d0, d1, _ = _avg_bounds(od, sd, pd, kd, D)
        h0, h1, _ = _avg_bounds(oh, sh, ph, kh, H)
        w0, w1, _ = _avg_bounds(ow, sw, pw, kw, W)
        acc = 0.0
        for i in range(d0, d1):
            for j in range(h0, h1):
                for k in range(w0, w1):
                    acc += x[p, i, j, k]
        out[p, od, oh, ow] = acc / _avg_divisor(od, oh, ow, D, H, W, kd, kh, kw, sd, sh, sw, pd, ph, pw,
                                                count_include_pad, divisor)


@cuda.jit(device=True)
def _covering(i, s, p, k, size, osize):
    """Output positions [lo, hi) whose window (start o*s - p, length k) may contain input position i."""
    lo = i + p - k + 1
    lo = max(0, -(-lo // s)) if lo > 0 else 0
    hi = min(osize, (i + p) // s + 1)
    return lo, hi


@cuda.jit
def avgpool_backward(gy, gx, kd, kh, kw, sd, sh, sw, pd, ph, pw, count_include_pad, divisor):
    """gx[p, i, j, k] = sum of gy / divisor over the windows holding (i, j, k): a gather."""
    D, H, W = gx.shape[1], gx.shape[2], gx.shape[3]
    oD, oH, oW = gy.shape[1], gy.shape[2], gy.shape[3]
    for t in range(cuda.grid(1), gx.size, cuda.gridsize(1)):
        k = t % W
        j = (t // W) % H
        i = (t // (W * H)) % D
        p = t // (W * H * D)
        d_lo, d_hi = _covering(i, sd, pd, kd, D, oD)
        h_lo, h_hi = _covering(j, sh, ph, kh, H, oH)
        w_lo, w_hi = _covering(k, sw, pw, kw, W, oW)
        acc = 0.0
        for od in range(d_lo, d_hi):
            d0, d1, _ = _avg_bounds(od, sd, pd, kd, D)
            if i < d0 or i >= d1:
                continue
            for oh in range(h_lo, h_hi):
                h0, h1, _ = _avg_bounds(oh, sh, ph, kh, H)
                if j < h0 or j >= h1:
                    continue
                for ow in range(w_lo, w_hi):
                    w0, w1, _ = _avg_bounds(ow, sw, pw, kw, W)
                    if k < w0 or k >= w1:
                        continue
                    acc += gy[p, od, oh, ow] / _avg_divisor(od, oh, ow, D, H, W, kd, kh, kw, sd, sh, sw,
                                                            pd, ph, pw, count_include_pad, divisor)
        gx[p, i, j, k] = acc


# ------------------------------------------------------------------ adaptive windows
# Window [start, end) of output position o along a dim: start = floor(o*in/out), end = ceil((o+1)*in/out).

@cuda.jit(device=True)
def _win(o, size, osize):
    return (o * size) // osize, -((-(o + 1) * size) // osize)


@cuda.jit
def adaptive_forward(x, out, idx, is_max):
    """Adaptive max (with indices) or average pool of x (P, D, H, W) into out (P, oD, oH, oW)."""
    D, H, W = x.shape[1], x.shape[2], x.shape[3]
    oD, oH, oW = out.shape[1], out.shape[2], out.shape[3]
    for t in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        ow = t % oW
        oh = (t // oW) % oH
        od = (t // (oW * oH)) % oD
        p = t // (oW * oH * oD)
        d0, d1 = _win(od, D, oD)
        h0, h1 = _win(oh, H, oH)
        w0, w1 = _win(ow, W, oW)
        if is_max:
            # windows are never empty: start from the first element; PyTorch's scan: last NaN wins
            best = x[p, d0, h0, w0]
            besti = (d0 * H + h0) * W + w0
            for i in range(d0, d1):
                for j in range(h0, h1):
                    for k in range(w0, w1):
                        v = x[p, i, j, k]
                        if v > best or v != v:
                            best = v
                            besti = (i * H + j) * W + k
            out[p, od, oh, ow] = best
            idx[p, od, oh, ow] = besti
        else:
            acc = 0.0
            for i in range(d0, d1):
                for j in range(h0, h1):
                    for k in range(w0, w1):
                        acc += x[p, i, j, k]
            out[p, od, oh, ow] = acc / ((d1 - d0) * (h1 - h0) * (w1 - w0))


@cuda.jit(device=True)
def _covering_adaptive(i, size, osize):
    """Output positions [lo, hi) whose adaptive window contains input position i."""
    return (i * osize) // size, -((-(i + 1) * osize) // size)


@cuda.jit
def adaptive_avg_backward(gy, gx):
    """Gather: each input element sums gy / window size over the adaptive windows holding it."""
    D, H, W = gx.shape[1], gx.shape[2], gx.shape[3]
    oD, oH, oW = gy.shape[1], gy.shape[2], gy.shape[3]
    for t in range(cuda.grid(1), gx.size, cuda.gridsize(1)):
        k = t % W
        j = (t // W) % H
        i = (t // (W * H)) % D
        p = t // (W * H * D)
        d_lo, d_hi = _covering_adaptive(i, D, oD)
        h_lo, h_hi = _covering_adaptive(j, H, oH)
        w_lo, w_hi = _covering_adaptive(k, W, oW)
        acc = 0.0
        for od in range(d_lo, d_hi):
            d0, d1 = _win(od, D, oD)
            for oh in range(h_lo, h_hi):
                h0, h1 = _win(oh, H, oH)
                for ow in range(w_lo, w_hi):
                    w0, w1 = _win(ow, W, oW)
                    if d0 <= i < d1 and h0 <= j < h1 and w0 <= k < w1:
                        acc += gy[p, od, oh, ow] / ((d1 - d0) * (h1 - h0) * (w1 - w0))
        gx[p, i, j, k] = acc
