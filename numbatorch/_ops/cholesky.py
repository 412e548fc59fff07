"""The Cholesky factorisation: ``cholesky`` and ``cholesky_ex``.

numpy.linalg does the math; the backward is PyTorch's ``cholesky_backward`` (``FunctionsManual.cpp``) written in
numpy. Real dtypes only.
"""
import numpy as np

from .. import return_types
from .._tensor import Tensor
from ..autograd.graph import Node, operand, recomputed_output
from ._linalg_graph import halved_diagonal
from ._util import record, zeros
from .linalg_checks import float_matrix, mT, raise_not_positive_definite

__all__ = ["cholesky", "cholesky_ex"]


def _phi(x):
    """Lower triangle with a halved diagonal."""
    out = np.tril(x)
    diag = np.arange(x.shape[-1], like=x)
    out[..., diag, diag] *= 0.5
    return out


class LinalgCholeskyExBackward0(Node):
    __slots__ = ("L", "upper")

    def backward(self, grad):
        L = self.L
        gL = grad
        if self.upper:  # the factor returned was L^T: its gradient, transposed, is the one of L
            gL = mT(gL)
        P = _phi(mT(L) @ gL)
        S = np.linalg.solve(mT(L), mT(np.linalg.solve(mT(L), mT(P))))  # L^-T P L^-1
        return 0.5 * (S + mT(S))

    def backward_graph(self, grad):
        from .solvers import solve
        L = recomputed_output(self, cholesky(operand(self, 0, None)), self.L)
        gL = grad.mT if self.upper else grad
        P = halved_diagonal((L.mT @ gL).tril())
        S = solve(L.mT, solve(L.mT, P.mT).mT)
        return 0.5 * (S + S.mT)


def _cholesky_array(name, a):
    try:
        return np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        raise_not_positive_definite(name, a)


def cholesky(A, *, upper=False, out=None):
    """The Cholesky factor ``L`` (``A = L L^T``) of symmetric positive-definite matrices; ``L^T`` when ``upper``."""
    a = float_matrix("linalg.cholesky", A, square=True)
    L = _cholesky_array("linalg.cholesky", a)
    result = np.ascontiguousarray(mT(L)) if upper else L
    return record(result, LinalgCholeskyExBackward0, (A,), L=L, upper=upper)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """``(L, info)``: like ``cholesky`` but reports the failing leading minor in ``info`` instead of raising."""
    a = float_matrix("linalg.cholesky_ex", A, square=True)
    batch = a.shape[:-2]
    info = zeros(batch, np.int32, like=a)
    try:
        L = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        if check_errors:
            raise_not_positive_definite("linalg.cholesky_ex", a)
        L = np.zeros_like(a)
        for index in np.ndindex(*batch):
            try:
                L[index] = np.linalg.cholesky(a[index])
            except np.linalg.LinAlgError:
                info[index] = next(k for k in range(1, a.shape[-1] + 1) if not _is_pd(a[index][:k, :k]))
    result = np.ascontiguousarray(mT(L)) if upper else L
    factor = record(result, LinalgCholeskyExBackward0, (A,), L=L, upper=upper)
    return return_types.linalg_cholesky_ex(factor, Tensor._make(info))


def _is_pd(a):
    try:
        np.linalg.cholesky(a)
        return True
    except np.linalg.LinAlgError:
        return False
