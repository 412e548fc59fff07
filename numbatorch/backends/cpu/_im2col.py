"""im2col / col2im kernels on 3-d spatial arrays (1-d and 2-d use leading unit dims).

Layout shared by every convolution kernel here:
  xp   : padded input, shape (N, C, Dp, Hp, Wp), C-contiguous
  col  : (C * kd * kh * kw, nb * nr * oW); row = ((c * kd + a) * kh + b) * kw + e,
         column = n_local * (nr * oW) + (r - r0) * oW + ow, where an output "row"
         r = od * oH + oh.  A tile covers samples [n0, n0 + nb) and rows [r0, r0 + nr).
The row order matches a weight of shape (Cout, C/groups, kd, kh, kw) reshaped to
(groups, Cout/groups, K), so a convolution tile is one batched GEMM.

``im2col_transfer`` runs im2col (to_col=True) or col2im (to_col=False: col's rows added
back into xp).  The serial variants release the GIL: convolutions run them on several Python threads
at once (see _conv_threads.py); the parallel ones serve unfold/fold.
"""
from numba import njit, uint64

from . import _stand_ins
from ._parallel import twin_kernels
from ._tiered import Tiered

# The kernels work on flat views with unsigned offsets: numba then emits no negative-index
# wraparound checks and the short row copies (oW elements) vectorise; measured 2.5-3.5x
# faster than slice assignment per row.  Callers pass C-contiguous xp/gxp/col.


@njit(cache=True, nogil=True, error_model="numpy")
def _im2col_item(xp, col, n0, nl, c, r0, nr, kd, kh, kw, sd, sh, sw, dd, dh, dw, oH, oW, to_col):
    """Copy sample n0+nl, channel c between xp and its kd*kh*kw rows of col: into col when
    to_col, else add the rows back into xp (col2im)."""
    _, C, Dp, Hp, Wp = xp.shape
    xf = xp.reshape(-1)
    cf = col.reshape(-1)
    plane = ((n0 + nl) * C + c) * Dp * Hp * Wp
    row = c * kd * kh * kw
    # the output row r = od * oH + oh advances by counters: a division per row (two per
    # few-element copy) took most of the time on small outputs
    od0 = r0 // oH
    oh0 = r0 - od0 * oH
    for a in range(kd):
        for b in range(kh):
            for e in range(kw):
                d = uint64(row * col.shape[1] + nl * nr * oW)
                od = od0
                oh = oh0
                for t in range(nr):
                    src = uint64(plane + ((od * sd + a * dd) * Hp + oh * sh + b * dh) * Wp + e * dw)
                    if to_col:
                        if sw == 1:
                            for ow in range(oW):
                                cf[d + uint64(ow)] = xf[src + uint64(ow)]
                        else:
                            for ow in range(oW):
                                cf[d + uint64(ow)] = xf[src + uint64(ow * sw)]
                    else:
                        if sw == 1:
                            for ow in range(oW):
                                xf[src + uint64(ow)] += cf[d + uint64(ow)]
                        else:
                            for ow in range(oW):
                                xf[src + uint64(ow * sw)] += cf[d + uint64(ow)]
                    d += uint64(oW)
                    oh += 1
                    if oh == oH:
                        oh = 0
                        od += 1
                row += 1


def _make_im2col_transfer(loop):
    def im2col_transfer(xp, col, n0, nb, r0, nr, kd, kh, kw, sd, sh, sw, dd, dh, dw, oH, oW, to_col):
        # each (sample, channel) item touches only its own plane of xp and its own rows of
        # col: no races in either direction
        C = xp.shape[1]
        for item in loop(nb * C):
            _im2col_item(xp, col, n0, item // C, item % C, r0, nr,
                         kd, kh, kw, sd, sh, sw, dd, dh, dw, oH, oW, to_col)
    return im2col_transfer


# One kernel for both directions, the flag a run-time argument: a literal True/False passed
# to _im2col_item compiled it (and a wrapper around it) once per value, about half of a
# cold cifar2 step's compile time; the branch sits outside the row copies, so it costs no speed.
im2col_transfer = twin_kernels(_make_im2col_transfer, _stand_ins.im2col_transfer)


@njit(cache=True, nogil=True, error_model="numpy")
def row_shifts_transfer(xp, col, n0, nb, h0, nh, kw, oW, to_col):
    """The kw shifted copies of input rows [h0, h0 + nh) of samples [n0, n0 + nb), for the row-offset
    convolution (``_conv_rows.py``): col (C * kw, nh * nb * oW) holds at row c * kw + e, column
    (h * nb + n) * oW + ow the element xp[n0 + n, c, 0, h0 + h, ow + e].  With to_col False col's rows
    are added back into xp instead.  Runs on the calling thread without the GIL."""
    _, C, _, Hp, Wp = xp.shape
    xf = xp.reshape(-1)
    cf = col.reshape(-1)
    width = uint64(col.shape[1])
    for n in range(nb):
        for c in range(C):
            plane = uint64(((n0 + n) * C + c) * Hp * Wp)
            for e in range(kw):
                row = uint64(c * kw + e) * width
                for h in range(nh):
                    src = plane + uint64((h0 + h) * Wp + e)
                    d = row + uint64((h * nb + n) * oW)
                    if to_col:
                        for ow in range(oW):
                            cf[d + uint64(ow)] = xf[src + uint64(ow)]
                    else:
                        for ow in range(oW):
                            xf[src + uint64(ow)] += cf[d + uint64(ow)]


# a numpy stand-in runs while the build is not cached (see _tiered.py): 0.3 s of a cold cifar2 step's compile
row_shifts_transfer = Tiered(row_shifts_transfer, _stand_ins.row_shifts_transfer)
