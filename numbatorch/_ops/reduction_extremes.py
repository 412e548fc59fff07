"""Extreme-value reductions: max/min (whole, along a dim, or elementwise with ``other``), amax/amin, aminmax,
argmax/argmin."""
import builtins

import numpy as np

from .. import return_types
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node
from .binary_math import maximum, minimum
from ._util import normalize_dim, record
from ._reduce_util import (_EvenlyBackward, _SelectBackward, _selected, evenly_distribute, expand_graph_grad,
                           reduce_axes)

__all__ = ["max", "min", "amax", "amin", "aminmax", "argmax", "argmin"]


class MaxBackward1(_EvenlyBackward):
    __slots__ = ()


class MinBackward1(_EvenlyBackward):
    __slots__ = ()


class MaxBackward0(_SelectBackward):
    __slots__ = ()


class MinBackward0(_SelectBackward):
    __slots__ = ()


class AmaxBackward0(_EvenlyBackward):
    __slots__ = ()


class AminBackward0(_EvenlyBackward):
    __slots__ = ()


def _extreme(input, dim, keepdim, other, name):
    if other is not None or isinstance(dim, Tensor):
        return (maximum if name == "max" else minimum)(input, dim if other is None
                                                                              else other)
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        out = np.asarray(x.max() if name == "max" else x.min(), like=x)
        return record(out, MaxBackward1 if name == "max" else MinBackward1, (input,), reads=(input,), x=x, value=out,
                      axes=None, keepdim=False)
    d = normalize_dim(dim, x.ndim)
    if x.ndim == 0:
        return _selected(input, x.copy(), np.zeros((), np.int64), MaxBackward0 if name == "max" else MinBackward0,
                         0, keepdim, name)
    if x.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    idx = (x.argmax if name == "max" else x.argmin)(axis=d, keepdims=True)
    vals = np.take_along_axis(x, idx, d)
    if not keepdim:
        idx, vals = idx.squeeze(d), vals.squeeze(d)
    return _selected(input, vals, idx, MaxBackward0 if name == "max" else MinBackward0, d, keepdim, name)


@tensor_method("max")
def max(input, dim=None, keepdim=False, *, other=None):
    """``max(input)`` value; ``max(input, dim)`` (values, indices); ``max(input, other)`` elementwise."""
    return _extreme(input, dim, keepdim, other, "max")


@tensor_method("min")
def min(input, dim=None, keepdim=False, *, other=None):
    """``min(input)`` value; ``min(input, dim)`` (values, indices); ``min(input, other)`` elementwise."""
    return _extreme(input, dim, keepdim, other, "min")


def _amax_amin(input, dim, keepdim, name, node_cls):
    x = input._data
    axes = reduce_axes(dim, x.ndim)
    if x.size == 0 and (axes is None or builtins.any(x.shape[a] == 0 for a in axes)):
        raise IndexError(f"{name}(): Expected reduction dim {0 if axes is None else axes[0]} to have non-zero "
                         "size.")
    out = np.asarray((np.amax if name == "amax" else np.amin)(x, axis=axes, keepdims=keepdim), like=x)
    return record(out, node_cls, (input,), reads=(input,), x=x, value=out, axes=axes, keepdim=keepdim)


@tensor_method("amax")
def amax(input, dim=(), keepdim=False):
    """Maximum over ``dim`` (all dimensions by default), without indices."""
    return _amax_amin(input, dim, keepdim, "amax", AmaxBackward0)


@tensor_method("amin")
def amin(input, dim=(), keepdim=False):
    """Minimum over ``dim`` (all dimensions by default), without indices."""
    return _amax_amin(input, dim, keepdim, "amin", AminBackward0)


class AminmaxBackward0(Node):
    __slots__ = ("x", "lo", "hi", "axes", "keepdim")
    num_outputs = 2

    def backward(self, grads):
        total = np.zeros(self.x.shape, dtype=self.x.dtype)
        for g, v in zip(grads, (self.lo, self.hi)):
            if g is not None:
                total = total + evenly_distribute(g, self.x, v, self.x.shape, self.axes, self.keepdim)
        return total

    def backward_graph(self, grads):
        total = None
        for g, v in zip(grads, (self.lo, self.hi)):
            if g is not None:
                # the share of each tied element is fixed by forward: only grad carries a graph
                shares = evenly_distribute(np.ones(tuple(g.shape), dtype=g._data.dtype), self.x, v, self.x.shape,
                                           self.axes, self.keepdim)
                part = expand_graph_grad(g, self.x.shape, self.axes, self.keepdim) * Tensor._make(shares)
                total = part if total is None else total + part
        return total


@tensor_method("aminmax")
def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` of all elements, or over ``dim``."""
    x = input._data
    axes = reduce_axes(dim, x.ndim)
    lo = np.asarray(np.amin(x, axis=axes, keepdims=keepdim), like=x)
    hi = np.asarray(np.amax(x, axis=axes, keepdims=keepdim), like=x)
    pair = record((lo, hi), AminmaxBackward0, (input,), reads=(input,), x=x, lo=lo, hi=hi, axes=axes,
                  keepdim=keepdim)
    return return_types.aminmax(*pair)


def _arg_extreme(input, dim, keepdim, name):
    x = input._data
    if x.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    find = np.argmax if name == "argmax" else np.argmin
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        out = np.asarray(find(x), dtype=np.int64, like=x)
        return Tensor._make(out.reshape((1,) * x.ndim) if keepdim else out)
    d = normalize_dim(dim, x.ndim)
    if x.ndim == 0:
        return Tensor._make(np.zeros((), np.int64))
    if x.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return Tensor._make(np.asarray(find(x, axis=d, keepdims=keepdim), dtype=np.int64, like=x))


@tensor_method("argmax")
def argmax(input, dim=None, keepdim=False):
    """Index of the maximum, in the flattened input or along ``dim``."""
    return _arg_extreme(input, dim, keepdim, "argmax")


@tensor_method("argmin")
def argmin(input, dim=None, keepdim=False):
    """Index of the minimum, in the flattened input or along ``dim``."""
    return _arg_extreme(input, dim, keepdim, "argmin")
