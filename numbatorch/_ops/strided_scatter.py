"""``as_strided_scatter``: ``input`` with the elements that ``input.as_strided(size, stride, storage_offset)``
views replaced by ``src``, in a fresh tensor."""
import numpy as np

from .._tensor import Tensor, tensor_method
from ..backends._arrays import as_strided as strided_view
from .scatter_gather import put

__all__ = ["as_strided_scatter"]


@tensor_method()
def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of ``input`` whose elements under ``as_strided(size, stride, storage_offset)`` are ``src``'s.

    The positions are those of ``input``'s elements in row-major order (its storage when contiguous)."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    offset = 0 if storage_offset is None else int(storage_offset)
    lowest = offset + sum((n - 1) * st for n, st in zip(size, stride) if st < 0)
    highest = offset + sum((n - 1) * st for n, st in zip(size, stride) if st > 0)
    if 0 not in size and (lowest < 0 or highest >= input.numel()):
        raise RuntimeError(f"as_strided_scatter: sizes {list(size)}, strides {list(stride)} and storage offset "
                           f"{offset} are out of bounds for a tensor of {input.numel()} elements")
    # the positions are the view's elements of a row-major arange, made on input's device
    everywhere = np.arange(max(input.numel(), 1), dtype=np.int64, like=input._data)
    positions = strided_view(everywhere[offset:] if 0 not in size else everywhere, size,
                             tuple(st * everywhere.itemsize for st in stride))
    return put(input.contiguous(), Tensor._make(positions.copy()), src)
