"""Reordering and triangles: flip/roll/rot90, tril/triu, diagonal/diag/diag_embed, trace."""
import numpy as np

from .. import _dtype as dt
from .._tensor import tensor_method
from ..autograd.graph import Node, backward_with_constant_slopes
from ..backends._arrays import as_strided as strided_view
from ._util import apply_inplace, normalize_dim, record, zeros
from .views import _dims_arg, _view

__all__ = [
    "flip", "fliplr", "flipud", "roll", "rot90", "tril", "triu", "diag", "diagonal", "diag_embed", "trace",
]

class FlipBackward0(Node):
    __slots__ = ("dims",)

    def backward(self, grad):
        return np.flip(grad, self.dims)

    def backward_graph(self, grad):
        return grad.flip(self.dims)


class RollBackward0(Node):
    __slots__ = ("shifts", "dims", "shape")

    def backward(self, grad):
        if self.dims is None:
            return np.roll(grad.reshape(-1), -self.shifts).reshape(self.shape)
        return np.roll(grad, tuple(-s for s in self.shifts), self.dims)

    def backward_graph(self, grad):
        if self.dims is None:
            return grad.reshape(-1).roll(-self.shifts).reshape(self.shape)
        return grad.roll(tuple(-s for s in self.shifts), self.dims)


class Rot90Backward0(Node):
    __slots__ = ("k", "dims")

    def backward(self, grad):
        return np.rot90(grad, -self.k, self.dims)

    def backward_graph(self, grad):
        return grad.rot90(-self.k, self.dims)


class TrilBackward0(Node):
    __slots__ = ("diagonal",)

    def backward(self, grad):
        return np.tril(grad, self.diagonal)

    def backward_graph(self, grad):
        return grad.tril(self.diagonal)


class TriuBackward0(Node):
    __slots__ = ("diagonal",)

    def backward(self, grad):
        return np.triu(grad, self.diagonal)

    def backward_graph(self, grad):
        return grad.triu(self.diagonal)


class DiagonalBackward0(Node):
    __slots__ = ("shape", "offset", "dim1", "dim2")

    def backward(self, grad):
        g = zeros(self.shape, grad.dtype, like=grad)
        _diagonal_view(g, self.offset, self.dim1, self.dim2)[...] = grad
        return g

    def backward_graph(self, grad):
        # a scatter onto the diagonal: its own gradient reads the diagonal back (diag_embed's backward)
        return record(self.backward(grad._data), DiagEmbedBackward0, (grad,), offset=self.offset, dim1=self.dim1,
                      dim2=self.dim2)


class DiagEmbedBackward0(Node):
    __slots__ = ("offset", "dim1", "dim2")

    def backward(self, grad):
        return _diagonal_view(grad, self.offset, self.dim1, self.dim2)

    def backward_graph(self, grad):
        return record(self.backward(grad._data).copy(), DiagonalBackward0, (grad,), shape=grad._data.shape,
                      offset=self.offset, dim1=self.dim1, dim2=self.dim2)


class TraceBackward0(Node):
    __slots__ = ("shape",)

    def backward(self, grad):
        g = zeros(self.shape, grad.dtype, like=grad)
        np.fill_diagonal(g, grad)
        return g

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


@tensor_method("flip")
def _flip_method(self, *dims):
    """Reverses the order of elements along ``dims`` (a copy)."""
    return flip(self, _dims_arg(dims))


def flip(input, dims):
    """Reverses the order of elements along the dimensions ``dims`` (a copy)."""
    n = input._data.ndim
    dims = tuple(normalize_dim(d, n) for d in ((dims,) if isinstance(dims, int) else dims))
    if n == 0:
        return record(input._data.copy(), FlipBackward0, (input,), dims=())
    return record(np.flip(input._data, dims).copy(), FlipBackward0, (input,), dims=dims)


@tensor_method()
def fliplr(input):
    """Reverses the order of columns (dim 1) of a tensor of at least 2 dimensions."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


@tensor_method()
def flipud(input):
    """Reverses the order of rows (dim 0) of a tensor of at least 1 dimension."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


@tensor_method()
def roll(input, shifts, dims=None):
    """Shifts elements by ``shifts`` along ``dims``, wrapping around; without ``dims`` on the flattened tensor."""
    data = input._data
    if dims is None:
        if not isinstance(shifts, int):
            if len(shifts) != 1:
                raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
            shifts = int(shifts[0])
        out = np.roll(data.reshape(-1), shifts).reshape(data.shape)
        return record(out, RollBackward0, (input,), shifts=shifts, dims=None, shape=data.shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    dims = tuple(normalize_dim(d, data.ndim) for d in dims)
    return record(np.roll(data, shifts, dims), RollBackward0, (input,), shifts=shifts, dims=dims, shape=data.shape)


@tensor_method()
def rot90(input, k=1, dims=(0, 1)):
    """Rotates by 90 degrees ``k`` times in the plane of ``dims``, from the first axis towards the second."""
    n = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d = tuple(normalize_dim(x, n) for x in dims)
    if d[0] == d[1]:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d[0]} and dim1 = {d[1]}")
    k = k % 4
    out = np.ascontiguousarray(np.rot90(input._data, k, d), like=input._data)
    return record(out, Rot90Backward0, (input,), k=k, dims=d)


def _check_matrix(input, name):
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


@tensor_method()
def tril(input, diagonal=0):
    """The lower triangle of the last two dimensions: elements above ``diagonal`` are zeroed."""
    _check_matrix(input, "tril")
    return record(np.tril(input._data, diagonal), TrilBackward0, (input,), diagonal=diagonal)


@tensor_method()
def triu(input, diagonal=0):
    """The upper triangle of the last two dimensions: elements below ``diagonal`` are zeroed."""
    _check_matrix(input, "triu")
    return record(np.triu(input._data, diagonal), TriuBackward0, (input,), diagonal=diagonal)


@tensor_method()
def tril_(self, diagonal=0):
    """In-place ``tril``; returns self."""
    return apply_inplace(self, tril(self, diagonal))


@tensor_method()
def triu_(self, diagonal=0):
    """In-place ``triu``; returns self."""
    return apply_inplace(self, triu(self, diagonal))


def _diagonal_view(arr, offset, dim1, dim2):
    """Writable strided view of the diagonal of ``arr`` over (dim1, dim2), placed as the last axis."""
    if offset >= 0:
        arr = arr[(slice(None),) * dim2 + (slice(offset, None),)]
    else:
        arr = arr[(slice(None),) * dim1 + (slice(-offset, None),)]
    length = max(min(arr.shape[dim1], arr.shape[dim2]), 0)
    keep = [i for i in range(arr.ndim) if i not in (dim1, dim2)]
    shape = tuple(arr.shape[i] for i in keep) + (length,)
    strides = tuple(arr.strides[i] for i in keep) + (arr.strides[dim1] + arr.strides[dim2],)
    return strided_view(arr, shape, strides)


@tensor_method()
def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal ``offset`` of the plane ``(dim1, dim2)``, as the last dimension."""
    n = input._data.ndim
    d1, d2 = normalize_dim(dim1, n), normalize_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    arr = _diagonal_view(input._data, offset, d1, d2)
    return _view(input, arr, DiagonalBackward0, shape=input._data.shape, offset=offset, dim1=d1, dim2=d2)


@tensor_method()
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensors whose planes ``(dim1, dim2)`` have the last dimension of ``input`` on diagonal ``offset``."""
    data = input._data
    n = data.ndim + 1
    d1, d2 = normalize_dim(dim1, n), normalize_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    size = data.shape[-1] + abs(offset)
    rest = list(data.shape[:-1])
    shape = []
    for i in range(n):
        shape.append(size if i in (d1, d2) else rest.pop(0))
    out = zeros(shape, data.dtype, like=data)
    _diagonal_view(out, offset, d1, d2)[...] = data
    return record(out, DiagEmbedBackward0, (input,), offset=offset, dim1=d1, dim2=d2)


@tensor_method()
def diag(input, diagonal=0):
    """A 1-D input's square diagonal matrix, or a 2-D input's diagonal ``diagonal``."""
    n = input._data.ndim
    if n == 1:
        return diag_embed(input, diagonal, 0, 1)
    if n != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")
    arr = _diagonal_view(input._data, diagonal, 0, 1).copy()
    return record(arr, DiagonalBackward0, (input,), shape=input._data.shape, offset=diagonal, dim1=0, dim2=1)


@tensor_method()
def trace(input):
    """The sum of the main diagonal of a 2-D tensor."""
    data = input._data
    if data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {data.ndim}")
    out = np.asarray(np.trace(data), dtype=data.dtype if data.dtype.kind in dt.DIFFERENTIABLE_KINDS else np.int64,
                     like=data)
    return record(out, TraceBackward0, (input,), shape=data.shape)
