"""Boolean-mask ops: masked_fill/masked_select/masked_scatter, nonzero, argwhere."""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node
from ._linear_grad import linear_grad
from ._util import apply_inplace, record, zeros
from .views import broadcast_shapes

__all__ = [
    "masked_fill", "masked_select", "masked_scatter", "nonzero", "argwhere",
]

def _mask_array(mask, name):
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype "
                           f"{dt._BY_NP[m.dtype].name.replace('float32', 'float').replace('int64', 'long')}")
    return m


class MaskedFillBackward0(Node):
    __slots__ = ("mask",)

    def backward(self, grad):
        g_self = np.where(self.mask, 0, grad) if self.inputs[0] is not None else None
        if len(self.inputs) > 1 and self.inputs[1] is not None:
            return g_self, np.where(self.mask, grad, 0).sum()
        return g_self

    def backward_graph(self, grad):
        g_self = grad * Tensor._make(~self.mask) if self.inputs[0] is not None else None
        if len(self.inputs) > 1 and self.inputs[1] is not None:
            return g_self, (grad * Tensor._make(self.mask)).sum()
        return g_self


class MaskedFillBackward1(MaskedFillBackward0):
    __slots__ = ()


@tensor_method()
def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` where the bool ``mask`` (broadcast) is ``True``."""
    m = _mask_array(mask, "masked_fill_")
    data = input._data
    is_tensor = isinstance(value, Tensor)
    if is_tensor:
        if value._data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        v = value._data
    else:
        v = value
    if m.shape == data.shape:
        out = data.copy()
    else:
        out = np.broadcast_to(data, broadcast_shapes(data.shape, m.shape)).copy()
    np.copyto(out, v, casting="unsafe", where=m)
    if is_tensor:
        return record(out, MaskedFillBackward1, (input, value), mask=m)
    return record(out, MaskedFillBackward0, (input,), mask=m)


@tensor_method()
def masked_fill_(self, mask, value):
    """In-place ``masked_fill``; returns self."""
    return apply_inplace(self, masked_fill(self, mask, value))


class MaskedSelectBackward0(Node):
    __slots__ = ("shape", "mask")

    def backward(self, grad):
        g = zeros(self.shape, grad.dtype, like=grad)
        g[self.mask] = grad
        return g

    def backward_graph(self, grad):
        shape, mask = self.shape, self.mask

        def unselect(g):
            out = zeros(shape, g.dtype, like=g)
            out[mask] = g
            return out
        return linear_grad(grad, unselect, lambda h: h[mask])


@tensor_method()
def masked_select(input, mask):
    """The elements of ``input`` where the bool ``mask`` is ``True``, as a 1-D tensor."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    data = input._data
    if m.shape != data.shape:
        shape = broadcast_shapes(m.shape, data.shape)
        m = np.broadcast_to(m, shape)
        data = np.broadcast_to(data, shape)
    return record(data[m], MaskedSelectBackward0, (input,), shape=data.shape, mask=m)


class MaskedScatterBackward0(Node):
    __slots__ = ("mask", "source_shape")

    def backward(self, grad):
        g_self = np.where(self.mask, 0, grad) if self.inputs[0] is not None else None
        g_src = None
        if self.inputs[1] is not None:
            g_src = zeros(int(np.prod(self.source_shape)), grad.dtype, like=grad)
            picked = grad[np.broadcast_to(self.mask, grad.shape)]
            g_src[:picked.size] = picked
            g_src = g_src.reshape(self.source_shape)
        return g_self, g_src

    def backward_graph(self, grad):
        mask, shape = self.mask, tuple(grad.shape)
        g_self = grad * Tensor._make(~mask) if self.inputs[0] is not None else None
        g_src = None
        if self.inputs[1] is not None:
            full, source_shape = np.broadcast_to(mask, shape), self.source_shape
            count = int(full.sum())

            def pick(g):
                out = zeros(int(np.prod(source_shape)), g.dtype, like=g)
                out[:count] = g[full]
                return out.reshape(source_shape)

            def scatter_back(h):
                out = zeros(shape, h.dtype, like=h)
                out[full] = h.reshape(-1)[:count]
                return out
            g_src = linear_grad(grad, pick, scatter_back)
        return g_self, g_src


@tensor_method()
def masked_scatter(input, mask, source):
    """A copy of ``input`` with the positions where ``mask`` is ``True`` filled from ``source`` in order."""
    m = _mask_array(mask, "masked_scatter_")
    data = input._data
    shape = broadcast_shapes(data.shape, m.shape)
    m = np.broadcast_to(m, shape)
    out = np.broadcast_to(data, shape).copy()
    count = int(m.sum())
    src = source._data.reshape(-1)
    if src.size < count:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out[m] = src[:count]
    return record(out, MaskedScatterBackward0, (input, source), mask=m, source_shape=source._data.shape)


@tensor_method()
def masked_scatter_(self, mask, source):
    """In-place ``masked_scatter``; returns self."""
    return apply_inplace(self, masked_scatter(self, mask, source))


@tensor_method()
def nonzero(input, *, as_tuple=False):
    """The indices of the non-zero elements: an ``(n, ndim)`` tensor, or a tuple of 1-D tensors with ``as_tuple``."""
    data = input._data
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64, copy=False)) for i in np.nonzero(np.atleast_1d(data)))
    return Tensor._make(np.argwhere(data).astype(np.int64, copy=False))


@tensor_method()
def argwhere(input):
    """The indices of the non-zero elements as an ``(n, ndim)`` tensor."""
    return nonzero(input)
