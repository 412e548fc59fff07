"""Conversions for the writer: tensors to numpy, image layouts to HWC uint8, grids of images, figures to pixels."""
import math

import numpy as np

__all__ = ["to_numpy", "image_to_hwc", "images_to_grid", "figure_to_hwc"]


def to_numpy(x):
    """A numpy array from a numbatorch (or torch) tensor, a number, a list or an array."""
    if hasattr(x, "detach") and hasattr(x, "numpy"):
        return np.asarray(x.detach().cpu().numpy())
    return np.asarray(x)


def _to_uint8(arr):
    """Floats are taken as [0, 1] intensities (as PyTorch does); integers as [0, 255]."""
    if arr.dtype == np.uint8:
        return arr
    if np.issubdtype(arr.dtype, np.floating):
        return (np.clip(arr, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return np.clip(arr, 0, 255).astype(np.uint8)


def image_to_hwc(img, dataformats="CHW"):
    """One image in layout ``CHW``, ``HWC`` or ``HW`` as an (H, W, 1|3|4) uint8 array."""
    arr = to_numpy(img)
    fmt = dataformats.upper()
    if sorted(fmt) not in (sorted("CHW"), sorted("HW")) or arr.ndim != len(fmt):
        raise ValueError(f"image of shape {arr.shape} does not match dataformats {dataformats!r} "
                         f"(use 'CHW', 'HWC' or 'HW'; 'NCHW'/'NHWC' with add_images)")
    if fmt == "HW":
        arr = arr[:, :, None]
    else:
        arr = np.transpose(arr, [fmt.index(c) for c in "HWC"])
    if arr.shape[2] not in (1, 3, 4):
        raise ValueError(f"image with {arr.shape[2]} channels: TensorBoard shows 1 (grey), 3 (RGB) or 4 (RGBA)")
    return _to_uint8(arr)


def images_to_grid(imgs, dataformats="NCHW", ncols=8):
    """A batch (``NCHW``, ``NHWC``, ``NHW``) tiled into one (H, W, C) uint8 image, ``ncols`` images a row."""
    arr = to_numpy(imgs)
    fmt = dataformats.upper()
    if sorted(fmt) not in (sorted("NCHW"), sorted("NHW")) or arr.ndim != len(fmt):
        raise ValueError(f"images of shape {arr.shape} do not match dataformats {dataformats!r} "
                         f"(use 'NCHW', 'NHWC' or 'NHW')")
    if fmt == "NHW":
        arr = arr[:, :, :, None]
    else:
        arr = np.transpose(arr, [fmt.index(c) for c in "NHWC"])
    n, h, w, c = arr.shape
    if c not in (1, 3, 4):
        raise ValueError(f"images with {c} channels: TensorBoard shows 1 (grey), 3 (RGB) or 4 (RGBA)")
    cols = min(n, ncols)
    rows = int(math.ceil(n / cols)) if n else 0
    grid = np.zeros((rows * h, cols * w, c), dtype=arr.dtype)
    for i in range(n):
        r, k = divmod(i, cols)
        grid[r * h:(r + 1) * h, k * w:(k + 1) * w] = arr[i]
    return _to_uint8(grid)


def figure_to_hwc(figure, close=True):
    """A matplotlib figure rendered to an (H, W, 4) uint8 RGBA array (through an Agg canvas: works headless)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba()).copy()
    if close:
        import matplotlib.pyplot as plt
        plt.close(figure)
    return pixels
