"""``make_grid`` and ``save_image``: tile a batch of images into one picture (and, from ``_draw``, the
annotation helpers torchvision.utils also holds)."""
import math

import numpy as np
from PIL import Image

import numbatorch

from ._draw import draw_bounding_boxes, draw_segmentation_masks

__all__ = ["draw_bounding_boxes", "draw_segmentation_masks", "make_grid", "save_image"]


def _as_batch_array(tensor):
    """(B, C, H, W) numpy array from a tensor or a list of (C, H, W) tensors; 1 channel -> 3."""
    if isinstance(tensor, (list, tuple)):
        array = np.stack([t.numpy() for t in tensor])
    elif isinstance(tensor, numbatorch.Tensor):
        array = tensor.numpy()
    else:
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if array.ndim == 2:
        array = array[None]
    if array.ndim == 3:
        if array.shape[0] == 1:  # a single-channel image: show it as gray RGB
            array = np.concatenate([array] * 3, axis=0)
        array = array[None]
    if array.ndim != 4:
        raise ValueError(f"expected a 2-D, 3-D or 4-D tensor, got {array.ndim}-D")
    if array.shape[1] == 1:
        array = np.concatenate([array] * 3, axis=1)
    return array


def _normalize_range(array, low, high):
    array = np.clip(array, low, high)
    return (array - low) / max(high - low, 1e-5)


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
              pad_value=0.0):
    """Arrange B images in a grid with ``nrow`` images per row, separated by ``padding`` pixels."""
    array = _as_batch_array(tensor)
    if normalize:
        array = array.astype(np.result_type(array.dtype, np.float32), copy=True)
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
        if scale_each:
            for k in range(array.shape[0]):
                low, high = value_range or (float(array[k].min()), float(array[k].max()))
                array[k] = _normalize_range(array[k], low, high)
        else:
            low, high = value_range or (float(array.min()), float(array.max()))
            array = _normalize_range(array, low, high)
    if array.shape[0] == 1:
        return numbatorch.from_numpy(np.ascontiguousarray(array[0]))
    count, channels, h, w = array.shape
    columns = min(nrow, count)
    rows = int(math.ceil(count / columns))
    cell_h, cell_w = h + padding, w + padding
    grid = np.full((channels, cell_h * rows + padding, cell_w * columns + padding), pad_value,
                   dtype=array.dtype)
    for k in range(count):
        y, x = divmod(k, columns)
        top, left = y * cell_h + padding, x * cell_w + padding
        grid[:, top:top + h, left:left + w] = array[k]
    return numbatorch.from_numpy(grid)


def save_image(tensor, fp, format=None, **kwargs):
    """Write ``make_grid(tensor, **kwargs)`` (values in [0, 1]) as an 8-bit image file."""
    grid = make_grid(tensor, **kwargs).numpy()
    # Round to the nearest of 256 levels.
    pixels = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    if pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    Image.fromarray(np.ascontiguousarray(pixels)).save(fp, format=format)
