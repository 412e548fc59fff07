"""Image file reading and writing as uint8 (C, H, W) tensors: ``read_image``, ``decode_image``, ``encode_png``, ...

Decoding goes through Pillow. Converting a colour image to ``ImageReadMode.GRAY`` uses Pillow's ITU-R 601-2 luma
weights (as libjpeg does); torchvision's libpng path weights PNG channels with the sRGB (Rec. 709) ones instead, so
grey values decoded from colour PNGs can differ by a few levels.
"""
import enum
import io
import os

import numpy as np
from PIL import Image, ImageOps

import numbatorch

__all__ = ["ImageReadMode", "decode_image", "decode_jpeg", "decode_png", "encode_jpeg", "encode_png", "read_file",
           "read_image", "write_file", "write_jpeg", "write_png"]


class ImageReadMode(enum.Enum):
    """The channels to decode to: as stored, gray, gray + alpha, RGB, or RGB + alpha."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA


_PIL_MODES = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA", ImageReadMode.RGB: "RGB",
              ImageReadMode.RGB_ALPHA: "RGBA"}


def read_file(path):
    """The bytes of a file as a 1-D uint8 tensor."""
    with open(os.fspath(path), "rb") as f:
        data = f.read()
    return numbatorch.from_numpy(np.frombuffer(data, dtype=np.uint8).copy())


def write_file(filename, data):
    """Write a 1-D uint8 tensor of bytes to ``filename``."""
    _check_bytes(data, "data")
    with open(os.fspath(filename), "wb") as f:
        f.write(data.numpy().tobytes())


def _check_bytes(data, name):
    if not isinstance(data, numbatorch.Tensor) or data.dtype != numbatorch.uint8 or data.ndim != 1:
        what = f"a {data.dtype} tensor of shape {tuple(data.shape)}" if isinstance(data, numbatorch.Tensor) \
            else type(data).__name__
        raise TypeError(f"Expected {name} to be a 1-D uint8 tensor of encoded bytes, got {what}")


def _decode(data, mode, apply_exif_orientation, expected_format=None):
    if isinstance(data, (str, os.PathLike)):
        data = read_file(data)
    _check_bytes(data, "input")
    if isinstance(mode, str):
        mode = ImageReadMode[mode.upper()]
    try:
        img = Image.open(io.BytesIO(data.numpy().tobytes()))
        img.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise RuntimeError(f"Failed to decode the image ({len(data)} bytes): {exc}") from exc
    if expected_format is not None and img.format != expected_format:
        raise RuntimeError(f"Expected a {expected_format} image, got {img.format}")
    if apply_exif_orientation:
        img = ImageOps.exif_transpose(img)
    if mode == ImageReadMode.UNCHANGED:
        if img.mode == "P":  # palettes are expanded, with alpha when the palette has transparency
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        elif img.mode not in ("L", "LA", "RGB", "RGBA"):
            img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    else:
        img = img.convert(_PIL_MODES[mode])
    array = np.asarray(img)
    if array.dtype != np.uint8:  # 16-bit and float images: torchvision decodes to uint8 here too
        array = (array / (65535.0 if array.max() > 255 else 255.0) * 255.0 + 0.5).astype(np.uint8)
    if array.ndim == 2:
        array = array[:, :, None]
    return numbatorch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Decode encoded image bytes (or the file at a path) to a uint8 (C, H, W) tensor."""
    return _decode(input, mode, apply_exif_orientation)


def decode_png(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Decode PNG bytes to a uint8 (C, H, W) tensor."""
    return _decode(input, mode, apply_exif_orientation, "PNG")


def decode_jpeg(input, mode=ImageReadMode.UNCHANGED, device="cpu", apply_exif_orientation=False):
    """Decode JPEG bytes (or a list of them) to uint8 (C, H, W) tensors."""
    if isinstance(input, (list, tuple)):
        return [_decode(item, mode, apply_exif_orientation, "JPEG") for item in input]
    return _decode(input, mode, apply_exif_orientation, "JPEG")


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Read a JPEG, PNG, GIF, WebP, ... file into a uint8 (C, H, W) tensor."""
    return decode_image(read_file(path), mode, apply_exif_orientation)


def _to_pil(input):
    if not isinstance(input, numbatorch.Tensor) or input.dtype != numbatorch.uint8 or input.ndim != 3 \
            or input.shape[0] not in (1, 3):
        what = f"a {input.dtype} tensor of shape {tuple(input.shape)}" if isinstance(input, numbatorch.Tensor) \
            else type(input).__name__
        raise ValueError(f"The image to encode must be a uint8 tensor of shape (1, H, W) or (3, H, W), got {what}")
    array = input.numpy().transpose(1, 2, 0)
    return Image.fromarray(np.ascontiguousarray(array[:, :, 0] if array.shape[2] == 1 else array))


def _encoded(img, **options):
    buffer = io.BytesIO()
    img.save(buffer, **options)
    return numbatorch.from_numpy(np.frombuffer(buffer.getvalue(), dtype=np.uint8).copy())


def encode_png(input, compression_level=6):
    """Encode a uint8 (C, H, W) tensor (C = 1 or 3) as PNG bytes."""
    if not 0 <= compression_level <= 9:
        raise ValueError(f"Compression level must be between 0 and 9, got {compression_level}")
    return _encoded(_to_pil(input), format="PNG", compress_level=compression_level)


def write_png(input, filename, compression_level=6):
    """Encode a uint8 (C, H, W) tensor as PNG and write it to ``filename``."""
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(input, quality=75):
    """Encode a uint8 (C, H, W) tensor (C = 1 or 3), or a list of them, as JPEG bytes."""
    if quality < 1 or quality > 100:
        raise ValueError("Image quality should be a positive number between 1 and 100")
    if isinstance(input, (list, tuple)):
        return [encode_jpeg(item, quality) for item in input]
    return _encoded(_to_pil(input), format="JPEG", quality=quality)


def write_jpeg(input, filename, quality=75):
    """Encode a uint8 (C, H, W) tensor as JPEG and write it to ``filename``."""
    write_file(filename, encode_jpeg(input, quality))
