"""``draw_bounding_boxes`` and ``draw_segmentation_masks``: annotate a (C, H, W) image tensor."""
import warnings

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageFont

import numbatorch

__all__ = ["draw_bounding_boxes", "draw_segmentation_masks"]


def _generate_color_palette(num_objects):
    """torchvision's default colours: object ``i`` gets ``(i * (2**25-1, 2**15-1, 2**21-1)) % 255``."""
    palette = np.array([2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1], dtype=np.int64)
    return [tuple(int(v) for v in (i * palette) % 255) for i in range(num_objects)]


def _parse_colors(colors, num_objects, floating=False):
    """One RGB triple per object from None (the palette), a colour, or a list of colours (names, "#rrggbb" or
    triples)."""
    if colors is None:
        colors = _generate_color_palette(num_objects)
    elif isinstance(colors, list):
        if len(colors) < num_objects:
            raise ValueError(f"Number of colors must be equal or larger than the number of objects, but got "
                             f"{len(colors)} < {num_objects}.")
    elif not isinstance(colors, (tuple, str)):
        raise ValueError(f"`colors` must be a tuple or a string, or a list thereof, but got {colors}.")
    elif isinstance(colors, tuple) and len(colors) != 3:
        raise ValueError(f"If passed as tuple, colors should be an RGB triplet, but got {colors}.")
    else:
        colors = [colors] * num_objects
    colors = [ImageColor.getrgb(color) if isinstance(color, str) else tuple(color) for color in colors]
    if floating:
        colors = [tuple(v / 255 for v in color) for color in colors]
    return colors


def _check_image(image, rgb_only):
    if not isinstance(image, numbatorch.Tensor):
        raise TypeError(f"Tensor expected, got {type(image)}")
    if not (image.dtype == numbatorch.uint8 or image.is_floating_point()):
        raise ValueError(f"The image dtype must be uint8 or float, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError("Pass individual images, not batches")
    if rgb_only and image.size(0) != 3:
        raise ValueError("Pass an RGB image. Other Image formats are not supported")
    if not rgb_only and image.size(0) not in {1, 3}:
        raise ValueError("Only grayscale and RGB images are supported")


def draw_bounding_boxes(image, boxes, labels=None, colors=None, fill=False, width=1, font=None, font_size=None):
    """Draw (xmin, ymin, xmax, ymax) ``boxes`` (and their ``labels``) on a uint8 or float (C, H, W) image;
    returns a new (3, H, W) image of the input's dtype."""
    _check_image(image, rgb_only=False)
    box_array = np.asarray(boxes.detach().numpy() if isinstance(boxes, numbatorch.Tensor) else boxes)
    if box_array.ndim != 2 or box_array.shape[1] != 4:
        raise ValueError(f"boxes must be of shape (N, 4), got {tuple(box_array.shape)}")
    if (box_array[:, 0] > box_array[:, 2]).any() or (box_array[:, 1] > box_array[:, 3]).any():
        raise ValueError("Boxes need to be in (xmin, ymin, xmax, ymax) format. Use torchvision.ops.box_convert to "
                         "convert them")
    num_boxes = box_array.shape[0]
    if num_boxes == 0:
        warnings.warn("boxes doesn't contain any box. No box was drawn")
        return image
    if labels is None:
        labels = [None] * num_boxes
    elif len(labels) != num_boxes:
        raise ValueError(f"Number of boxes ({num_boxes}) and labels ({len(labels)}) mismatch. Please specify labels "
                         f"for each box.")
    colors = _parse_colors(colors, num_boxes)
    if font is None:
        if font_size is not None:
            warnings.warn("Argument 'font_size' will be ignored since 'font' is not set.")
        txt_font = ImageFont.load_default()
    else:
        txt_font = ImageFont.truetype(font=font, size=font_size or 10)
    array = image.detach().numpy()
    floating = image.is_floating_point()
    if floating:  # drawn on 8 bits, then scaled back
        array = np.clip(np.round(array * 255), 0, 255).astype(np.uint8)
    if array.shape[0] == 1:
        array = np.tile(array, (3, 1, 1))
    canvas = Image.fromarray(np.ascontiguousarray(array.transpose(1, 2, 0)))
    draw = ImageDraw.Draw(canvas, "RGBA") if fill else ImageDraw.Draw(canvas)
    for bbox, color, label in zip(box_array.astype(np.int64).tolist(), colors, labels):
        if fill:
            draw.rectangle(bbox, width=width, outline=color, fill=color + (100,))
        else:
            draw.rectangle(bbox, width=width, outline=color)
        if label is not None:
            margin = width + 1
            draw.text((bbox[0] + margin, bbox[1] + margin), label, fill=color, font=txt_font)
    out = np.asarray(canvas).transpose(2, 0, 1)
    if floating:
        return numbatorch.from_numpy(np.ascontiguousarray(out / 255.0)).to(image.dtype)
    return numbatorch.from_numpy(np.ascontiguousarray(out))


def draw_segmentation_masks(image, masks, alpha=0.8, colors=None):
    """Blend boolean ``masks`` (N, H, W) or (H, W) onto an RGB (3, H, W) image: ``image * (1 - alpha) +
    colour * alpha`` where a mask is set, black where masks overlap."""
    _check_image(image, rgb_only=True)
    mask_array = np.asarray(masks.detach().numpy() if isinstance(masks, numbatorch.Tensor) else masks)
    if mask_array.ndim == 2:
        mask_array = mask_array[None]
    if mask_array.ndim != 3:
        raise ValueError("masks must be of shape (H, W) or (batch_size, H, W)")
    if mask_array.dtype != np.bool_:
        raise ValueError("The masks must be of dtype bool")
    if mask_array.shape[-2:] != tuple(image.shape[-2:]):
        raise ValueError("The image and the masks must have the same height and width")
    if mask_array.shape[0] == 0:
        warnings.warn("masks doesn't contain any mask. No mask was drawn")
        return image
    floating = image.is_floating_point()
    array = image.detach().numpy()
    colors = _parse_colors(colors, mask_array.shape[0], floating=floating)
    drawn = array.copy()
    for mask, color in zip(mask_array, colors):
        drawn[:, mask] = np.asarray(color, dtype=array.dtype)[:, None]
    drawn[:, mask_array.sum(axis=0) > 1] = 0
    # float32 arithmetic, as PyTorch computes uint8 * python float; the cast back truncates like Tensor.to.
    out = array.astype(np.float32) * np.float32(1 - alpha) + drawn.astype(np.float32) * np.float32(alpha)
    return numbatorch.from_numpy(np.ascontiguousarray(out.astype(array.dtype)))
