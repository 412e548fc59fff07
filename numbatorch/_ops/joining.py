"""Joining tensors: cat/stack and their variants, atleast_nd, meshgrid, block_diag, cartesian_prod.

Splitting (split, chunk, tensor_split, unbind) is in ``splitting.py`` and replicating (repeat, tile,
repeat_interleave) in ``replicating.py``; their names are re-exported here.
"""
import warnings

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, is_grad_recording
from ..autograd.graph import Node
from ._util import normalize_dim, record
from .replicating import repeat_interleave, tile  # noqa: F401
from .splitting import chunk, split, tensor_split, unbind  # noqa: F401
from .views import _expand, reshape

__all__ = [
    "repeat_interleave", "tile", "cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack",
    "dstack", "column_stack", "split", "chunk", "tensor_split", "unbind", "atleast_1d", "atleast_2d", "atleast_3d",
    "meshgrid", "block_diag", "cartesian_prod",
]


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
