"""``as_strided_scatter``: ``input`` with the elements that ``input.as_strided(size, stride, storage_offset)``
views replaced by ``src``, in a fresh tensor."""
import numpy as np

from .._tensor import Tensor, tensor_method
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
    positions = offset + sum(np.arange(n).reshape([-1 if d == i else 1 for d in range(len(size))]) * st
                             for i, (n, st) in enumerate(zip(size, stride)))
    positions = np.broadcast_to(positions, size)
    if positions.size and (positions.min() < 0 or positions.max() >= input.numel()):
        raise RuntimeError(f"as_strided_scatter: sizes {list(size)}, strides {list(stride)} and storage offset "
                           f"{offset} are out of bounds for a tensor of {input.numel()} elements")
    return put(input.contiguous(), Tensor._make(np.ascontiguousarray(positions, dtype=np.int64)), src)
