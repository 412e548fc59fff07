"""im2col / col2im kernels on 3-d spatial arrays (1-d and 2-d use leading unit dims).

Layout shared by every convolution kernel here:
  xp   : padded input, shape (N, C, Dp, Hp, Wp), C-contiguous
  col  : (C * kd * kh * kw, nb * nr * oW); row = ((c * kd + a) * kh + b) * kw + e,
         column = n_local * (nr * oW) + (r - r0) * oW + ow, where an output "row"
         r = od * oH + oh.  A tile covers samples [n0, n0 + nb) and rows [r0, r0 + nr).
The row order matches a weight of shape (Cout, C/groups, kd, kh, kw) reshaped to
(groups, Cout/groups, K), so a convolution tile is one batched GEMM.

The serial variants release the GIL: convolutions run them on several Python threads
at once (see _conv_threads.py); the parallel ones serve unfold/fold.
"""
import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True, error_model="numpy")
def _im2col_plane(xp, col, n0, nl, c, r0, nr, kd, kh, kw, sd, sh, sw, dd, dh, dw, oH, oW):
    n = n0 + nl
    tile = nr * oW
    base = nl * tile
    for a in range(kd):
        for b in range(kh):
            for e in range(kw):
                row = ((c * kd + a) * kh + b) * kw + e
                iw0 = e * dw
                for t in range(nr):
                    r = r0 + t
                    idd = (r // oH) * sd + a * dd
                    ih = (r % oH) * sh + b * dh
                    j0 = base + t * oW
                    if sw == 1:
                        col[row, j0:j0 + oW] = xp[n, c, idd, ih, iw0:iw0 + oW]
                    else:
                        for ow in range(oW):
                            col[row, j0 + ow] = xp[n, c, idd, ih, iw0 + ow * sw]


@njit(cache=True, nogil=True, error_model="numpy")
def _col2im_plane(col, gxp, n0, nl, c, r0, nr, kd, kh, kw, sd, sh, sw, dd, dh, dw, oH, oW):
    n = n0 + nl
    tile = nr * oW
    base = nl * tile
    for a in range(kd):
        for b in range(kh):
            for e in range(kw):
                row = ((c * kd + a) * kh + b) * kw + e
                iw0 = e * dw
                for t in range(nr):
                    r = r0 + t
                    idd = (r // oH) * sd + a * dd
                    ih = (r % oH) * sh + b * dh
                    j0 = base + t * oW
                    if sw == 1:
                        gxp[n, c, idd, ih, iw0:iw0 + oW] += col[row, j0:j0 + oW]
                    else:
                        for ow in range(oW):
                            gxp[n, c, idd, ih, iw0 + ow * sw] += col[row, j0 + ow]


@njit(cache=True, nogil=True, error_model="numpy")
def im2col_serial(xp, col, n0, nb, r0, nr, kd, kh, kw, sd, sh, sw, dd, dh, dw, oH, oW):
    C = xp.shape[1]
    for item in range(nb * C):
        _im2col_plane(xp, col, n0, item // C, item % C, r0, nr,
                      kd, kh, kw, sd, sh, sw, dd, dh, dw, oH, oW)


@njit(parallel=True, cache=True, error_model="numpy")
def im2col_parallel(xp, col, n0, nb, r0, nr, kd, kh, kw, sd, sh, sw, dd, dh, dw, oH, oW):
    C = xp.shape[1]
    for item in prange(nb * C):
        _im2col_plane(xp, col, n0, item // C, item % C, r0, nr,
                      kd, kh, kw, sd, sh, sw, dd, dh, dw, oH, oW)


@njit(cache=True, nogil=True, error_model="numpy")
def col2im_serial(col, gxp, n0, nb, r0, nr, kd, kh, kw, sd, sh, sw, dd, dh, dw, oH, oW):
    C = gxp.shape[1]
    for item in range(nb * C):
        _col2im_plane(col, gxp, n0, item // C, item % C, r0, nr,
                      kd, kh, kw, sd, sh, sw, dd, dh, dw, oH, oW)


@njit(parallel=True, cache=True, error_model="numpy")
def col2im_parallel(col, gxp, n0, nb, r0, nr, kd, kh, kw, sd, sh, sw, dd, dh, dw, oH, oW):
    # each (sample, channel) item writes only its own plane of gxp: no races
    C = gxp.shape[1]
    for item in prange(nb * C):
        _col2im_plane(col, gxp, n0, item // C, item % C, r0, nr,
                      kd, kh, kw, sd, sh, sw, dd, dh, dw, oH, oW)
