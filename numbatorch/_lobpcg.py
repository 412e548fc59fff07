"""``torch.lobpcg``: a few extreme eigenpairs of a symmetric positive definite (generalized) eigenproblem
``A X = B X diag(E)`` by the locally optimal block preconditioned conjugate gradient method (Knyazev, 2001).

Each iteration does a Rayleigh–Ritz step on the span of the current block ``X``, its (preconditioned) residuals
and the previous search directions, B-orthonormalized with small directions dropped; it stops when the ``k``
wanted residuals fall below ``tol`` (relative to ``||A|| + |E| ||B||``) or after ``niter`` iterations. The
gradient with respect to ``A`` is PyTorch's (``B`` must be the identity for it): the exact derivative of the
returned eigenpairs, through ``(A + A^T) / 2`` so that it is symmetric.
"""
import numpy as np

from . import _dtype as dt
from ._creation import randn
from ._ops._util import record
from ._ops.decompositions import eigh
from ._tensor import Tensor
from .autograd import grad_mode
from .autograd.graph import Node, operand

__all__ = ["lobpcg"]

_EPS = {np.dtype(np.float32): 1.2e-07, np.dtype(np.float64): 2.23e-16}


def _b_orthonormal_basis(S, B, drop_tol):
    """Coefficients making the columns of ``S`` B-orthonormal, dropping nearly dependent directions.

    Columns are first scaled to unit B-norm, so converged (tiny) residuals are not dropped for their size alone."""
    BS = S if B is None else B @ S
    norms = np.sqrt(np.maximum(np.einsum("ij,ij->j", S, BS), 0.0))
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    gram = (S.T @ BS) * np.outer(scale, scale)
    values, vectors = np.linalg.eigh((gram + gram.T) / 2)
    keep = values > drop_tol * max(values[-1], 0.0)
    return scale[:, None] * (vectors[:, keep] / np.sqrt(values[keep]))


def _rayleigh_ritz(A, B, S, n, largest, drop_tol):
    """The ``n`` extreme Ritz values of (A, B) on span(S) and the coefficients of their Ritz vectors in S."""
    transform = _b_orthonormal_basis(S, B, drop_tol)
    basis = S @ transform
    projected = basis.T @ (A @ basis)
    values, vectors = np.linalg.eigh((projected + projected.T) / 2)
    order = np.argsort(values)[::-1] if largest else np.argsort(values)
    chosen = order[:n]
    return values[chosen], transform @ vectors[:, chosen]


def _run(A, B, X, iK, k, niter, tol, largest):
    """LOBPCG on arrays: the eigenvalues (``n``) and eigenvectors (``m x n``) of the final block."""
    drop_tol = _EPS[A.dtype] ** 0.6  # Gram eigenvalues this small (relative) are rounding: their directions go
    n = X.shape[1]
    E, coeffs = _rayleigh_ritz(A, B, X, n, largest, drop_tol)
    X = X @ coeffs
    P = None
    norm_A = np.linalg.norm(A, 2)
    norm_B = 1.0 if B is None else np.linalg.norm(B, 2)
    for _ in range(niter):
        BX = X if B is None else B @ X
        R = A @ X - BX * E
        relative = np.linalg.norm(R, axis=0) / ((norm_A + np.abs(E) * norm_B) * np.linalg.norm(X, axis=0))
        if np.all(relative[:k] < tol):
            break
        W = R if iK is None else iK @ R
        blocks = [X, W] if P is None else [X, W, P]
        S = np.concatenate(blocks, axis=1)
        E, coeffs = _rayleigh_ritz(A, B, S, n, largest, drop_tol)
        X_new = S @ coeffs
        P = S[:, n:] @ coeffs[n:]
        X = X_new
    return E, X


def _partial_eigh_backward(gD, gU, A, D, U, largest):
    """d(loss)/dA for ``k`` eigenpairs (D, U) of symmetric ``A`` (Tensors).

    Within span(U): U (G * U^T gU) U^T with G[i, j] = 1 / (D[j] - D[i]) off the diagonal; outside it, through
    the other eigenvectors V' (eigenvalues L') of A: V' (1 / (D[j] - L'[i]) * V'^T (gU - U U^T gU)) U^T. Taking
    the part of gU along U out with U itself keeps the result accurate when U is converged only to ``tol``."""
    m, k = U.shape[-2:]
    gA = None
    if gD is not None:
        gA = (U * gD.unsqueeze(-2)) @ U.mT
    if gU is not None:
        L, V = eigh(A)
        rest = np.arange(m - k) if largest else np.arange(k, m)
        rest = Tensor._make(rest)
        V_rest, L_rest = V.index_select(-1, rest), L.index_select(-1, rest)
        within = U.mT @ gU
        diagonal = Tensor._make(np.eye(k, dtype=bool))
        gap = (D.unsqueeze(-2) - D.unsqueeze(-1)).masked_fill(diagonal, 1.0)
        term = U @ ((1 / gap).masked_fill(diagonal, 0.0) * within) @ U.mT
        outside = V_rest.mT @ (gU - U @ within)
        term = term + V_rest @ (outside / (D.unsqueeze(-2) - L_rest.unsqueeze(-1))) @ U.mT
        gA = term if gA is None else gA + term
    return gA


class LobpcgBackward(Node):
    __slots__ = ("A_value", "D", "U", "largest", "has_B")
    num_outputs = 2

    def _check(self):
        if self.has_B:
            raise ValueError("lobpcg.backward does not support backward with B != I yet.")

    def backward(self, grads):
        self._check()
        gD, gU = (None if g is None else Tensor._make(g) for g in grads)
        with grad_mode.no_grad():
            gA = _partial_eigh_backward(gD, gU, Tensor._make(self.A_value), Tensor._make(self.D),
                                        Tensor._make(self.U), self.largest)
        return gA._data, None

    def backward_graph(self, grads):
        self._check()
        # D and U as this node's own outputs (PyTorch saves them so), differentiable through this node again.
        A = operand(self, 0, self.A_value)
        D, U = Tensor._make(self.D, self, 0), Tensor._make(self.U, self, 1)
        return _partial_eigh_backward(grads[0], grads[1], A, D, U, self.largest), None


def _lobpcg_arrays(A, k, B, X, n, iK, niter, tol, largest):
    if A.shape[-2] != A.shape[-1]:
        raise AssertionError(f"A must be square, got shape {A.shape}")
    if B is not None and A.shape != B.shape:
        raise AssertionError(f"A and B must have same shape, got {A.shape} vs {B.shape}")
    np_dtype = A._data.dtype if A._data.dtype in _EPS else np.dtype(dt.get_default_dtype().np)
    tol = _EPS[np_dtype] ** 0.5 if tol is None else tol
    m = A.shape[-1]
    k = (1 if X is None else X.shape[-1]) if k is None else k
    n = (k if n is None else n) if X is None else X.shape[-1]
    if m < 3 * n:
        raise ValueError(f"LOBPCG algorithm is not applicable when the number of A rows (={m}) is smaller than "
                         f"3 x the number of requested eigenpairs (={n})")
    if X is not None and (X.dim() < 2 or tuple(X.shape[-2:]) != (m, n)):
        name, shape = ("X", X.shape) if A.dim() == 2 else ("X_", X.shape[-2:])
        raise AssertionError(f"{name} shape mismatch: got {shape}, expected {(m, n)}")
    batch = tuple(A.shape[:-2])
    a = A._data.astype(np_dtype).reshape((-1, m, m))
    b = None if B is None else B._data.astype(np_dtype).reshape((-1, m, m))
    xs = None if X is None else X._data.astype(np_dtype).reshape((-1, m, n))
    ik = None if iK is None else iK._data.astype(np_dtype)
    values, vectors = [], []
    for i in range(a.shape[0]):
        start = randn(m, n, dtype=dt._BY_NP[np_dtype])._data if xs is None else xs[i]
        E, V = _run(a[i], None if b is None else b[i], start, ik, k, 1000 if niter is None else niter, tol,
                    True if largest is None else largest)
        values.append(E[:k])
        vectors.append(V[:, :k])
    return np.stack(values).reshape(batch + (k,)), np.stack(vectors).reshape(batch + (m, k))


def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None, method=None,
           tracker=None, ortho_iparams=None, ortho_fparams=None, ortho_bparams=None):
    """The ``k`` largest (or smallest) eigenpairs ``(E, X)`` of ``A X = B X diag(E)`` for symmetric ``A``, ``B``.

    ``method`` (``"basic"``/``"ortho"``), ``tracker`` and the ``ortho_*`` tuning dictionaries of PyTorch are
    accepted; numbatorch runs one robust variant (B-orthonormalization that drops negligible directions), so they
    change no result beyond rounding."""
    if A.requires_grad or (B is not None and B.requires_grad):
        A = (A + A.mT) / 2
        B = (B + B.mT) / 2 if B is not None else None
    E, V = _lobpcg_arrays(A, k, B, X, n, iK, niter, tol, largest)
    return record((E, V), LobpcgBackward, (A, B), A_value=A._data, D=E, U=V,
                  largest=True if largest is None else largest, has_B=B is not None)
