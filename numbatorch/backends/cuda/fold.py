"""``F.unfold`` / ``F.fold`` on device arrays, with the names, arguments and results of ``backends.cpu.fold``: the
convolution's im2col and col2im kernels over the whole batch."""
from ..cpu._shape import as5d
from ..cpu.conv import conv_output_size
from ._array import launch, read_only, xp
from ._im2col import col2im, im2col

__all__ = ["unfold", "fold"]


def unfold(x, kernel_size, dilation, padding, stride):
    """Sliding blocks of x (N, C, H, W) as columns (N, C*kh*kw, L); pairs of ints, output size checked above."""
    k, d, p, s = kernel_size, dilation, padding, stride
    N, C, H, W = x.shape
    oH, oW = (conv_output_size((H, W)[i], k[i], s[i], p[i], d[i]) for i in range(2))
    col = xp.empty((N, C * k[0] * k[1], oH * oW), dtype=x.dtype)
    launch(im2col, col.size)(read_only(xp.ascontiguousarray(as5d(x, 2))), col, 0, 1, k[0], k[1], 1, s[0], s[1],
                             0, p[0], p[1], 1, d[0], d[1], oH, oW)
    return col


def fold(x, output_size, kernel_size, dilation, padding, stride):
    """Sum columns x (N, C*kh*kw, L) back into (N, C, *output_size), overlaps added; pairs of ints."""
    o, k, d, p, s = output_size, kernel_size, dilation, padding, stride
    N, CK, _ = x.shape
    oH, oW = (conv_output_size(o[i], k[i], s[i], p[i], d[i]) for i in range(2))
    gx = xp.empty((N, CK // (k[0] * k[1]), 1, o[0], o[1]), dtype=x.dtype)
    launch(col2im, gx.size)(read_only(xp.ascontiguousarray(x)), gx, 0, 1, k[0], k[1], 1, s[0], s[1],
                            0, p[0], p[1], 1, d[0], d[1], oH, oW)
    return gx.reshape(N, -1, o[0], o[1])
