"""Indexing: ``Tensor.__getitem__``/``__setitem__``, gather/scatter, index_* ops, masked ops, take, nonzero.

Indices are validated in Python with PyTorch's messages before numpy sees them (numpy's own errors differ
and an out-of-range index must never reach a kernel). Basic indexing (ints, slices, None, Ellipsis) returns
views sharing memory and the version counter; advanced indexing (integer/bool tensors, lists) copies.
"""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, is_grad_recording, tensor_method
from ..autograd.graph import Node
from ._util import apply_inplace, normalize_dim, record
from .shape import IndexSelectBackward0, SelectBackward0, SliceBackward0, _alias, _as_view, _expand, broadcast_shapes, \
    clone, reshape

__all__ = ["gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add", "index_fill",
           "index_copy", "index_put", "masked_fill", "masked_select", "masked_scatter", "take", "take_along_dim",
           "nonzero", "argwhere"]

_FULL = slice(None)


# ---- index parsing ----------------------------------------------------------------------------------------
def _index_array(entry):
    """An advanced index entry (Tensor, list, ndarray) as a numpy int64 or bool array."""
    arr = entry._data if isinstance(entry, Tensor) else np.asarray(entry)
    kind = arr.dtype.kind
    if kind == "b":
        return arr
    if kind == "u" and arr.dtype.itemsize == 1:  # PyTorch still treats uint8 indices as masks
        return arr.astype(bool)
    if kind in "iu":
        return arr
    if arr.size == 0 and kind == "f":  # x[[]] selects nothing
        return arr.astype(np.int64)
    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")


def _check_range(arr, size, dim, err=IndexError, negative=True, prefix=""):
    """PyTorch's "index i is out of bounds" error for the first offending entry of ``arr``."""
    if arr.size:
        low = -size if negative else 0
        if arr.min() < low or arr.max() >= size:
            bad = arr[(arr < low) | (arr >= size)].flat[0]
            raise err(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")


def _parse_index(shape, index):
    """Validate ``index`` against ``shape``; return (numpy index tuple, advanced?, int arrays present?, name).

    ``name`` is the grad_fn name PyTorch gives a basic-indexing result (the last op it applies).
    """
    if type(index) is not tuple:
        index = (index,)
    ndim = len(shape)
    entries = []
    consumed = 0
    has_ellipsis = False
    for e in index:
        if e is None or e is Ellipsis or isinstance(e, (slice, bool)):
            has_ellipsis |= e is Ellipsis
            entries.append(e)
            consumed += isinstance(e, slice)
        elif isinstance(e, (int, np.integer)):
            entries.append(int(e))
            consumed += 1
        else:
            if isinstance(e, Tensor) and e._data.ndim == 0 and e._data.dtype.kind in "iu":
                entries.append(int(e._data))  # a 0-d integer tensor indexes like an int (a view)
                consumed += 1
                continue
            arr = _index_array(e)
            entries.append(arr)
            consumed += arr.ndim if arr.dtype.kind == "b" else 1
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    out = []
    dim = 0
    adv_ordinal = 0
    advanced = ints = False
    name = None
    seen = set()
    for e in entries:
        if e is None:
            out.append(None)
            name = _UnsqueezeIndexBackward
        elif e is Ellipsis:
            out.append(e)
            dim += ndim - consumed
        elif type(e) is int:
            size = shape[dim]
            if not -size <= e < size:
                raise IndexError(f"index {e} is out of bounds for dimension {dim} with size {size}")
            out.append(e)
            name = SelectBackward0
            seen.add(name)
            dim += 1
        elif type(e) is slice:
            if e.step is not None and e.step <= 0:
                raise ValueError("step must be greater than zero")
            out.append(e)
            if e != _FULL or name is None:
                name = SliceBackward0
            dim += 1
        elif type(e) is bool:
            out.append(e)
            advanced = True
        elif e.dtype.kind == "b":
            k = e.ndim
            want = shape[dim:dim + k]
            for j in range(k):
                if e.shape[j] != want[j]:
                    raise IndexError(f"The shape of the mask {list(e.shape)} at index {j} does not match the shape "
                                     f"of the indexed tensor {list(shape)} at index {dim + j}")
            out.append(e)
            advanced = True
            dim += k
            adv_ordinal += k
        else:
            _check_range(e, shape[dim], adv_ordinal)
            out.append(e)
            advanced = ints = True
            dim += 1
            adv_ordinal += 1
    if not has_ellipsis:
        out.append(Ellipsis)  # keeps numpy from returning a scalar instead of a 0-d view
    if advanced and SelectBackward0 in seen:
        return _split_ints(out), advanced, ints, name
    return tuple(out), advanced, ints, name or _AliasIndexBackward


def _split_ints(entries):
    """Integer entries next to advanced ones: PyTorch selects them first (numpy would treat them as advanced).

    Returns (basic index applying the ints, index of the rest), to apply one after the other.
    """
    first, second = [], []
    for e in entries:
        if type(e) is int:
            first.append(e)
        elif e is Ellipsis:
            first.append(e)
            second.append(e)
        else:
            second.append(e)
            if isinstance(e, slice):
                first.append(_FULL)
            elif isinstance(e, np.ndarray):
                first.extend([_FULL] * (e.ndim if e.dtype.kind == "b" else 1))
    return _TwoStep((tuple(first), tuple(second)))


class _TwoStep(tuple):
    """Marks a (first, second) pair of indices applied in sequence."""

    __slots__ = ()


def _take(arr, idx):
    return arr[idx[0]][idx[1]] if type(idx) is _TwoStep else arr[idx]


class _UnsqueezeIndexBackward(SliceBackward0):
    """``x[..., None]``-style results: PyTorch names them after the unsqueeze it applies last."""

    __slots__ = ()

    def name(self):
        return "UnsqueezeBackward0"


class _AliasIndexBackward(SliceBackward0):
    __slots__ = ()

    def name(self):
        return "AliasBackward0"


class IndexBackward0(Node):
    """Scatter the gradient back; integer arrays may repeat positions, so those add up (np.add.at)."""

    __slots__ = ("shape", "index", "accumulate")

    def backward(self, grad):
        g = np.zeros(self.shape, dtype=grad.dtype)
        if self.accumulate:
            flat = _take(np.arange(g.size).reshape(self.shape), self.index)
            np.add.at(g.reshape(-1), flat.reshape(-1), grad.reshape(-1))
        else:
            _assign(g, self.index, grad)
        return g


def _assign(arr, idx, value):
    if type(idx) is _TwoStep:
        arr[idx[0]][idx[1]] = value
    else:
        arr[idx] = value


@tensor_method("__getitem__")
def _getitem(self, index):
    data = self._data
    if type(index) is int and data.ndim:  # fast path: x[i]
        n = data.shape[0]
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {n}")
        idx = (index, Ellipsis)
        return _as_view(record(data[idx], SelectBackward0, (self,), shape=data.shape, index=idx), self)
    if not data.ndim and type(index) is int:
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
                         "C++ to convert a 0-dim tensor to a number")
    if type(index) is tuple and len(index) <= data.ndim:  # fast path: ints and slices only
        name = None
        shape = data.shape
        for d, e in enumerate(index):
            te = type(e)
            if te is int:
                if not -shape[d] <= e < shape[d]:
                    raise IndexError(f"index {e} is out of bounds for dimension {d} with size {shape[d]}")
                name = SelectBackward0
            elif te is slice:
                if e.step is not None and e.step <= 0:
                    raise ValueError("step must be greater than zero")
                if name is None or e != _FULL:
                    name = SliceBackward0
            else:
                break
        else:
            idx = index + (Ellipsis,)
            return _as_view(record(data[idx], name or _AliasIndexBackward, (self,), shape=shape, index=idx), self)
    elif type(index) is slice and data.ndim and (index.step is None or index.step > 0):
        idx = (index, Ellipsis)
        return _as_view(record(data[idx], SliceBackward0, (self,), shape=data.shape, index=idx), self)
    idx, advanced, ints, name = _parse_index(data.shape, index)
    if advanced:
        return record(_take(data, idx), IndexBackward0, (self,), shape=data.shape, index=idx, accumulate=ints)
    return _as_view(record(data[idx], name, (self,), shape=data.shape, index=idx), self)


# ---- writes -----------------------------------------------------------------------------------------------
class CopySlices(Node):
    """``self[index] = value`` recorded as an out-of-place index_put: gradient flows to self and value."""

    __slots__ = ("index", "accumulate")

    def backward(self, grad):
        g_self = g_value = None
        if self.inputs[0] is not None:
            if self.accumulate:
                g_self = grad
            else:
                g_self = grad.copy()
                _assign(g_self, self.index, 0)
        if len(self.inputs) > 1 and self.inputs[1] is not None:
            g_value = _take(grad, self.index)
        return g_self, g_value


    def name(self):
        return "torch::autograd::CopySlices"


class IndexPutBackward0(CopySlices):
    __slots__ = ()

    def name(self):
        return "IndexPutBackward0"


def _value_array(value, dtype):
    if isinstance(value, Tensor):
        return value._data
    return np.asarray(value, dtype=dtype) if not isinstance(value, (int, float, bool)) else value


def _broadcast_error(target, value_shape):
    """PyTorch's expand error for a value that does not fit the indexed region."""
    try:
        broadcast_shapes(target, value_shape)
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value_shape)} cannot be broadcast to "
                           f"indexing result of shape {list(target)}")
    except RuntimeError as e:
        if str(e).startswith("shape mismatch"):
            raise
    n = len(target)
    lead = len(value_shape) - n
    for i in range(len(value_shape)):
        have = value_shape[i]
        want = target[i - lead] if i >= lead else 1
        if have != 1 and have != want:
            raise RuntimeError(f"The expanded size of the tensor ({want}) must match the existing size ({have}) at "
                               f"non-singleton dimension {i - lead if i >= lead else i}.  Target sizes: "
                               f"{list(target)}.  Tensor sizes: {list(value_shape)}")
    raise RuntimeError(f"shape mismatch: value tensor of shape {list(value_shape)} cannot be broadcast to indexing "
                       f"result of shape {list(target)}")


def _put(self, idx, value, accumulate, node_cls):
    """Write ``value`` at ``idx`` (a parsed numpy index), in place, recording a node when autograd needs one."""
    v = _value_array(value, self._data.dtype)
    if is_grad_recording(self, value if isinstance(value, Tensor) else None):
        out = self._data.copy()
        _write(out, idx, v, accumulate)
        inputs = (_alias(self), value) if isinstance(value, Tensor) else (_alias(self),)
        return apply_inplace(self, record(out, node_cls, inputs, index=idx, accumulate=accumulate))
    _write(self._data, idx, v, accumulate)
    self._version[0] += 1
    return self


def _write(arr, idx, v, accumulate):
    try:
        if accumulate:
            flat = _take(np.arange(arr.size).reshape(arr.shape), idx)
            np.add.at(arr, np.unravel_index(flat, arr.shape), v)  # arr may be a strided view: no reshape
        else:
            _assign(arr, idx, v)
    except ValueError:
        if isinstance(v, np.ndarray):
            _broadcast_error(_take(arr, idx).shape, v.shape)
        raise


@tensor_method("__setitem__")
def _setitem(self, index, value):
    idx, advanced, _, _ = _parse_index(self._data.shape, index)
    _put(self, idx, value, False, IndexPutBackward0 if advanced else CopySlices)


def _indices_tuple(input, indices):
    indices = tuple(indices)
    for t in indices:
        if t is not None and not isinstance(t, Tensor):
            raise TypeError("index_put(): indices must be a tuple of Tensors")
    return _parse_index(input._data.shape, tuple(_FULL if t is None else t for t in indices))[0]


@tensor_method()
def index_put(input, indices, values, accumulate=False):
    out = clone(input)
    return _put(out, _indices_tuple(input, indices), values, accumulate, IndexPutBackward0)


@tensor_method()
def index_put_(self, indices, values, accumulate=False):
    return _put(self, _indices_tuple(self, indices), values, accumulate, IndexPutBackward0)


# ---- gather / scatter -------------------------------------------------------------------------------------
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


@tensor_method()
def gather(input, dim, index, *, sparse_grad=False):
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
    if src is None:
        src = value
    return _scatter(input, dim, index, src, reduce, "scatter")


@tensor_method()
def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    return apply_inplace(self, scatter(_alias(self), dim, index, src, value, reduce=reduce))


@tensor_method()
def scatter_add(input, dim, index, src):
    return _scatter(input, dim, index, src, None, "scatter_add", accumulate=True)


@tensor_method()
def scatter_add_(self, dim, index, src):
    return apply_inplace(self, scatter_add(_alias(self), dim, index, src))


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
    res = record(out, ScatterReduceBackward0, (input, src), index=where, src_shape=src._data.shape, reduce=reduce,
                 include_self=include_self, self_data=data, src_data=src._data, result=out, count=count)
    if res.grad_fn is not None and reduce in ("amax", "amin", "prod"):
        res.grad_fn.save_versions(input, src)  # their backward reads both operands' values
    return res


# ---- index_* along one dimension --------------------------------------------------------------------------
def _vector_index(input, dim, index, name, negative=False, err=IndexError, prefix="", check=True):
    data = input._data
    d = normalize_dim(dim, data.ndim)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int32 or int64 for index")
    idx = idx.reshape(-1)
    size = data.shape[d] if data.ndim else 1
    if check:
        _check_range(idx, size, d, err, negative, prefix)
    return d, idx


@tensor_method()
def index_select(input, dim, index):
    data = input._data
    d = normalize_dim(dim, data.ndim)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if idx.dtype.kind not in "iu":
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    idx = idx.reshape(-1)
    size = data.shape[d] if data.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx[(idx < 0) | (idx >= size)][0]
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
    if not data.ndim:
        return record(data.reshape(1)[idx].reshape(()), IndexSelectBackward0, (input,), shape=(1,), dim=0,
                      index=idx)
    return record(np.take(data, idx, axis=d), IndexSelectBackward0, (input,), shape=data.shape, dim=d, index=idx)


class IndexAddBackward0(Node):
    __slots__ = ("dim", "index", "alpha")

    def backward(self, grad):
        g_src = None
        if self.inputs[1] is not None:
            g_src = np.take(grad, self.index, axis=self.dim)
            if self.alpha != 1:
                g_src = g_src * self.alpha
        return grad, g_src


def _check_source(input, d, idx, source, name):
    data, src = input._data, source._data
    if src.dtype != data.dtype:
        raise RuntimeError(f"{name}(): self ({_legacy(data.dtype)}) and source ({_legacy(src.dtype)}) must have "
                           f"the same scalar type")
    want = data.shape[:d] + (idx.size,) + data.shape[d + 1:]
    if src.shape != want and not (src.ndim == 0 and idx.size == 1):
        raise RuntimeError(f"{name}(): Source/destination tensor must have same slice shapes. Destination slice "
                           f"shape: {list(data.shape[:d] + data.shape[d + 1:])} at dimension {d} and source "
                           f"slice shape: {list(src.shape[:d] + src.shape[d + 1:])} at dimension 0.")
    return src.reshape(want)


def _legacy(np_dtype):
    return dt.LEGACY_NAME[dt._BY_NP[np_dtype]].split(".")[1].replace("Tensor", "")


@tensor_method()
def index_add(input, dim, index, source, *, alpha=1):
    d, idx = _vector_index(input, dim, index, "index_add", negative=True, check=False)
    size = input._data.shape[d] if input._data.ndim else 1
    if idx.size and idx.max() >= size:
        raise IndexError("index out of range in self")
    _check_range(idx, size, d, RuntimeError, negative=False)
    src = _check_source(input, d, idx, source, "index_add_")
    out = input._data.copy()
    np.add.at(out, (_FULL,) * d + (idx,), src if alpha == 1 else src * alpha)
    return record(out, IndexAddBackward0, (input, source), dim=d, index=idx, alpha=alpha)


@tensor_method()
def index_add_(self, dim, index, source, *, alpha=1):
    return apply_inplace(self, index_add(_alias(self), dim, index, source, alpha=alpha))


class IndexCopyBackward0(Node):
    __slots__ = ("dim", "index")

    def backward(self, grad):
        where = (_FULL,) * self.dim + (self.index,)
        g_self = g_src = None
        if self.inputs[0] is not None:
            g_self = grad.copy()
            g_self[where] = 0
        if self.inputs[1] is not None:
            g_src = np.take(grad, self.index, axis=self.dim)
        return g_self, g_src


@tensor_method()
def index_copy(input, dim, index, source):
    d, idx = _vector_index(input, dim, index, "index_copy_", prefix="index_copy_(): ")
    src = _check_source(input, d, idx, source, "index_copy_")
    out = input._data.copy()
    out[(_FULL,) * d + (idx,)] = src
    return record(out, IndexCopyBackward0, (input, source), dim=d, index=idx)


@tensor_method()
def index_copy_(self, dim, index, source):
    return apply_inplace(self, index_copy(_alias(self), dim, index, source))


class IndexFillBackward0(Node):
    """Filled positions get no gradient; a tensor value receives their summed gradient."""

    __slots__ = ("where",)

    def backward(self, grad):
        g_self = grad.copy()
        g_self[self.where] = 0
        if len(self.inputs) > 1 and self.inputs[1] is not None:
            return g_self, grad[self.where].sum()
        return g_self


class IndexFillBackward1(IndexFillBackward0):
    __slots__ = ()


@tensor_method()
def index_fill(input, dim, index, value):
    d, idx = _vector_index(input, dim, index, "index_fill", negative=True)
    where = (_FULL,) * d + (np.unique(np.where(idx < 0, idx + input._data.shape[d], idx)),)
    out = input._data.copy()
    is_tensor = isinstance(value, Tensor)
    if is_tensor and value._data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    out[where] = value._data if is_tensor else value
    if is_tensor:
        return record(out, IndexFillBackward1, (input, value), where=where)
    return record(out, IndexFillBackward0, (input,), where=where)


@tensor_method()
def index_fill_(self, dim, index, value):
    return apply_inplace(self, index_fill(_alias(self), dim, index, value))


# ---- masks ------------------------------------------------------------------------------------------------
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


class MaskedFillBackward1(MaskedFillBackward0):
    __slots__ = ()


@tensor_method()
def masked_fill(input, mask, value):
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
        out = np.array(np.broadcast_to(data, broadcast_shapes(data.shape, m.shape)))
    np.copyto(out, v, casting="unsafe", where=m)
    if is_tensor:
        return record(out, MaskedFillBackward1, (input, value), mask=m)
    return record(out, MaskedFillBackward0, (input,), mask=m)


@tensor_method()
def masked_fill_(self, mask, value):
    return apply_inplace(self, masked_fill(_alias(self), mask, value))


class MaskedSelectBackward0(Node):
    __slots__ = ("shape", "mask")

    def backward(self, grad):
        g = np.zeros(self.shape, dtype=grad.dtype)
        g[self.mask] = grad
        return g


@tensor_method()
def masked_select(input, mask):
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
            g_src = np.zeros(int(np.prod(self.source_shape)), dtype=grad.dtype)
            picked = grad[np.broadcast_to(self.mask, grad.shape)]
            g_src[:picked.size] = picked
            g_src = g_src.reshape(self.source_shape)
        return g_self, g_src


@tensor_method()
def masked_scatter(input, mask, source):
    m = _mask_array(mask, "masked_scatter_")
    data = input._data
    shape = broadcast_shapes(data.shape, m.shape)
    m = np.broadcast_to(m, shape)
    out = np.array(np.broadcast_to(data, shape))
    count = int(m.sum())
    src = source._data.reshape(-1)
    if src.size < count:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out[m] = src[:count]
    return record(out, MaskedScatterBackward0, (input, source), mask=m, source_shape=source._data.shape)


@tensor_method()
def masked_scatter_(self, mask, source):
    return apply_inplace(self, masked_scatter(_alias(self), mask, source))


# ---- flat indexing ----------------------------------------------------------------------------------------
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
    return apply_inplace(self, put(_alias(self), index, source, accumulate))


@tensor_method()
def take_along_dim(input, indices, dim=None):
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


# ---- nonzero ----------------------------------------------------------------------------------------------
@tensor_method()
def nonzero(input, *, as_tuple=False):
    data = input._data
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64, copy=False)) for i in np.nonzero(np.atleast_1d(data)))
    return Tensor._make(np.argwhere(data).astype(np.int64, copy=False))


@tensor_method()
def argwhere(input):
    return nonzero(input)
