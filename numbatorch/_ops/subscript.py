"""Tensor subscripts: ``x[index]`` and ``x[index] = value`` (plus ``index_put``).

Indices are validated in Python with PyTorch's messages before numpy sees them (an out-of-range index
must never reach a kernel). Basic indexing (ints, slices, None, Ellipsis) returns views sharing memory and
the version counter; advanced indexing (integer/bool tensors, lists) copies.
"""
import numpy as np

from .._tensor import Tensor, is_grad_recording, tensor_method
from ..autograd.graph import Node
from ._util import apply_inplace, record, zeros
from .views import SelectBackward0, SliceBackward0, _as_view, broadcast_shapes, clone

__all__ = [
    "index_put",
]

_FULL = slice(None)


def _index_array(entry, like):
    """An advanced index entry (Tensor, list, ndarray) as an integer or bool array; lists and ndarrays are made on
    the device of ``like``, the indexed array."""
    arr = entry._data if isinstance(entry, Tensor) else np.asarray(entry, like=like)
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


def _parse_index(data, index):
    """Validate ``index`` against the shape of array ``data``; return (numpy index tuple, advanced?, int arrays
    present?, name).

    ``name`` is the grad_fn name PyTorch gives a basic-indexing result (the last op it applies).
    """
    if type(index) is not tuple:
        index = (index,)
    shape = data.shape
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
            arr = _index_array(e, data)
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
        g = zeros(self.shape, grad.dtype, like=grad)
        if self.accumulate:
            flat = _take(np.arange(g.size, like=g).reshape(self.shape), self.index)
            np.add.at(g.reshape(-1), flat.reshape(-1), grad.reshape(-1))
        else:
            _assign(g, self.index, grad)
        return g

    def backward_graph(self, grad):
        return record(self.backward(grad._data), _IndexGradBackward, (grad,), index=self.index,
                      accumulate=self.accumulate)


class _IndexGradBackward(Node):
    """Graph of an advanced-indexing gradient (a scatter into zeros): its own gradient gathers ``grad[index]``."""

    __slots__ = ("index", "accumulate")

    def backward(self, grad):
        return _take(grad, self.index)

    def backward_graph(self, grad):
        return record(_take(grad._data, self.index), IndexBackward0, (grad,), shape=grad._data.shape,
                      index=self.index, accumulate=self.accumulate)


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
    idx, advanced, ints, name = _parse_index(data, index)
    if advanced:
        return record(_take(data, idx), IndexBackward0, (self,), shape=data.shape, index=idx, accumulate=ints)
    return _as_view(record(data[idx], name, (self,), shape=data.shape, index=idx), self)


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

    def backward_graph(self, grad):
        g_self = g_value = None
        if self.inputs[0] is not None:
            if self.accumulate:
                g_self = grad
            else:  # the written positions get no gradient: a constant mask
                keep = np.ones_like(grad._data, order="C")
                _assign(keep, self.index, 0)
                g_self = grad * Tensor._make(keep)
        if len(self.inputs) > 1 and self.inputs[1] is not None:
            # value's gradient reads grad at the written positions: an indexing of grad (repeats add up)
            g_value = record(_take(grad._data, self.index), IndexBackward0, (grad,), shape=grad._data.shape,
                             index=self.index, accumulate=True)
        return g_self, g_value


    def name(self):
        return "torch::autograd::CopySlices"


class IndexPutBackward0(CopySlices):
    __slots__ = ()

    def name(self):
        return "IndexPutBackward0"


def _value_array(value, like):
    """The array (on ``like``'s device, of its dtype) or Python number written by a subscript assignment."""
    if isinstance(value, Tensor):
        return value._data
    return np.asarray(value, dtype=like.dtype, like=like) if not isinstance(value, (int, float, bool)) else value


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
    v = _value_array(value, self._data)
    if is_grad_recording(self, value if isinstance(value, Tensor) else None):
        out = self._data.copy()
        _write(out, idx, v, accumulate)
        inputs = (self, value) if isinstance(value, Tensor) else (self,)
        return apply_inplace(self, record(out, node_cls, inputs, index=idx, accumulate=accumulate))
    _write(self._data, idx, v, accumulate)
    self._version_counter[0] += 1
    return self


def _write(arr, idx, v, accumulate):
    try:
        if accumulate:
            flat = _take(np.arange(arr.size, like=arr).reshape(arr.shape), idx)
            np.add.at(arr, np.unravel_index(flat, arr.shape), v)  # arr may be a strided view: no reshape
        else:
            _assign(arr, idx, v)
    except ValueError:
        if isinstance(v, np.ndarray):
            _broadcast_error(_take(arr, idx).shape, v.shape)
        raise


@tensor_method("__setitem__")
def _setitem(self, index, value):
    idx, advanced, _, _ = _parse_index(self._data, index)
    _put(self, idx, value, False, IndexPutBackward0 if advanced else CopySlices)


def _indices_tuple(input, indices):
    indices = tuple(indices)
    for t in indices:
        if t is not None and not isinstance(t, Tensor):
            raise TypeError("index_put(): indices must be a tuple of Tensors")
    return _parse_index(input._data, tuple(_FULL if t is None else t for t in indices))[0]


@tensor_method()
def index_put(input, indices, values, accumulate=False):
    """A copy of ``input`` with ``values`` put at the advanced index ``indices`` (added with ``accumulate``)."""
    out = clone(input)
    return _put(out, _indices_tuple(input, indices), values, accumulate, IndexPutBackward0)


@tensor_method()
def index_put_(self, indices, values, accumulate=False):
    """In-place ``index_put``: ``values`` put at the advanced index ``indices``; returns self."""
    return _put(self, _indices_tuple(self, indices), values, accumulate, IndexPutBackward0)
