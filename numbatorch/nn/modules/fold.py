"""Unfold (image -> sliding-block columns) and Fold (columns -> image, summing overlaps)."""
from ..functional.vision import fold, unfold
from .module import Module


class Fold(Module):
    """Sums sliding local blocks (columns) back into a batch of images: the adjoint of ``Unfold``.

    Args:
        output_size: the spatial size ``(H, W)`` of the output (an int or a pair).
        kernel_size: the block size (an int or a pair).
        dilation: spacing between block elements. Default: ``1``.
        padding: implicit zero padding of the image on both sides, cropped from the result. Default: ``0``.
        stride: the block step. Default: ``1``.

    Shape:
        - Input: ``(N, C * prod(kernel_size), L)`` or ``(C * prod(kernel_size), L)``, where ``L`` is the number of
          blocks ``Unfold`` would extract from an ``output_size`` image.
        - Output: ``(N, C, H, W)`` or ``(C, H, W)``; overlapping blocks add up.
    """

    __constants__ = ["output_size", "kernel_size", "dilation", "padding", "stride"]

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return ("output_size={output_size}, kernel_size={kernel_size}, dilation={dilation}, padding={padding}, "
                "stride={stride}".format(**self.__dict__))


class Unfold(Module):
    """Extracts sliding local blocks of a batch of images as columns (im2col).

    Args:
        kernel_size: the block size (an int or a pair).
        dilation: spacing between block elements. Default: ``1``.
        padding: implicit zero padding of the image on both sides. Default: ``0``.
        stride: the block step. Default: ``1``.

    Shape:
        - Input: ``(N, C, H, W)`` or ``(C, H, W)``.
        - Output: ``(N, C * prod(kernel_size), L)`` or ``(C * prod(kernel_size), L)``, where ``L`` is the product over
          both spatial dimensions of ``floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)``.

    Examples::

        >>> unfold = nn.Unfold(kernel_size=(2, 3))
        >>> cols = unfold(torch.randn(2, 5, 3, 4))  # (2, 30, 4)
    """

    __constants__ = ["kernel_size", "dilation", "padding", "stride"]

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return "kernel_size={kernel_size}, dilation={dilation}, padding={padding}, stride={stride}".format(
            **self.__dict__)


__all__ = ["Fold", "Unfold"]
