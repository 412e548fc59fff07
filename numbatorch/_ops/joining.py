"""Joining, splitting and replicating: cat/stack, split/chunk/unbind, repeat/tile, meshgrid, block_diag."""
import warnings

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, is_grad_recording, tensor_method
from ..autograd.graph import Node
from ._util import normalize_dim, record, zeros
from .views import _as_view, _expand, _size_args, reshape, slice_grad

__all__ = [
    "repeat_interleave", "tile", "cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack",
    "dstack", "column_stack", "split", "chunk", "tensor_split", "unbind", "atleast_1d", "atleast_2d", "atleast_3d",
    "meshgrid", "block_diag", "cartesian_prod",
]

class _PiecesBackward(Node):
    """One node for all pieces of split/chunk/unbind: each output is the input at ``index[i]``."""

    __slots__ = ("shape", "index", "num_outputs")

    def backward(self, grads):
        if self.num_outputs == 1:  # the engine hands a one-output node its gradient alone, not in a tuple
            grads = (grads,)
        g = None
        for gi, idx in zip(grads, self.index):
            if gi is not None:
                if g is None:
                    g = zeros(self.shape, gi.dtype, like=gi)
                g[idx] = gi
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


class IndexSelectBackward0(Node):
    __slots__ = ("shape", "dim", "index")

    def backward(self, grad):
        g = zeros(self.shape, grad.dtype, like=grad)
        np.add.at(g, (slice(None),) * self.dim + (self.index,), grad)
        return g

    def backward_graph(self, grad):
        return record(self.backward(grad._data), _IndexSelectGradBackward, (grad,), dim=self.dim,
                      index=self.index)


class _IndexSelectGradBackward(Node):
    """Graph of index_select's gradient (an index_add into zeros): its own gradient is index_select again."""

    __slots__ = ("dim", "index")

    def backward(self, grad):
        return np.take(grad, self.index, axis=self.dim)

    def backward_graph(self, grad):
        return record(self.backward(grad._data), IndexSelectBackward0, (grad,), shape=grad._data.shape, dim=self.dim,
                      index=self.index)


class CatBackward0(Node):
    __slots__ = ("dim", "bounds")

    def backward(self, grad):
        d = self.dim
        return tuple(None if b is None or t is None else grad[(slice(None),) * d + (slice(*b),)]
                     for t, b in zip(self.inputs, self.bounds))

    def backward_graph(self, grad):
        return self.backward(grad)


class StackBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, grad):
        return tuple(None if t is None else np.take(grad, i, axis=self.dim) for i, t in enumerate(self.inputs))

    def backward_graph(self, grad):
        return tuple(None if t is None else grad.select(self.dim, i) for i, t in enumerate(self.inputs))


class BlockDiagBackward0(Node):
    __slots__ = ("blocks",)

    def backward(self, grad):
        return tuple(None if t is None else grad[idx].reshape(shape)
                     for t, (idx, shape) in zip(self.inputs, self.blocks))

    backward_graph = backward  # slicing and reshape are the same calls on a Tensor


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


def cat(tensors, dim=0, *, axis=None, out=None):
    """Concatenate ``tensors`` along ``dim`` (``axis`` is numpy's spelling, accepted like PyTorch does)."""
    if axis is not None:
        dim = axis
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    arrays = [t._data for t in tensors]
    first = arrays[0]
    d = normalize_dim(dim, max(first.ndim, 1))
    dtype = first.dtype
    same = True
    for a in arrays:
        if a.dtype != dtype or a.ndim != first.ndim or a.shape == (0,):
            same = False
            break
    try:
        if not same:
            raise ValueError
        res = np.concatenate(arrays, axis=d)
    except ValueError:
        # Slow path: PyTorch's promotion, its skipping of legacy empty (0,) tensors, and its error messages.
        return _cat_general(tensors, dim, out)
    if is_grad_recording(*tensors):
        bounds = np.cumsum([0] + [a.shape[d] for a in arrays]).tolist()
        res = record(res, CatBackward0, tuple(tensors), dim=d, bounds=list(zip(bounds[:-1], bounds[1:])))
    else:
        res = Tensor._make(res)
    if out is not None:
        out._data = res._data
        return out
    return res


def _cat_general(tensors, dim, out):
    ref = next((t for t in tensors if t._data.shape != (0,)), tensors[0])
    shape = ref._data.shape
    n = len(shape)
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    d = normalize_dim(dim, n)
    arrays, bounds, offset = [], [], 0
    dtype = tensors[0].dtype
    for i, t in enumerate(tensors):
        a = t._data
        dtype = dt.promote_types(dtype, t.dtype)
        if a.shape == (0,) and n != 1:
            bounds.append(None)
            continue
        if a.ndim != n:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {n} and {a.ndim}")
        for j in range(n):
            if j != d and a.shape[j] != shape[j]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size {shape[j]} "
                                   f"but got size {a.shape[j]} for tensor number {i} in the list.")
        arrays.append(a)
        bounds.append((offset, offset + a.shape[d]))
        offset += a.shape[d]
    res = np.concatenate(arrays, axis=d, dtype=dtype.np) if arrays else np.empty((0,), dtype.np)
    result = record(res, CatBackward0, tuple(tensors), dim=d, bounds=bounds)
    if out is not None:
        out._data = result._data
        return out
    return result


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Joins tensors of the same shape along a new dimension ``dim``."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    arrays = [t._data for t in tensors]
    shape, np_dtype = arrays[0].shape, arrays[0].dtype
    for i, a in enumerate(arrays):
        if a.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                               f"{list(a.shape)} at entry {i}")
        if a.dtype != np_dtype:
            np_dtype = None
    if np_dtype is None:  # mixed dtypes: PyTorch's promotion
        dtype = tensors[0].dtype
        for t in tensors:
            dtype = dt.promote_types(dtype, t.dtype)
        np_dtype = dtype.np
    d = normalize_dim(dim, len(shape) + 1)
    res = np.stack(arrays, axis=d, dtype=np_dtype)
    result = record(res, StackBackward0, tuple(tensors), dim=d)
    if out is not None:
        out._data = result._data
        return out
    return result


def hstack(tensors):
    """Joins tensors column-wise: along dim 1, or dim 0 for 1-D tensors."""
    tensors = atleast_1d(tuple(tensors))
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    """Joins tensors row-wise, along dim 0, after making them at least 2-D; ``row_stack`` is an alias."""
    return cat(atleast_2d(tuple(tensors)), 0)


row_stack = vstack


def dstack(tensors):
    """Joins tensors depth-wise, along dim 2, after making them at least 3-D."""
    return cat(atleast_3d(tuple(tensors)), 2)


def column_stack(tensors):
    """Joins tensors as columns: 1-D tensors become columns, then ``hstack``."""
    return cat([reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in tensors], 1)


def _atleast(tensors, fn):
    if len(tensors) == 1:
        if isinstance(tensors[0], (tuple, list)):
            return tuple(fn(t) for t in tensors[0])
        return fn(tensors[0])
    return tuple(fn(t) for t in tensors)


def atleast_1d(*tensors):
    """Each tensor, viewed with at least 1 dimension."""
    return _atleast(tensors, lambda t: reshape(t, (1,)) if t._data.ndim == 0 else t)


def atleast_2d(*tensors):
    """Each tensor, viewed with at least 2 dimensions."""
    def fn(t):
        n = t._data.ndim
        return t if n >= 2 else reshape(t, (1, t._data.size))
    return _atleast(tensors, fn)


def atleast_3d(*tensors):
    """Each tensor, viewed with at least 3 dimensions."""
    def fn(t):
        shape = t._data.shape
        if len(shape) >= 3:
            return t
        return reshape(t, ((1, 1, 1), (1, t._data.size, 1), shape + (1,))[len(shape)])
    return _atleast(tensors, fn)


def _pieces(input, dim, bounds, node_cls, squeeze_dim=False):
    """Views of ``input`` along ``dim`` for each (start, stop) in ``bounds`` (or each index when squeezing)."""
    data = input._data
    lead = (slice(None),) * dim
    index = [lead + ((b,) if squeeze_dim else (slice(*b),)) for b in bounds]
    pieces = record(tuple([data[i] for i in index]), node_cls, (input,), shape=data.shape, index=index)
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


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors; ``indexing='ij'`` (matrix) or ``'xy'`` (Cartesian)."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    k = len(tensors)
    sizes = [t._data.size for t in tensors]
    axes = list(range(k))
    if indexing == "xy" and k >= 2:
        axes[0], axes[1] = 1, 0
        sizes[0], sizes[1] = sizes[1], sizes[0]
    shape = [0] * k
    for t, a in zip(tensors, axes):
        shape[a] = t._data.size
    out = []
    for t, a in zip(tensors, axes):
        pos = [1] * k
        pos[a] = t._data.size
        out.append(_expand(reshape(t, tuple(pos)), tuple(shape)))
    return tuple(out)


def block_diag(*tensors):
    """A block-diagonal matrix with the given tensors (up to 2-D) as blocks."""
    mats = []
    for i, t in enumerate(tensors):
        n = t._data.ndim
        if n > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{n} dimensions")
        mats.append(t._data.reshape((1, 1) if n == 0 else (1, -1) if n == 1 else t._data.shape))
    dtype = tensors[0].dtype if tensors else dt.get_default_dtype()
    for t in tensors:
        dtype = dt.promote_types(dtype, t.dtype)
    out = np.zeros((sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)), dtype=dtype.np,
                   like=mats[0] if mats else None)
    blocks, r, c = [], 0, 0
    for t, m in zip(tensors, mats):
        idx = (slice(r, r + m.shape[0]), slice(c, c + m.shape[1]))
        out[idx] = m
        blocks.append((idx, t._data.shape))
        r, c = r + m.shape[0], c + m.shape[1]
    return record(out, BlockDiagBackward0, tuple(tensors), blocks=blocks)


def cartesian_prod(*tensors):
    """The Cartesian product of 1-D tensors, one row per combination."""
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)
