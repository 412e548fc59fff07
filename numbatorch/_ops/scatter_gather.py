"""gather/scatter along a dimension, take/put on the flattened tensor, take_along_dim."""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node
from ._util import apply_inplace, normalize_dim, record
from .views import _expand, broadcast_shapes, reshape
from .subscript import _check_range

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
            out.append(np.arange(s).reshape(shape))
    return tuple(out)


def _check_gather_index(input, dim, index, name, src=None):
    """Validate a gather/scatter index; return (dim, index array) like PyTorch's checks."""
    data = input._data
    d = normalize_dim(dim, data.ndim)
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    idx = index._data
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
        g = np.zeros(self.shape, dtype=grad.dtype)
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
            g_src = np.zeros(self.src_shape, dtype=grad.dtype)
            g_src[_region(self.index[0].shape)] = grad[self.index]
        return g_self, g_src


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
    __slots__ = ("index", "src_shape", "reduce", "include_self", "self_data", "src_data", "result", "count")

    def backward(self, grad):
        where, red = self.index, self.reduce
        region = _region(where[0].shape)
        touched = np.zeros(grad.shape, dtype=bool)
        touched[where] = True
        g_self = g_src = None
        if red == "sum":
            g_self = grad if self.include_self else np.where(touched, 0, grad)
            g_out = grad[where]
        elif red == "mean":
            scaled = grad / self.count
            g_self = np.where(touched, scaled if self.include_self else 0, grad)
            g_out = scaled[where]
        elif red in ("amax", "amin"):
            # PyTorch splits the gradient evenly between all elements equal to the result.
            hit_src = self.src_data[region] == self.result[where]
            ties = np.zeros(grad.shape)
            np.add.at(ties, where, hit_src)
            hit_self = (self.self_data == self.result) & (touched & self.include_self | ~touched)
            ties += hit_self
            share = grad / np.maximum(ties, 1)
            g_self = np.where(hit_self, share, 0)
            g_out = np.where(hit_src, share[where], 0)
        else:  # prod, assuming no zeros
            g_self = grad * self.result / self.self_data if self.include_self else np.where(touched, 0, grad)
            g_out = (grad * self.result)[where] / self.src_data[region]
        if self.inputs[1] is not None:
            g_src = np.zeros(self.src_shape, dtype=grad.dtype)
            g_src[region] = g_out
        return g_self, g_src


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
        info = np.finfo if data.dtype.kind == "f" else np.iinfo
        start = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf if data.dtype.kind == "f" else info(data.dtype).min,
                 "amin": np.inf if data.dtype.kind == "f" else info(data.dtype).max}[reduce]
        out[where] = start
    reducers[reduce].at(out, where, values)
    count = None
    if reduce == "mean":
        count = np.full(data.shape, 1 if include_self else 0, dtype=np.int64)
        np.add.at(count, where, 1)
        count = np.maximum(count, 1)
        out = out / count if data.dtype.kind == "f" else out // count
        out = out.astype(data.dtype, copy=False)
    reads = (input, src) if reduce in ("amax", "amin", "prod") else ()  # their backward reads both operands' values
    return record(out, ScatterReduceBackward0, (input, src), reads=reads, index=where, src_shape=src._data.shape,
                  reduce=reduce, include_self=include_self, self_data=data, src_data=src._data, result=out, count=count)


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
        g = np.zeros(self.shape, dtype=grad.dtype)
        np.add.at(g.reshape(-1), self.index.reshape(-1), grad.reshape(-1))
        return g


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
