"""The QR factorisation ``qr``.

numpy.linalg does the math; the backward is PyTorch's ``linalg_qr_backward`` (``FunctionsManual.cpp``) written in
numpy. Real dtypes only.
"""
import numpy as np

from .. import return_types
from ..autograd.graph import Node, operand
from ._linalg_graph import halved_diagonal
from ._util import record
from .linalg_checks import float_matrix, mT

__all__ = ["qr"]


class LinalgQrBackward0(Node):
    __slots__ = ("Q", "R", "mode")
    num_outputs = 2

    def _check_differentiable(self):
        if self.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        if self.mode == "complete" and self.Q.shape[-2] > self.R.shape[-1]:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")

    def backward(self, grads):
        gQ, gR = grads
        self._check_differentiable()
        Q, R = self.Q, self.R
        m, n = Q.shape[-2], R.shape[-1]
        if m >= n:
            return _qr_backward(gQ, gR, Q, R)
        # A = [X | Y] with X square: X = Q U, and V = Q^T Y also reads Q (R = [U | V])
        gU, gV = (None, None) if gR is None else (gR[..., :m], gR[..., m:])
        if gV is not None:
            YgV = (Q @ R[..., m:]) @ mT(gV)
            gQ = YgV if gQ is None else gQ + YgV
        gY = np.zeros(Q.shape[:-1] + (n - m,), dtype=Q.dtype) if gV is None else Q @ gV
        return np.concatenate([_qr_backward(gQ, gU, Q, R[..., :m]), np.broadcast_to(gY, Q.shape[:-1] + gY.shape[-1:])],
                              -1)

    def backward_graph(self, grads):
        from .joining import cat
        gQ, gR = grads
        self._check_differentiable()
        A = operand(self, 0, None)
        Q, R = qr(A, self.mode)
        m, n = Q.shape[-2], R.shape[-1]
        if m >= n:
            return _qr_backward_graph(gQ, gR, Q, R)
        gU, gV = (None, None) if gR is None else (gR[..., :m], gR[..., m:])
        parts = [None, A[..., m:] * 0 if gV is None else Q @ gV]
        if gV is not None:
            YgV = A[..., m:] @ gV.mT
            gQ = YgV if gQ is None else gQ + YgV
        parts[0] = _qr_backward_graph(gQ, gU, Q, R[..., :m])
        return cat(parts, -1)


def _qr_backward(gQ, gR, Q, R):
    """PyTorch's gradient of ``A = Q R`` for ``m >= n`` on arrays."""
    gA = np.zeros(R.shape[:-2] + (R.shape[-2], R.shape[-2]), dtype=R.dtype)
    if gR is not None:
        gA = gA + gR @ mT(R)
    if gQ is not None:
        gA = gA - mT(Q) @ gQ
    gA = np.triu(gA)
    sym = gA + mT(gA)
    k = sym.shape[-1]
    diag = np.arange(k, like=sym)
    sym[..., diag, diag] *= 0.5
    gA = Q @ sym
    if gQ is not None:
        gA = gA + gQ
    # gA R^-T: solve X R^T = gA, i.e. R X^T = gA^T.
    return mT(np.linalg.solve(R, mT(gA)))


def _qr_backward_graph(gQ, gR, Q, R):
    """``_qr_backward`` on Tensors (Q, R recomputed from the input, so differentiable in it)."""
    from .solvers import solve
    gA = 0
    if gR is not None:
        gA = gA + gR @ R.mT
    if gQ is not None:
        gA = gA - Q.mT @ gQ
    gA = gA.triu()
    gA = Q @ halved_diagonal(gA + gA.mT)
    if gQ is not None:
        gA = gA + gQ
    return solve(R, gA.mT).mT


def qr(A, mode="reduced", *, out=None):
    """``(Q, R)`` with orthonormal ``Q``; ``mode`` 'reduced', 'complete' or 'r' (then ``Q`` is empty)."""
    a = float_matrix("linalg.qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    Q, R = np.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
    outputs = (np.empty(0, dtype=a.dtype), R) if mode == "r" else (Q, R)
    return return_types.linalg_qr(*record(outputs, LinalgQrBackward0, (A,), Q=Q, R=R, mode=mode))
