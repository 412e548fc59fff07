"""Row-offset convolution: im2col over the kernel's width only, one GEMM per kernel row.

A stride-1 2-d convolution sums, over kernel rows a, the product of W[:, :, a, :] (Cout x C*kw) with the
input rows shifted down by a. Copying each input row kw times, shifted by 0..kw-1 columns, into a buffer
whose columns run (input row, sample, output column), the input of kernel row a is a contiguous window of
that buffer's columns, starting a * (samples * oW) in: kh GEMMs on strided windows, added up by BLAS
(beta = 1, ``_cblas.gemm``), replace a full im2col that copies every element kh * kw times. For cifar2's
5x5 conv2 (32 channels, 15x15) the copy is 3.7x smaller, and the products of the forward and both gradients
run as fast at depth C * kw = 160 as im2col's at 800. The input gradient is the same in reverse: kh GEMMs
added into the shifted-rows buffer, whose kw shifts are then added back (``row_shifts_transfer``).

Buffers and tiles are the caller's (``conv.py``): a tile is (first sample, samples, first output row,
output rows); its buffer holds C * kw rows of (output rows + kh - 1) * samples * oW columns.
"""
import numpy as np

from . import _cblas
from ._conv_rows_kernels import rows_from_weight, weight_from_row_grads
from ._im2col import row_shifts_transfer

# Depth C * kw from which the row GEMMs run as fast as im2col's (C * kh * kw) ones; shallower products
# (cifar2's conv1: 3 channels, depth 9) ran far below BLAS's rate, and im2col's copies are small there.
MIN_DEPTH = 64


def applies(x_shape, w_shape, stride3, pad3, dil3, groups, dtype):
    """Whether a convolution can take this path: 1-d or 2-d, stride 1, no dilation, no groups."""
    N, C, D = x_shape[:3]
    kd, kh, kw = w_shape[2:]
    return (D == 1 and kd == 1 and pad3[0] == 0 and groups == 1 and tuple(stride3[1:]) == (1, 1)
            and tuple(dil3[1:]) == (1, 1) and C * kw >= MIN_DEPTH and dtype in (np.float32, np.float64)
            and _cblas.available())


def row_weights(w5):
    """The weight (Cout, C, 1, kh, kw) as kh matrices (Cout, C * kw): (kh, Cout, C * kw)."""
    Cout, C, _, kh, kw = w5.shape
    w_rows = np.empty((kh, Cout, C, kw), dtype=w5.dtype)
    rows_from_weight(np.ascontiguousarray(w5).reshape(Cout, C, kh, kw), w_rows)
    return w_rows.reshape(kh, Cout, C * kw)


def weight_from_rows(gw_rows, w_shape):
    """A weight gradient accumulated as (kh, C * kw, Cout), in w_shape (Cout, C, 1, kh, kw)."""
    Cout, C, _, kh, kw = w_shape
    gw = np.empty((Cout, C, kh, kw), dtype=gw_rows.dtype)
    weight_from_row_grads(np.ascontiguousarray(gw_rows).reshape(kh, C, kw, Cout), gw)
    return gw.reshape(w_shape)


def col_size(C, kh, kw, oW, tiles):
    """Elements of the largest tile's shifted-rows buffer."""
    return C * kw * max((nb * (nr + kh - 1) for _, nb, _, nr in tiles), default=0) * oW


def forward_tile(xp, xn, w_rows, bias, out4, col_buf, res_buf, tile):
    """out4[n0:n0+nb, :, r0:r0+nr] of one tile; xp (padded input) holds sample n0 at index xn."""
    n0, nb, r0, nr = tile
    kh, Cout, depth = w_rows.shape
    oW = out4.shape[3]
    span = nb * oW
    nh = nr + kh - 1
    col = col_buf[:depth * nh * span].reshape(depth, nh * span)
    row_shifts_transfer(xp, col, xn, nb, r0, nh, depth // xp.shape[1], oW, True)
    if nb == 1:   # (Cout, nr * oW) is already a strided window of the output
        acc = out4[n0].reshape(Cout, out4.shape[2] * oW)[:, r0 * oW:(r0 + nr) * oW]
    else:
        acc = res_buf[:Cout * nr * span].reshape(Cout, nr * span)
    beta = 0.0
    if bias is not None:
        acc[...] = bias[:, None]
        beta = 1.0
    _cblas.gemm(w_rows[0], col[:, :nr * span], acc, beta, count=kh, steps=(Cout * depth, span, 0))
    if nb > 1:
        out4[n0:n0 + nb, :, r0:r0 + nr] = acc.reshape(Cout, nr, nb, oW).transpose(2, 0, 1, 3)


def backward_tile(gy4, xp, xn, gxp, gn, w_rows, gw_rows, col_buf, gy_buf, tile):
    """One tile's share of the gradients: gw_rows (kh, C * kw, Cout) += its weight gradient when given, and
    its input gradient added into gxp (sample n0 at index gn) when given.  gy_buf holds two copies of the
    tile's output gradient: BLAS ran each product fastest with its own layout (OpenBLAS, float32, cifar2's
    conv2: col @ gy.T with gy (L, Cout) contiguous 135-145 GFLOP/s, with gy (Cout, L) 115-125, gy @ col.T
    ~100; W.T @ gy 150-160 with gy (Cout, L), 130 with (L, Cout))."""
    n0, nb, r0, nr = tile
    kh, Cout, depth = w_rows.shape
    oW = gy4.shape[3]
    span = nb * oW
    nh = nr + kh - 1
    size = Cout * nr * span
    tile_gy = gy4[n0:n0 + nb, :, r0:r0 + nr]
    col = col_buf[:depth * nh * span].reshape(depth, nh * span)
    if gw_rows is not None:
        gy_rows = gy_buf[size:2 * size].reshape(nr * span, Cout)     # (output row, sample, column) x Cout
        gy_rows.reshape(nr, nb, oW, Cout)[...] = tile_gy.transpose(2, 0, 3, 1)
        row_shifts_transfer(xp, col, xn, nb, r0, nh, depth // xp.shape[1], oW, True)
        _cblas.gemm(col[:, :nr * span], gy_rows, gw_rows[0], 1.0, count=kh, steps=(span, 0, depth * Cout))
    if gxp is not None:
        if nb == 1:
            gyt = gy4[n0].reshape(Cout, gy4.shape[2] * oW)[:, r0 * oW:(r0 + nr) * oW]
        else:
            gyt = gy_buf[:size].reshape(Cout, nr * span)
            gyt.reshape(Cout, nr, nb, oW)[...] = tile_gy.transpose(1, 2, 0, 3)
        col[:, nr * span:] = 0    # the rows kernel row 0 does not reach; its product sets the others
        _cblas.gemm(w_rows[0], gyt, col[:, :nr * span], 0.0, trans_a=True, count=kh, steps=(Cout * depth, 0, span))
        row_shifts_transfer(gxp, col, gn, nb, r0, nh, depth // gxp.shape[1], oW, False)
