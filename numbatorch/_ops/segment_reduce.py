"""``segment_reduce``: reduce consecutive segments of ``data`` along an axis (sum, mean, max, min or prod), the
segments given by their ``lengths`` or ``offsets``; built on ``scatter_reduce``, so it is differentiable."""
import numpy as np

import numbatorch

from .._alias_import import MissingFeatureError
from .._tensor import Tensor, normalize_dim

__all__ = ["segment_reduce"]

_SCATTER = {"sum": "sum", "mean": "sum", "max": "amax", "min": "amin", "prod": "prod"}
_EMPTY = {"sum": 0.0, "max": -np.inf, "min": np.inf, "prod": 1.0}


def segment_reduce(data, reduce, *, lengths=None, indices=None, offsets=None, axis=0, unsafe=False, initial=None):
    """One value per segment: ``reduce`` over each run of ``lengths[i]`` elements of ``data`` along ``axis``.

    An empty segment gives ``initial`` when it is given (which also enters every reduction; the mean divides by
    the segment's length), else the reduction's identity (NaN for the mean)."""
    if reduce not in _SCATTER:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if lengths is None and offsets is None:
        raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined.")
    if lengths is None:
        lengths = offsets[1:] - offsets[:-1]
    if lengths.dim() != 1:
        raise MissingFeatureError("numbatorch does not implement torch.segment_reduce with multi-dimensional "
                                  "lengths or offsets yet")
    axis = normalize_dim(axis, data.dim())
    if axis != 0:
        raise RuntimeError(f"segment_reduce(): Expected axis to be the last dimension of lengths but got {axis}.")
    counts = lengths._data.astype(np.int64)
    shape = (len(counts),) + tuple(data.shape[1:])
    ids = np.repeat(np.arange(len(counts), like=counts), counts).reshape((-1,) + (1,) * (data.dim() - 1))
    index = Tensor._make(np.ascontiguousarray(np.broadcast_to(ids, tuple(data.shape)), like=ids))
    if reduce == "mean":
        sums = numbatorch.zeros(shape, dtype=data.dtype, device=data.device).scatter_add(0, index, data)
        count = Tensor._make(counts.reshape((-1,) + (1,) * (data.dim() - 1)).astype(data._data.dtype))
        if initial is None:
            return sums / count
        return numbatorch.where(count > 0, (sums + initial) / count, numbatorch.full_like(sums, initial))
    base = numbatorch.full(shape, _EMPTY[reduce] if initial is None else initial, dtype=data.dtype,
                           device=data.device)
    return base.scatter_reduce(0, index, data, _SCATTER[reduce], include_self=initial is not None)
