"""Pooling layers given an output size: adaptive max/average pooling (1-d, 2-d, 3-d) and fractional max pooling
(2-d, 3-d), whose windows are chosen so the output has the requested size."""
from ..functional import pooling_adaptive as F
from .conv import _pair, _triple
from .module import Module


class _AdaptiveMaxPoolNd(Module):
    __constants__ = ["output_size", "return_indices"]

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """1-D max pooling whose windows are chosen so the output has exactly ``output_size``.

    Args:
        output_size: the target size, an int or a 1-tuple.
        return_indices: also return the flat index (within each plane) of every maximum. Default: ``False``.

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``.
        - Output: ``(N, C, L_out)`` or ``(C, L_out)``
          with the output sizes given by ``output_size``.
    """

    def forward(self, input):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """2-D max pooling whose windows are chosen so the output has exactly ``output_size``.

    Args:
        output_size: the target size, an int (same for height and width) or a pair;
            ``None`` in a position keeps that input size.
        return_indices: also return the flat index (within each plane) of every maximum. Default: ``False``.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``.
        - Output: ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``
          with the output sizes given by ``output_size``.
    """

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """3-D max pooling whose windows are chosen so the output has exactly ``output_size``.

    Args:
        output_size: the target size, an int (same for all three) or a triple;
            ``None`` in a position keeps that input size.
        return_indices: also return the flat index (within each plane) of every maximum. Default: ``False``.

    Shape:
        - Input: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)``.
        - Output: ``(N, C, D_out, H_out, W_out)`` or ``(C, D_out, H_out, W_out)``
          with the output sizes given by ``output_size``.
    """

    def forward(self, input):
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)


class _AdaptiveAvgPoolNd(Module):
    __constants__ = ["output_size"]

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """1-D average pooling whose windows are chosen so the output has exactly ``output_size``.

    Args:
        output_size: the target size, an int or a 1-tuple.

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``.
        - Output: ``(N, C, L_out)`` or ``(C, L_out)``
          with the output sizes given by ``output_size``.
    """

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """2-D average pooling whose windows are chosen so the output has exactly ``output_size``.

    Args:
        output_size: the target size, an int (same for height and width) or a pair;
            ``None`` in a position keeps that input size.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``.
        - Output: ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``
          with the output sizes given by ``output_size``.

    Examples::

        >>> m = nn.AdaptiveAvgPool2d((5, 7))
        >>> y = m(torch.randn(1, 64, 8, 9))  # (1, 64, 5, 7)
    """

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """3-D average pooling whose windows are chosen so the output has exactly ``output_size``.

    Args:
        output_size: the target size, an int (same for all three) or a triple;
            ``None`` in a position keeps that input size.

    Shape:
        - Input: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)``.
        - Output: ``(N, C, D_out, H_out, W_out)`` or ``(C, D_out, H_out, W_out)``
          with the output sizes given by ``output_size``.
    """

    def forward(self, input):
        return F.adaptive_avg_pool3d(input, self.output_size)


class _FractionalMaxPoolNd(Module):
    """Max pool over pseudo-random windows; draws its samples from numbatorch's global generator."""

    __constants__ = ["kernel_size", "return_indices", "output_size", "output_ratio"]
    _tuple = None
    _pool = None

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None):
        super().__init__()
        t = type(self)._tuple
        self.kernel_size = t(kernel_size)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = t(output_size) if output_size is not None else None
        self.output_ratio = t(output_ratio) if output_ratio is not None else None
        name = type(self).__name__
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        return type(self)._pool(input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices,
                                _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """2-D fractional max pooling (Graham, 2014) to a target size that need not divide the input.

    The windows are placed at pseudo-random steps drawn from numbatorch's global generator.

    Args:
        kernel_size: window size, an int (same for height and width) or a pair.
        output_size: the target size, an int (same for height and width) or a pair. Give this or ``output_ratio``.
        output_ratio: the target size as a fraction ``0 < r < 1`` of the input size, a float or a pair.
        return_indices: also return the flat index (within each plane) of every maximum. Default: ``False``.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``.
        - Output: ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``
          with the output sizes from ``output_size`` or ``floor(in * output_ratio)``.
    """

    _tuple = staticmethod(_pair)
    _pool = staticmethod(F.fractional_max_pool2d)


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-D fractional max pooling (Graham, 2014) to a target size that need not divide the input.

    The windows are placed at pseudo-random steps drawn from numbatorch's global generator.

    Args:
        kernel_size: window size, an int (same for all three) or a triple.
        output_size: the target size, an int (same for all three) or a triple. Give this or ``output_ratio``.
        output_ratio: the target size as a fraction ``0 < r < 1`` of the input size, a float or a triple.
        return_indices: also return the flat index (within each plane) of every maximum. Default: ``False``.

    Shape:
        - Input: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)``.
        - Output: ``(N, C, D_out, H_out, W_out)`` or ``(C, D_out, H_out, W_out)``
          with the output sizes from ``output_size`` or ``floor(in * output_ratio)``.
    """

    _tuple = staticmethod(_triple)
    _pool = staticmethod(F.fractional_max_pool3d)
