"""Randomized low-rank factorisations: ``svd_lowrank`` and ``pca_lowrank`` (Halko, Martinsson and Tropp's
range finder with power iterations, as PyTorch computes them), built from differentiable tensor ops."""
from .. import linalg
from .._creation import randn

__all__ = ["pca_lowrank", "svd_lowrank"]


def _approximate_basis(A, q, niter):
    """An (m, q) matrix with orthonormal columns whose span approximates that of ``A``'s leading singular
    vectors: a random projection refined by ``niter`` power iterations."""
    Q = linalg.qr(A @ randn(*A.shape[:-2], A.shape[-1], q, dtype=A.dtype)).Q
    for _ in range(niter):
        Q = linalg.qr(A.mT @ Q).Q
        Q = linalg.qr(A @ Q).Q
    return Q


def svd_lowrank(A, q=6, niter=2, M=None):
    """``(U, S, V)`` with ``A - M ≈ U @ diag(S) @ V.mT`` for the ``q`` largest singular values.

    The factorisation is randomized; it is exact when ``A - M`` has rank at most ``q``."""
    q = 6 if q is None else q
    if M is not None:
        A = A - M.broadcast_to(A.shape)
    if A.shape[-2] < A.shape[-1]:
        U, S, V = svd_lowrank(A.mT, q, niter)
        return V, S, U
    Q = _approximate_basis(A, q, niter)
    U, S, Vh = linalg.svd(Q.mT @ A, full_matrices=False)
    return Q @ U, S, Vh.mT


def pca_lowrank(A, q=None, center=True, niter=2):
    """``(U, S, V)``: the principal components of the rows of ``A`` (centred when ``center``).

    Computed by ``svd_lowrank``; ``q`` defaults to min(6, m, n)."""
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not 0 <= q <= min(m, n):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}")
    if niter < 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if center:
        A = A - A.mean(dim=-2, keepdim=True)
    return svd_lowrank(A, q, niter=niter)
