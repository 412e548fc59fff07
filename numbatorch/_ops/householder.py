"""Householder reflections: ``linalg.householder_product`` (``orgqr``), ``geqrf`` and ``ormqr``.

``geqrf`` is LAPACK's ``geqr2`` (the QR decomposition as R and reflectors); the products are built from
differentiable ops, one reflection at a time, so their gradients (of any order) are those of the products
themselves, as PyTorch's.
"""
import math

import numpy as np

from .. import return_types
from .._device import CPU, move
from .._tensor import Tensor
from ._util import record
from .linalg_checks import float_matrix
from .sorting import _NotDifferentiable

__all__ = ["householder_product", "geqrf", "orgqr", "ormqr"]

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
    Q = Tensor._make(np.broadcast_to(np.eye(m, dtype=dtype, like=A._data), tuple(A.shape[:-2]) + (m, m)).copy())
    rows = np.arange(m, like=A._data)
    for i in range(tau.shape[-1]):
        below = Tensor._make((rows > i).astype(dtype))
        v = A[..., :, i] * below + Tensor._make((rows == i).astype(dtype))
        Qv = (Q @ v.unsqueeze(-1))
        Q = Q - tau[..., i].unsqueeze(-1).unsqueeze(-1) * (Qv @ v.unsqueeze(-2))
    if tau.shape[-1] == 0:  # no reflection: still a result of the inputs' graphs, as in PyTorch (sums of nothing)
        Q = Q + (A[..., :0, :].sum((-2, -1)) + tau.sum(-1)).unsqueeze(-1).unsqueeze(-1)
    return Q[..., :, :n]


def orgqr(input, tau):
    """``linalg.householder_product(input, tau)``: the ``Q`` of ``geqrf``'s output (its first columns)."""
    return householder_product(input, tau)


class GeqrfBackward0(_NotDifferentiable):
    __slots__ = ()
    op_name = "geqrf"
    num_outputs = 2


def _geqr2(a, tau):
    """LAPACK ``geqr2`` on one matrix, in place: R on and above the diagonal, the reflectors below, their ``tau``."""
    m, n = a.shape
    for j in range(min(m, n)):
        alpha, x = a[j, j], a[j + 1:, j]
        xnorm = np.linalg.norm(x)
        if xnorm == 0:
            tau[j] = 0
            continue
        beta = -math.copysign(math.hypot(alpha, xnorm), alpha)
        tau[j] = (beta - alpha) / beta
        x /= alpha - beta
        a[j, j] = beta
        v = np.concatenate([[1.0], x]).astype(a.dtype)
        a[j:, j + 1:] -= tau[j] * np.outer(v, v @ a[j:, j + 1:])


def geqrf(input, *, out=None):
    """``(a, tau)``: the QR decomposition as LAPACK ``geqrf`` stores it.

    R is on and above the diagonal of ``a``, the Householder reflectors below it (``Q`` is
    ``householder_product(a, tau)``). No derivative, as in PyTorch."""
    if input.dim() < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    data = float_matrix("torch.geqrf", input)
    a = np.array(move(data, CPU), copy=True)  # reflections built column by column: on the host
    tau = np.zeros(a.shape[:-2] + (min(a.shape[-2:]),), dtype=a.dtype)
    for index in np.ndindex(*a.shape[:-2]):
        _geqr2(a[index], tau[index])
    a_t, tau_t = record((np.asarray(a, like=data), np.asarray(tau, like=data)), GeqrfBackward0, (input,))
    return return_types.geqrf(a_t, tau_t)


def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    """``op(Q) @ other`` for ``Q`` given by Householder reflectors ``(input, tau)`` as from ``geqrf``.

    ``other @ op(Q)`` when not ``left``; ``op`` transposes with ``transpose``. The reflectors are applied one at a
    time with differentiable ops."""
    if input.dim() < 2:
        raise RuntimeError("torch.ormqr: input must have at least 2 dimensions.")
    side = -2 if left else -1
    if other.shape[side] != input.shape[-2]:
        raise RuntimeError(f"torch.ormqr: other.shape[{side}] must be equal to input.shape[-2]")
    k = tau.shape[-1]
    if k != min(other.shape[side], input.shape[-1]):
        raise RuntimeError(f"torch.ormqr: tau.shape[-1] must be equal to min(other.shape[{side}], "
                           "input.shape[-1])")
    rows = np.arange(input.shape[-2], like=input._data)
    dtype = input._data.dtype
    # Q = H_1 ... H_k: Q C applies H_k first, Q^T C H_1 first; C Q applies H_1 first, C Q^T H_k first.
    order = range(k - 1, -1, -1) if left != transpose else range(k)
    result = other
    for i in order:
        v = input[..., :, i] * Tensor._make((rows > i).astype(dtype)) + Tensor._make((rows == i).astype(dtype))
        t = tau[..., i].unsqueeze(-1).unsqueeze(-1)
        if left:
            result = result - t * (v.unsqueeze(-1) @ (v.unsqueeze(-2) @ result))
        else:
            result = result - t * ((result @ v.unsqueeze(-1)) @ v.unsqueeze(-2))
    return result if k else result * 1
