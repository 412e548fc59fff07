"""Convolution (1-d/2-d/3-d, grouped, dilated, strided) and transposed convolution
on raw numpy arrays: forward and backward (unfold/fold: ``fold.py``).

Strategy: im2col of a tile (several samples, or a band of output rows of one sample)
into a cache-sized buffer with a Numba kernel, then one batched BLAS GEMM per tile
through numpy (the tiles and their size: _conv_tiles.py).  Tiles are spread over a few
Python threads, each running the nogil im2col kernel and single-threaded BLAS (see
_conv_threads.py: mixing numba's threads with BLAS's own measured 5-10x slower on a busy
machine).  col2im scatters the input gradient back.  Everything runs on the 3-d kernels:
1-d and 2-d arrays get leading unit spatial dims.  Padding is applied by copying into a zero-bordered buffer so the kernels
need no bounds checks; the backward pads and crops one task's samples at a time in a
per-thread buffer (cache-hot, in parallel, no large first-touched buffers).  Stride-1 2-d
convolutions with C * kw >= 64 copy only kw shifts of each input row and run one GEMM per kernel
row on strided windows instead (_conv_rows.py): a 3-4x smaller copy for 5x5 kernels.
"""
import numpy as np

from ..._runtime import are_deterministic_algorithms_enabled
from ._conv_threads import OrderedSum, run_tasks
from . import _conv_tiles
from ._im2col import im2col_transfer
from . import _conv_rows
from .._transposed_conv import make_conv_transpose
from ._shape import to3d, as5d
from ._winograd import winograd_applies, winograd_conv2d, winograd_conv2d_backward

__all__ = [
    "conv_output_size", "conv_forward", "conv_backward", "conv_transpose_forward",
    "conv_transpose_backward", "transposed_output_size",
]


def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    """Output length of a convolution (or sliding-block count) along one dim."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _im2col_tile(xp, col, *args):
    """im2col on the calling thread (the serial build releases the GIL)."""
    im2col_transfer.serial(xp, col, *args, True)


def _col2im_tile(col, gxp, *args):
    """col2im on the calling thread."""
    im2col_transfer.serial(gxp, col, *args, False)


def _pad_into(dst, src, pad3):
    """Write src (nb, C, D, H, W) zero-padded by pad3 on both sides into dst (every element)."""
    pd, ph, pw = pad3
    D, H, W = src.shape[2:]
    dst.fill(0)
    dst[:, :, pd:pd + D, ph:ph + H, pw:pw + W] = src


def _pad5(x5, pad3, n_workers=1):
    """x5 zero-padded by pad3 (x5 itself, made contiguous, without padding); the copy is
    split over samples on the worker threads (numpy copies release the GIL)."""
    if not any(pad3):
        return np.ascontiguousarray(x5)
    N, C, D, H, W = x5.shape
    pd, ph, pw = pad3
    xp = np.empty((N, C, D + 2 * pd, H + 2 * ph, W + 2 * pw), dtype=x5.dtype)
    step = max(1, -(-N // (_conv_tiles.TILES_PER_WORKER * n_workers)))

    def pad_chunk(_, i):
        n0 = i * step
        _pad_into(xp[n0:n0 + step], x5[n0:n0 + step], pad3)
    run_tasks(pad_chunk, -(-N // step), lambda: None, n_workers, single_threaded_blas=False)
    return xp


def _is_pointwise(kvol, stride3, pad3):
    """1x1(x1) kernel, stride 1, no padding: the input itself is the im2col matrix."""
    return kvol == 1 and tuple(stride3) == (1, 1, 1) and not any(pad3)


def _pointwise_backward_tile(gy3, x5, gx5, w3, gwt, n0, nb, j0, T):
    """Backward of a pointwise conv on samples [n0, n0+nb), flat positions [j0, j0+T):
    two batched GEMMs straight on the input/gradient arrays (x5 or gx5 may be None).
    gwt accumulates the weight gradient transposed, (G, K, Cog)."""
    N, Cout, L = gy3.shape
    G, Cog, K = w3.shape
    cols = slice(j0, j0 + T)
    gyr = gy3[n0:n0 + nb, :, cols].reshape(nb, G, Cog, T)
    if gwt is not None:
        xr = x5.reshape(N, G, K, L)[n0:n0 + nb, :, :, cols]
        gwt += np.matmul(xr, gyr.transpose(0, 1, 3, 2)).sum(axis=0)
    if gx5 is not None:
        np.matmul(w3.transpose(0, 2, 1), gyr, out=gx5.reshape(N, G, K, L)[n0:n0 + nb, :, :, cols])


def _shallow_backward_tile(gy3, xp, xn0, gxp, gn0, col, w3, gwt, n0, nb, geom, gb=None):
    """Backward of whole samples [n0, n0+nb) when a sample's col block is at least as wide
    as it is deep (few input channels): GEMMs per sample on strided views of col and
    gy3, instead of copying gy into col's sample-major layout (as large as col here).
    Sample n0 sits at index xn0 of xp and gn0 of gxp.  With gb (nb, Cout) (one group only) col
    has one more row, set to ones: each sample's weight-gradient GEMM then also sums its output
    gradient, the sample's bias gradient, written to gb (a numpy sum of gy was one more pass
    over it, 0.28 ms of cifar2 conv1's backward at one thread)."""
    N, Cout, L = gy3.shape
    G, Cog, K = w3.shape
    oW = geom[-1]
    gy_b = gy3[n0:n0 + nb].reshape(nb, G, Cog, L)
    if gwt is not None:
        _im2col_tile(xp, col, xn0, nb, 0, L // oW, *geom)
        if gb is not None:
            col[K] = 1
        depth = col.shape[0] // G
        per_sample = np.matmul(col.reshape(G, depth, nb, L).transpose(2, 0, 1, 3), gy_b.transpose(0, 1, 3, 2))
        gwt += per_sample[:, :, :K].sum(axis=0)
        if gb is not None:
            gb[...] = per_sample[:, 0, K]
    if gxp is not None:
        col_b = col[:G * K].reshape(G, K, nb, L).transpose(2, 0, 1, 3)    # (nb, G, K, L) view of col
        np.matmul(w3.transpose(0, 2, 1), gy_b, out=col_b)
        _col2im_tile(col, gxp, gn0, nb, 0, L // oW, *geom)


def _conv5_forward(x5, w5, stride3, pad3, dil3, groups, bias=None):
    """Convolution of (N, C, D, H, W) by (Cout, C/g, kd, kh, kw), plus bias (Cout,) when given;
    returns (N, Cout, oD, oH, oW)."""
    N, C = x5.shape[:2]
    Cout = w5.shape[0]
    kd, kh, kw = w5.shape[2:]
    oD, oH, oW = (conv_output_size(x5.shape[2 + i], w5.shape[2 + i], stride3[i], pad3[i], dil3[i])
                  for i in range(3))
    G = groups
    Cog = Cout // G
    kvol = kd * kh * kw
    K = (C // G) * kvol
    w3 = np.ascontiguousarray(w5).reshape(G, Cog, K)
    R, L = oD * oH, oD * oH * oW
    out = np.empty((N, Cout, L), dtype=x5.dtype)
    geom = (kd, kh, kw) + tuple(stride3) + tuple(dil3) + (oH, oW)
    n_workers, limit_blas = _conv_tiles.workers(C * kvol * N * L)
    xp = _pad5(x5, pad3, n_workers)
    direct = _is_pointwise(kvol, stride3, pad3)
    rows, tiles, longest, buf_size, w_rows = _conv_tiles.plan(x5.shape, w5, stride3, pad3, dil3, groups,
                                                              x5.dtype, direct, R, oW, n_workers)
    transposed = _transposed_gemm_pays(Cog, K)
    # on the im2col path the bias rides in the GEMM as one more depth row (ones under col, the bias as the
    # weight's last column): adding it to the output afterwards was one more pass over the output (0.38 ms of
    # cifar2 conv1's 1.47 ms forward at one thread)
    fuse_bias = bias is not None and G == 1 and not (direct or rows)
    depth = K + 1 if fuse_bias else K
    w_col = np.concatenate([w3, bias.astype(w3.dtype).reshape(1, Cout, 1)], axis=2) if fuse_bias else w3
    bias3 = None if bias is None or fuse_bias else bias.reshape(1, Cout, 1)

    def make_state():
        return (np.empty(buf_size + (longest if fuse_bias else 0), dtype=x5.dtype),
                np.empty((G, longest, Cog), dtype=x5.dtype) if (transposed or rows) and not direct else None)

    def run_tile(state, i):
        buf, out_t = state
        if rows:
            _conv_rows.forward_tile(xp, tiles[i][0], w_rows, bias, out.reshape(N, Cout, oH, oW), buf,
                                    out_t.reshape(-1), tiles[i])
            return
        n0, nb, r0, nr = tiles[i]
        T = nr * oW
        cols = slice(r0 * oW, r0 * oW + T)
        if direct:   # the input already is the col matrix
            np.matmul(w3, xp.reshape(N, G, K, L)[n0:n0 + nb, :, :, cols],
                      out=out.reshape(N, G, Cog, L)[n0:n0 + nb, :, :, cols])
        else:
            col = buf[:G * depth * nb * T].reshape(G * depth, nb * T)
            _im2col_tile(xp, col, n0, nb, r0, nr, *geom)
            if fuse_bias:
                col[K] = 1
            col3 = col.reshape(G, depth, nb * T)
            if nb == 1 and transposed:
                res = out_t[:, :T]
                np.matmul(col3.transpose(0, 2, 1), w_col.transpose(0, 2, 1), out=res)
                out[n0].reshape(G, Cog, L)[:, :, cols] = res.transpose(0, 2, 1)
            elif nb == 1:
                np.matmul(w_col, col3, out=out[n0].reshape(G, Cog, L)[:, :, cols])
            elif T >= K:
                # shallow GEMM (few input channels): its result is as large as col, so one GEMM
                # per sample straight into out beats one wide GEMM plus a transposing copy
                col_b = col.reshape(G, depth, nb, T).transpose(2, 0, 1, 3)
                np.matmul(w_col, col_b, out=out.reshape(N, G, Cog, L)[n0:n0 + nb, :, :, cols])
            else:
                res = np.matmul(w_col, col3).reshape(Cout, nb, T)
                out[n0:n0 + nb, :, cols] = res.transpose(1, 0, 2)
        if bias3 is not None:   # while the tile is in cache, and on the worker threads
            out[n0:n0 + nb, :, cols] += bias3

    run_tasks(run_tile, len(tiles), make_state, n_workers, limit_blas)
    return out.reshape(N, Cout, oD, oH, oW)


def _transposed_gemm_pays(rows, depth):
    """Whether a tile's (rows x depth) @ (depth x T) product runs faster as its transpose (then copied
    back).  Measured with OpenBLAS's SkylakeX kernels, T 900-2800: 32 x 288 products ran 1.15-1.3x faster
    transposed; from 64 rows, with depth 576 or with a shallow depth (27) the direct product was as fast
    or faster."""
    return rows <= 32 and 128 <= depth <= 384


def _conv5_backward(gy5, x5, x_shape, w5, stride3, pad3, dil3, groups, need_gx, need_gw, gb_per_sample=None):
    """Input and weight gradients of _conv5_forward.  x5 may be None when need_gw is False;
    x_shape is the (unpadded) input shape.  When gb_per_sample (N, Cout) is given, each task also
    writes its samples' output-gradient sums there (the bias gradient's per-sample parts), on the
    worker threads while gy is in cache: a serial numpy sum over the whole gradient after the tasks
    measured 2.5 ms of cifar2's 37-54 ms step.

    Each task (whole samples) pads its input samples into, and crops its input gradient
    out of, small per-thread buffers: no padded copy of the batch, no zeroed batch-sized
    gradient buffer to first-touch, and the copies run in parallel on cache-hot data.
    The weight gradient is accumulated transposed, (G, K, Cog) += col @ gy.T: BLAS ran
    that orientation 25-35% faster than gy @ col.T for these shapes (long inner dim)."""
    N, C, D, H, W = x_shape
    Cout = w5.shape[0]
    kd, kh, kw = w5.shape[2:]
    oD, oH, oW = gy5.shape[2:]
    pd, ph, pw = pad3
    G = groups
    Cog = Cout // G
    kvol = kd * kh * kw
    K = (C // G) * kvol
    dtype = gy5.dtype
    w3 = np.ascontiguousarray(w5).reshape(G, Cog, K)
    w3t = w3.transpose(0, 2, 1)
    R, L = oD * oH, oD * oH * oW
    gy3 = np.ascontiguousarray(gy5).reshape(N, Cout, L)
    geom = (kd, kh, kw) + tuple(stride3) + tuple(dil3) + (oH, oW)
    # (a transposed conv's output_padding makes x larger than gy: then not pointwise)
    direct = _is_pointwise(kvol, stride3, pad3) and (oD, oH, oW) == (D, H, W)
    padded = any(pad3)
    x = np.ascontiguousarray(x5) if need_gw else None
    gx = np.empty((N, C, D, H, W), dtype=dtype) if need_gx else None
    n_workers, limit_blas = _conv_tiles.workers(C * kvol * N * L)
    # the weight gradient sums over tasks, so their split decides the rounding: under
    # use_deterministic_algorithms it is the one-thread split, the same bits for every thread count
    rows, tiles, longest, buf_size, w_rows = _conv_tiles.plan(
        x_shape, w5, stride3, pad3, dil3, groups, dtype, direct, R, oW,
        1 if are_deterministic_algorithms_enabled() else n_workers)
    gw_shape = (kh, C * kw, Cout) if rows else (G, K, Cog)
    gy4 = gy3.reshape(N, Cout, R, oW)
    # the row tiles of one sample overlap in gx: one task runs all of them, in order
    tasks = {}
    for tile in tiles:
        tasks.setdefault(tile[0], []).append(tile)
    tasks = list(tasks.values())
    pad_shape = (max((t[0][1] for t in tasks), default=0), C, D + 2 * pd, H + 2 * ph, W + 2 * pw)

    gw_sum = OrderedSum(len(tasks))
    # shallow tiles sum each sample's bias gradient in their weight-gradient GEMMs (_shallow_backward_tile)
    gb_in_gemm = gb_per_sample is not None and need_gw and G == 1 and not (rows or direct)

    def make_state():
        xbuf = np.empty(pad_shape, dtype=dtype) if need_gw and padded else None
        gbuf = np.empty(pad_shape, dtype=dtype) if need_gx and padded else None
        gy_buf = np.empty(2 * Cout * longest, dtype=dtype) if rows else None
        return np.empty(buf_size + (longest if gb_in_gemm else 0), dtype=dtype), xbuf, gbuf, gy_buf

    def run_task(state, i):
        buf, xbuf, gbuf, gy_buf = state
        gwt = np.zeros(gw_shape, dtype=dtype) if need_gw else None    # this task's part of the weight gradient
        n_first, n_count = tasks[i][0][:2]
        samples = slice(n_first, n_first + n_count)
        # where sample n_first sits in the arrays the kernels read and write
        xp, xn = (xbuf, 0) if xbuf is not None else (x, n_first)
        gxp, gn = (gbuf, 0) if gbuf is not None else (gx, n_first)
        if xbuf is not None:
            _pad_into(xbuf[:n_count], x[samples], pad3)
        if need_gx and not direct:
            gxp[gn:gn + n_count] = 0
        gb_done = False
        for n0, nb, r0, nr in tasks[i]:
            T = nr * oW
            if direct:
                _pointwise_backward_tile(gy3, x, gx, w3, gwt, n0, nb, r0 * oW, T)
                continue
            if rows:
                _conv_rows.backward_tile(gy4, xp, xn, gxp if need_gx else None, gn, w_rows, gwt, buf, gy_buf,
                                         (n0, nb, r0, nr))
                continue
            if nb > 1 and T >= K:
                gb = gb_per_sample[n0:n0 + nb] if gb_in_gemm else None
                depth = C * kvol + (gb is not None)
                _shallow_backward_tile(gy3, xp, xn, gxp if need_gx else None, gn,
                                       buf[:depth * nb * T].reshape(depth, nb * T), w3, gwt, n0, nb, geom, gb)
                gb_done = gb is not None
                continue
            col = buf[:C * kvol * nb * T].reshape(C * kvol, nb * T)
            if nb == 1:
                gyr = gy3[n0, :, r0 * oW:r0 * oW + T].reshape(G, Cog, T)
            else:
                gyr = np.ascontiguousarray(gy3[n0:n0 + nb].transpose(1, 0, 2)).reshape(G, Cog, nb * T)
            if need_gw:
                _im2col_tile(xp, col, xn, nb, r0, nr, *geom)
                gwt += np.matmul(col.reshape(G, K, nb * T), gyr.transpose(0, 2, 1))
            if need_gx:
                np.matmul(w3t, gyr, out=col.reshape(G, K, nb * T))
                _col2im_tile(col, gxp, gn, nb, r0, nr, *geom)
        if gbuf is not None:
            gx[samples] = gbuf[:n_count, :, pd:pd + D, ph:ph + H, pw:pw + W]
        if gb_per_sample is not None and not gb_done:
            gy3[samples].sum(axis=2, out=gb_per_sample[samples])
        if need_gw:
            gw_sum.add(i, gwt)

    run_tasks(run_task, len(tasks), make_state, n_workers, limit_blas)
    gw = None
    if need_gw:
        gwt = gw_sum.total if gw_sum.total is not None else np.zeros(gw_shape, dtype=dtype)   # no samples
        if rows:
            gw = _conv_rows.weight_from_rows(gwt, w5.shape)
        else:
            gw = np.ascontiguousarray(gwt.transpose(0, 2, 1)).reshape(w5.shape)
    return gx, gw


# ----------------------------------------------------------------------------- convolution
# The entry points take what the family module (nn/functional/conv.py) checked and normalised: batched
# (N, C, *spatial) arrays of one float dtype and nd-tuples of ints.

def conv_forward(x, weight, bias, stride, padding, dilation, groups):
    """N-d convolution (N = weight.ndim - 2) of x (N, C, *spatial) by weight (C_out, C/groups, *kernel)."""
    if winograd_applies(x.shape, weight.shape, stride, padding, dilation, groups):
        y = winograd_conv2d(x, weight, bias, padding)
        if y is not None:    # None: not finite, which only the direct sum gives as PyTorch does
            return y
    nd = weight.ndim - 2
    y5 = _conv5_forward(as5d(x, nd), as5d(weight, nd), to3d(stride, 1), to3d(padding, 0),
                        to3d(dilation, 1), groups, bias)
    return y5.reshape(y5.shape[:2] + y5.shape[5 - nd:])


def conv_backward(grad_output, x, weight, stride, padding, dilation, groups, output_mask=(True, True, True)):
    """Gradients (grad_input, grad_weight, grad_bias) of conv_forward; entries not asked for
    in output_mask are None.  grad_bias is returned whether or not the forward had a bias."""
    nd = weight.ndim - 2
    gyb = grad_output.astype(x.dtype, copy=False)
    grads = gb = None
    if winograd_applies(x.shape, weight.shape, stride, padding, dilation, groups):
        grads = winograd_conv2d_backward(gyb, x, weight, padding, output_mask[0], output_mask[1], output_mask[2])
        if grads is not None:
            *grads, gb = grads
            if gb is None and output_mask[2]:
                gb = gyb.sum(axis=(0,) + tuple(range(2, gyb.ndim)))
    if grads is None:
        # per-sample sums, added over samples in order: the same bits for every thread count
        gb_per_sample = np.empty(gyb.shape[:2], dtype=gyb.dtype) if output_mask[2] else None
        grads = _conv5_backward(as5d(gyb, nd), as5d(x, nd), as5d(x, nd).shape, as5d(weight, nd),
                                to3d(stride, 1), to3d(padding, 0), to3d(dilation, 1), groups,
                                bool(output_mask[0]), bool(output_mask[1]), gb_per_sample)
        if output_mask[2]:
            gb = gb_per_sample.sum(axis=0)
    gx, gw = grads
    # reshaped only when needed: a view (even of the same shape) is not an array the engine may hand to .grad
    # without a copy (8 MB, ~1 ms a step for a 16x32x64x64 input)
    if gx is not None and gx.shape != x.shape:
        gx = gx.reshape(x.shape)
    if gw is not None and gw.shape != weight.shape:
        gw = gw.reshape(weight.shape)
    return gx, gw, gb


# ----------------------------------------------------------------------------- transposed

def _transposed_out_size(in_size, k, s, p, op, d):
    return (in_size - 1) * s - 2 * p + d * (k - 1) + op + 1


def transposed_output_size(in_sizes, weight, stride, padding, output_padding, dilation):
    """Spatial output sizes of a transposed convolution."""
    return tuple(_transposed_out_size(in_sizes[i], weight.shape[2 + i], stride[i], padding[i], output_padding[i],
                                      dilation[i]) for i in range(weight.ndim - 2))


conv_transpose_forward, conv_transpose_backward = make_conv_transpose(
    _conv5_forward, _conv5_backward, transposed_output_size, np)
