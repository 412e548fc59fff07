"""``Tensor.unfold``: sliding windows along one dimension as a new last dimension, one graph node."""
import numpy as np

from .._tensor import normalize_dim, tensor_method
from ..autograd.graph import Node
from ._linear_grad import linear_grad
from ._util import record, zeros
from .keyword_aliases import accept_aliases


class UnfoldBackward0(Node):
    __slots__ = ("shape", "dim", "index")

    def backward(self, grad):
        return _sum_windows(grad, self.shape, self.dim, self.index)

    def backward_graph(self, grad):
        shape, dim, index = self.shape, self.dim, self.index
        return linear_grad(grad, lambda g: _sum_windows(g, shape, dim, index), lambda h: _windows(h, dim, index))


def _windows(data, dim, index):
    """Tensor.unfold on an array: the windows ``index`` (windows, size) along ``dim``, a new last dim."""
    return np.ascontiguousarray(np.moveaxis(np.moveaxis(data, dim, -1)[..., index], -2, dim), like=data)


def _sum_windows(grad, shape, dim, index):
    """The transpose of ``_windows``: each window's elements added back where they came from."""
    moved = np.moveaxis(grad, dim, -2)  # (..., windows, size)
    out = zeros(tuple(np.delete(shape, dim)) + (shape[dim],), grad.dtype, like=grad)
    flat_out = out.reshape(-1, out.shape[-1])
    np.add.at(flat_out, (slice(None), index), moved.reshape((-1,) + index.shape))
    return np.moveaxis(flat_out.reshape(out.shape), -1, dim)


@tensor_method("unfold")
def _tensor_unfold(self, dimension, size, step):
    """Windows of ``size`` elements every ``step`` along ``dimension``, as a new last dim (a copy, not a view)."""
    d = normalize_dim(dimension, self.dim())
    length = self.shape[d] if self.dim() else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    starts = np.arange(0, length - size + 1, step, like=self._data)
    index = starts[:, None] + np.arange(size, like=self._data)[None, :]
    return record(_windows(self._data, d, index), UnfoldBackward0, (self,), shape=self._data.shape, dim=d,
                  index=index)


accept_aliases(__name__)  # last: this module loads after keyword_aliases ran
