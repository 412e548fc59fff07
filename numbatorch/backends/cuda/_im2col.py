"""numba.cuda im2col / col2im on 3-d spatial arrays (1-d and 2-d use leading unit dims).

  x   : input (N, C, D, H, W), unpadded: positions outside it read as zero (padding costs no copy)
  col : (nb, C * kd * kh * kw, oD * oH * oW) for samples [n0, n0 + nb); row = ((c * kd + a) * kh + b) * kw + e,
        column = (od * oH + oh) * oW + ow.
The row order matches a weight (Cout, C/groups, kd, kh, kw) reshaped to (groups, Cout/groups, K), so a
convolution is one batched GEMM per chunk of samples. im2col runs one thread per col element; col2im gathers,
one thread per input element summing the col entries that read it: no atomics.
"""
from numba import cuda


@cuda.jit
def im2col(x, col, n0, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, oH, oW):
    D, H, W = x.shape[2], x.shape[3], x.shape[4]
    rows, L = col.shape[1], col.shape[2]
    kvol = kd * kh * kw
    for t in range(cuda.grid(1), col.size, cuda.gridsize(1)):
        q = t % L
        row = (t // L) % rows
        n = t // (L * rows)
        c = row // kvol
        e = row % kw
        b = (row // kw) % kh
        a = (row // (kw * kh)) % kd
        ow = q % oW
        oh = (q // oW) % oH
        od = q // (oW * oH)
        i = od * sd - pd + a * dd
        j = oh * sh - ph + b * dh
        k = ow * sw - pw + e * dw
        if 0 <= i < D and 0 <= j < H and 0 <= k < W:
            col[n, row, q] = x[n0 + n, c, i, j, k]
        else:
            col[n, row, q] = 0


@cuda.jit(device=True)
def _tap(i, a, s, p, d, osize):
    """Output position whose kernel tap a reads input position i along one dim, or -1."""
    o = i + p - a * d
    if o < 0 or o % s != 0 or o // s >= osize:
        return -1
    return o // s


@cuda.jit
def col2im(col, gx, n0, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, oH, oW):
    """gx[n0 + n] = the sum of the col entries of sample n that read each input position (overwrites)."""
    C, D, H, W = gx.shape[1], gx.shape[2], gx.shape[3], gx.shape[4]
    nb, L = col.shape[0], col.shape[2]
    oD = L // (oH * oW)
    for t in range(cuda.grid(1), nb * C * D * H * W, cuda.gridsize(1)):
        k = t % W
        j = (t // W) % H
        i = (t // (W * H)) % D
        c = (t // (W * H * D)) % C
        n = t // (W * H * D * C)
        acc = 0.0
        for a in range(kd):
            od = _tap(i, a, sd, pd, dd, oD)
            if od < 0:
                continue
            for b in range(kh):
                oh = _tap(j, b, sh, ph, dh, oH)
                if oh < 0:
                    continue
                for e in range(kw):
                    ow = _tap(k, e, sw, pw, dw, oW)
                    if ow < 0:
                        continue
                    acc += col[n, ((c * kd + a) * kh + b) * kw + e, (od * oH + oh) * oW + ow]
        gx[n0 + n, c, i, j, k] = acc
