"""gather/scatter along a dimension and take_along_dim (take/put on the flattened tensor: ``take_put.py``)."""
import numpy as np

from .. import _dtype as dt
from .._device import same_device
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, operand, recomputed_output
from ._linear_grad import linear_grad
from ._util import apply_inplace, normalize_dim, record, zeros
from .views import _expand, broadcast_shapes, reshape
from .subscript import _check_range
from .take_put import put, take  # noqa: F401  (re-exported: once defined here)

__all__ = [
    "gather", "scatter", "scatter_add", "scatter_reduce", "take", "take_along_dim",
]

def _along(index, dim):
    """Full numpy index addressing, for every element of ``index``, position ``index`` along ``dim``."""
    n = index.ndim
    out = []
    for d, s in enumerate(index.shape):
        if d == dim:
            out.append(index)
        else:
            shape = [1] * n
            shape[d] = s
            out.append(np.arange(s, like=index).reshape(shape))
    return tuple(out)


def _check_gather_index(input, dim, index, name, src=None):
    """Validate a gather/scatter index; return (dim, index array) like PyTorch's checks."""
    data = input._data
    d = normalize_dim(dim, data.ndim)
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    idx = index._data
    for other in (idx, src):
        if other is not None and type(other) is not type(data):
            same_device(data, other)  # PyTorch's error for operands on two devices
    if idx.dtype != np.int64:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    if idx.ndim != max(data.ndim, 1) and not (idx.ndim <= 1 and data.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    if data.ndim == 0:
        raise RuntimeError(f"{name}(): 0-d inputs are not supported by numbatorch")
    for j in range(data.ndim):
        if j != d and idx.shape[j] > data.shape[j]:
            raise RuntimeError(f"Size does not match at dimension {j} expected index {list(idx.shape)} to be no "
                               f"larger than self {list(data.shape)} apart from dimension {d}")
        if src is not None and idx.shape[j] > src.shape[j]:
            raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self {list(data.shape)} "
                               f"apart from dimension {d} and to be no larger size than src {list(src.shape)}")
    _check_range(idx, data.shape[d], d, RuntimeError, negative=False)
    return d, idx


def _region(shape):
    return tuple(slice(0, s) for s in shape)


class GatherBackward0(Node):
    __slots__ = ("shape", "index")

    def backward(self, grad):
        g = zeros(self.shape, grad.dtype, like=grad)
        np.add.at(g, self.index, grad)
        return g

    def backward_graph(self, grad):
        return record(self.backward(grad._data), _GatherGradBackward, (grad,), index=self.index)


class _GatherGradBackward(Node):
    """Graph of gather's gradient (a scatter-add into zeros): its own gradient gathers at the same index."""

    __slots__ = ("index",)

    def backward(self, grad):
        return grad[self.index]

    def backward_graph(self, grad):
        return record(self.backward(grad._data), GatherBackward0, (grad,), shape=grad._data.shape, index=self.index)


@tensor_method()
def gather(input, dim, index, *, sparse_grad=False):
    """Values of ``input`` along ``dim`` at ``index``: ``out[i][j] = input[index[i][j]][j]`` for ``dim=0``."""
    d, idx = _check_gather_index(input, dim, index, "gather")
    where = _along(idx, d)
    return record(input._data[where], GatherBackward0, (input,), shape=input._data.shape, index=where)


class ScatterBackward0(Node):
    """Scatter of ``src`` (or of a value, with no second input): overwritten positions get no gradient."""

    __slots__ = ("index", "src_shape", "accumulate")

    def backward(self, grad):
        g_self = g_src = None
        if self.inputs[0] is not None:
            if self.accumulate:
                g_self = grad
            else:
                g_self = grad.copy()
                g_self[self.index] = 0
        if len(self.inputs) > 1 and self.inputs[1] is not None:
            g_src = zeros(self.src_shape, grad.dtype, like=grad)
            g_src[_region(np.broadcast(*self.index).shape)] = grad[self.index]
        return g_self, g_src

    def backward_graph(self, grad):
        g_self = g_src = None
        if self.inputs[0] is not None:
            g_self = grad if self.accumulate else grad * Tensor._make(_untouched(grad.shape, self.index))
        if len(self.inputs) > 1 and self.inputs[1] is not None:
            g_src = _gathered_grad(grad, self.index, self.src_shape, 1)
        return g_self, g_src


def _untouched(shape, where):
    """Mask of the positions of ``shape`` that ``where`` (index arrays) does not address, on their device."""
    keep = np.ones(shape, dtype=bool, like=where[0])
    keep[where] = False
    return keep


def _gathered_grad(grad, where, src_shape, scale):
    """The differentiable ``grad[where] * scale``, zero-padded to ``src_shape`` (a scatter's source gradient)."""
    shape = tuple(grad.shape)
    region = _region(np.broadcast(*where).shape)

    def gather(g):
        out = zeros(src_shape, g.dtype, like=g)
        out[region] = g[where] * scale
        return out

    def scatter_add(h):
        out = zeros(shape, h.dtype, like=h)
        np.add.at(out, where, h[region] * scale)
        return out
    return linear_grad(grad, gather, scatter_add)


class ScatterBackward1(ScatterBackward0):
    __slots__ = ()


class ScatterAddBackward0(ScatterBackward0):
    __slots__ = ()


class _ScatterReduceNotImplemented(ScatterBackward0):
    __slots__ = ()

    def name(self):
        return "torch::autograd::NotImplemented"

    def backward(self, grad):
        raise RuntimeError("derivative for aten::scatter is not implemented")

    backward_graph = backward


def _scatter(input, dim, index, src, reduce, name, accumulate=False):
    data = input._data
    src_is_tensor = isinstance(src, Tensor)
    d, idx = _check_gather_index(input, dim, index, name, src._data if src_is_tensor else None)
    where = _along(idx, d)
    out = data.copy()
    values = src._data[_region(idx.shape)] if src_is_tensor else src
    if reduce is None and not accumulate:
        out[where] = values
        node = ScatterBackward0 if src_is_tensor else ScatterBackward1
    elif accumulate:
        np.add.at(out, where, values)
        node = ScatterAddBackward0
    elif reduce in ("add", "multiply"):
        (np.add if reduce == "add" else np.multiply).at(out, where, values)
        node = _ScatterReduceNotImplemented  # PyTorch has no derivative for scatter with reduce= either
    else:
        raise RuntimeError("reduce argument must be either add or multiply.")
    inputs = (input, src) if src_is_tensor else (input,)
    return record(out, node, inputs, index=where, src_shape=src._data.shape if src_is_tensor else None,
                  accumulate=accumulate)


@tensor_method()
def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """A copy of ``input`` with ``src`` (or ``value``) written along ``dim`` at ``index`` (``reduce``: add/multiply)."""
    if src is None:
        src = value
    return _scatter(input, dim, index, src, reduce, "scatter")


@tensor_method()
def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    """In-place ``scatter``; returns self."""
    return apply_inplace(self, scatter(self, dim, index, src, value, reduce=reduce))


@tensor_method()
def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added along ``dim`` at ``index`` (repeated indices accumulate)."""
    return _scatter(input, dim, index, src, None, "scatter_add", accumulate=True)


@tensor_method()
def scatter_add_(self, dim, index, src):
    """In-place ``scatter_add``; returns self."""
    return apply_inplace(self, scatter_add(self, dim, index, src))


class ScatterReduceBackward0(Node):
    __slots__ = ("index", "src_shape", "reduce", "include_self", "self_data", "src_data", "result", "count", "dim",
                 "index_tensor")

    def _shares(self, shape, dtype):
        """For sum, mean, amax, amin (linear in grad): the factor of grad that ``self`` keeps, and the factor of
        ``grad[index]`` that ``src`` gets."""
        where, red = self.index, self.reduce
        touched = ~_untouched(shape, where)
        if red == "sum":
            return (np.ones_like(touched, dtype=dtype) if self.include_self else ~touched).astype(dtype), 1
        if red == "mean":
            inverse = 1 / self.count
            return np.where(touched, inverse if self.include_self else 0, 1).astype(dtype), inverse[where]
        # amax, amin: PyTorch splits the gradient evenly between all elements equal to the result.
        hit_src = self.src_data[_region(np.broadcast(*where).shape)] == self.result[where]
        ties = zeros(shape, np.float64, like=hit_src)
        np.add.at(ties, where, hit_src)
        hit_self = (self.self_data == self.result) & (touched & self.include_self | ~touched)
        ties = np.maximum(ties + hit_self, 1)
        return (hit_self / ties).astype(dtype), (hit_src / ties[where]).astype(dtype)

    def backward(self, grad):
        where = self.index
        region = _region(np.broadcast(*where).shape)
        if self.reduce == "prod":  # assuming no zeros
            touched = ~_untouched(grad.shape, where)
            g_self = grad * self.result / self.self_data if self.include_self else np.where(touched, 0, grad)
            g_out = (grad * self.result)[where] / self.src_data[region]
        else:
            self_share, src_share = self._shares(grad.shape, grad.dtype)
            g_self, g_out = grad * self_share, grad[where] * src_share
        g_src = None
        if self.inputs[1] is not None:
            g_src = zeros(self.src_shape, grad.dtype, like=grad)
            g_src[region] = g_out
        return g_self, g_src

    def backward_graph(self, grad):
        if self.reduce == "prod":
            return self._prod_backward_graph(grad)
        self_share, src_share = self._shares(tuple(grad.shape), grad._data.dtype)
        g_self = grad * Tensor._make(np.asarray(self_share, like=grad._data)) if self.inputs[0] is not None else None
        g_src = _gathered_grad(grad, self.index, self.src_shape, src_share) if self.inputs[1] is not None else None
        return g_self, g_src

    def _prod_backward_graph(self, grad):
        """The prod gradient on Tensors, its result recomputed from both operands (assuming no zeros, as backward)."""
        where, src_shape = self.index, self.src_shape
        region = _region(np.broadcast(*where).shape)
        x, src = operand(self, 0, self.self_data), operand(self, 1, self.src_data)
        result = recomputed_output(self, scatter_reduce(x, self.dim, self.index_tensor, src, "prod",
                                                        include_self=self.include_self), self.result)
        g_self = g_src = None
        if self.inputs[0] is not None:
            g_self = grad * result / x if self.include_self else grad * Tensor._make(_untouched(tuple(grad.shape),
                                                                                               where))
        if self.inputs[1] is not None:
            g_src = (grad * result)[where] / src[region]
            if tuple(g_src.shape) != src_shape:
                g_src = linear_grad(g_src, lambda h: _zero_padded(h, src_shape, region), lambda g: g[region])
        return g_self, g_src


def _zero_padded(values, shape, region):
    out = zeros(shape, values.dtype, like=values)
    out[region] = values
    return out


@tensor_method()
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce ``src`` into ``input`` at ``index`` with sum, prod, mean, amax or amin."""
    reducers = {"sum": np.add, "prod": np.multiply, "mean": np.add, "amax": np.maximum, "amin": np.minimum}
    if reduce not in reducers:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    data = input._data
    d, idx = _check_gather_index(input, dim, index, "scatter_reduce", src._data)
    where = _along(idx, d)
    values = src._data[_region(idx.shape)]
    out = data.copy()
    if not include_self:
        floating = dt.is_floating(data.dtype)
        info = np.finfo if floating else np.iinfo
        start = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf if floating else info(data.dtype).min,
                 "amin": np.inf if floating else info(data.dtype).max}[reduce]
        out[where] = start
    reducers[reduce].at(out, where, values)
    count = None
    if reduce == "mean":
        count = np.full(data.shape, 1 if include_self else 0, dtype=np.int64)
        np.add.at(count, where, 1)
        count = np.maximum(count, 1)
        out = out / count if dt.is_floating(data.dtype) else out // count
        out = out.astype(data.dtype, copy=False)
    reads = (input, src) if reduce in ("amax", "amin", "prod") else ()  # their backward reads both operands' values
    return record(out, ScatterReduceBackward0, (input, src), reads=reads, index=where, src_shape=src._data.shape,
                  reduce=reduce, include_self=include_self, self_data=data, src_data=src._data, result=out, count=count,
                  dim=d, index_tensor=index)


@tensor_method()
def take_along_dim(input, indices, dim=None):
    """Values of ``input`` at ``indices`` along ``dim`` (as returned by ``argsort`` or ``argmax``)."""
    if dim is None:
        return gather(reshape(input, (-1,)), 0, reshape(indices, (-1,)))
    data, idx = input._data, indices._data
    d = normalize_dim(dim, data.ndim)
    if idx.ndim != data.ndim:
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {data.ndim} dimensions for input, and {idx.ndim} dimensions for indices")
    self_sizes = list(data.shape)
    self_sizes[d] = idx.shape[d]
    shape = list(broadcast_shapes(self_sizes, idx.shape))
    index_b = indices if tuple(shape) == idx.shape else _expand(indices, tuple(shape))
    shape[d] = data.shape[d]
    input_b = input if tuple(shape) == data.shape else _expand(input, tuple(shape))
    return gather(input_b, d, index_b)
