"""Transform kernels on PIL images (torchvision's PIL semantics)."""
import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from ._interpolation import pil_filter


def num_channels(img):
    return len(img.getbands())


def pil_fill(fill, img):
    """A fill value PIL understands for ``img``'s mode (a tuple for multi-band images).

    PIL reads a bare int as a packed pixel for RGB, so 255 would be red, not white.
    """
    if fill is None:
        return None
    bands = num_channels(img)
    if isinstance(fill, (int, float)):
        fill = [fill] * bands
    fill = list(fill)
    if len(fill) == 1:
        fill = fill * bands
    if len(fill) != bands:
        raise ValueError("The number of elements in 'fill' does not match the number of channels "
                         f"of the image ({len(fill)} != {bands})")
    cast = float if img.mode == "F" else int
    fill = tuple(cast(v) for v in fill)
    return fill[0] if bands == 1 else fill


def hflip(img):
    return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def vflip(img):
    return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)


def crop(img, top, left, height, width):
    # PIL fills the part of the box outside the image with zeros, like torchvision.
    return img.crop((left, top, left + width, top + height))


def resize(img, size_hw, interpolation):
    h, w = size_hw
    return img.resize((w, h), pil_filter(interpolation))


def pad(img, left, top, right, bottom, fill, padding_mode):
    if padding_mode == "constant":
        return ImageOps.expand(img, border=(left, top, right, bottom), fill=pil_fill(fill, img) or 0)
    array = np.asarray(img)
    if img.mode == "P":
        raise ValueError(f"padding_mode={padding_mode} is not supported for palette images")
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
    return Image.fromarray(np.pad(array, widths, mode=padding_mode), mode=img.mode)


def rotate(img, angle, interpolation, expand, center, fill):
    return img.rotate(angle, pil_filter(interpolation), expand, center, fillcolor=pil_fill(fill, img))


def affine(img, inverse_matrix, interpolation, fill):
    """``inverse_matrix``: 6 coefficients mapping output pixel coordinates to input ones."""
    return img.transform(img.size, Image.Transform.AFFINE, tuple(inverse_matrix),
                         pil_filter(interpolation), fillcolor=pil_fill(fill, img))


def adjust_brightness(img, factor):
    return ImageEnhance.Brightness(img).enhance(factor)


def adjust_contrast(img, factor):
    return ImageEnhance.Contrast(img).enhance(factor)


def adjust_saturation(img, factor):
    return ImageEnhance.Color(img).enhance(factor)


def adjust_hue(img, hue_factor):
    if img.mode in ("L", "1", "I", "F"):
        return img  # no hue to shift
    mode = img.mode
    h, s, v = img.convert("HSV").split()
    # Hue is stored in 0..255 and wraps around: uint8 overflow is the rotation.
    shift = np.uint8(int(hue_factor * 255) % 256)
    h = Image.fromarray(np.asarray(h, dtype=np.uint8) + shift, "L")
    return Image.merge("HSV", (h, s, v)).convert(mode)


def to_grayscale(img, num_output_channels):
    gray = img.convert("L")
    if num_output_channels == 3:
        return Image.merge("RGB", (gray, gray, gray))
    return gray
