"""Determinants: ``det``, ``slogdet`` and ``logdet``.

numpy.linalg does the math; the backwards are PyTorch's (``FunctionsManual.cpp``: ``linalg_det_backward``),
written in numpy, through the SVD where the matrix is singular. Real dtypes only.
"""
import numpy as np

from .. import return_types
from .._tensor import Tensor
from ..autograd.graph import Node, operand
from ._util import record
from .inverse import inv
from .linalg_checks import float_matrix, mT
from .svd import svd

__all__ = ["det", "slogdet", "logdet"]


def _cofactor(a, det):
    """``det(A) * A^-T``, also where A is singular: through the SVD, ``sign * U diag(prod_{j != i} s_j) V^T``."""
    if np.all(det != 0):
        return det[..., None, None] * mT(np.linalg.inv(a))
    u, s, vh = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], axis=-1)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return sign[..., None, None] * ((u * others[..., None, :]) @ vh)


class LinalgDetBackward0(Node):
    __slots__ = ("a", "det")

    def backward(self, grad):
        return grad[..., None, None] * _cofactor(self.a, self.det)

    def backward_graph(self, grad):
        a = operand(self, 0, None)
        if self.det.all():
            return (grad * det(a)).unsqueeze(-1).unsqueeze(-1) * inv(a).transpose(-2, -1)
        # A singular matrix: _cofactor's SVD form, sign * U diag(prod_{j != i} s_j) V^T, on Tensors
        from .reduction import _others_product
        U, S, Vh = svd(a)
        sign = Tensor._make(np.linalg.det(U._data) * np.linalg.det(Vh._data))  # +-1, locally constant
        others = _others_product(S, S.dim() - 1)
        return (grad * sign).unsqueeze(-1).unsqueeze(-1) * ((U * others.unsqueeze(-2)) @ Vh)


def det(A, *, out=None):
    """Determinant of (a batch of) square matrices."""
    a = float_matrix("linalg.det", A, square=True)
    d = np.asarray(np.linalg.det(a), dtype=a.dtype, like=a)
    return record(d, LinalgDetBackward0, (A,), reads=(A,), a=a, det=d)


class LinalgSlogdetBackward0(Node):
    __slots__ = ("a",)
    num_outputs = 2

    def backward(self, grads):
        g_logabsdet = grads[1]
        if g_logabsdet is None:
            return None
        return g_logabsdet[..., None, None] * mT(np.linalg.inv(self.a))

    def backward_graph(self, grads):
        g_logabsdet = grads[1]
        if g_logabsdet is None:
            return None
        return g_logabsdet.unsqueeze(-1).unsqueeze(-1) * inv(operand(self, 0, None)).transpose(-2, -1)


def slogdet(A, *, out=None):
    """``(sign, logabsdet)`` of the determinant (the log is accurate where ``det`` would under/overflow)."""
    a = float_matrix("linalg.slogdet", A, square=True)
    sign, logabs = np.linalg.slogdet(a)
    sign, logabs = np.asarray(sign, dtype=a.dtype, like=a), np.asarray(logabs, dtype=a.dtype, like=a)
    result = record((sign, logabs), LinalgSlogdetBackward0, (A,), reads=(A,), a=a)
    return return_types.linalg_slogdet(*result)


class LogdetBackward0(Node):
    __slots__ = ("a",)

    def backward(self, grad):
        return grad[..., None, None] * mT(np.linalg.inv(self.a))

    def backward_graph(self, grad):
        return grad.unsqueeze(-1).unsqueeze(-1) * inv(operand(self, 0, None)).transpose(-2, -1)


def logdet(input):
    """``log(det(input))``: nan where the determinant is negative, -inf where it is zero."""
    a = float_matrix("logdet", input, square=True)
    sign, logabs = np.linalg.slogdet(a)
    with np.errstate(invalid="ignore"):
        out = np.asarray(np.where(sign < 0, np.nan, logabs), like=a).astype(a.dtype)
    return record(out, LogdetBackward0, (input,), reads=(input,), a=a)
