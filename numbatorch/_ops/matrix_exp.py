"""``linalg.matrix_exp``: the exponential of square matrices (scaling and squaring of a Taylor series).

The backward is the derivative of the exponential in the direction of the upstream gradient, read off the
exponential of the block matrix ``[[A^T, G], [0, A^T]]`` (its upper-right block), as PyTorch computes it.
"""
import math

import numpy as np

from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, operand
from ._util import record
from .linalg_checks import float_matrix, mT

__all__ = ["matrix_exp"]

_TERMS = 18  # Taylor terms after scaling the norm below 1/2: truncation error below 1e-22


def _expm(a):
    """exp of each matrix of the batch ``a`` (computed in float64)."""
    a = a.astype(np.float64)
    norm = np.max(np.sum(np.abs(a), axis=-2)) if a.size else 0.0
    squarings = max(0, int(math.ceil(math.log2(norm / 0.5)))) if norm > 0.5 else 0
    scaled = a / (2.0 ** squarings)
    eye = np.broadcast_to(np.eye(a.shape[-1], like=a), a.shape)
    result = eye.copy()
    term = eye.copy()
    for k in range(1, _TERMS + 1):
        term = term @ scaled / k
        result = result + term
    for _ in range(squarings):
        result = result @ result
    return result


class LinalgMatrixExpBackward0(Node):
    __slots__ = ("a",)

    def backward(self, grad):
        a = self.a
        n = a.shape[-1]
        block = np.zeros_like(a, shape=a.shape[:-2] + (2 * n, 2 * n), dtype=np.float64)
        block[..., :n, :n] = mT(a)
        block[..., n:, n:] = mT(a)
        block[..., :n, n:] = grad
        return _expm(block)[..., :n, n:].astype(a.dtype)

    def backward_graph(self, grad):
        from .joining import cat
        at = operand(self, 0, None).mT
        n = at.shape[-1]
        zeros = Tensor._make(np.zeros_like(at._data))
        block = cat([cat([at, grad], -1), cat([zeros, at], -1)], -2)
        return matrix_exp(block)[..., :n, n:]


def matrix_exp(A):
    """``exp(A) = sum_k A^k / k!`` of (a batch of) square matrices."""
    a = float_matrix("linalg.matrix_exp", A, square=True)
    out = _expm(a).astype(a.dtype)
    return record(out, LinalgMatrixExpBackward0, (A,), a=a)


tensor_method("matrix_exp")(matrix_exp)
