"""Pooling layers: max / unpool / average / LP pooling in 1-d, 2-d and 3-d; the adaptive and fractional ones (given
an output size) are in ``pooling_adaptive``, re-exported here as in PyTorch's ``nn.modules.pooling``."""
from ..functional import pooling as F
from .conv import _pair, _single, _triple
from .module import Module
from .pooling_adaptive import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveMaxPool1d,  # noqa: F401
                               AdaptiveMaxPool2d, AdaptiveMaxPool3d, FractionalMaxPool2d, FractionalMaxPool3d)


class _MaxPoolNd(Module):
    __constants__ = ["kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"]

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return ("kernel_size={kernel_size}, stride={stride}, padding={padding}, dilation={dilation}, "
                "ceil_mode={ceil_mode}".format(**self.__dict__))


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling over the last dimension of a batch of channels.

    Args:
        kernel_size: window size, an int or a 1-tuple.
        stride: window step. Default: ``kernel_size``.
        padding: implicit ``-inf`` padding added on both sides. Default: ``0``.
        dilation: spacing between window elements. Default: ``1``.
        return_indices: also return the flat index (within each plane) of every maximum, as ``MaxUnpool1d`` takes it.
            Default: ``False``.
        ceil_mode: round the output size up instead of down. Default: ``False``.

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``.
        - Output: ``(N, C, L_out)`` or ``(C, L_out)``, where per dimension
          ``out = floor((in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)``
          (``ceil`` with ``ceil_mode``).
    """

    def forward(self, input):
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling over the last 2 dimensions of a batch of channels.

    Args:
        kernel_size: window size, an int (same for height and width) or a pair.
        stride: window step. Default: ``kernel_size``.
        padding: implicit ``-inf`` padding added on both sides. Default: ``0``.
        dilation: spacing between window elements. Default: ``1``.
        return_indices: also return the flat index (within each plane) of every maximum, as ``MaxUnpool2d`` takes it.
            Default: ``False``.
        ceil_mode: round the output size up instead of down. Default: ``False``.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``.
        - Output: ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``, where per dimension
          ``out = floor((in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)``
          (``ceil`` with ``ceil_mode``).

    Examples::

        >>> m = nn.MaxPool2d(3, stride=2)
        >>> y = m(torch.randn(20, 16, 50, 32))  # (20, 16, 24, 15)
    """

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool3d(_MaxPoolNd):
    """3-D max pooling over the last 3 dimensions of a batch of channels.

    Args:
        kernel_size: window size, an int (same for all three) or a triple.
        stride: window step. Default: ``kernel_size``.
        padding: implicit ``-inf`` padding added on both sides. Default: ``0``.
        dilation: spacing between window elements. Default: ``1``.
        return_indices: also return the flat index (within each plane) of every maximum, as ``MaxUnpool3d`` takes it.
            Default: ``False``.
        ceil_mode: round the output size up instead of down. Default: ``False``.

    Shape:
        - Input: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)``.
        - Output: ``(N, C, D_out, H_out, W_out)`` or ``(C, D_out, H_out, W_out)``, where per dimension
          ``out = floor((in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)``
          (``ceil`` with ``ceil_mode``).
    """

    def forward(self, input):
        return F.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class _MaxUnpoolNd(Module):
    _tuple = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        t = type(self)._tuple
        self.kernel_size = t(kernel_size)
        self.stride = t(stride if stride is not None else kernel_size)
        self.padding = t(padding)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Partial inverse of ``MaxPool1d``: puts each value at the position its index names, zeros elsewhere.

    Args:
        kernel_size: the pooling window size, an int or a 1-tuple.
        stride: the pooling step. Default: ``kernel_size``.
        padding: the pooling padding. Default: ``0``.

    Call it as ``m(input, indices, output_size=None)`` with the indices ``MaxPool1d(return_indices=True)`` returned;
    ``output_size`` resolves the ambiguity when several input sizes pool to the same size.

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``; ``indices`` of the same shape.
        - Output: ``(N, C, L_out)`` or ``(C, L_out)``, where per dimension
          ``out = (in - 1) * stride - 2 * padding + kernel_size``, or ``output_size``.
    """

    _tuple = staticmethod(_single)

    def forward(self, input, indices, output_size=None):
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of ``MaxPool2d``: puts each value at the position its index names, zeros elsewhere.

    Args:
        kernel_size: the pooling window size, an int (same for height and width) or a pair.
        stride: the pooling step. Default: ``kernel_size``.
        padding: the pooling padding. Default: ``0``.

    Call it as ``m(input, indices, output_size=None)`` with the indices ``MaxPool2d(return_indices=True)`` returned;
    ``output_size`` resolves the ambiguity when several input sizes pool to the same size.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``; ``indices`` of the same shape.
        - Output: ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``, where per dimension
          ``out = (in - 1) * stride - 2 * padding + kernel_size``, or ``output_size``.
    """

    _tuple = staticmethod(_pair)

    def forward(self, input, indices, output_size=None):
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool3d(_MaxUnpoolNd):
    """Partial inverse of ``MaxPool3d``: puts each value at the position its index names, zeros elsewhere.

    Args:
        kernel_size: the pooling window size, an int (same for all three) or a triple.
        stride: the pooling step. Default: ``kernel_size``.
        padding: the pooling padding. Default: ``0``.

    Call it as ``m(input, indices, output_size=None)`` with the indices ``MaxPool3d(return_indices=True)`` returned;
    ``output_size`` resolves the ambiguity when several input sizes pool to the same size.

    Shape:
        - Input: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)``; ``indices`` of the same shape.
        - Output: ``(N, C, D_out, H_out, W_out)`` or ``(C, D_out, H_out, W_out)``, where per dimension
          ``out = (in - 1) * stride - 2 * padding + kernel_size``, or ``output_size``.
    """

    _tuple = staticmethod(_triple)

    def forward(self, input, indices, output_size=None):
        return F.max_unpool3d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class _AvgPoolNd(Module):
    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"]

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """1-D average pooling over the last dimension of a batch of channels.

    Args:
        kernel_size: window size, an int or a 1-tuple.
        stride: window step. Default: ``kernel_size``.
        padding: implicit zero padding added on both sides. Default: ``0``.
        ceil_mode: round the output size up instead of down. Default: ``False``.
        count_include_pad: count the zero padding in the divisor of each average. Default: ``True``.

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``.
        - Output: ``(N, C, L_out)`` or ``(C, L_out)``, where per dimension
          ``out = floor((in + 2 * padding - kernel_size) / stride + 1)`` (``ceil`` with ``ceil_mode``).
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class _AvgPool23d(_AvgPoolNd):
    __constants__ = _AvgPoolNd.__constants__ + ["divisor_override"]
    _pool = None

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return type(self)._pool(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                                self.count_include_pad, self.divisor_override)


class AvgPool2d(_AvgPool23d):
    """2-D average pooling over the last 2 dimensions of a batch of channels.

    Args:
        kernel_size: window size, an int (same for height and width) or a pair.
        stride: window step. Default: ``kernel_size``.
        padding: implicit zero padding added on both sides. Default: ``0``.
        ceil_mode: round the output size up instead of down. Default: ``False``.
        count_include_pad: count the zero padding in the divisor of each average. Default: ``True``.
        divisor_override: if given, divide every window sum by this instead of the window size. Default: ``None``.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``.
        - Output: ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``, where per dimension
          ``out = floor((in + 2 * padding - kernel_size) / stride + 1)`` (``ceil`` with ``ceil_mode``).
    """

    _pool = staticmethod(F.avg_pool2d)


class AvgPool3d(_AvgPool23d):
    """3-D average pooling over the last 3 dimensions of a batch of channels.

    Args:
        kernel_size: window size, an int (same for all three) or a triple.
        stride: window step. Default: ``kernel_size``.
        padding: implicit zero padding added on both sides. Default: ``0``.
        ceil_mode: round the output size up instead of down. Default: ``False``.
        count_include_pad: count the zero padding in the divisor of each average. Default: ``True``.
        divisor_override: if given, divide every window sum by this instead of the window size. Default: ``None``.

    Shape:
        - Input: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)``.
        - Output: ``(N, C, D_out, H_out, W_out)`` or ``(C, D_out, H_out, W_out)``, where per dimension
          ``out = floor((in + 2 * padding - kernel_size) / stride + 1)`` (``ceil`` with ``ceil_mode``).
    """

    _pool = staticmethod(F.avg_pool3d)


class _LPPoolNd(Module):
    __constants__ = ["norm_type", "kernel_size", "stride", "ceil_mode"]
    _pool = None

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return ("norm_type={norm_type}, kernel_size={kernel_size}, stride={stride}, "
                "ceil_mode={ceil_mode}".format(**self.__dict__))

    def forward(self, input):
        return type(self)._pool(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)


class LPPool1d(_LPPoolNd):
    """1-D power-average pooling: each window gives ``(sum x^p) ^ (1 / p)`` with ``p = norm_type``.

    Args:
        norm_type: the power ``p``; ``p = 1`` is sum pooling, ``p = inf`` max pooling.
        kernel_size: window size, an int or a 1-tuple.
        stride: window step. Default: ``kernel_size``.
        ceil_mode: round the output size up instead of down. Default: ``False``.

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``.
        - Output: ``(N, C, L_out)`` or ``(C, L_out)``, where per dimension
          ``out = floor((in - kernel_size) / stride + 1)`` (``ceil`` with ``ceil_mode``).
    """

    _pool = staticmethod(F.lp_pool1d)


class LPPool2d(_LPPoolNd):
    """2-D power-average pooling: each window gives ``(sum x^p) ^ (1 / p)`` with ``p = norm_type``.

    Args:
        norm_type: the power ``p``; ``p = 1`` is sum pooling, ``p = inf`` max pooling.
        kernel_size: window size, an int (same for height and width) or a pair.
        stride: window step. Default: ``kernel_size``.
        ceil_mode: round the output size up instead of down. Default: ``False``.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``.
        - Output: ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``, where per dimension
          ``out = floor((in - kernel_size) / stride + 1)`` (``ceil`` with ``ceil_mode``).
    """

    _pool = staticmethod(F.lp_pool2d)


class LPPool3d(_LPPoolNd):
    """3-D power-average pooling: each window gives ``(sum x^p) ^ (1 / p)`` with ``p = norm_type``.

    Args:
        norm_type: the power ``p``; ``p = 1`` is sum pooling, ``p = inf`` max pooling.
        kernel_size: window size, an int (same for all three) or a triple.
        stride: window step. Default: ``kernel_size``.
        ceil_mode: round the output size up instead of down. Default: ``False``.

    Shape:
        - Input: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)``.
        - Output: ``(N, C, D_out, H_out, W_out)`` or ``(C, D_out, H_out, W_out)``, where per dimension
          ``out = floor((in - kernel_size) / stride + 1)`` (``ceil`` with ``ceil_mode``).
    """

    _pool = staticmethod(F.lp_pool3d)


__all__ = [
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "FractionalMaxPool2d", "FractionalMaxPool3d",
    "LPPool1d", "LPPool2d", "LPPool3d", "MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d",
    "MaxUnpool3d",
]
