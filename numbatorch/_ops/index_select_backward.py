"""The gradient node of ``index_select`` (also ``repeat_interleave`` with a tensor of repeats) and of its own
gradient, each the other's transpose."""
import numpy as np

from ..autograd.graph import Node
from ._util import record, zeros


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
