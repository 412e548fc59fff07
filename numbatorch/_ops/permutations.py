"""Permutation views: ``transpose`` (``swapdims``, ``swapaxes``), ``t``, ``permute``, ``movedim``
(``moveaxis``) and the ``T``/``mT``/``mH``/``H`` properties; re-exported by ``views``."""
import numpy as np

from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node
from ._util import normalize_dim
from .views import _dims_arg, _view


class TransposeBackward0(Node):
    __slots__ = ("dim0", "dim1")

    def backward(self, grad):
        return grad.swapaxes(self.dim0, self.dim1)

    def backward_graph(self, grad):
        return grad.transpose(self.dim0, self.dim1)


class TBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad.T

    def backward_graph(self, grad):
        return grad.t()


class PermuteBackward0(Node):
    __slots__ = ("inverse",)

    def backward(self, grad):
        return grad.transpose(self.inverse)

    def backward_graph(self, grad):
        return grad.permute(self.inverse)


@tensor_method("transpose", "swapdims")
def transpose(input, dim0, dim1):
    """A view with dimensions ``dim0`` and ``dim1`` swapped; ``swapdims`` is an alias."""
    n = input._data.ndim
    d0, d1 = normalize_dim(dim0, n), normalize_dim(dim1, n)
    if n == 0:
        return _view(input, input._data[...], TransposeBackward0, dim0=0, dim1=0)
    return _view(input, input._data.swapaxes(d0, d1), TransposeBackward0, dim0=d0, dim1=d1)


@tensor_method()
def swapaxes(input, axis0, axis1):
    """A view with dimensions ``axis0`` and ``axis1`` swapped (numpy's name for ``transpose``)."""
    return transpose(input, axis0, axis1)


@tensor_method()
def t(input):
    """Transpose of a tensor of at most 2 dimensions (0-D and 1-D are returned as they are)."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    return _view(input, input._data.T, TBackward0)


@tensor_method("permute")
def _permute_method(self, *dims):
    """A view with the dimensions reordered as ``dims``."""
    return permute(self, _dims_arg(dims))


def permute(input, dims):
    """A view with the dimensions reordered as ``dims``."""
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal to "
                           f"len(dims) = {len(dims)}")
    perm = tuple(normalize_dim(d, n) for d in dims)
    if len(set(perm)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _view(input, input._data.transpose(perm), PermuteBackward0, inverse=tuple(np.argsort(perm).tolist()))


@tensor_method("movedim", "moveaxis")
def movedim(input, source, destination):
    """A view with dimensions ``source`` moved to positions ``destination``; ``moveaxis`` is an alias."""
    n = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
                           f"contain the same number of dims as destination ({list(dst)} dims)")
    src = [normalize_dim(d, n) for d in src]
    dst = [normalize_dim(d, n) for d in dst]
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


def _numpy_T(self):
    """A view with all dimensions reversed."""
    n = self._data.ndim
    return permute(self, tuple(range(n - 1, -1, -1)))


def _matrix_T(self):
    """A view with the last two dimensions transposed."""
    n = self._data.ndim
    if n < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {n}-D tensor.")
    return transpose(self, -2, -1)


def _matrix_conj_T(self):
    """The last two dimensions transposed and conjugated; for real tensors, a view like ``mT``."""
    n = self._data.ndim
    if n < 2:
        raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. Got {n}-D tensor.")
    return transpose(self, -2, -1).conj()


def _matrix_H(self):
    """The conjugate transpose of a matrix; for real tensors, its transpose."""
    if self._data.ndim != 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self._data.ndim}-D tensor.")
    return _numpy_T(self).conj()


swapdims = transpose
moveaxis = movedim

Tensor.T = property(_numpy_T)
Tensor.mT = property(_matrix_T)
Tensor.mH = property(_matrix_conj_T)
Tensor.H = property(_matrix_H)
