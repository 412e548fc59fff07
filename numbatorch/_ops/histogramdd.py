"""``histogramdd``: the D-dimensional histogram of points given as the rows of a (..., D) tensor."""
import builtins

import numpy as np

from .. import _dtype as dt
from .. import return_types
from .._tensor import Tensor

__all__ = ["histogramdd"]


def _edges(column, bins, bounds, dtype, dim):
    if isinstance(bins, Tensor):
        return bins._data.astype(dtype)
    if bounds is not None:
        low, high = bounds
    elif column.size:
        low, high = column.min(), column.max()
    else:
        low, high = 0.0, 0.0
    if low > high:
        raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {low:g} max {high:g} for "
                           f"dimension {dim}")
    if low == high:  # an empty range is widened as PyTorch (and numpy) do
        low, high = low - 0.5, high + 0.5
    return np.linspace(low, high, int(bins) + 1, dtype=dtype)


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """``(hist, bin_edges)``: counts (or summed ``weight``) of the rows of ``input`` (..., D) in a grid of bins.

    ``bins`` is an int, one int per dimension, or one tensor of edges per dimension; ``range`` is
    ``[min_0, max_0, min_1, max_1, ...]``; ``density`` normalises the histogram to integrate to 1."""
    data = input._data
    if data.dtype.kind != "f":
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{dt.LEGACY_NAME[input.dtype][6:-6]}'")
    points = data.reshape(-1, data.shape[-1])
    dims = points.shape[1]
    per_dim = [bins] * dims if isinstance(bins, int) else list(bins)
    if len(per_dim) != dims:
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost dimension of the input.")
    bounds = [None] * dims if range is None else [tuple(range[2 * d:2 * d + 2]) for d in builtins.range(dims)]
    edges = [_edges(points[:, d], per_dim[d], bounds[d], data.dtype, d) for d in builtins.range(dims)]
    weights = None if weight is None else weight._data.reshape(-1)
    hist, _ = np.histogramdd(points, bins=[e.astype(np.float64) for e in edges], weights=weights,
                             density=density)
    return return_types.histogramdd(Tensor._make(hist.astype(data.dtype)),
                                    tuple(Tensor._make(e) for e in edges))
