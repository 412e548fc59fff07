"""PixelShuffle and PixelUnshuffle: move channel blocks to space and back."""
from ..functional.vision import pixel_shuffle, pixel_unshuffle
from .module import Module


class PixelShuffle(Module):
    """Rearranges channel blocks into space: ``(*, C * r * r, H, W) -> (*, C, H * r, W * r)``.

    Args:
        upscale_factor: ``r``, the factor the height and width grow by.

    Shape:
        - Input: ``(*, C_in, H_in, W_in)`` with ``C_in`` divisible by ``upscale_factor ** 2``.
        - Output: ``(*, C_in / r**2, H_in * r, W_in * r)``.
    """

    __constants__ = ["upscale_factor"]

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearranges spatial blocks into channels: ``(*, C, H * r, W * r) -> (*, C * r * r, H, W)``.

    Args:
        downscale_factor: ``r``, the factor the height and width shrink by.

    Shape:
        - Input: ``(*, C_in, H_in, W_in)`` with ``H_in`` and ``W_in`` divisible by ``downscale_factor``.
        - Output: ``(*, C_in * r**2, H_in / r, W_in / r)``.
    """

    __constants__ = ["downscale_factor"]

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"


__all__ = ["PixelShuffle", "PixelUnshuffle"]
