"""Linear solvers: solve, solve_triangular, cholesky_solve/inverse, lstsq and matrix_rank.

numpy.linalg solves (batched over leading dims, broadcast like PyTorch); backward formulas are PyTorch's
(``linalg_solve_backward``, ``linalg_solve_triangular_backward``, ``cholesky_solve_backward``), written in numpy.
``lstsq`` is ``pinv(A) @ B`` built from differentiable ops, which is exactly PyTorch's ``lstsq`` gradient.
"""
import numpy as np

from .. import return_types
from .._tensor import Tensor
from ..autograd.graph import Node, operand
from ._util import record, zeros
from .decompositions import pinv
from .linalg_checks import LinAlgError, check_float, float_matrix, mT, zero_pivot

__all__ = ["solve", "solve_ex", "solve_triangular", "cholesky_solve", "cholesky_inverse", "lstsq", "matrix_rank"]


def _is_vector_rhs(a, b):
    """PyTorch treats ``B`` as (a batch of) vectors when it is 1-D or has exactly ``A``'s batch-and-row shape."""
    return b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])


def _solve_array(name, a, b):
    """``A^-1 B`` for matrix ``b`` (..., n, k), broadcasting batch dims; LinAlgError when ``A`` is singular."""
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"torch.{name}: The solver failed because the input matrix is singular.") from None


class LinalgSolveExBackward0(Node):
    __slots__ = ("a", "b", "x", "vector", "left")

    def backward(self, grad):
        a, x = self.a, self.x
        if not self.left:  # X A = B  <=>  A^T X^T = B^T
            a, x, grad = mT(a), mT(x), mT(grad)
        if self.vector:
            x, grad = x[..., None], grad[..., None]
        gB = np.linalg.solve(mT(a), grad)
        gA = -gB @ mT(x) if self.inputs[0] is not None else None
        if self.vector:
            gB = gB[..., 0]
        if not self.left:
            gA = None if gA is None else mT(gA)
            gB = mT(gB)
        return gA, gB

    def backward_graph(self, grad):
        a = operand(self, 0, self.a)
        x = solve(a, operand(self, 1, self.b), left=self.left) if self.inputs[0] is not None else None
        if not self.left:  # X A = B  <=>  A^T X^T = B^T
            a, grad = a.transpose(-2, -1), grad.transpose(-2, -1)
            x = None if x is None else x.transpose(-2, -1)
        if self.vector:
            grad = grad.unsqueeze(-1)
            x = None if x is None else x.unsqueeze(-1)
        gB = solve(a.transpose(-2, -1), grad)
        gA = None if x is None else -gB @ x.transpose(-2, -1)
        if self.vector:
            gB = gB.squeeze(-1)
        if not self.left:
            gA = None if gA is None else gA.transpose(-2, -1)
            gB = gB.transpose(-2, -1)
        return gA, gB


def solve(A, B, *, left=True, out=None):
    """``X`` with ``A X = B`` (``X A = B`` when not ``left``), for square invertible ``A``."""
    a = float_matrix("linalg.solve", A, square=True)
    b = B._data
    check_float("linalg.solve", b)
    vector = left and _is_vector_rhs(a, b)
    rhs = b[..., None] if vector else (b if left else mT(b))
    lhs = a if left else mT(a)
    if rhs.shape[-2] != lhs.shape[-1]:
        shown = rhs.shape[-2:] if left else b.shape[-2:]
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({a.shape[-2]}x{a.shape[-1]} and "
                           f"{shown[0]}x{shown[1]})")
    x = _solve_array("linalg.solve", lhs, rhs)
    x = x[..., 0] if vector else (x if left else mT(x))
    x = np.ascontiguousarray(x, dtype=np.result_type(a, b), like=a)
    return record(x, LinalgSolveExBackward0, (A, B), reads=((A, 0), (B, 0)), a=a, b=b, x=x, vector=vector,
                  left=left)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """``(result, info)``: ``solve`` with ``info`` > 0 for singular matrices (raised only with ``check_errors``)."""
    try:
        x = solve(A, B, left=left)
        info = zeros(A._data.shape[:-2], np.int32, like=A._data)
    except LinAlgError:
        if check_errors:
            raise
        a = A._data
        info = np.array([zero_pivot(m) for m in a.reshape((-1,) + a.shape[-2:])], dtype=np.int32,
                        like=a).reshape(a.shape[:-2])
        # LAPACK leaves no meaningful solution for a singular system: NaN, shaped like the solution.
        b = B._data
        core = 1 if left and _is_vector_rhs(a, b) else 2
        shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-core]) + b.shape[-core:]
        x = Tensor._make(np.full(shape, np.nan, dtype=a.dtype, like=a))
    return return_types.linalg_solve_ex(x, Tensor._make(info))


# ---- triangular systems -------------------------------------------------------------------------------
def _triangle(a, upper, unitriangular):
    t = np.triu(a) if upper else np.tril(a)
    if unitriangular:
        k = a.shape[-1]
        t = t.copy()
        t[..., np.arange(k), np.arange(k)] = 1
    return t


class LinalgSolveTriangularBackward0(Node):
    __slots__ = ("t", "b", "x", "upper", "left", "unitriangular")

    def backward(self, grad):
        t, x = self.t, self.x
        if not self.left:
            t, x, grad = mT(t), mT(x), mT(grad)
        gB = np.linalg.solve(mT(t), grad)
        gA = None
        if self.inputs[0] is not None:
            gA = -gB @ mT(x)
            upper = self.upper if self.left else not self.upper
            gA = np.triu(gA) if upper else np.tril(gA)
            if self.unitriangular:
                k = gA.shape[-1]
                gA[..., np.arange(k), np.arange(k)] = 0
            if not self.left:
                gA = mT(gA)
        return gA, (gB if self.left else mT(gB))

    def backward_graph(self, grad):
        A, B = operand(self, 0, self.t), operand(self, 1, self.b)
        upper, unit, left = self.upper, self.unitriangular, self.left
        x = solve_triangular(A, B, upper=upper, left=left, unitriangular=unit) if self.inputs[0] is not None \
            else None
        if not left:  # X A = B  <=>  A^T X^T = B^T, with the other triangle
            A, grad, upper = A.mT, grad.mT, not upper
            x = None if x is None else x.mT
        gB = solve_triangular(A.mT, grad, upper=not upper, unitriangular=unit)
        gA = None
        if x is not None:
            gA = -gB @ x.mT
            gA = gA.triu() if upper else gA.tril()
            if unit:
                gA = gA - gA.diagonal(0, -2, -1).diag_embed()
            if not left:
                gA = gA.mT
        return gA, (gB if left else gB.mT)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """``X`` with ``A X = B`` (or ``X A = B``) reading only the ``upper``/lower triangle of ``A``."""
    a = float_matrix("linalg.solve_triangular", A, square=True)
    b = B._data
    if b.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    t = _triangle(a, upper, unitriangular)
    x = mT(_solve_array("linalg.solve_triangular", mT(t), mT(b))) if not left else \
        _solve_array("linalg.solve_triangular", t, b)
    x = np.ascontiguousarray(x, like=a)
    return record(x, LinalgSolveTriangularBackward0, (A, B), t=t, b=b, x=x, upper=upper, left=left,
                  unitriangular=unitriangular)


# ---- Cholesky-based -----------------------------------------------------------------------------------
class CholeskySolveBackward0(Node):
    __slots__ = ("L", "b", "x", "upper")

    def backward(self, grad):
        L, x = self.L, self.x
        factor = mT(L) if self.upper else L  # the lower factor
        gB = _cholesky_solve_array(grad, factor)
        gL = None
        if self.inputs[1] is not None:
            common = gB @ mT(x)
            common = common + mT(common)
            gL = -L @ common if self.upper else -common @ L
        return gB, gL

    def backward_graph(self, grad):
        B, factor = operand(self, 0, self.b), operand(self, 1, self.L)
        gB = cholesky_solve(grad, factor, self.upper)
        gL = None
        if self.inputs[1] is not None:
            L = factor.triu() if self.upper else factor.tril()
            common = gB @ cholesky_solve(B, factor, self.upper).mT
            common = common + common.mT
            gL = -L @ common if self.upper else -common @ L
        return gB, gL


def _cholesky_solve_array(b, lower):
    y = np.linalg.solve(lower, b)
    return np.linalg.solve(mT(lower), y)


def cholesky_solve(B, L, upper=False, *, out=None):
    """``X`` with ``A X = B`` where ``A = L L^T`` (``U^T U`` when ``upper``) from its Cholesky factor."""
    factor = float_matrix("cholesky_solve", L, arg="L", square=True)
    b = B._data
    if b.ndim < 2:
        raise RuntimeError("b should have at least 2 dimensions, but has 1 dimensions instead")
    lower = np.tril(mT(factor)) if upper else np.tril(factor)
    x = _cholesky_solve_array(b, lower)
    tri = np.triu(factor) if upper else np.tril(factor)
    return record(x, CholeskySolveBackward0, (B, L), L=tri, b=b, x=x, upper=upper)


def cholesky_inverse(L, upper=False, *, out=None):
    """``A^-1`` from the Cholesky factor of ``A``."""
    factor = float_matrix("cholesky_inverse", L, arg="L", square=True)
    eye = Tensor._make(np.broadcast_to(np.eye(factor.shape[-1], dtype=factor.dtype, like=factor), factor.shape).copy())
    return cholesky_solve(eye, L, upper)


# ---- least squares and rank ---------------------------------------------------------------------------
def lstsq(A, B, rcond=None, *, driver=None):
    """``(solution, residuals, rank, singular_values)`` of the least-squares problem ``min ||A X - B||_F``.

    As in PyTorch on CPU: ``rank`` for the drivers 'gelsy' (default), 'gelsd', 'gelss'; ``singular_values`` for
    'gelsd' and 'gelss'; ``residuals`` (squared column norms) when ``m > n``, every matrix is full-rank and the
    driver is not 'gelsy'; otherwise these are empty.
    """
    from .products import matmul
    a = float_matrix("linalg.lstsq", A)
    b = B._data
    if driver not in (None, "gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss), "
                           f"but got {driver}")
    driver = driver or "gelsy"
    vector = b.ndim == a.ndim - 1
    if b.ndim < a.ndim - 1 or b.ndim > a.ndim:
        raise RuntimeError("torch.linalg.lstsq: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    if (b.shape[-1] if vector else b.shape[-2]) != a.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size("
                           f"{-1 if vector else -2})")
    m, n = a.shape[-2:]
    rtol = np.finfo(a.dtype).eps * max(m, n) if rcond is None or rcond < 0 else rcond
    pinv_a = pinv(A, rtol=rtol)
    solution = matmul(pinv_a, B.unsqueeze(-1)).squeeze(-1) if vector else matmul(pinv_a, B)
    S = np.linalg.svd(a, compute_uv=False)
    rank = np.sum(S > rtol * S.max(axis=-1, keepdims=True, initial=0.0), axis=-1).astype(np.int64)
    empty = np.empty(0, dtype=a.dtype)
    residuals = empty
    if driver != "gelsy" and m > n and np.all(rank == n):
        sol = solution._data[..., None] if vector else solution._data
        rhs = b[..., None] if vector else b
        diff = a @ sol - rhs
        residuals = np.sum(diff * diff, axis=-2)
        residuals = residuals[..., 0] if vector else residuals
    return return_types.linalg_lstsq(solution, Tensor._make(residuals),
                                     Tensor._make(rank if driver != "gels" else np.empty(0, np.int64)),
                                     Tensor._make(S if driver in ("gelsd", "gelss") else empty))


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """Number of singular values above ``max(atol, rtol * S_max)`` (``tol``: the older name of ``atol``)."""
    a = float_matrix("linalg.matrix_rank", A)
    if tol is not None:
        atol, rtol = tol, 0.0
    S = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)

    def value(x):
        return np.asarray(getattr(x, "_data", x), dtype=np.float64, like=a)
    if rtol is None:
        rtol = 0.0 if atol is not None and np.all(value(atol) > 0) else np.finfo(a.dtype).eps * max(a.shape[-2:])
    atol = 0.0 if atol is None else atol
    smax = S.max(axis=-1, initial=0.0)
    cutoff = np.maximum(value(atol), value(rtol) * smax)
    return Tensor._make(np.sum(S > cutoff[..., None], axis=-1).astype(np.int64))
