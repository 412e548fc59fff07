"""Shared plumbing of reductions: dims, broadcasting gradients back, (values, indices) results."""
import builtins
import math

import numpy as np

from .. import _dtype as dt
from .. import return_types
from .._tensor import Tensor
from ..autograd.graph import Node
from ._util import normalize_dim, record, zeros


def reduce_axes(dim, ndim):
    """numpy ``axis`` for a PyTorch ``dim``: None (all) or a tuple; a 0-d tensor accepts dim 0/-1 and keeps its
    single element. An empty tuple/list means all dims, like PyTorch."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        if not dim:
            return None
        axes = []
        for d in dim:
            a = normalize_dim(d, ndim)
            if a in axes:
                raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
            axes.append(a)
        return tuple(axes) if ndim else ()
    return (normalize_dim(dim, ndim),) if ndim else ()


def expand_grad(grad, shape, axes, keepdim):
    """Broadcast the gradient of a reduction back over the reduced dims of an input of ``shape``."""
    if not keepdim and axes and len(shape):
        grad = np.expand_dims(grad, axes)
    return np.broadcast_to(grad, shape)


def expand_graph_grad(grad, shape, axes, keepdim):
    """``expand_grad`` on a Tensor gradient with differentiable ops (for ``create_graph=True``)."""
    if not keepdim and axes and len(shape):
        grad = grad.reshape(np.expand_dims(grad._data, axes).shape)
    return grad.expand(shape)


def _count(shape, axes):
    if axes is None:
        return math.prod(shape)
    return math.prod(shape[a] for a in axes) if shape else 1


def scatter_grad(grad, indices, dim, shape, keepdim, accumulate=False):
    """Gradient of an op that picked ``indices`` along ``dim``: zeros with ``grad`` placed at the indices."""
    out = zeros(shape, grad.dtype, like=grad)
    if not shape:
        out[...] = grad
        return out
    if not keepdim and indices.ndim < len(shape):
        grad = np.expand_dims(grad, dim)
        indices = np.expand_dims(indices, dim)
    grad = np.broadcast_to(grad, indices.shape)
    if not accumulate:
        np.put_along_axis(out, indices, grad, dim)
        return out
    # Repeated indices (cummax): sum per target through bincount on linear offsets along ``dim``.
    moved_idx = np.moveaxis(indices, dim, -1)
    n = shape[dim]
    rows = moved_idx.size // builtins.max(moved_idx.shape[-1], 1)
    lin = (moved_idx.reshape(rows, -1) + (np.arange(rows, like=moved_idx) * n)[:, None]).ravel()
    summed = np.bincount(lin, weights=np.moveaxis(grad, dim, -1).ravel(), minlength=rows * n)
    moved_shape = tuple(s for i, s in enumerate(shape) if i != dim) + (n,)
    return np.moveaxis(summed.reshape(moved_shape), -1, dim).astype(grad.dtype, copy=False)


def evenly_distribute(grad, x, value, shape, axes, keepdim):
    """Gradient of max/min/amax/median-like reductions: split equally among the elements equal to the result."""
    v = expand_grad(value, shape, axes, keepdim)
    mask = x == v
    if dt.is_floating(x.dtype):
        mask |= np.isnan(x) & np.isnan(v)
    count = mask.sum(axis=axes, keepdims=True)
    return mask * (expand_grad(grad, shape, axes, keepdim) / count)


def _float_only(x, what):
    if not dt.is_floating(x.dtype):
        raise RuntimeError(what)


class _SelectBackward(Node):
    """Backward of ops returning (values, indices): the gradient goes to the selected elements."""

    __slots__ = ("indices", "dim", "shape", "keepdim")

    def backward(self, grad):
        return scatter_grad(grad, self.indices, self.dim, self.shape, self.keepdim)

    def backward_graph(self, grad):
        return record(self.backward(grad._data), _SelectGradBackward, (grad,), indices=self.indices, dim=self.dim,
                      keepdim=self.keepdim)


class _SelectGradBackward(Node):
    """Graph of a selection's gradient (a scatter into zeros): its own gradient gathers at the same indices."""

    __slots__ = ("indices", "dim", "keepdim")

    def backward(self, grad):
        if not grad.ndim:
            return grad
        if not self.keepdim and self.indices.ndim < grad.ndim:
            return np.take_along_axis(grad, np.expand_dims(self.indices, self.dim), self.dim).squeeze(self.dim)
        return np.take_along_axis(grad, self.indices, self.dim)

    def backward_graph(self, grad):
        return record(self.backward(grad._data), _SelectBackward, (grad,), indices=self.indices, dim=self.dim,
                      shape=grad._data.shape, keepdim=self.keepdim)


class _EvenlyBackward(Node):
    """Backward of full reductions picking a value: split among ties."""

    __slots__ = ("x", "value", "axes", "keepdim")

    def backward(self, grad):
        return evenly_distribute(grad, self.x, self.value, self.x.shape, self.axes, self.keepdim)

    def backward_graph(self, grad):
        # The share of each tied element is fixed by forward: only grad carries a graph.
        shares = evenly_distribute(np.ones(grad.shape, dtype=grad._data.dtype), self.x, self.value, self.x.shape,
                                   self.axes, self.keepdim)
        return expand_graph_grad(grad, self.x.shape, self.axes, self.keepdim) * Tensor._make(shares)


def _selected(input, values, indices, node_cls, dim, keepdim, kind):
    """Wrap (values, indices) of a selecting reduction along ``dim`` as a return type with graph."""
    vals = record(values, node_cls, (input,), indices=indices, dim=dim, shape=input._data.shape,
                  keepdim=keepdim)
    return getattr(return_types, kind)(vals, Tensor._make(indices))


def _rows(x, d):
    """``x`` with axis ``d`` moved last, as contiguous (rows, length)."""
    moved = np.moveaxis(x, d, -1)
    return np.ascontiguousarray(moved, like=x).reshape(-1, moved.shape[-1] if moved.ndim else 1), moved.shape


def _unrows(rows, moved_shape, d):
    return np.moveaxis(rows.reshape(moved_shape), -1, d)


def _mean_out(m, axes, keepdim):
    if keepdim:
        return m
    return m.reshape(()) if axes is None else np.squeeze(m, axis=axes)
