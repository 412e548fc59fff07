"""``linalg.householder_product``: the first columns of a product of Householder reflections (LAPACK orgqr).

Built from differentiable ops, one reflection at a time, so its gradients (of any order) are those of the
product itself, as PyTorch's.
"""
import numpy as np

from .._tensor import Tensor
from .linalg_checks import float_matrix

__all__ = ["householder_product"]

_NAME = "torch.linalg.householder_product"


def _check(A, tau):
    if A.dim() < 2:
        raise RuntimeError(f"{_NAME}: input must have at least 2 dimensions.")
    m, n = A.shape[-2:]
    if m < n:
        raise RuntimeError(f"{_NAME}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if tau.dim() == 0 or tau.shape[-1] > n:
        raise RuntimeError(f"{_NAME}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if tau.dim() != A.dim() - 1:
        raise RuntimeError(f"{_NAME}: Expected tau to have one dimension less than input, but got tau.ndim equal "
                           f"to {tau.dim()} and input.ndim is equal to {A.dim()}")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{_NAME}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
                           f"{list(tau.shape[:-1])}")
    if tau.dtype != A.dtype:
        raise RuntimeError(f"{_NAME}: tau dtype {tau.dtype._scalar_name} does not match input dtype "
                           f"{A.dtype._scalar_name}")
    float_matrix(_NAME, A)


def householder_product(A, tau, *, out=None):
    """The first ``n`` columns of ``H_1 ... H_k`` with ``H_i = I - tau_i v_i v_i^T``, ``v_i`` the ``i``-th column
    of ``A`` below the diagonal with a 1 on it (the ``Q`` of a QR factorization stored as by ``geqrf``)."""
    _check(A, tau)
    m, n = A.shape[-2:]
    dtype = A._data.dtype
    Q = Tensor._make(np.broadcast_to(np.eye(m, dtype=dtype), tuple(A.shape[:-2]) + (m, m)).copy())
    rows = np.arange(m)
    for i in range(tau.shape[-1]):
        below = Tensor._make((rows > i).astype(dtype))
        v = A[..., :, i] * below + Tensor._make((rows == i).astype(dtype))
        Qv = (Q @ v.unsqueeze(-1))
        Q = Q - tau[..., i].unsqueeze(-1).unsqueeze(-1) * (Qv @ v.unsqueeze(-2))
    if tau.shape[-1] == 0:  # no reflection: still a result of the inputs' graphs, as in PyTorch (sums of nothing)
        Q = Q + (A[..., :0, :].sum((-2, -1)) + tau.sum(-1)).unsqueeze(-1).unsqueeze(-1)
    return Q[..., :, :n]
