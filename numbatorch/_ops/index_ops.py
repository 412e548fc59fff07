"""index_select and the index_add/index_copy/index_fill family along one dimension."""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node
from ._util import apply_inplace, normalize_dim, record
from .index_select_backward import IndexSelectBackward0
from .subscript import _FULL, _check_range

__all__ = [
    "index_select", "index_add", "index_fill", "index_copy",
]

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
    """The slices of ``input`` along ``dim`` at the positions in the 1-D ``index``."""
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

    def backward_graph(self, grad):
        g_src = None
        if self.inputs[1] is not None:
            g_src = _taken(grad, self.dim, self.index) * self.alpha
        return grad, g_src


def _taken(grad, dim, index):
    """Differentiable ``np.take(grad, index, axis=dim)`` (a 0-d ``grad`` counts as 1-D)."""
    if grad.dim() == 0:
        return grad.reshape(1).index_select(0, index).reshape(())
    return grad.index_select(dim, index)


def _kept(like, where):
    """Constant mask, as a Tensor, of the positions of array ``like`` that ``where`` does not address."""
    keep = np.ones_like(like, dtype=bool)
    keep[where] = False
    return Tensor._make(keep)


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
    """A copy of ``input`` with ``alpha * source`` added at the positions ``index`` along ``dim``."""
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
    """In-place ``index_add``; returns self."""
    return apply_inplace(self, index_add(self, dim, index, source, alpha=alpha))


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

    def backward_graph(self, grad):
        where = (_FULL,) * self.dim + (self.index,)
        g_self = grad * _kept(grad._data, where) if self.inputs[0] is not None else None
        g_src = _taken(grad, self.dim, self.index) if self.inputs[1] is not None else None
        return g_self, g_src


@tensor_method()
def index_copy(input, dim, index, source):
    """A copy of ``input`` with the slices along ``dim`` at ``index`` replaced by those of ``source``."""
    d, idx = _vector_index(input, dim, index, "index_copy_", prefix="index_copy_(): ")
    src = _check_source(input, d, idx, source, "index_copy_")
    out = input._data.copy()
    out[(_FULL,) * d + (idx,)] = src
    return record(out, IndexCopyBackward0, (input, source), dim=d, index=idx)


@tensor_method()
def index_copy_(self, dim, index, source):
    """In-place ``index_copy``; returns self."""
    return apply_inplace(self, index_copy(self, dim, index, source))


class IndexFillBackward0(Node):
    """Filled positions get no gradient; a tensor value receives their summed gradient."""

    __slots__ = ("where",)

    def backward(self, grad):
        g_self = grad.copy()
        g_self[self.where] = 0
        if len(self.inputs) > 1 and self.inputs[1] is not None:
            return g_self, grad[self.where].sum()
        return g_self

    def backward_graph(self, grad):
        keep = _kept(grad._data, self.where)
        if len(self.inputs) > 1 and self.inputs[1] is not None:
            return grad * keep, (grad * ~keep).sum()
        return grad * keep


class IndexFillBackward1(IndexFillBackward0):
    __slots__ = ()


@tensor_method()
def index_fill(input, dim, index, value):
    """A copy of ``input`` with the slices along ``dim`` at ``index`` filled with ``value``."""
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
    """In-place ``index_fill``; returns self."""
    return apply_inplace(self, index_fill(self, dim, index, value))
