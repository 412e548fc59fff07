"""``F.unfold`` / ``F.fold`` on raw numpy arrays: sliding blocks as columns and back, the convolution's im2col and
col2im kernels over the whole batch."""
import numpy as np

from ._im2col import im2col_transfer
from ._parallel import choose
from ._shape import as5d
from .conv import conv_output_size

__all__ = ["unfold", "fold"]


def unfold(x, kernel_size, dilation, padding, stride):
    """Sliding blocks of x (N, C, H, W) as columns (N, C*kh*kw, L); pairs of ints, output size checked above."""
    k, d, p, s = kernel_size, dilation, padding, stride
    N, C, H, W = x.shape
    oH, oW = (conv_output_size((H, W)[i], k[i], s[i], p[i], d[i]) for i in range(2))
    xp = np.pad(as5d(x, 2), ((0, 0), (0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    col = np.empty((C * k[0] * k[1], N * oH * oW), dtype=x.dtype)
    choose(im2col_transfer, col.size)(xp, col, 0, N, 0, oH, 1, k[0], k[1], 1, s[0], s[1], 1, d[0], d[1], oH, oW,
                                      True)
    return np.ascontiguousarray(col.reshape(C * k[0] * k[1], N, oH * oW).transpose(1, 0, 2))


def fold(x, output_size, kernel_size, dilation, padding, stride):
    """Sum columns x (N, C*kh*kw, L) back into (N, C, *output_size), overlaps added; pairs of ints."""
    o, k, d, p, s = output_size, kernel_size, dilation, padding, stride
    N, CK, L = x.shape
    oH, oW = (conv_output_size(o[i], k[i], s[i], p[i], d[i]) for i in range(2))
    C = CK // (k[0] * k[1])
    col = np.ascontiguousarray(x.transpose(1, 0, 2)).reshape(CK, N * L)
    gxp = np.zeros((N, C, 1, o[0] + 2 * p[0], o[1] + 2 * p[1]), dtype=x.dtype)
    choose(im2col_transfer, col.size)(gxp, col, 0, N, 0, oH, 1, k[0], k[1], 1, s[0], s[1], 1, d[0], d[1], oH, oW,
                                      False)
    return np.ascontiguousarray(gxp[:, :, 0, p[0]:p[0] + o[0], p[1]:p[1] + o[1]])
