"""Transform kernels on numpy arrays laid out as tensor images ``(..., C, H, W)``.

Geometric resampling reuses PIL's C implementation plane by plane ('L' for uint8,
'F' for everything else), so tensor and PIL inputs go through the same filters.
"""
import math

import numpy as np
from PIL import Image

from . import _functional_pil as F_pil


def max_value(dtype):
    """The value of "full intensity": 1.0 for floats, the max of the type for integers."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return 1.0
    if dtype.kind == "b":
        return 1
    return int(np.iinfo(dtype).max)


def _compute_dtype(dtype):
    return np.dtype(dtype) if np.dtype(dtype).kind == "f" else np.dtype(np.float32)


def _cast_like(values, dtype, round_ints=False):
    dtype = np.dtype(dtype)
    if dtype.kind != "f" and round_ints:
        values = np.round(values)
    return values.astype(dtype)


def _map_planes(array, fn, fill=None):
    """Apply ``fn(pil_plane, fill_value)`` to each HxW plane; returns (..., C, H', W')."""
    *lead, c, h, w = array.shape
    planes = array.reshape(-1, h, w)
    fills = _channel_fill(fill, c)
    outputs = []
    for k, plane in enumerate(planes):
        if plane.dtype == np.uint8:
            image = Image.fromarray(np.ascontiguousarray(plane), "L")
        else:
            image = Image.fromarray(np.ascontiguousarray(plane, dtype=np.float32), "F")
        outputs.append(np.asarray(fn(image, fills[k % c])))
    stacked = np.stack(outputs)
    result = stacked if array.dtype == np.uint8 else _cast_like(stacked, array.dtype, round_ints=True)
    return result.reshape(*lead, c, *stacked.shape[-2:])


def _channel_fill(fill, channels):
    if fill is None:
        return [None] * channels
    if isinstance(fill, (int, float)):
        return [fill] * channels
    fill = list(fill)
    if len(fill) == 1:
        return fill * channels
    if len(fill) != channels:
        raise ValueError("The number of elements in 'fill' does not match the number of channels "
                         f"of the image ({len(fill)} != {channels})")
    return fill


def hflip(array):
    return array[..., ::-1]


def vflip(array):
    return array[..., ::-1, :]


def crop(array, top, left, height, width):
    """Crop; the part of the box outside the image is filled with zeros."""
    h, w = array.shape[-2:]
    out = np.zeros(array.shape[:-2] + (height, width), dtype=array.dtype)
    src_top, src_left = max(top, 0), max(left, 0)
    src_bottom, src_right = min(top + height, h), min(left + width, w)
    if src_bottom > src_top and src_right > src_left:
        out[..., src_top - top:src_bottom - top, src_left - left:src_right - left] = \
            array[..., src_top:src_bottom, src_left:src_right]
    return out


def resize(array, size_hw, interpolation):
    h, w = size_hw
    return _map_planes(array, lambda img, _: F_pil.resize(img, (h, w), interpolation))


def pad(array, left, top, right, bottom, fill, padding_mode):
    widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
    if padding_mode != "constant":
        return np.pad(array, widths, mode=padding_mode)
    if fill is None or isinstance(fill, (int, float)):
        return np.pad(array, widths, mode="constant", constant_values=fill or 0)
    # Per-channel fill: pad each channel with its own value.
    c = array.shape[-3]
    fills = _channel_fill(fill, c)
    channels = [np.pad(array[..., k:k + 1, :, :], widths, mode="constant", constant_values=fills[k])
                for k in range(c)]
    return np.concatenate(channels, axis=-3)


def rotate(array, angle, interpolation, expand, center, fill):
    return _map_planes(array, lambda img, f: F_pil.rotate(img, angle, interpolation, expand, center,
                                                           0 if f is None else f), fill)


def affine(array, inverse_matrix, interpolation, fill):
    return _map_planes(array, lambda img, f: F_pil.affine(img, inverse_matrix, interpolation,
                                                          0 if f is None else f), fill)


def blend(a, b, ratio):
    bound = max_value(a.dtype)
    dtype = _compute_dtype(a.dtype)
    mixed = ratio * a.astype(dtype) + (1.0 - ratio) * np.asarray(b, dtype=dtype)
    return np.clip(mixed, 0, bound).astype(a.dtype)


def rgb_to_grayscale(array, num_output_channels=1):
    if array.shape[-3] == 1:
        gray = array
    else:
        dtype = _compute_dtype(array.dtype)
        r, g, b = (array[..., k, :, :].astype(dtype) for k in range(3))
        # ITU-R 601-2 luma weights, as torchvision uses for tensors.
        gray = (0.2989 * r + 0.587 * g + 0.114 * b).astype(array.dtype)[..., None, :, :]
    if num_output_channels == 3:
        return np.broadcast_to(gray, gray.shape[:-3] + (3,) + gray.shape[-2:]).copy()
    return gray


def adjust_brightness(array, factor):
    return blend(array, np.zeros((), dtype=array.dtype), factor)


def adjust_contrast(array, factor):
    dtype = _compute_dtype(array.dtype)
    gray = rgb_to_grayscale(array) if array.shape[-3] == 3 else array
    mean = gray.astype(dtype).mean(axis=(-3, -2, -1), keepdims=True)
    return blend(array, mean, factor)


def adjust_saturation(array, factor):
    if array.shape[-3] == 1:
        return array
    return blend(array, rgb_to_grayscale(array), factor)


def _rgb_to_hsv(rgb):
    r, g, b = rgb[..., 0, :, :], rgb[..., 1, :, :], rgb[..., 2, :, :]
    maxc, minc = rgb.max(axis=-3), rgb.min(axis=-3)
    delta = maxc - minc
    safe_delta = np.where(delta == 0, 1, delta)
    safe_max = np.where(maxc == 0, 1, maxc)
    s = np.where(maxc == 0, 0, delta / safe_max)
    rc, gc, bc = (maxc - r) / safe_delta, (maxc - g) / safe_delta, (maxc - b) / safe_delta
    h = np.where(maxc == r, bc - gc, np.where(maxc == g, 2.0 + rc - bc, 4.0 + gc - rc))
    h = np.where(delta == 0, 0, (h / 6.0) % 1.0)
    return h, s, maxc


def _hsv_to_rgb(h, s, v):
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int64) % 6
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    choices = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    channels = [np.select([i == k for k in range(6)], [c[n] for c in choices]) for n in range(3)]
    return np.stack(channels, axis=-3)


def adjust_hue(array, hue_factor):
    if array.shape[-3] == 1:
        return array
    is_int = array.dtype.kind != "f"
    rgb = array.astype(np.float32) / max_value(array.dtype) if is_int else array
    h, s, v = _rgb_to_hsv(rgb)
    out = _hsv_to_rgb((h + hue_factor) % 1.0, s, v).astype(rgb.dtype)
    if is_int:
        return convert_dtype(out, array.dtype)
    return out


def convert_dtype(array, dtype):
    """torchvision's convert_image_dtype on arrays (value ranges rescaled, not just cast)."""
    src, dst = array.dtype, np.dtype(dtype)
    if src == dst:
        return array
    if src.kind == "f":
        if dst.kind == "f":
            return array.astype(dst)
        if (src == np.float32 and dst in (np.int32, np.int64)) or (src == np.float64 and dst == np.int64):
            raise RuntimeError(f"The cast from {src} to {dst} cannot be performed safely.")
        # Map [0, 1] onto all integer levels; the epsilon keeps 1.0 from overflowing.
        eps = 1e-3
        return (array * (max_value(dst) + 1.0 - eps)).astype(dst)
    if dst.kind == "f":
        return array.astype(dst) / max_value(src)
    src_max, dst_max = max_value(src), max_value(dst)
    if src_max > dst_max:
        factor = (src_max + 1) // (dst_max + 1)
        return (array // factor).astype(dst)
    factor = (dst_max + 1) // (src_max + 1)
    return array.astype(dst) * factor


def gaussian_kernel1d(kernel_size, sigma):
    half = (kernel_size - 1) * 0.5
    x = np.linspace(-half, half, kernel_size)
    pdf = np.exp(-0.5 * (x / sigma) ** 2)
    return pdf / pdf.sum()


def gaussian_blur(array, kernel_size, sigma):
    """Separable Gaussian blur with reflect padding (kernel_size, sigma: (x, y) pairs)."""
    dtype = _compute_dtype(array.dtype)
    out = array.astype(dtype)
    for axis, k, s in ((-1, kernel_size[0], sigma[0]), (-2, kernel_size[1], sigma[1])):
        weights = gaussian_kernel1d(k, s).astype(dtype)
        half = k // 2
        widths = [(0, 0)] * out.ndim
        widths[axis] = (half, half)
        padded = np.pad(out, widths, mode="reflect")
        n = out.shape[axis]
        acc = np.zeros_like(out)
        for t in range(k):
            acc += weights[t] * np.take(padded, np.arange(t, t + n), axis=axis)
        out = acc
    return _cast_like(out, array.dtype, round_ints=True)


def normalize(array, mean, std, out=None):
    mean = np.asarray(mean, dtype=array.dtype).reshape(-1, 1, 1)
    std = np.asarray(std, dtype=array.dtype).reshape(-1, 1, 1)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {array.dtype}, leading to "
                         "division by zero.")
    if out is None:
        return (array - mean) / std
    np.subtract(array, mean, out=out)
    np.divide(out, std, out=out)
    return out


def erase(array, i, j, h, w, value):
    array[..., i:i + h, j:j + w] = value
    return array


def inverse_affine_matrix(center, angle, translate, scale, shear):
    """Coefficients (a, b, c, d, e, f) mapping output pixel -> input pixel.

    Forward map (torchvision's convention, angle clockwise in degrees, y down):
    M = T(translate) . C(center) . RSS(angle, scale, shear) . C^-1, where RSS is
    rotation times scale times the y- then x-shear; PIL wants M^-1.
    """
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    rss = np.array([[a * scale, b * scale, 0.0], [c * scale, d * scale, 0.0], [0.0, 0.0, 1.0]])
    to_center = np.array([[1.0, 0.0, cx + tx], [0.0, 1.0, cy + ty], [0.0, 0.0, 1.0]])
    from_center = np.array([[1.0, 0.0, -cx], [0.0, 1.0, -cy], [0.0, 0.0, 1.0]])
    inverse = np.linalg.inv(to_center @ rss @ from_center)
    return [float(v) for v in inverse[:2].reshape(-1)]
