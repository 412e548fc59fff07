"""The singular value decomposition: ``svd`` and ``svdvals``.

numpy.linalg does the math; the backward is PyTorch's ``svd_backward`` (``FunctionsManual.cpp``) written in
numpy. Real dtypes only.
"""
import numpy as np

from .. import return_types
from ..autograd.graph import Node, operand
from ._linalg_graph import eye_like
from ._util import record
from .linalg_checks import float_matrix, mT

__all__ = ["svd", "svdvals"]


def _svd_backward(gU, gS, gVh, U, S, Vh, full_matrices):
    m, n = U.shape[-2], Vh.shape[-1]
    k = S.shape[-1]
    if full_matrices and (gU is not None or gVh is not None) and m != n:
        raise RuntimeError("linalg_svd_backward: The derivative of linalg.svd is not implemented when "
                           "full_matrices=True for non-square inputs. Please use full_matrices=False.")
    U, Vh = U[..., :, :k], Vh[..., :k, :]
    if gU is not None:
        gU = gU[..., :, :k]
    if gVh is not None:
        gVh = gVh[..., :k, :]
    if gU is None and gVh is None:
        return (U * gS[..., None, :]) @ Vh
    S2 = S * S
    E = S2[..., None, :] - S2[..., :, None]
    diag = np.arange(k, like=E)
    E[..., diag, diag] = 1
    if gU is not None:
        UhgU = mT(U) @ gU
        UhgU = UhgU - mT(UhgU)
    if gVh is not None:
        VhgV = Vh @ mT(gVh)
        VhgV = VhgV - mT(VhgV)
    if gU is not None and gVh is not None:
        gA = (UhgU * S[..., None, :] + S[..., :, None] * VhgV) / E
    elif gU is not None:
        gA = (UhgU / E) * S[..., None, :]
    else:
        gA = S[..., :, None] * (VhgV / E)
    if gS is not None:
        gA = gA + np.einsum("...i,ij->...ij", gS, np.eye(k, dtype=gS.dtype, like=gS))
    if m > k and gU is not None:
        gA = U @ gA
        gUSinv = gU / S[..., None, :]
        gA = gA + gUSinv - U @ (mT(U) @ gUSinv)
        return gA @ Vh
    if n > k and gVh is not None:
        gA = gA @ Vh
        SinvgVh = gVh / S[..., :, None]
        gA = gA + SinvgVh - (SinvgVh @ mT(Vh)) @ Vh
        return U @ gA
    return U @ gA @ Vh


class LinalgSvdBackward0(Node):
    __slots__ = ("U", "S", "Vh", "full_matrices")
    num_outputs = 3

    def backward(self, grads):
        gU, gS, gVh = grads
        return _svd_backward(gU, gS, gVh, self.U, self.S, self.Vh, self.full_matrices)

    def backward_graph(self, grads):
        gU, gS, gVh = grads
        U, S, Vh = svd(operand(self, 0, None), self.full_matrices)
        return _svd_backward_graph(gU, gS, gVh, U, S, Vh, self.full_matrices)


def _svd_backward_graph(gU, gS, gVh, U, S, Vh, full_matrices):
    """``_svd_backward`` on Tensors (U, S, Vh recomputed from the input, so differentiable in it)."""
    m, n = U.shape[-2], Vh.shape[-1]
    k = S.shape[-1]
    if full_matrices and (gU is not None or gVh is not None) and m != n:
        _svd_backward(gU, gS, gVh, U._data, S._data, Vh._data, full_matrices)  # raises PyTorch's error
    U, Vh = U[..., :, :k], Vh[..., :k, :]
    gU = None if gU is None else gU[..., :, :k]
    gVh = None if gVh is None else gVh[..., :k, :]
    if gU is None and gVh is None:
        return (U * gS.unsqueeze(-2)) @ Vh
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + eye_like(S)
    if gU is not None:
        UhgU = U.mT @ gU
        UhgU = UhgU - UhgU.mT
    if gVh is not None:
        VhgV = Vh @ gVh.mT
        VhgV = VhgV - VhgV.mT
    if gU is not None and gVh is not None:
        gA = (UhgU * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV) / E
    elif gU is not None:
        gA = (UhgU / E) * S.unsqueeze(-2)
    else:
        gA = S.unsqueeze(-1) * (VhgV / E)
    if gS is not None:
        gA = gA + gS.diag_embed()
    if m > k and gU is not None:
        gA = U @ gA
        gUSinv = gU / S.unsqueeze(-2)
        gA = gA + gUSinv - U @ (U.mT @ gUSinv)
        return gA @ Vh
    if n > k and gVh is not None:
        gA = gA @ Vh
        SinvgVh = gVh / S.unsqueeze(-1)
        gA = gA + SinvgVh - (SinvgVh @ Vh.mT) @ Vh
        return U @ gA
    return U @ gA @ Vh


def svd(A, full_matrices=True, *, driver=None, out=None):
    """``(U, S, Vh)`` with ``A = U diag(S) Vh`` and singular values ``S`` in descending order."""
    a = float_matrix("linalg.svd", A)
    U, S, Vh = np.linalg.svd(a, full_matrices=full_matrices)
    result = record((U, S, Vh), LinalgSvdBackward0, (A,), U=U, S=S, Vh=Vh, full_matrices=full_matrices)
    return return_types.linalg_svd(*result)


class LinalgSvdvalsBackward0(Node):
    __slots__ = ("U", "Vh")

    def backward(self, grad):
        return (self.U * grad[..., None, :]) @ self.Vh

    def backward_graph(self, grad):
        U, _, Vh = svd(operand(self, 0, None), False)
        return (U * grad.unsqueeze(-2)) @ Vh


def svdvals(A, *, driver=None, out=None):
    """Singular values of ``A`` in descending order."""
    a = float_matrix("linalg.svdvals", A)
    U, S, Vh = np.linalg.svd(a, full_matrices=False)
    return record(S, LinalgSvdvalsBackward0, (A,), U=U, Vh=Vh)
