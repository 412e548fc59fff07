"""Convolution (1-d/2-d/3-d, grouped, dilated, strided) and transposed convolution on device arrays, forward
and backward (unfold/fold: ``fold.py``), with the names, arguments and results of ``backends.cpu.conv``.

Strategy: im2col of a chunk of samples with a kernel, then one batched GEMM of the array library per chunk;
the input gradient is a GEMM into col and a gathering col2im. Everything runs on the 3-d kernels: 1-d and 2-d
arrays get leading unit spatial dims.
"""
import numpy as np

from ..cpu.conv import conv_output_size, transposed_output_size
from .._transposed_conv import make_conv_transpose
from ..cpu._shape import as5d, to3d
from ._array import launch, read_only, xp
from ._im2col import col2im, im2col

__all__ = [
    "conv_output_size", "conv_forward", "conv_backward", "conv_transpose_forward",
    "conv_transpose_backward", "transposed_output_size",
]

# Bytes of one chunk's col buffer: bounds the device memory a convolution adds, while each chunk's GEMM is
# still large enough to fill the device.
COL_BYTES = 256 << 20


def _chunks(N, per_sample_bytes):
    nb = max(1, COL_BYTES // max(per_sample_bytes, 1))
    return [(n0, min(nb, N - n0)) for n0 in range(0, N, nb)]


def _geometry(w_shape, stride3, pad3, dil3):
    kd, kh, kw = w_shape[2:]
    return (kd, kh, kw) + tuple(stride3) + tuple(pad3) + tuple(dil3)


def _conv5_forward(x5, w5, stride3, pad3, dil3, groups):
    """Convolution of (N, C, D, H, W) by (Cout, C/g, kd, kh, kw); no bias; returns (N, Cout, oD, oH, oW)."""
    x5 = xp.ascontiguousarray(x5)
    N, C = x5.shape[:2]
    Cout = w5.shape[0]
    oD, oH, oW = (conv_output_size(x5.shape[2 + i], w5.shape[2 + i], stride3[i], pad3[i], dil3[i])
                  for i in range(3))
    G = groups
    K = (C // G) * int(np.prod(w5.shape[2:]))
    L = oD * oH * oW
    w3 = xp.ascontiguousarray(w5).reshape(G, Cout // G, K)
    out = xp.empty((N, G, Cout // G, L), dtype=x5.dtype)
    geom = _geometry(w5.shape, stride3, pad3, dil3) + (oH, oW)
    for n0, nb in _chunks(N, G * K * L * x5.dtype.itemsize):
        col = xp.empty((nb, G * K, L), dtype=x5.dtype)
        launch(im2col, col.size)(read_only(x5), col, n0, *geom)
        out[n0:n0 + nb] = xp.matmul(w3, col.reshape(nb, G, K, L))
    return out.reshape(N, Cout, oD, oH, oW)


def _conv5_backward(gy5, x5, x_shape, w5, stride3, pad3, dil3, groups, need_gx, need_gw):
    """Input and weight gradients of _conv5_forward.  x5 may be None when need_gw is False;
    x_shape is the input's (N, C, D, H, W) shape."""
    N, C = x_shape[:2]
    Cout = w5.shape[0]
    oH, oW = gy5.shape[3:]
    G = groups
    Cog = Cout // G
    K = (C // G) * int(np.prod(w5.shape[2:]))
    L = int(np.prod(gy5.shape[2:]))
    dtype = gy5.dtype
    w3 = xp.ascontiguousarray(w5).reshape(G, Cog, K)
    gy4 = xp.ascontiguousarray(gy5).reshape(N, G, Cog, L)
    x5 = xp.ascontiguousarray(x5) if need_gw else None
    geom = _geometry(w5.shape, stride3, pad3, dil3) + (oH, oW)
    gx = xp.empty(tuple(x_shape), dtype=dtype) if need_gx else None
    gw = xp.zeros((G, Cog, K), dtype=dtype) if need_gw else None
    for n0, nb in _chunks(N, G * K * L * dtype.itemsize):
        gyc = gy4[n0:n0 + nb]
        if need_gw:
            col = xp.empty((nb, G * K, L), dtype=dtype)
            launch(im2col, col.size)(read_only(x5), col, n0, *geom)
            gw += xp.matmul(gyc, xp.swapaxes(col.reshape(nb, G, K, L), -1, -2)).sum(axis=0)
        if need_gx:
            gcol = xp.ascontiguousarray(xp.matmul(xp.swapaxes(w3, -1, -2), gyc)).reshape(nb, G * K, L)
            launch(col2im, nb * int(np.prod(x_shape[1:])))(read_only(gcol), gx, n0, *geom)
    return gx, (gw.reshape(w5.shape) if need_gw else None)


def conv_forward(x, weight, bias, stride, padding, dilation, groups):
    """N-d convolution (N = weight.ndim - 2) of x (N, C, *spatial) by weight (C_out, C/groups, *kernel)."""
    nd = weight.ndim - 2
    y5 = _conv5_forward(as5d(x, nd), as5d(weight, nd), to3d(stride, 1), to3d(padding, 0),
                        to3d(dilation, 1), groups)
    y = y5.reshape(y5.shape[:2] + y5.shape[5 - nd:])
    if bias is not None:
        y += bias.reshape((-1,) + (1,) * nd)
    return y


def conv_backward(grad_output, x, weight, stride, padding, dilation, groups, output_mask=(True, True, True)):
    """Gradients (grad_input, grad_weight, grad_bias) of conv_forward; entries not asked for
    in output_mask are None.  grad_bias is returned whether or not the forward had a bias."""
    nd = weight.ndim - 2
    gyb = grad_output.astype(x.dtype, copy=False)
    gx, gw = _conv5_backward(as5d(gyb, nd), as5d(x, nd), as5d(x, nd).shape, as5d(weight, nd),
                             to3d(stride, 1), to3d(padding, 0), to3d(dilation, 1), groups,
                             bool(output_mask[0]), bool(output_mask[1]))
    if gx is not None:
        gx = gx.reshape(x.shape)
    if gw is not None:
        gw = gw.reshape(weight.shape)
    gb = gyb.sum(axis=(0,) + tuple(range(2, gyb.ndim))) if output_mask[2] else None
    return gx, gw, gb


conv_transpose_forward, conv_transpose_backward = make_conv_transpose(
    _conv5_forward, _conv5_backward, transposed_output_size, xp)
