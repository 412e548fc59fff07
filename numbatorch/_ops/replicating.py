"""Replicating a tensor: ``Tensor.repeat``, tile and repeat_interleave."""
import numpy as np

from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node
from ._util import normalize_dim, record
from .index_select_backward import IndexSelectBackward0
from .views import _size_args, reshape

__all__ = ["repeat_interleave", "tile"]


class RepeatBackward0(Node):
    """Sum the tiles: reshape the gradient to (r0, s0, r1, s1, ...) and sum the repeat axes."""

    __slots__ = ("repeats", "padded", "shape")

    def backward(self, grad):
        split = []
        for r, s in zip(self.repeats, self.padded):
            split += [r, s]
        g = grad.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return g.reshape(self.shape)

    def backward_graph(self, grad):
        split = []
        for r, size in zip(self.repeats, self.padded):
            split += [r, size]
        return grad.reshape(split).sum(tuple(range(0, len(split), 2))).reshape(self.shape)


class RepeatInterleaveBackward(Node):
    """Integer repeats: each element was copied ``repeats`` times next to itself along ``dim``."""

    __slots__ = ("shape", "dim", "repeats")

    def name(self):
        return "ViewBackward0"

    def backward(self, grad):
        d = self.dim
        g = grad.reshape(grad.shape[:d] + (grad.shape[d] // self.repeats, self.repeats) + grad.shape[d + 1:])
        return g.sum(axis=d + 1).reshape(self.shape)

    def backward_graph(self, grad):
        d, shape = self.dim, tuple(grad.shape)
        g = grad.reshape(shape[:d] + (shape[d] // self.repeats, self.repeats) + shape[d + 1:])
        return g.sum(d + 1).reshape(self.shape)


@tensor_method("repeat")
def _repeat(self, *repeats):
    """The tensor tiled ``repeats[i]`` times along each dimension (numpy's ``tile``)."""
    repeats = _size_args(repeats)
    shape = self._data.shape
    if len(repeats) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    padded = (1,) * (len(repeats) - len(shape)) + shape
    out = np.tile(self._data.reshape(padded), repeats)
    return record(out, RepeatBackward0, (self,), repeats=repeats, padded=padded, shape=shape)


@tensor_method()
def tile(input, dims):
    """Repeats ``input`` ``dims[i]`` times along each dimension (leading ones added as needed)."""
    dims = _size_args((dims,))
    n = input._data.ndim
    if len(dims) < n:
        dims = (1,) * (n - len(dims)) + dims
    return _repeat(input, dims)


@tensor_method()
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeats each element (or slice along ``dim``) ``repeats`` times, consecutively."""
    if repeats is None:  # repeat_interleave(repeats_tensor): indices repeated by their counts
        counts = input._data
        return Tensor._make(np.repeat(np.arange(counts.size, dtype=np.int64, like=counts), counts))
    if dim is None:
        input, dim = reshape(input, (-1,)), 0
    data = input._data
    d = normalize_dim(dim, data.ndim)
    if isinstance(repeats, Tensor):
        reps = repeats._data
        if reps.ndim == 0 or reps.size == 1:
            repeats = int(reps.reshape(()))
        else:
            if reps.ndim != 1 or reps.size != data.shape[d]:
                raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) "
                                   f"= {reps.size} and input.size({d}) = {data.shape[d]}")
            if (reps < 0).any():
                raise RuntimeError("repeats can not be negative")
            index = np.repeat(np.arange(reps.size), reps)
            return record(np.take(data, index, axis=d), IndexSelectBackward0, (input,), shape=data.shape, dim=d,
                          index=index)
    if repeats < 0:
        raise RuntimeError("repeats can not be negative")
    return record(np.repeat(data, repeats, axis=d), RepeatInterleaveBackward, (input,), shape=data.shape, dim=d,
                  repeats=repeats)
