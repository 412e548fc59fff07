"""``linalg.ldl_factor(_ex)`` and ``linalg.ldl_solve``: LDL^T of symmetric matrices with Bunch-Kaufman pivoting.

The factorisation follows LAPACK ``sytf2`` on the lower triangle (what PyTorch calls), so ``LD`` and the 1-based
``pivots`` (negative for a 2x2 diagonal block) are PyTorch's; the solve is ``sytrs``. As in PyTorch, neither has
a derivative: their results require grad, and backward raises.
"""
import math

import numpy as np

from .. import return_types
from .._device import CPU, move
from .._tensor import Tensor
from ._not_implemented import NotImplementedBackward
from ._util import record
from .linalg_checks import LinAlgError, check_float, float_matrix

__all__ = ["ldl_factor", "ldl_factor_ex", "ldl_solve"]

_ALPHA = (1 + math.sqrt(17)) / 8  # Bunch-Kaufman's threshold, minimising element growth


def _swap(a, i, j):
    a[[i, j]] = a[[j, i]]


def _sytf2_lower(a):
    """Factor the symmetric ``a`` (lower triangle read, overwritten) in place; return (1-based pivots, info)."""
    n = a.shape[0]
    ipiv = np.zeros(n, dtype=np.int32)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k])
        imax = k + 1 + int(np.argmax(np.abs(a[k + 1:, k]))) if k < n - 1 else k
        colmax = abs(a[imax, k]) if k < n - 1 else 0.0
        if max(absakk, colmax) == 0 or np.isnan(absakk):
            info = info or k + 1
            kp = k
        else:
            if absakk >= _ALPHA * colmax:
                kp = k
            else:
                rowmax = np.max(np.abs(a[imax, k:imax]))
                if imax < n - 1:
                    rowmax = max(rowmax, np.max(np.abs(a[imax + 1:, imax])))
                if absakk >= _ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif abs(a[imax, imax]) >= _ALPHA * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:  # interchange rows and columns kk and kp of the trailing lower triangle
                if kp < n - 1:
                    a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
                column, row = a[kk + 1:kp, kk].copy(), a[kp, kk + 1:kp].copy()
                a[kk + 1:kp, kk], a[kp, kk + 1:kp] = row, column
                a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
                if kstep == 2:
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            if kstep == 1:
                if k < n - 1:
                    d11 = 1.0 / a[k, k]
                    a[k + 1:, k + 1:] -= d11 * np.outer(a[k + 1:, k], a[k + 1:, k])
                    a[k + 1:, k] *= d11
            elif k < n - 2:
                d21 = a[k + 1, k]
                d11 = a[k + 1, k + 1] / d21
                d22 = a[k, k] / d21
                d21 = 1.0 / (d11 * d22 - 1) / d21
                wk = d21 * (d11 * a[k + 2:, k] - a[k + 2:, k + 1])
                wkp1 = d21 * (d22 * a[k + 2:, k + 1] - a[k + 2:, k])
                a[k + 2:, k + 2:] -= np.outer(a[k + 2:, k], wk) + np.outer(a[k + 2:, k + 1], wkp1)
                a[k + 2:, k], a[k + 2:, k + 1] = wk, wkp1
        if kstep == 1:
            ipiv[k] = kp + 1
        else:
            ipiv[k] = ipiv[k + 1] = -(kp + 1)
        k += kstep
    return ipiv, info


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """``(LD, pivots, info)``: the compact LDL^T factorisation of symmetric ``A`` (lower triangle read), LAPACK's
    pivots, and per matrix the first zero pivot of ``D`` (0: none)."""
    data = float_matrix("torch.linalg.ldl_factor_ex", A, square=True)
    a = move(data, CPU)  # Bunch-Kaufman pivoting, element by element: on the host, the factors moved back
    batch = a.shape[:-2]
    LD = np.tril(a).copy()
    pivots = np.zeros(batch + a.shape[-1:], dtype=np.int32)
    info = np.zeros(batch, dtype=np.int32)
    for index in np.ndindex(*batch):
        pivots[index], info[index] = _sytf2_lower(LD[index])
    LD = np.tril(LD)
    if check_errors and info.any():
        raise LinAlgError("torch.linalg.ldl_factor_ex: the factorization could not be completed because the "
                          f"diagonal block D is singular (first zero pivot: {int(info.max())}).")
    factor = record(np.asarray(LD, like=data), NotImplementedBackward, (A,), op="linalg_ldl_factor_ex")
    return return_types.linalg_ldl_factor_ex(factor, Tensor._make(np.asarray(pivots, like=data)),
                                             Tensor._make(np.asarray(info, like=data)))


def ldl_factor(A, *, hermitian=False, out=None):
    """``(LD, pivots)``: ``ldl_factor_ex`` raising LinAlgError when ``D`` is singular."""
    LD, pivots, info = ldl_factor_ex(A, hermitian=hermitian)
    if info._data.any():
        raise LinAlgError("torch.linalg.ldl_factor: the factorization could not be completed because the diagonal "
                          f"block D is singular (first zero pivot: {int(info._data.max())}).")
    return return_types.linalg_ldl_factor(LD, pivots)


def _sytrs_lower(ld, ipiv, b):
    """Solve ``A X = b`` in place in ``b`` (n, k) from ``sytf2``'s lower factor and pivots."""
    n = ld.shape[0]
    k = 0
    while k < n:  # L D Y = B
        if ipiv[k] > 0:
            _swap(b, k, ipiv[k] - 1)
            b[k + 1:] -= np.outer(ld[k + 1:, k], b[k])
            b[k] /= ld[k, k]
            k += 1
        else:
            _swap(b, k + 1, -ipiv[k] - 1)
            b[k + 2:] -= np.outer(ld[k + 2:, k], b[k]) + np.outer(ld[k + 2:, k + 1], b[k + 1])
            akm1k = ld[k + 1, k]
            akm1, ak = ld[k, k] / akm1k, ld[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1
            bkm1, bk = b[k] / akm1k, b[k + 1] / akm1k
            b[k], b[k + 1] = (ak * bkm1 - bk) / denom, (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T X = Y
        b[k] -= ld[k + 1:, k] @ b[k + 1:]
        if ipiv[k] > 0:
            _swap(b, k, ipiv[k] - 1)
            k -= 1
        else:
            b[k - 1] -= ld[k + 1:, k - 1] @ b[k + 1:]
            _swap(b, k, -ipiv[k] - 1)
            k -= 2


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """``X`` with ``A X = B`` from ``ldl_factor``'s ``(LD, pivots)`` of ``A``."""
    ld = float_matrix("torch.linalg.ldl_solve", LD, arg="LD", square=True)
    b = B._data
    if b.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-{max(b.ndim, 1)}, "
                         f"{max(b.ndim, 1) - 1}], but got -2)")
    check_float("torch.linalg.ldl_solve", b)
    if b.shape[-2] != ld.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for torch.linalg.ldl_solve: each A matrix is {ld.shape[-2]} "
                           f"by {ld.shape[-1]} but each b matrix is {b.shape[-2]} by {b.shape[-1]}")
    batch = np.broadcast_shapes(ld.shape[:-2], b.shape[:-2], pivots._data.shape[:-1])
    # substitutions row by row: on the host, the solution moved back
    ld = np.broadcast_to(move(ld, CPU), batch + ld.shape[-2:])
    piv = np.broadcast_to(move(pivots._data, CPU), batch + pivots._data.shape[-1:])
    x = np.array(np.broadcast_to(move(b, CPU), batch + b.shape[-2:]), dtype=np.result_type(ld.dtype, b.dtype))
    for index in np.ndindex(*batch):
        _sytrs_lower(ld[index], piv[index], x[index])
    return record(np.asarray(x, like=b), NotImplementedBackward, (LD, B), op="linalg_ldl_solve")
