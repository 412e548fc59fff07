"""Counting values into bins: histc, histogram and bincount (no gradients, as in PyTorch).

``histogramdd`` is in ``histogramdd.py``.
"""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ._dtype_args import require_float_or_double
from ._half_precision import computes_in_float32
from .keyword_aliases import accept_aliases

__all__ = ["histc", "histogram", "bincount"]


@tensor_method()
@computes_in_float32
def histc(input, bins=100, min=0, max=0):
    """Counts of ``input`` in ``bins`` equal bins over [min, max] (the data's range when both are 0)."""
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{dt.LEGACY_NAME[input.dtype][6:-6]}'")
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    inside = x[(x >= lo) & (x <= hi)].astype(np.float64)
    index = np.minimum(((inside - lo) * bins / (hi - lo)).astype(np.int64), bins - 1)
    return Tensor._make(np.bincount(index, minlength=bins).astype(x.dtype))


def histogram(input, bins=100, *, range=None, weight=None, density=False):
    """``(hist, bin_edges)`` of ``input`` with ``bins`` bins (or the given edges), like ``numpy.histogram``."""
    require_float_or_double("histogramdd", input._data)
    edges = bins._data if isinstance(bins, Tensor) else bins
    hist, bin_edges = np.histogram(input._data, edges, range=range,
                                   weights=None if weight is None else weight._data, density=density)
    from ..return_types import histogram as result_type
    return result_type(Tensor._make(hist.astype(input._data.dtype)), Tensor._make(bin_edges.astype(input._data.dtype)))


@tensor_method()
def bincount(input, weights=None, minlength=0):
    """Occurrences of each value of the non-negative 1-D int ``input`` (weighted sums with ``weights``)."""
    x = input._data
    if x.ndim != 1 or x.dtype.kind not in "iub":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if x.size and x.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return Tensor._make(np.bincount(x, minlength=minlength).astype(np.int64))
    w = weights._data
    out_dtype = w.dtype if w.dtype in (np.float32, np.float64) else np.float64  # PyTorch widens half weights
    return Tensor._make(np.bincount(x, weights=w, minlength=minlength).astype(out_dtype))


accept_aliases(__name__)  # last: this module loads after keyword_aliases ran
