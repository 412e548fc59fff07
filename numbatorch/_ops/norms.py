"""Vector norms: ``linalg.vector_norm`` and ``Tensor.norm`` (vector cases)."""
import builtins
import math

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, operand
from ._util import _legacy_name, record
from ._reduce_util import evenly_distribute, expand_graph_grad, expand_grad, reduce_axes
from ..backends.cpu import _arithmetic_kernels, _chunk_sums


def _whole(arr, axes):
    """Whether a 2-norm of ``arr`` over ``axes`` takes ``_chunk_sums``: a large float32/float64 array, every axis
    (smaller arrays keep numpy's float32 pairwise sum, bit for bit)."""
    return (axes is None or len(axes) == arr.ndim) and _chunk_sums.applies(arr)

class LinalgVectorNormBackward0(Node):
    __slots__ = ("x", "out", "ord", "axes", "keepdim")

    def backward(self, grad):
        x, p, shape = self.x, self.ord, self.x.shape
        g = expand_grad(grad, shape, self.axes, self.keepdim)
        n = expand_grad(self.out, shape, self.axes, self.keepdim)
        if p == 0:
            return np.zeros_like(x)
        if p == 1:
            return g * np.sign(x)
        if math.isinf(p):
            return np.sign(x) * evenly_distribute(grad, np.abs(x), self.out, shape, self.axes, self.keepdim)
        with np.errstate(invalid="ignore", divide="ignore"):
            if p == 2 and _whole(x, self.axes):  # grad / norm is one number: one threaded pass
                scale = x.dtype.type(np.ravel(grad)[0] / np.ravel(self.out)[0])
                return np.zeros_like(x) if self.out == 0 else _arithmetic_kernels.multiply(x, scale)
            if p == 2:
                return np.where(n == 0, 0, g * x / n)
            scaled = x * np.abs(x) ** (p - 2)
            return np.where(n == 0, 0, g * scaled / n ** (p - 1))

    def backward_graph(self, grad):
        from .ternary import where
        p, shape = self.ord, self.x.shape
        g = expand_graph_grad(grad, shape, self.axes, self.keepdim)
        if p == 0:
            return g * 0
        if p == 1:
            return g * Tensor._make(np.sign(self.x))
        if math.isinf(p):  # the shares of the extreme elements are fixed by forward: only grad carries a graph
            return g * Tensor._make(np.sign(self.x) * evenly_distribute(
                np.ones(tuple(grad.shape), dtype=grad._data.dtype), np.abs(self.x), self.out, shape, self.axes,
                self.keepdim))
        x = operand(self, 0, self.x)
        n = expand_graph_grad(vector_norm(x, p, self.axes, self.keepdim), shape, self.axes, self.keepdim)
        # A zero norm has an all-zero slice of x: dividing by 1 there gives its zero gradient without a 0/0.
        n = where(n == 0, 1.0, n)
        if p == 2:
            return g * x / n
        return g * x * x.abs() ** (p - 2) / n ** (p - 1)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """``linalg.vector_norm``: the ``ord``-norm of ``x`` over ``dim`` (all elements when None)."""
    if x._data.dtype.kind == "c" and dtype is None:  # the norm of the moduli, differentiable through abs
        return vector_norm(x.abs(), ord, dim, keepdim)
    arr = x._data
    if dtype is not None:
        arr = arr.astype(dt.as_dtype(dtype).np, copy=False)
    if not dt.is_floating(arr.dtype):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {_legacy_name(arr.dtype)}")
    p = builtins.float(ord)
    axes = reduce_axes(dim, arr.ndim)
    if p == 2 and _whole(arr, axes):
        out = np.full((1,) * arr.ndim if keepdim else (), _chunk_sums.norm2(arr), arr.dtype)
    elif p == 2:
        out = np.sqrt(np.sum(arr * arr, axis=axes, keepdims=keepdim))  # as |x| * |x|, bit for bit
    else:
        out = _other_norm(arr, p, axes, keepdim)
    out = np.asarray(out, dtype=arr.dtype, like=arr)
    return record(out, LinalgVectorNormBackward0, (x,), reads=(x,), x=arr, out=out, ord=p, axes=axes, keepdim=keepdim)


def _other_norm(arr, p, axes, keepdim):
    """The ``p``-norm of ``arr`` over ``axes`` for ``p`` other than 2."""
    a = np.abs(arr)
    if p == 1:
        out = np.sum(a, axis=axes, keepdims=keepdim)
    elif p == 0:
        out = np.sum(a != 0, axis=axes, keepdims=keepdim)
    elif p == math.inf:
        out = np.amax(a, axis=axes, keepdims=keepdim, initial=0) if a.size == 0 else np.amax(
            a, axis=axes, keepdims=keepdim)
    elif p == -math.inf:
        if a.size == 0:
            raise RuntimeError("linalg.vector_norm cannot compute the -inf norm on an empty tensor because the "
                               "operation does not have an identity")
        out = np.amin(a, axis=axes, keepdims=keepdim)
    else:
        with np.errstate(divide="ignore"):
            out = np.sum(a ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)
    return out


@tensor_method("norm")
def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector norms (``p`` a number, ``'fro'`` = 2) over ``dim``; ``'nuc'`` is not supported."""
    if isinstance(p, str):
        if p != "fro":
            raise RuntimeError(f"numbatorch.norm: p='{p}' is not supported (only numbers and 'fro')")
        p = 2
    elif p is None:
        p = 2
    return vector_norm(input, p, dim, keepdim, dtype=dtype)
