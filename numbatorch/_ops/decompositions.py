"""Matrix inverses, determinants and decompositions (inv, det, slogdet, cholesky, qr, eigh, svd, pinv).

numpy.linalg does the math (LAPACK, batched over leading dims); each backward is PyTorch's formula written in
numpy (``FunctionsManual.cpp``: ``linalg_det_backward``, ``cholesky_backward``, ``linalg_qr_backward``,
``linalg_eig_backward``, ``svd_backward``, ``pinv_backward``). Real dtypes only; ``eig``/``eigvals`` of a
general matrix, whose results are complex, are in ``eig.py``.
"""
import numpy as np

from .. import return_types
from .._tensor import Tensor
from ..autograd.graph import Node, operand, recomputed_output
from ._util import record, zeros
from .linalg_checks import float_matrix, mT, raise_not_positive_definite, raise_singular, zero_pivot

__all__ = ["inv", "det", "slogdet", "logdet", "cholesky", "qr", "eigh", "eigvalsh", "svd", "svdvals", "pinv",
           "eig", "eigvals", "inv_ex", "cholesky_ex"]


def _inv_array(name, a):
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise_singular(name, a)


# ---- inverse ------------------------------------------------------------------------------------------
class LinalgInvExBackward0(Node):
    __slots__ = ("inverse",)

    def backward(self, grad):
        inv_t = mT(self.inverse)
        return -(inv_t @ grad @ inv_t)

    def backward_graph(self, grad):
        inv_t = inv(operand(self, 0, None)).transpose(-2, -1)
        return -(inv_t @ grad @ inv_t)


def inv(A, *, out=None):
    """``A^-1`` of (a batch of) square matrices; LinAlgError (a RuntimeError) when one is singular."""
    a = float_matrix("linalg.inv", A, square=True)
    result = _inv_array("linalg.inv", a)
    return record(result, LinalgInvExBackward0, (A,), reads=(A,), inverse=result)


def inv_ex(A, *, check_errors=False, out=None):
    """``(inverse, info)``: like ``inv`` but reports singular matrices in ``info`` (> 0) instead of raising."""
    a = float_matrix("linalg.inv_ex", A, square=True)
    batch = a.shape[:-2]
    info = zeros(batch, np.int32, like=a)
    try:
        result = np.linalg.inv(a)
    except np.linalg.LinAlgError:
        if check_errors:
            raise_singular("linalg.inv_ex", a)
        result = np.empty_like(a)
        for index in np.ndindex(*batch):
            info[index] = zero_pivot(a[index])
            result[index] = np.nan if info[index] else np.linalg.inv(a[index])
    inverse = record(result, LinalgInvExBackward0, (A,), reads=(A,), inverse=result)
    return return_types.linalg_inv_ex(inverse, Tensor._make(info))


# ---- determinants -------------------------------------------------------------------------------------
def _cofactor(a, det):
    """``det(A) * A^-T``, also where A is singular: through the SVD, ``sign * U diag(prod_{j != i} s_j) V^T``."""
    if np.all(det != 0):
        return det[..., None, None] * mT(np.linalg.inv(a))
    u, s, vh = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], axis=-1)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return sign[..., None, None] * ((u * others[..., None, :]) @ vh)


class LinalgDetBackward0(Node):
    __slots__ = ("a", "det")

    def backward(self, grad):
        return grad[..., None, None] * _cofactor(self.a, self.det)

    def backward_graph(self, grad):
        a = operand(self, 0, None)
        if self.det.all():
            return (grad * det(a)).unsqueeze(-1).unsqueeze(-1) * inv(a).transpose(-2, -1)
        # A singular matrix: _cofactor's SVD form, sign * U diag(prod_{j != i} s_j) V^T, on Tensors
        from .reduction import _others_product
        U, S, Vh = svd(a)
        sign = Tensor._make(np.linalg.det(U._data) * np.linalg.det(Vh._data))  # +-1, locally constant
        others = _others_product(S, S.dim() - 1)
        return (grad * sign).unsqueeze(-1).unsqueeze(-1) * ((U * others.unsqueeze(-2)) @ Vh)


def det(A, *, out=None):
    """Determinant of (a batch of) square matrices."""
    a = float_matrix("linalg.det", A, square=True)
    d = np.asarray(np.linalg.det(a), dtype=a.dtype, like=a)
    return record(d, LinalgDetBackward0, (A,), reads=(A,), a=a, det=d)


class LinalgSlogdetBackward0(Node):
    __slots__ = ("a",)
    num_outputs = 2

    def backward(self, grads):
        g_logabsdet = grads[1]
        if g_logabsdet is None:
            return None
        return g_logabsdet[..., None, None] * mT(np.linalg.inv(self.a))

    def backward_graph(self, grads):
        g_logabsdet = grads[1]
        if g_logabsdet is None:
            return None
        return g_logabsdet.unsqueeze(-1).unsqueeze(-1) * inv(operand(self, 0, None)).transpose(-2, -1)


def slogdet(A, *, out=None):
    """``(sign, logabsdet)`` of the determinant (the log is accurate where ``det`` would under/overflow)."""
    a = float_matrix("linalg.slogdet", A, square=True)
    sign, logabs = np.linalg.slogdet(a)
    sign, logabs = np.asarray(sign, dtype=a.dtype, like=a), np.asarray(logabs, dtype=a.dtype, like=a)
    result = record((sign, logabs), LinalgSlogdetBackward0, (A,), reads=(A,), a=a)
    return return_types.linalg_slogdet(*result)


class LogdetBackward0(Node):
    __slots__ = ("a",)

    def backward(self, grad):
        return grad[..., None, None] * mT(np.linalg.inv(self.a))

    def backward_graph(self, grad):
        return grad.unsqueeze(-1).unsqueeze(-1) * inv(operand(self, 0, None)).transpose(-2, -1)


def logdet(input):
    """``log(det(input))``: nan where the determinant is negative, -inf where it is zero."""
    a = float_matrix("logdet", input, square=True)
    sign, logabs = np.linalg.slogdet(a)
    with np.errstate(invalid="ignore"):
        out = np.asarray(np.where(sign < 0, np.nan, logabs), like=a).astype(a.dtype)
    return record(out, LogdetBackward0, (input,), reads=(input,), a=a)


# ---- Cholesky -----------------------------------------------------------------------------------------
def _phi(x):
    """Lower triangle with a halved diagonal."""
    out = np.tril(x)
    diag = np.arange(x.shape[-1], like=x)
    out[..., diag, diag] *= 0.5
    return out


def _halved_diagonal(t):
    """The Tensor ``t`` with its diagonal halved (differentiably)."""
    return t - 0.5 * t.diagonal(0, -2, -1).diag_embed()


def _eye_like(t):
    """A constant identity matrix of ``t``'s (last) size and dtype."""
    return Tensor._make(np.eye(t.shape[-1], dtype=t._data.dtype, like=t._data))


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
        P = _halved_diagonal((L.mT @ gL).tril())
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


# ---- QR -----------------------------------------------------------------------------------------------
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
    gA = Q @ _halved_diagonal(gA + gA.mT)
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


# ---- symmetric eigendecomposition ---------------------------------------------------------------------
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
        inner = VhgV / (L.unsqueeze(-2) - L.unsqueeze(-1) + _eye_like(L))
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


# ---- SVD ----------------------------------------------------------------------------------------------
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
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + _eye_like(S)
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


# ---- pseudo-inverse -----------------------------------------------------------------------------------
class PinvBackward0(Node):
    __slots__ = ("a", "pinv", "options")

    def backward(self, grad):
        return _pinv_backward(self.a, self.pinv, grad, mT)

    def backward_graph(self, grad):
        A = operand(self, 0, None)
        return _pinv_backward(A, recomputed_output(self, pinv(A, **self.options), self.pinv), grad, _tensor_mT)


def _tensor_mT(t):
    return t.mT


def _pinv_backward(A, pinvA, grad, mT):
    """PyTorch's ``pinv_backward`` on arrays or (with ``mT`` for Tensors) differentiably on Tensors."""
    m, n = A.shape[-2], A.shape[-1]
    pinvAh, gradh = mT(pinvA), mT(grad)
    if m <= n:
        K = gradh @ pinvA
        KpinvAh = K @ pinvAh
        return -mT(pinvA @ K) + KpinvAh - (A @ pinvA) @ KpinvAh + (pinvAh @ pinvA) @ (gradh - K @ A)
    K = pinvA @ gradh
    pinvAhK = pinvAh @ K
    return -mT(K @ pinvA) + (gradh - A @ K) @ pinvA @ pinvAh + pinvAhK - pinvAhK @ pinvA @ A


def _value(x, like):
    """A tolerance (number or Tensor) as a float64 array on the device of array ``like``."""
    return np.asarray(getattr(x, "_data", x), dtype=np.float64, like=like)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Moore-Penrose pseudo-inverse; singular values at or below ``max(atol, rtol * S_max)`` count as zero.

    ``rtol`` defaults to ``eps * max(m, n)``, or to 0 when a positive ``atol`` is given. ``hermitian``: ``A`` is
    symmetric (only its lower triangle is read) and an eigendecomposition replaces the SVD.
    """
    a = float_matrix("linalg.pinv", A)
    if rtol is None:
        rtol = 0.0 if atol is not None and np.all(_value(atol, a) > 0) else np.finfo(a.dtype).eps * max(a.shape[-2:])
    atol = 0.0 if atol is None else atol
    if hermitian:
        L, V = np.linalg.eigh(a)
        S, left, right = np.abs(L), V, mT(V)
        values = L
    else:
        U, S, Vh = np.linalg.svd(a, full_matrices=False)
        left, right, values = mT(Vh), mT(U), S
    smax = S.max(axis=-1, keepdims=True, initial=0.0)
    cutoff = np.maximum(_value(atol, a)[..., None], _value(rtol, a)[..., None] * smax)
    with np.errstate(divide="ignore"):
        s_inv = np.where(S > cutoff, 1.0 / values, 0.0).astype(a.dtype)
    result = ((left * s_inv[..., None, :]) @ right).astype(a.dtype)
    return record(result, PinvBackward0, (A,), reads=(A,), a=a, pinv=result,
                  options={"atol": atol, "rtol": rtol, "hermitian": hermitian})
