"""``F.affine_grid`` and ``F.grid_sample`` (spatial transformer networks), built from differentiable ops.

``grid_sample`` gathers the 2^d neighbours of every sampling point and weights them (bilinear/trilinear) or
takes the nearest; gradients reach ``input`` through the gather and ``grid`` through the weights, as in
PyTorch. Padding modes 'zeros', 'border' and 'reflection' are supported; 'bicubic' is not.
"""
import itertools
import warnings

import numpy as np

from ..._creation import linspace
from ..._ops.ternary import where
from ..._tensor import Tensor
from ..._ops._tensor_args import require_tensor

__all__ = ["affine_grid", "grid_sample"]

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")


def _base_coordinates(n, align_corners, dtype):
    """The normalised [-1, 1] coordinates of ``n`` pixel centres (or corners, with ``align_corners``)."""
    coords = linspace(-1, 1, n, dtype=dtype)
    return coords if align_corners or n == 1 else coords * ((n - 1) / n)


def affine_grid(theta, size, align_corners=None):
    """Sampling grid (N, H, W, 2) or (N, D, H, W, 3) of the affine maps ``theta`` (N, 2, 3) or (N, 3, 4)."""
    require_tensor("affine_grid", theta, "theta")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                             f"{theta.shape}.")
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                             f"{theta.shape}.")
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected theta to have the same batch size as size: {theta.shape[0]} and {size[0]}")
    # Homogeneous coordinates (x, y[, z], 1) of every output point, x varying fastest (the last spatial dim).
    axes = [_base_coordinates(n, align_corners, theta.dtype) for n in reversed(spatial)]
    mesh = np.meshgrid(*[a._data for a in axes], indexing="ij")  # constant: no gradient flows to the base grid
    base = np.stack([m.transpose(*reversed(range(len(spatial)))) for m in mesh]
                    + [np.ones(spatial, dtype=theta._data.dtype)], axis=-1)
    base = Tensor._make(np.asarray(base.reshape(1, -1, len(spatial) + 1), like=theta._data))  # theta's device
    grid = base @ theta.transpose(1, 2)
    return grid.reshape([size[0]] + spatial + [len(spatial)])


def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord, twice_low, twice_high):
    """Reflect ``coord`` into [twice_low / 2, twice_high / 2], folding as often as needed."""
    if twice_low == twice_high:
        return coord * 0
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    distance = (coord - low).abs()
    flips = Tensor._make(np.floor(distance._data / span))  # constant per point: the derivative is +-1
    extra = distance - flips * span
    even = Tensor._make(flips._data % 2 == 0)
    return where(even, extra + low, span - extra + low)


def _source_coordinate(coord, size, padding_mode, align_corners):
    coord = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        return coord.clamp(0, size - 1)
    if padding_mode == "reflection":
        coord = _reflect(coord, 0, 2 * (size - 1)) if align_corners else _reflect(coord, -1, 2 * size - 1)
        return coord.clamp(0, size - 1)
    return coord


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Samples ``input`` at the normalised coordinates in ``grid``.

    Sample ``input`` (N, C, H, W) or (N, C, D, H, W) at the normalised points ``grid`` (N, H', W', 2) or
    (N, D', H', W', 3); points outside [-1, 1] follow ``padding_mode``."""
    require_tensor("grid_sample", input)
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if mode == "bicubic":
        raise NotImplementedError("grid_sample: mode='bicubic' is not supported by numbatorch (use 'bilinear' or "
                                  "'nearest')")
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but "
                           f"got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    nd = input.dim() - 2
    if grid.shape[0] != input.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, but got grid with "
                           f"sizes {list(grid.shape)}")
    n, c = input.shape[:2]
    sizes = list(input.shape[2:])  # (D,) H, W
    out_spatial = list(grid.shape[1:-1])
    points = int(np.prod(out_spatial))
    flat_input = input.reshape(n, c, int(np.prod(sizes)))
    # grid[..., 0] indexes the last (W) dim, grid[..., 1] the one before, ...
    coords = [_source_coordinate(grid[..., k].reshape(n, 1, points), sizes[nd - 1 - k], padding_mode,
                                 align_corners) for k in range(nd)][::-1]  # ordered like ``sizes``
    strides = [int(np.prod(sizes[i + 1:])) for i in range(nd)]
    if mode == "nearest":
        # The nearest value does not change with the grid: a zero-gradient weight makes grid.grad zeros, as PyTorch.
        corners = [[(Tensor._make(np.rint(x._data)), x * 0 + 1)] for x in coords]
    else:
        corners = []
        for x in coords:
            low = Tensor._make(np.floor(x._data))
            frac = x - low
            corners.append([(low, 1 - frac), (low + 1, frac)])
    result = None
    for choice in itertools.product(*corners):
        index = np.zeros_like(grid._data, shape=(n, 1, points), dtype=np.int64)
        inside = np.ones_like(grid._data, shape=(n, 1, points), dtype=bool)
        weight = None
        for (position, w), size, stride in zip(choice, sizes, strides):
            p = position._data.astype(np.int64)
            inside &= (p >= 0) & (p < size)
            index += np.clip(p, 0, size - 1) * stride
            if w is not None:
                weight = w if weight is None else weight * w
        values = flat_input.gather(2, Tensor._make(np.broadcast_to(index, (n, c, points)).copy()))
        mask = Tensor._make(inside.astype(input._data.dtype))
        term = values * mask if weight is None else values * (weight * mask)
        result = term if result is None else result + term
    return result.reshape([n, c] + out_spatial)
