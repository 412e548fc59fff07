"""``InterpolationMode`` and its PIL counterparts."""
from enum import Enum

from PIL import Image


class InterpolationMode(Enum):
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_FILTERS = {
    InterpolationMode.NEAREST: Image.Resampling.NEAREST,
    InterpolationMode.NEAREST_EXACT: Image.Resampling.NEAREST,
    InterpolationMode.BILINEAR: Image.Resampling.BILINEAR,
    InterpolationMode.BICUBIC: Image.Resampling.BICUBIC,
    InterpolationMode.BOX: Image.Resampling.BOX,
    InterpolationMode.HAMMING: Image.Resampling.HAMMING,
    InterpolationMode.LANCZOS: Image.Resampling.LANCZOS,
}
_FROM_PIL = {int(v): k for k, v in reversed(list(_PIL_FILTERS.items()))}


def to_interpolation_mode(mode):
    """Accept an InterpolationMode, its string value, or a PIL filter constant (int)."""
    if isinstance(mode, InterpolationMode):
        return mode
    if isinstance(mode, str):
        return InterpolationMode(mode)
    if isinstance(mode, int) and int(mode) in _FROM_PIL:
        return _FROM_PIL[int(mode)]
    raise TypeError("Argument interpolation should be of type InterpolationMode instead of "
                    f"{type(mode).__name__}")


def pil_filter(mode):
    return _PIL_FILTERS[to_interpolation_mode(mode)]
