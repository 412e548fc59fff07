"""LU factorisation with partial pivoting: ``linalg.lu_factor(_ex)``, ``linalg.lu``, ``linalg.lu_solve``,
``lu_unpack`` and the older ``torch.lu``/``torch.lu_solve``.

numpy has no LU, so the factorisation is Doolittle elimination with LAPACK ``getrf``'s pivot rule (the first
largest |entry| of the column), vectorised over the batch; ``pivots`` are LAPACK's 1-based row swaps.
Backward formulas are PyTorch's (``linalg_lu_backward``, for any shape; ``lu_solve`` through ``A = P L U``).
"""
import numpy as np

from .. import return_types
from .._tensor import Tensor
from ..autograd.graph import Node, operand
from ._util import record, zeros
from .linalg_checks import LinAlgError, float_matrix, mT

__all__ = ["lu_factor", "lu_factor_ex", "lu", "lu_unpack", "lu_solve"]


def _getrf(a):
    """Packed LU of each matrix of ``a`` (..., m, n), its 1-based pivots (..., k) and info (first zero pivot)."""
    lu = np.array(a, dtype=a.dtype, copy=True, like=a)
    m, n = lu.shape[-2:]
    k = min(m, n)
    batch = lu.shape[:-2]
    flat = lu.reshape((-1, m, n))
    pivots = zeros((flat.shape[0], k), np.int32, like=a)
    info = zeros(flat.shape[0], np.int32, like=a)
    rows = np.arange(flat.shape[0], like=a)
    for j in range(k):
        p = j + np.argmax(np.abs(flat[:, j:, j]), axis=1)
        pivots[:, j] = p + 1
        swap = flat[rows, p].copy()
        flat[rows, p] = flat[:, j]
        flat[:, j] = swap
        pivot = flat[:, j, j]
        zero = pivot == 0
        info[(info == 0) & zero] = j + 1
        safe = np.where(zero, 1, pivot)
        flat[:, j + 1:, j] = np.where(zero[:, None], flat[:, j + 1:, j], flat[:, j + 1:, j] / safe[:, None])
        flat[:, j + 1:, j + 1:] -= flat[:, j + 1:, j:j + 1] * flat[:, j:j + 1, j + 1:]
    return flat.reshape(lu.shape), pivots.reshape(batch + (k,)), info.reshape(batch)


def _permutation(pivots, m, dtype):
    """P with ``A = P L U`` from LAPACK pivots (..., k)."""
    batch = pivots.shape[:-1]
    perm = np.broadcast_to(np.arange(m, like=pivots), batch + (m,)).copy().reshape(-1, m)
    flat_piv = pivots.reshape(-1, pivots.shape[-1]) - 1
    rows = np.arange(perm.shape[0], like=pivots)
    for j in range(flat_piv.shape[1]):
        p = flat_piv[:, j]
        tmp = perm[rows, j].copy()
        perm[rows, j] = perm[rows, p]
        perm[rows, p] = tmp
    eye = np.eye(m, dtype=dtype, like=pivots)
    # Row i of P^T A is row perm[i] of A: P^T = eye[perm], so P is its transpose.
    return mT(eye[perm]).reshape(batch + (m, m))


def _unpack(lu, pivots):
    m, n = lu.shape[-2:]
    k = min(m, n)
    L = np.tril(lu[..., :, :k], -1) + np.eye(m, k, dtype=lu.dtype, like=lu)
    U = np.triu(lu[..., :k, :])
    return _permutation(pivots, m, lu.dtype), L, U


def _lu_backward(gL, gU, L, U, P):
    """PyTorch's gradient of ``A = P L U`` (square A): ``P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T``."""
    n = L.shape[-1]
    inner = zeros(L.shape[:-2] + (n, n), L.dtype, like=L)
    if gL is not None:
        inner = inner + np.tril(mT(L) @ gL, -1)
    if gU is not None:
        inner = inner + np.triu(gU @ mT(U))
    inner = np.linalg.solve(mT(L), inner)  # L^-T inner
    inner = mT(np.linalg.solve(U, mT(inner)))  # ... U^-T
    return P @ inner


def _lu_backward_graph(gL, gU, L, U, P):
    """``_lu_backward`` on Tensors: ``L``, ``U`` recomputed from the input (differentiable), ``P`` constant."""
    from .solvers import solve
    inner = 0
    if gL is not None:
        inner = inner + (L.mT @ gL).tril(-1)
    if gU is not None:
        inner = inner + (gU @ U.mT).triu()
    inner = solve(L.mT, inner)
    inner = solve(U, inner.mT).mT
    return P @ inner


def _lu_backward_any(gL, gU, L, U, P, square, solve, cat, zeros):
    """The gradient of ``A = P L U`` of any shape, by the square case (``square``; arrays or Tensors with the
    matching ``solve``, ``cat``, ``zeros``), as PyTorch's ``linalg_lu_backward``.

    Wide (m < n), U = [U1 | U2]: U2 = L^-1 P^T A2, so L's gradient gains -L^-T gU2 U2^T and A2's is P L^-T gU2.
    Tall (m > n), L = [L1; L2]: L2 = (P^T A)_2 U^-1, so U's gradient gains -L2^T gL2 U^-T and that of (P^T A)_2 is
    gL2 U^-T.
    """
    m, n = L.shape[-2], U.shape[-1]
    if m == n:
        return square(gL, gU, L, U, P)
    if m < n:
        U1, U2 = U[..., :, :m], U[..., :, m:]
        gU1, gU2 = (None, None) if gU is None else (gU[..., :, :m], gU[..., :, m:])
        gA2 = zeros(U2)
        if gU2 is not None:
            gL = -solve(_t(L), gU2 @ _t(U2)) + (0 if gL is None else gL)
            gA2 = P @ solve(_t(L), gU2)
        return cat([square(gL, gU1, L, U1, P), gA2], -1)
    L1, L2 = L[..., :n, :], L[..., n:, :]
    gL1, gL2 = (None, None) if gL is None else (gL[..., :n, :], gL[..., n:, :])
    gB2 = zeros(L2)
    if gL2 is not None:
        gB2 = _t(solve(U, _t(gL2)))  # gL2 U^-T
        gU = -_t(L2) @ gB2 + (0 if gU is None else gU)
    eye = Tensor._make(np.eye(n, dtype=P._data.dtype, like=P._data)) if isinstance(P, Tensor) else np.eye(
        n, dtype=P.dtype, like=P)
    return P @ cat([square(gL1, gU, L1, U, eye), gB2], -2)


def _t(x):
    """The matrix transpose of an array or a Tensor."""
    return x.mT if isinstance(x, Tensor) else np.swapaxes(x, -1, -2)


def _array_zeros(x):
    return zeros(x.shape, x.dtype, like=x)


def _tensor_zeros(x):
    return Tensor._make(zeros(tuple(x.shape), x._data.dtype, like=x._data))


class LinalgLuBackward0(Node):
    __slots__ = ("P", "L", "U")
    num_outputs = 3

    def backward(self, grads):
        _, gL, gU = grads
        return _lu_backward_any(gL, gU, self.L, self.U, self.P, _lu_backward, np.linalg.solve, np.concatenate,
                                _array_zeros)

    def backward_graph(self, grads):
        from .joining import cat
        from .solvers import solve
        _, gL, gU = grads
        _, L, U = lu(operand(self, 0, None))
        return _lu_backward_any(gL, gU, L, U, Tensor._make(self.P), _lu_backward_graph, solve, cat, _tensor_zeros)


class LinalgLuFactorExBackward0(LinalgLuBackward0):
    __slots__ = ()
    num_outputs = 3

    def backward(self, grads):
        g_lu = grads[0]
        if g_lu is None:
            return None
        k = self.L.shape[-1]
        return LinalgLuBackward0.backward(self, (None, np.tril(g_lu, -1)[..., :, :k], np.triu(g_lu)[..., :k, :]))

    def backward_graph(self, grads):
        g_lu = grads[0]
        if g_lu is None:
            return None
        k = self.L.shape[-1]
        return LinalgLuBackward0.backward_graph(self, (None, g_lu.tril(-1)[..., :, :k], g_lu.triu()[..., :k, :]))


def _checked_lu(name, A, pivot):
    a = float_matrix(name, A)
    if not pivot:
        raise NotImplementedError(f"{name}: LU without pivoting is not implemented on CPU")
    return a, _getrf(a)


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """``(LU, pivots, info)``: packed factors, 1-based row swaps and, per matrix, the first zero pivot (0: none)."""
    a, (lu, pivots, info) = _checked_lu("linalg.lu_factor_ex", A, pivot)
    if check_errors and np.any(info):
        first = int(np.flatnonzero(info)[0])
        k = int(info.reshape(-1)[first])
        prefix = f"(Batch element {first}): " if info.ndim else ""
        raise LinAlgError(f"torch.linalg.lu_factor_ex: {prefix}U[{k},{k}] is zero and using it on lu_solve would "
                          "result in a division by zero. If you still want to perform the factorization, consider "
                          "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    P, L, U = _unpack(lu, pivots)
    lu_t = record((lu, None, None), LinalgLuFactorExBackward0, (A,), P=P, L=L, U=U)[0]
    return return_types.linalg_lu_factor_ex(lu_t, Tensor._make(pivots), Tensor._make(info))


def lu_factor(A, *, pivot=True, out=None):
    """``(LU, pivots)``; LinAlgError-free for singular matrices, as in PyTorch (U then has a zero diagonal)."""
    lu_t, pivots, _ = lu_factor_ex(A, pivot=pivot)
    return return_types.linalg_lu_factor(lu_t, pivots)


def lu(A, *, pivot=True, out=None):
    """``(P, L, U)`` with ``A = P L U``, L unit lower triangular and U upper triangular."""
    a, (lu_packed, pivots, _) = _checked_lu("linalg.lu", A, pivot)
    P, L, U = _unpack(lu_packed, pivots)
    return return_types.linalg_lu(*record((P, L, U), LinalgLuBackward0, (A,), P=P, L=L, U=U))


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """``(P, L, U)`` from ``lu_factor``'s packed output (differentiable in ``LU_data``)."""
    lu_arr = LU_data._data
    P, L, U = _unpack(lu_arr, LU_pivots._data.astype(np.int64))
    k = min(lu_arr.shape[-2:])
    L_t = (LU_data[..., :, :k].tril(-1) + Tensor._make(np.eye(lu_arr.shape[-2], k, dtype=lu_arr.dtype, like=lu_arr))
           if unpack_data else Tensor._make(np.empty(0, lu_arr.dtype, like=lu_arr)))
    U_t = LU_data[..., :k, :].triu() if unpack_data else Tensor._make(np.empty(0, lu_arr.dtype, like=lu_arr))
    P_t = Tensor._make(P) if unpack_pivots else Tensor._make(np.empty(0, lu_arr.dtype, like=lu_arr))
    return return_types.lu_unpack(P_t, L_t, U_t)


class LinalgLuSolveBackward0(Node):
    __slots__ = ("P", "L", "U", "b", "x", "left", "adjoint")

    def backward(self, grad):
        P, L, U = self.P, self.L, self.U
        A = P @ L @ U
        op = mT(A) if self.adjoint else A  # the system solved: op(A) X = B (left) or X op(A) = B
        x = self.x
        if not self.left:
            op, x, grad = mT(op), mT(x), mT(grad)
        gB = np.linalg.solve(mT(op), grad)
        g_op = -gB @ mT(x)
        if not self.left:
            g_op, gB = mT(g_op), mT(gB)
        gA = mT(g_op) if self.adjoint else g_op
        g_lu = None
        if self.inputs[0] is not None:
            # Through A = P L U: gL = P^T gA U^T (strictly lower part), gU = L^T P^T gA (upper part).
            pt_ga = mT(P) @ gA
            g_lu = np.tril(pt_ga @ mT(U), -1) + np.triu(mT(L) @ pt_ga)
        return g_lu, gB

    def backward_graph(self, grad):
        from .solvers import solve
        LU, B = operand(self, 0, None), operand(self, 1, self.b)
        P = Tensor._make(self.P)
        if LU is None:  # the factors are constants
            L, U = Tensor._make(self.L), Tensor._make(self.U)
        else:
            k = self.L.shape[-1]
            L = LU[..., :, :k].tril(-1) + Tensor._make(np.eye(self.L.shape[-2], k, dtype=self.L.dtype, like=self.L))
            U = LU[..., :k, :].triu()
        op = P @ L @ U
        op = op.mT if self.adjoint else op  # the system solved: op(A) X = B (left) or X op(A) = B
        x = solve(op, B, left=self.left)
        if not self.left:
            op, x, grad = op.mT, x.mT, grad.mT
        gB = solve(op.mT, grad)
        g_op = -gB @ x.mT
        if not self.left:
            g_op, gB = g_op.mT, gB.mT
        gA = g_op.mT if self.adjoint else g_op
        g_lu = None
        if self.inputs[0] is not None:
            pt_ga = P.mT @ gA
            g_lu = (pt_ga @ U.mT).tril(-1) + (L.mT @ pt_ga).triu()
        return g_lu, gB


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """``X`` with ``A X = B`` (``X A = B`` when not ``left``; A^T with ``adjoint``) from ``lu_factor``'s output."""
    lu_arr = LU._data
    P, L, U = _unpack(lu_arr, pivots._data.astype(np.int64))
    A = P @ L @ U
    op = mT(A) if adjoint else A
    b = B._data
    x = np.linalg.solve(op, b) if left else mT(np.linalg.solve(mT(op), mT(b)))
    x = np.ascontiguousarray(x, dtype=lu_arr.dtype, like=lu_arr)
    return record(x, LinalgLuSolveBackward0, (LU, B), P=P, L=L, U=U, b=b, x=x, left=left, adjoint=adjoint)
