"""Upsample, UpsamplingNearest2d and UpsamplingBilinear2d: modules over ``F.interpolate``."""
from ..functional.vision import interpolate
from .module import Module


class Upsample(Module):
    """Resizes a batch of 1-, 2- or 3-D multi-channel data to ``size`` or by ``scale_factor`` (``F.interpolate``).

    Args:
        size: the output spatial size, an int or a tuple. Give this or ``scale_factor``.
        scale_factor: the multiplier of the spatial size, a float or a tuple.
        mode: ``'nearest'``, ``'nearest-exact'``, ``'linear'``, ``'bilinear'``, ``'bicubic'`` or ``'trilinear'``
            (by the input's dimensions). Default: ``'nearest'``.
        align_corners: for the linear modes, align the corner pixels' centres of input and output instead of their
            outer edges. Default: ``None`` (``False``).
        recompute_scale_factor: compute the interpolation from the output size rather than the given
            ``scale_factor``. Default: ``None``.

    Shape:
        - Input: ``(N, C, W_in)``, ``(N, C, H_in, W_in)`` or ``(N, C, D_in, H_in, W_in)``.
        - Output: ``(N, C, W_out)``, ``(N, C, H_out, W_out)`` or ``(N, C, D_out, H_out, W_out)`` with
          ``out = floor(in * scale_factor)`` or ``size``.

    Examples::

        >>> m = nn.Upsample(scale_factor=2, mode="bilinear")
        >>> y = m(torch.randn(1, 1, 2, 2))  # (1, 1, 4, 4)
    """

    __constants__ = ["size", "scale_factor", "mode", "align_corners", "name", "recompute_scale_factor"]

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def __setstate__(self, state):
        if "recompute_scale_factor" not in state:
            state["recompute_scale_factor"] = True
        super().__setstate__(state)

    def extra_repr(self):
        if self.scale_factor is not None:
            info = "scale_factor=" + repr(self.scale_factor)
        else:
            info = "size=" + repr(self.size)
        return info + ", mode=" + repr(self.mode)


class UpsamplingNearest2d(Upsample):
    """2-D nearest-neighbour upsampling; ``Upsample(size, scale_factor, mode='nearest')``.

    Args:
        size: the output size ``(H_out, W_out)``, an int or a pair. Give this or ``scale_factor``.
        scale_factor: the multiplier of height and width.

    Shape:
        - Input: ``(N, C, H_in, W_in)``.
        - Output: ``(N, C, H_out, W_out)`` with ``H_out = floor(H_in * scale_factor)`` (likewise ``W``) or ``size``.
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """2-D bilinear upsampling with aligned corners: ``Upsample(size, scale_factor, 'bilinear', align_corners=True)``.

    Args:
        size: the output size ``(H_out, W_out)``, an int or a pair. Give this or ``scale_factor``.
        scale_factor: the multiplier of height and width.

    Shape:
        - Input: ``(N, C, H_in, W_in)``.
        - Output: ``(N, C, H_out, W_out)`` with ``H_out = floor(H_in * scale_factor)`` (likewise ``W``) or ``size``.
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


__all__ = ["Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d"]
