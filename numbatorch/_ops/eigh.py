"""The symmetric eigendecomposition: ``eigh`` and ``eigvalsh``.

numpy.linalg does the math; the backward is PyTorch's ``linalg_eig_backward`` (``FunctionsManual.cpp``) for
symmetric input, written in numpy. Real dtypes only; ``eig``/``eigvals`` of a general matrix, whose results are
complex, are in ``eig.py``.
"""
import numpy as np

from .. import return_types
from ..autograd.graph import Node, operand
from ._linalg_graph import eye_like
from ._util import record
from .linalg_checks import float_matrix, mT

__all__ = ["eigh", "eigvalsh"]


def _uplo_symmetric(name, a, UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    tri = np.tril(a) if UPLO == "L" else np.triu(a)
    k = a.shape[-1]
    at_diagonal = np.arange(k, like=a)
    diag = a[..., at_diagonal, at_diagonal]
    full = tri + mT(tri)
    full[..., at_diagonal, at_diagonal] = diag
    return full


class LinalgEighBackward0(Node):
    __slots__ = ("L", "V", "uplo")
    num_outputs = 2

    def backward(self, grads):
        gL, gV = grads
        L, V = self.L, self.V
        if gV is None:
            return (V * gL[..., None, :]) @ mT(V)
        VhgV = mT(V) @ gV
        VhgV = 0.5 * (VhgV - mT(VhgV))
        E = L[..., None, :] - L[..., :, None]
        k = L.shape[-1]
        diag = np.arange(k, like=E)
        E[..., diag, diag] = 1
        inner = VhgV / E
        inner[..., diag, diag] = 0 if gL is None else gL
        return V @ inner @ mT(V)

    def backward_graph(self, grads):
        gL, gV = grads
        L, V = eigh(operand(self, 0, None), self.uplo)
        if gV is None:
            return (V * gL.unsqueeze(-2)) @ V.mT
        VhgV = V.mT @ gV
        VhgV = 0.5 * (VhgV - VhgV.mT)  # its diagonal is 0: dividing it by the 1 added to E's keeps it 0
        inner = VhgV / (L.unsqueeze(-2) - L.unsqueeze(-1) + eye_like(L))
        if gL is not None:
            inner = inner + gL.diag_embed()
        return V @ inner @ V.mT


def eigh(A, UPLO="L", *, out=None):
    """``(eigenvalues, eigenvectors)`` of symmetric matrices (ascending values; only the ``UPLO`` triangle is read)."""
    a = float_matrix("linalg.eigh", A, square=True)
    L, V = np.linalg.eigh(_uplo_symmetric("linalg.eigh", a, UPLO))
    result = record((L, V), LinalgEighBackward0, (A,), L=L, V=V, uplo=UPLO)
    return return_types.linalg_eigh(*result)


class LinalgEigvalshBackward0(Node):
    __slots__ = ("V", "uplo")

    def backward(self, grad):
        return (self.V * grad[..., None, :]) @ mT(self.V)

    def backward_graph(self, grad):
        V = eigh(operand(self, 0, None), self.uplo).eigenvectors
        return (V * grad.unsqueeze(-2)) @ V.mT


def eigvalsh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) of symmetric matrices."""
    a = float_matrix("linalg.eigvalsh", A, square=True)
    L, V = np.linalg.eigh(_uplo_symmetric("linalg.eigvalsh", a, UPLO))
    return record(L, LinalgEigvalshBackward0, (A,), V=V, uplo=UPLO)
