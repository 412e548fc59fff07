"""take/put: elements of a tensor read or written at indices into its flattened form."""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node
from ._linear_grad import linear_grad
from ._util import apply_inplace, record, zeros

__all__ = ["put", "take"]


def _flat_index(input, index):
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError("take(): Expected a long tensor for index, but got " + dt._BY_NP[idx.dtype].name)
    n = input._data.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].flat[0]
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return idx


class TakeBackward0(Node):
    __slots__ = ("shape", "index")

    def backward(self, grad):
        g = zeros(self.shape, grad.dtype, like=grad)
        np.add.at(g.reshape(-1), self.index.reshape(-1), grad.reshape(-1))
        return g

    def backward_graph(self, grad):
        index = self.index
        return linear_grad(grad, _flat_adder(self.shape, index), lambda h: h.reshape(-1)[index])


def _flat_adder(shape, index):
    """The map adding each element of its argument into zeros of ``shape`` at the flat positions ``index``."""
    def add(g):
        out = zeros(shape, g.dtype, like=g)
        np.add.at(out.reshape(-1), index.reshape(-1), g.reshape(-1))
        return out
    return add


@tensor_method()
def take(input, index):
    """The elements of the flattened ``input`` at ``index``, in ``index``'s shape."""
    idx = _flat_index(input, index)
    data = input._data
    flat = data.reshape(-1)
    return record(flat[idx], TakeBackward0, (input,), shape=data.shape, index=idx)


class PutBackward0(Node):
    __slots__ = ("index", "accumulate")

    def backward(self, grad):
        g_self = g_src = None
        if self.inputs[0] is not None:
            g_self = grad
            if not self.accumulate:
                g_self = grad.copy()
                g_self.reshape(-1)[self.index] = 0
        if self.inputs[1] is not None:
            g_src = grad.reshape(-1)[self.index]
        return g_self, g_src

    def backward_graph(self, grad):
        g_self = g_src = None
        index, shape = self.index, tuple(grad.shape)
        if self.inputs[0] is not None:
            keep = np.ones(shape, dtype=bool)
            keep.reshape(-1)[index] = False
            g_self = grad if self.accumulate else grad * Tensor._make(keep)
        if self.inputs[1] is not None:
            g_src = linear_grad(grad, lambda g: g.reshape(-1)[index], _flat_adder(shape, index))
        return g_self, g_src


@tensor_method()
def put(input, index, source, accumulate=False):
    """A copy with ``source`` put at the flat indices ``index`` (added with ``accumulate``)."""
    idx = _flat_index(input, index)
    out = input._data.copy()
    src = source._data.reshape(idx.shape)
    if accumulate:
        np.add.at(out.reshape(-1), idx.reshape(-1), src.reshape(-1))
    else:
        out.reshape(-1)[idx] = src
    return record(out, PutBackward0, (input, source), index=idx, accumulate=accumulate)


@tensor_method()
def put_(self, index, source, accumulate=False):
    """In-place ``put``; returns self."""
    return apply_inplace(self, put(self, index, source, accumulate))
