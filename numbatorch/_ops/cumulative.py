"""Cumulative ops along one dimension: cumsum, cumprod, cummax, cummin."""
import numpy as np

from .. import return_types
from .._tensor import Tensor, tensor_method
from .. import _dtype as dt
from ..autograd.graph import Node, operand, recomputed_output
from ._half_precision import computes_in_float32
from ._linear_grad import linear_grad
from ._util import normalize_dim, record
from ..backends import kernel_family
from ._reduce_util import _rows, _unrows, scatter_grad
from .reduction import _sum_input

kernels = kernel_family("reduction")

__all__ = [
    "cumsum", "cumprod", "cummax", "cummin",
]

class CumsumBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, grad):
        if grad.ndim == 0:
            return grad
        d = self.dim
        return np.flip(np.cumsum(np.flip(grad, d), axis=d), d)

    def backward_graph(self, grad):
        if grad.dim() == 0:
            return grad
        return grad.flip(self.dim).cumsum(self.dim).flip(self.dim)


def _cumulative_setup(input, dim, dtype):
    x = _sum_input(input, dtype)
    return x, normalize_dim(dim, x.ndim)


@tensor_method("cumsum")
def cumsum(input, dim, *, dtype=None):
    """Cumulative sum along ``dim``: element ``i`` is the sum of elements ``0..i``."""
    x, d = _cumulative_setup(input, dim, dtype)
    out = np.cumsum(x, axis=d) if x.ndim else x.copy()
    return record(out, CumsumBackward0, (input,), dim=d)


class CumprodBackward0(Node):
    __slots__ = ("x", "out", "dim")

    def backward(self, grad):
        x = self.x
        if x.ndim == 0:
            return grad * np.ones_like(x)
        xr, moved_shape = _rows(x, self.dim)
        outr, _ = _rows(self.out, self.dim)
        gr, _ = _rows(np.broadcast_to(grad, x.shape).astype(x.dtype, copy=False), self.dim)
        return _unrows(kernels.cumprod_backward(xr, outr, gr), moved_shape, self.dim)

    def backward_graph(self, grad):
        x = operand(self, 0, self.x)
        if x._data.dtype != self.x.dtype:  # cumprod(dtype=...) cast its input first
            x = x.to(dt._BY_NP[self.x.dtype])
        if self.x.ndim == 0:
            return grad * 1
        d = self.dim
        if not self.x.all():
            return _cumprod_grad_with_zeros(x, grad, d)
        out = recomputed_output(self, x.cumprod(d), self.out)
        return (grad * out).flip(d).cumsum(d).flip(d) / x


def _cumprod_grad_with_zeros(x, grad, d):
    """Differentiable gradient of ``cumprod`` along ``d`` where ``x`` has zeros (no division):
    ``grad_k = sum_{i >= k} grad_i prod_{j <= i, j != k} x_j``, all (k, i) pairs at once."""
    x, grad = x.movedim(d, -1), grad.movedim(d, -1)
    n = x.shape[-1]
    dtype = x._data.dtype
    eye = Tensor._make(np.eye(n, dtype=dtype, like=x._data))
    others = (x.unsqueeze(-2) * (1 - eye) + eye).cumprod(-1)  # [k, i]: prod_{j <= i, j != k} x_j
    upper = Tensor._make(np.triu(np.ones((n, n), dtype=dtype, like=x._data)))
    return (others * grad.unsqueeze(-2) * upper).sum(-1).movedim(-1, d)


@tensor_method("cumprod")
@computes_in_float32
def cumprod(input, dim, *, dtype=None):
    """Cumulative product along ``dim``: element ``i`` is the product of elements ``0..i``."""
    x, d = _cumulative_setup(input, dim, dtype)
    out = np.cumprod(x, axis=d) if x.ndim else x.copy()
    return record(out, CumprodBackward0, (input,), reads=(input,), x=x, out=out, dim=d)


class CummaxBackward0(Node):
    __slots__ = ("indices", "dim", "shape")

    def backward(self, grad):
        return scatter_grad(grad, self.indices, self.dim, self.shape, True, accumulate=True)

    def backward_graph(self, grad):
        indices, dim, shape = self.indices, self.dim, self.shape
        if not shape:
            return grad * 1
        return linear_grad(grad, lambda g: scatter_grad(g, indices, dim, shape, True, accumulate=True),
                           lambda h: np.take_along_axis(h, indices, dim))


class CumminBackward0(CummaxBackward0):
    __slots__ = ()


@computes_in_float32
def _cum_extreme(input, dim, name):
    x = input._data
    d = normalize_dim(dim, x.ndim)
    if x.ndim == 0:
        vals, idx = x.copy(), np.zeros_like(x, dtype=np.int64)
    else:
        xr, moved_shape = _rows(x, d)
        vr, ir = kernels.cum_extreme_forward(xr, name == "cummax")
        vals, idx = _unrows(vr, moved_shape, d), _unrows(ir, moved_shape, d)
    node_cls = CummaxBackward0 if name == "cummax" else CumminBackward0
    values = record(vals, node_cls, (input,), indices=idx, dim=d, shape=x.shape)
    return getattr(return_types, name)(values, Tensor._make(idx))


@tensor_method("cummax")
def cummax(input, dim):
    """Running maximum along ``dim``; returns ``(values, indices)``."""
    return _cum_extreme(input, dim, "cummax")


@tensor_method("cummin")
def cummin(input, dim):
    """Running minimum along ``dim``; returns ``(values, indices)``."""
    return _cum_extreme(input, dim, "cummin")
