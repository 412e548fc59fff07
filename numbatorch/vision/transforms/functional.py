"""Functional transforms (``torchvision.transforms.functional``) on PIL images and tensors.

Tensor images are ``(..., C, H, W)``; their pixels are processed as numpy arrays
(``Tensor.numpy()``), and the result is wrapped back with ``numbatorch.from_numpy``.
"""
import numbers

import numpy as np
from PIL import Image

import numbatorch

from . import _functional_array as F_a
from . import _functional_pil as F_pil
from ._interpolation import InterpolationMode, to_interpolation_mode

__all__ = [
    "InterpolationMode", "to_tensor", "pil_to_tensor", "to_pil_image", "convert_image_dtype",
    "normalize", "resize", "center_crop", "crop", "resized_crop", "pad", "hflip", "vflip", "rotate",
    "affine", "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue",
    "rgb_to_grayscale", "to_grayscale", "gaussian_blur", "erase", "get_image_size",
    "get_image_num_channels", "get_dimensions",
]

_NP_OF = {}


def _np_dtype(dtype):
    """numpy dtype of a numbatorch dtype (memoised: created once per dtype)."""
    if dtype not in _NP_OF:
        _NP_OF[dtype] = numbatorch.empty((), dtype=dtype).numpy().dtype
    return _NP_OF[dtype]


def _is_pil(img):
    return isinstance(img, Image.Image)


def _is_tensor(img):
    return isinstance(img, numbatorch.Tensor)


def _check_image(img):
    if not (_is_pil(img) or _is_tensor(img)):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def _check_tensor_image(img):
    if img.dim() < 2:
        raise TypeError("Tensor is not a torch image.")


def _array(img):
    _check_tensor_image(img)
    array = img.numpy()
    return array[None] if array.ndim == 2 else array


def _wrap(array, like):
    """Back to a tensor with ``like``'s rank (a 2-D input stays 2-D)."""
    if like.dim() == 2 and array.ndim == 3:
        array = array[0]
    return numbatorch.from_numpy(np.ascontiguousarray(array))


def get_dimensions(img):
    """[channels, height, width]."""
    _check_image(img)
    if _is_tensor(img):
        shape = img.shape
        return [1 if len(shape) == 2 else shape[-3], shape[-2], shape[-1]]
    return [F_pil.num_channels(img), img.size[1], img.size[0]]


def get_image_size(img):
    """[width, height]."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


# --- conversions ---------------------------------------------------------------

def _hwc_to_chw(array):
    if array.ndim == 2:
        array = array[:, :, None]
    return np.ascontiguousarray(array.transpose(2, 0, 1))


def to_tensor(pic):
    """PIL image or HWC ndarray -> CHW tensor; uint8 is scaled to float32 in [0, 1]."""
    if not (_is_pil(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if isinstance(pic, np.ndarray) and pic.ndim not in (2, 3):
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if _is_pil(pic):
        array = np.asarray(pic)
        if pic.mode == "1":
            array = array.astype(np.uint8) * 255
    else:
        array = pic
    chw = _hwc_to_chw(array)
    if chw.dtype == np.uint8:
        chw = chw.astype(np.float32)
        chw *= np.float32(1.0 / 255.0)
    return numbatorch.from_numpy(chw)


def pil_to_tensor(pic):
    """PIL image -> CHW tensor of the same dtype (no scaling)."""
    if not _is_pil(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    array = np.array(pic, copy=True)
    if pic.mode == "1":
        array = array.astype(np.uint8)
    return numbatorch.from_numpy(_hwc_to_chw(array))


_MODE_BY_DTYPE = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16", np.dtype(np.int32): "I",
                  np.dtype(np.float32): "F"}


def to_pil_image(pic, mode=None):
    """CHW tensor or HWC ndarray -> PIL image; floats are multiplied by 255 and truncated."""
    if _is_tensor(pic):
        if pic.dim() not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.dim()} dimensions.")
        array = _array(pic).transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if array.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {array.shape[-1]} channels.")
    if array.dtype.kind == "f" and mode != "F":
        array = (array * 255).astype(np.uint8)
    channels = array.shape[-1]
    if channels == 1:
        array = array[:, :, 0]
        inferred = _MODE_BY_DTYPE.get(array.dtype)
        if mode is not None and inferred is not None and mode != inferred and not (
                mode == "F" and array.dtype == np.float32):
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {array.dtype}. "
                             f"Should be {inferred}")
        mode = mode or inferred
    else:
        default = {2: "LA", 3: "RGB", 4: "RGBA"}[channels]
        if array.dtype != np.uint8:
            raise TypeError(f"Input type {array.dtype} is not supported")
        mode = mode or default
    if mode is None:
        raise TypeError(f"Input type {array.dtype} is not supported")
    return Image.fromarray(np.ascontiguousarray(array), mode=mode)


def convert_image_dtype(image, dtype=numbatorch.float32):
    """Cast a tensor image, rescaling values (uint8 255 <-> float 1.0)."""
    if not _is_tensor(image):
        raise TypeError("Input img should be Tensor Image")
    return numbatorch.from_numpy(np.ascontiguousarray(F_a.convert_dtype(image.numpy(), _np_dtype(dtype))))


def normalize(tensor, mean, std, inplace=False):
    """``(tensor - mean[c]) / std[c]`` per channel of a float tensor image."""
    if not _is_tensor(tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    array = tensor.numpy()
    if array.dtype.kind != "f":
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if array.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tuple(array.shape)}")
    if inplace:
        F_a.normalize(array, mean, std, out=array)
        return tensor
    return numbatorch.from_numpy(F_a.normalize(array, mean, std))


# --- geometry ------------------------------------------------------------------

def _dispatch(img, pil_fn, array_fn, *args):
    _check_image(img)
    if _is_pil(img):
        return pil_fn(img, *args)
    return _wrap(array_fn(_array(img), *args), img)


def hflip(img):
    return _dispatch(img, F_pil.hflip, F_a.hflip)


def vflip(img):
    return _dispatch(img, F_pil.vflip, F_a.vflip)


def crop(img, top, left, height, width):
    return _dispatch(img, F_pil.crop, F_a.crop, int(top), int(left), int(height), int(width))


def _output_size(h, w, size, max_size):
    """torchvision's rule: an int (or 1-element list) sets the shorter edge, keeping aspect."""
    if isinstance(size, numbers.Number) or len(size) == 1:
        requested = size if isinstance(size, numbers.Number) else size[0]
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = requested, int(requested * long / short)
        if max_size is not None:
            if max_size <= requested:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                                 f"size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        return (new_long, new_short) if w <= h else (new_short, new_long)
    if max_size is not None:
        raise ValueError("max_size should only be passed if size specifies the length of the smaller "
                         "edge, i.e. size should be an int or a sequence of length 1 in torchscript mode.")
    return int(size[0]), int(size[1])


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size`` ((h, w), or the shorter edge when an int)."""
    interpolation = to_interpolation_mode(interpolation)
    _, h, w = get_dimensions(img)
    new_h, new_w = _output_size(h, w, size, max_size)
    if (new_h, new_w) == (h, w):
        return img
    return _dispatch(img, F_pil.resize, F_a.resize, (new_h, new_w), interpolation)


def _pair(size):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if len(size) == 1:
        return int(size[0]), int(size[0])
    return int(size[0]), int(size[1])


def center_crop(img, output_size):
    crop_h, crop_w = _pair(output_size)
    _, h, w = get_dimensions(img)
    if crop_w > w or crop_h > h:
        # Pad symmetrically (zeros) first, as torchvision does.
        padding = [(crop_w - w) // 2 if crop_w > w else 0, (crop_h - h) // 2 if crop_h > h else 0,
                   (crop_w - w + 1) // 2 if crop_w > w else 0, (crop_h - h + 1) // 2 if crop_h > h else 0]
        img = pad(img, padding, fill=0)
        _, h, w = get_dimensions(img)
        if crop_w == w and crop_h == h:
            return img
    top = int(round((h - crop_h) / 2.0))
    left = int(round((w - crop_w) / 2.0))
    return crop(img, top, left, crop_h, crop_w)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR,
                 antialias=True):
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def _parse_padding(padding):
    if isinstance(padding, numbers.Number):
        p = int(padding)
        return p, p, p, p
    padding = list(padding)
    if len(padding) == 1:
        return (int(padding[0]),) * 4
    if len(padding) == 2:
        return int(padding[0]), int(padding[1]), int(padding[0]), int(padding[1])
    if len(padding) == 4:
        return tuple(int(p) for p in padding)
    raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                     f"{len(padding)} element tuple")


_PADDING_MODES = ("constant", "edge", "reflect", "symmetric")


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad with ``[left, top, right, bottom]`` (int, or 2 values for left/right and top/bottom)."""
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if padding_mode not in _PADDING_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _parse_padding(padding)
    return _dispatch(img, F_pil.pad, F_a.pad, left, top, right, bottom, fill, padding_mode)


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """Rotate counter-clockwise by ``angle`` degrees around ``center`` (default: image centre)."""
    interpolation = to_interpolation_mode(interpolation)
    return _dispatch(img, F_pil.rotate, F_a.rotate, float(angle), interpolation, expand,
                     None if center is None else tuple(center), fill)


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None,
           center=None):
    """Rotate (clockwise), translate, scale and shear, keeping the image centre fixed."""
    interpolation = to_interpolation_mode(interpolation)
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(translate) != 2:
        raise ValueError(f"Argument translate should be a sequence of length 2. Got {len(translate)}")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    _, h, w = get_dimensions(img)
    if center is None:
        center = [w * 0.5, h * 0.5]
    matrix = F_a.inverse_affine_matrix(center, float(angle), [float(t) for t in translate],
                                       float(scale), [float(s) for s in shear])
    return _dispatch(img, F_pil.affine, F_a.affine, matrix, interpolation, fill)


# --- colour ---------------------------------------------------------------------

def _check_factor(name, factor):
    if factor < 0:
        raise ValueError(f"{name}_factor ({factor}) is not non-negative.")


def adjust_brightness(img, brightness_factor):
    _check_factor("brightness", brightness_factor)
    return _dispatch(img, F_pil.adjust_brightness, F_a.adjust_brightness, brightness_factor)


def adjust_contrast(img, contrast_factor):
    _check_factor("contrast", contrast_factor)
    return _dispatch(img, F_pil.adjust_contrast, F_a.adjust_contrast, contrast_factor)


def adjust_saturation(img, saturation_factor):
    _check_factor("saturation", saturation_factor)
    return _dispatch(img, F_pil.adjust_saturation, F_a.adjust_saturation, saturation_factor)


def adjust_hue(img, hue_factor):
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    return _dispatch(img, F_pil.adjust_hue, F_a.adjust_hue, hue_factor)


def rgb_to_grayscale(img, num_output_channels=1):
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    return _dispatch(img, F_pil.to_grayscale, F_a.rgb_to_grayscale, num_output_channels)


to_grayscale = rgb_to_grayscale


def gaussian_blur(img, kernel_size, sigma=None):
    """Blur with a separable Gaussian kernel (odd sizes), reflect padding at the borders."""
    if isinstance(kernel_size, numbers.Number):
        kernel_size = [int(kernel_size), int(kernel_size)]
    kernel_size = list(kernel_size)
    if len(kernel_size) == 1:
        kernel_size = kernel_size * 2
    if len(kernel_size) != 2:
        raise ValueError(f"If kernel_size is a sequence its length should be 2. Got {len(kernel_size)}")
    for k in kernel_size:
        if k % 2 == 0 or k < 0:
            raise ValueError(f"kernel_size should have odd and positive integers. Got {kernel_size}")
    if sigma is None:
        sigma = [k * 0.15 + 0.35 for k in kernel_size]
    if isinstance(sigma, numbers.Number):
        sigma = [float(sigma), float(sigma)]
    sigma = list(sigma)
    if len(sigma) == 1:
        sigma = sigma * 2
    if any(s <= 0 for s in sigma):
        raise ValueError(f"sigma should have positive values. Got {sigma}")
    _check_image(img)
    if _is_pil(img):
        # torchvision blurs PIL images through their uint8 tensor form.
        blurred = F_a.gaussian_blur(np.asarray(img)[None] if img.mode in ("L", "F", "I")
                                    else np.asarray(img).transpose(2, 0, 1), kernel_size, sigma)
        out = blurred[0] if blurred.shape[0] == 1 else blurred.transpose(1, 2, 0)
        return Image.fromarray(np.ascontiguousarray(out), mode=img.mode)
    return _wrap(F_a.gaussian_blur(_array(img), kernel_size, sigma), img)


def erase(img, i, j, h, w, v, inplace=False):
    """Set the box ``[i:i+h, j:j+w]`` of a tensor image to ``v``."""
    if not _is_tensor(img):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    array = img.numpy() if inplace else img.numpy().copy()
    value = v.numpy() if _is_tensor(v) else v
    F_a.erase(array, i, j, h, w, value)
    return img if inplace else numbatorch.from_numpy(array)
