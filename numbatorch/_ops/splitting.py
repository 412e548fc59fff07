"""Splitting a tensor into views: split, chunk, tensor_split, unbind and hsplit/vsplit/dsplit (one graph node for
all the pieces)."""
import math

import numpy as np

from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node
from ._util import normalize_dim, record, zeros
from .views import _as_view, slice_grad

__all__ = ["split", "chunk", "tensor_split", "unbind", "hsplit", "vsplit", "dsplit"]


class _PiecesBackward(Node):
    """One node for all pieces of split/chunk/unbind: each output is the input at ``index[i]``; ``tiles``: the
    pieces cover the input exactly, each element once."""

    __slots__ = ("shape", "index", "num_outputs", "tiles")

    def backward(self, grads):
        if self.num_outputs == 1:  # the engine hands a one-output node its gradient alone, not in a tuple
            grads = (grads,)
        covered = self.tiles and len(grads) > 0 and all(gi is not None for gi in grads)
        if covered:
            whole = _viewed_whole(grads, self.index, self.shape)
            if whole is not None:
                return whole
        g = None
        for gi, idx in zip(grads, self.index):
            if gi is not None:
                if g is None:  # every element is written when the pieces tile the input
                    g = np.empty_like(gi, shape=self.shape, order="C") if covered else \
                        zeros(self.shape, gi.dtype, like=gi)
                if self.tiles:
                    g[idx] = gi
                else:  # tensor_split at decreasing indices: pieces overlap, their gradients add up
                    g[idx] += gi
        return g

    def backward_graph(self, grads):
        if self.num_outputs == 1:
            grads = (grads,)
        g = None
        for gi, idx in zip(grads, self.index):
            if gi is not None:
                part = slice_grad(gi, self.shape, idx)
                g = part if g is None else g + part
        return g

    def release(self):
        n = self.num_outputs  # the engine still reads it to report a second backward properly
        Node.release(self)
        self.num_outputs = n


def _viewed_whole(grads, index, shape):
    """The array the pieces' gradients are views of, when each lies in it at its piece's place (attention's
    backward writes MultiheadAttention's q, k and v gradients into one array so): the input's gradient with
    nothing to copy. None otherwise."""
    base = grads[0].base
    if type(base) is not np.ndarray or not base.flags.c_contiguous or base.size != math.prod(shape):
        return None
    whole = base.reshape(shape)
    for gi, idx in zip(grads, index):
        if gi.base is not base or gi.__array_interface__ != whole[idx].__array_interface__:
            return None
    return whole


class SplitBackward0(_PiecesBackward):
    __slots__ = ()


class SplitWithSizesBackward0(_PiecesBackward):
    __slots__ = ()


class UnbindBackward0(_PiecesBackward):
    __slots__ = ()


class TensorSplitBackward(_PiecesBackward):
    __slots__ = ()

    def name(self):
        return "SliceBackward0"


def _pieces(input, dim, bounds, node_cls, squeeze_dim=False):
    """Views of ``input`` along ``dim`` for each (start, stop) in ``bounds`` (or each index when squeezing)."""
    data = input._data
    lead = (slice(None),) * dim
    index = [lead + ((b,) if squeeze_dim else (slice(*b),)) for b in bounds]
    tiles = squeeze_dim or [start for start, _ in bounds] == [0] + [stop for _, stop in bounds[:-1]] and \
        bounds[-1][1] == data.shape[dim]
    pieces = record(tuple([data[i] for i in index]), node_cls, (input,), shape=data.shape, index=index,
                    tiles=tiles)
    return tuple(_as_view(t, input) for t in pieces)


@tensor_method("split")
def split(tensor, split_size_or_sections, dim=0):
    """Splits a tensor along ``dim`` into chunks of ``split_size_or_sections`` (an int, or a list of sizes)."""
    shape = tensor._data.shape
    d = normalize_dim(dim, len(shape))
    n = shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
        if size == 0:
            if n != 0:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
            return (tensor,)
        starts = range(0, max(n, 1), size)
        return _pieces(tensor, d, [(s, min(s + size, n)) for s in starts], SplitBackward0)
    sizes = [int(s) for s in split_size_or_sections]
    if sum(sizes) != n or any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                           f"dimension {d}), but got split_sizes={sizes}")
    bounds = np.cumsum([0] + sizes).tolist()
    return _pieces(tensor, d, list(zip(bounds[:-1], bounds[1:])), SplitWithSizesBackward0)


@tensor_method()
def chunk(input, chunks, dim=0):
    """Splits a tensor along ``dim`` into ``chunks`` pieces of equal size (the last may be smaller)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input._data.shape[normalize_dim(dim, input._data.ndim)]
    return split(input, -(-n // chunks) if n else 0, dim) if n else \
        _pieces(input, normalize_dim(dim, input._data.ndim), [(0, 0)] * chunks, SplitBackward0)


@tensor_method()
def tensor_split(input, indices_or_sections, dim=0):
    """Splits a tensor along ``dim`` into ``n`` nearly equal pieces, or at the given indices."""
    d = normalize_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        sizes = [q + 1] * r + [q] * (k - r)
        cuts = np.cumsum([0] + sizes).tolist()
    else:
        cuts = [0] + [min(max(int(i) + (n if i < 0 else 0), 0), n) for i in indices_or_sections] + [n]
    bounds = [(a, max(a, b)) for a, b in zip(cuts[:-1], cuts[1:])]
    return _pieces(input, d, bounds, TensorSplitBackward)


@tensor_method()
def unbind(input, dim=0):
    """The slices of ``input`` along ``dim``, as a tuple (the dimension removed)."""
    d = normalize_dim(dim, input._data.ndim)
    return _pieces(input, d, range(input._data.shape[d]), UnbindBackward0, squeeze_dim=True)


def _directional_split(name, min_dims, dim):
    def split(input, indices_or_sections):
        if input.dim() < min_dims:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a "
                               f"tensor with {input.dim()} dimensions!")
        d = 0 if (name == "hsplit" and input.dim() == 1) else dim
        if isinstance(indices_or_sections, int) and input.shape[d] % indices_or_sections != 0:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but the size of the "
                               f"dimension {input.shape[d]} is not divisible by the split_size "
                               f"{indices_or_sections}!")
        return input.tensor_split(indices_or_sections, d)
    split.__name__ = split.__qualname__ = name
    split.__doc__ = f"``tensor_split`` along dim {dim} (``hsplit`` of a 1-D tensor: dim 0)."
    return tensor_method(name)(split)


hsplit = _directional_split("hsplit", 1, 1)
vsplit = _directional_split("vsplit", 2, 0)
dsplit = _directional_split("dsplit", 3, 2)
