"""Broadcasting views: ``expand`` (``expand_as``, ``broadcast_to``), ``broadcast_tensors`` and ``broadcast_shapes``;
re-exported by ``views``."""
import numpy as np

from .. import _dtype as dt
from .._size import Size
from .._tensor import Tensor, tensor_method
from .views import AliasBackward0, _size_args, _view


def broadcast_shapes(*shapes):
    """The shape all ``shapes`` broadcast to, or PyTorch's error naming the first mismatch."""
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for s in shapes:
        s = (s,) if isinstance(s, int) else tuple(s)
        for i, n in enumerate(s):
            j = ndim - len(s) + i
            if out[j] == 1:
                out[j] = n
            elif n != 1 and n != out[j]:
                raise RuntimeError(f"The size of tensor a ({out[j]}) must match the size of tensor b ({n}) at "
                                   f"non-singleton dimension {j}")
    return Size(out)


class ExpandBackward0(AliasBackward0):
    """The engine sums the broadcast gradient back to the input's shape."""

    __slots__ = ()


@tensor_method("expand")
def _expand_method(self, *sizes):
    """A view with size-1 dimensions broadcast to ``sizes`` (``-1`` keeps a size), copying nothing."""
    return _expand(self, _size_args(sizes))


def _expand(input, sizes):
    data = input._data
    shape = data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(f"expand({dt.LEGACY_NAME[input.dtype]}{{{list(shape)}}}, size={list(sizes)}): the "
                           f"number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(shape)})")
    target = list(sizes)
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            continue
        have = shape[i - lead]
        if s == -1:
            target[i] = have
        elif have != 1 and s != have:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({have}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(shape)}")
    return _view(input, np.broadcast_to(data, tuple(target)), ExpandBackward0)


@tensor_method()
def expand_as(self, other):
    """``expand`` to ``other``'s shape."""
    return _expand(self, other._data.shape)


def broadcast_to(input, size):
    """A view of ``input`` broadcast to ``size``."""
    return _expand(input, _size_args((size,)))


Tensor.broadcast_to = broadcast_to


def broadcast_tensors(*tensors):
    """The given tensors broadcast to their common shape, as views."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tensors[0]
    shape = broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(t if t._data.shape == shape else _expand(t, shape) for t in tensors)
