"""Eigen-decomposition of general (non-symmetric) matrices: ``linalg.eig`` and ``linalg.eigvals``.

Results are complex (complex64 for float32 input, complex128 for float64), eigenvectors normalised to norm 1 as
LAPACK returns them. The gradient is PyTorch's: eigenvectors are defined up to a phase per column, so a loss
that depends on that phase raises, as in PyTorch.
"""
import numpy as np

from .. import _dtype as dt
from .. import return_types
from .._tensor import Tensor
from ..autograd.graph import Node, operand
from ._util import record


def _mH(x):
    return np.conj(np.swapaxes(x, -1, -2))


def _square_matrix(name, A):
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(A).__name__}")
    arr = A._data
    if arr.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if arr.dtype not in (np.float32, np.float64, np.complex64, np.complex128):
        d = dt._BY_NP[arr.dtype]
        if d in (dt.float16, dt.bfloat16):
            raise NotImplementedError(f"\"linalg_eig_out_cpu\" not implemented for '{d._scalar_name}'")
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {d._scalar_name}")
    if arr.shape[-1] != arr.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {arr.shape[-2]} by "
                           f"{arr.shape[-1]} matrices")
    return arr


def _decompose(name, arr):
    if not np.isfinite(arr).all():
        raise RuntimeError(f"{name}: input tensor should not contain infs or NaNs.")
    L, V = np.linalg.eig(arr)
    complex_np = dt._BY_NP[arr.dtype].to_complex().np
    return L.astype(complex_np, copy=False), V.astype(complex_np, copy=False)


def _check_phase_invariant(diag):
    """PyTorch's error when the loss depends on the arbitrary phase of the eigenvectors (Im diag(V^H gV) != 0)."""
    if np.abs(diag.imag).max(initial=0) > 1e-4 * max(1.0, np.abs(diag).max(initial=0)):
        raise RuntimeError("linalg_eig_backward: The eigenvectors in the complex case are specified up to "
                           "multiplication by e^{i phi}. The specified loss function depends on this quantity, "
                           "so it is ill-defined.")


def _eig_backward(gL, gV, L, V, input_is_complex):
    """PyTorch's ``linalg_eig_backward``: gA = V^{-H} (diag(gL) + (V^H gV - V^H V Re(diag(V^H gV))) / E*) V^H."""
    Vh = _mH(V)
    if gV is None:
        gA = np.linalg.solve(Vh, gL[..., :, None] * Vh)
    else:
        VhgV = Vh @ gV
        diag = np.diagonal(VhgV, 0, -2, -1)
        _check_phase_invariant(diag)
        inner = VhgV - Vh @ (V * diag.real[..., None, :])
        Lc = np.conj(L)
        E = Lc[..., None, :] - Lc[..., :, None]
        k = L.shape[-1]
        at_diagonal = np.arange(k, like=E)
        E[..., at_diagonal, at_diagonal] = 1
        inner = inner / E
        inner[..., at_diagonal, at_diagonal] = 0 if gL is None else gL
        gA = np.linalg.solve(Vh, inner @ Vh)
    return gA if input_is_complex else gA.real


def _solve_complex(M, B):
    """``linalg.solve(M, B)`` for complex Tensors, differentiably: numbatorch's solve is real-only, so it solves
    the real system [[Re M, -Im M], [Im M, Re M]] [Re X; Im X] = [Re B; Im B]."""
    from .complex_ops import complex
    from .joining import cat
    from .solvers import solve
    Mr, Mi = M.real, M.imag
    X = solve(cat([cat([Mr, -Mi], -1), cat([Mi, Mr], -1)], -2), cat([B.real, B.imag], -2))
    n = M.shape[-1]
    return complex(X[..., :n, :], X[..., n:, :])


def _eig_backward_graph(node, gL, gV, L, V):
    """``_eig_backward`` on Tensors, with the eigenvalues ``L`` and eigenvectors ``V`` as differentiable Tensors."""
    Vh = V.mH
    if gV is None:
        gA = _solve_complex(Vh, gL.unsqueeze(-1) * Vh)
    else:
        VhgV = Vh @ gV
        diag = VhgV.diagonal(0, -2, -1)
        _check_phase_invariant(diag._data)
        inner = VhgV - Vh @ (V * diag.real.unsqueeze(-2))
        Lc = L.conj()
        k = L.shape[-1]
        eye = Tensor._make(np.eye(k, dtype=node.L.real.dtype, like=node.L))
        off_diagonal = (inner / (Lc.unsqueeze(-2) - Lc.unsqueeze(-1) + eye)) * (1 - eye)
        if gL is not None:
            off_diagonal = off_diagonal + gL.unsqueeze(-1) * eye
        gA = _solve_complex(Vh, off_diagonal @ Vh)
    return gA if node.input_is_complex else gA.real


class LinalgEigBackward0(Node):
    __slots__ = ("L", "V", "input_is_complex")
    complex_aware = True
    num_outputs = 2

    def backward(self, grads):
        gL, gV = grads
        return _eig_backward(gL, gV, self.L, self.V, self.input_is_complex)

    def backward_graph(self, grads):
        # L and V as this node's own outputs (as PyTorch saves them), not a recomputed eig: the eigenvectors'
        # phase then cancels within the one node's gradient, which the phase check above needs
        L, V = Tensor._make(self.L, self, 0), Tensor._make(self.V, self, 1)
        return _eig_backward_graph(self, *grads, L, V)


class LinalgEigvalsBackward0(Node):
    __slots__ = ("L", "V", "input_is_complex")
    complex_aware = True

    def backward(self, grad):
        return _eig_backward(grad, None, self.L, self.V, self.input_is_complex)

    def backward_graph(self, grad):
        # eigvals has no eigenvector output: V is recomputed (the eigenvalue gradient does not depend on its phase)
        return _eig_backward_graph(self, grad, None, *eig(operand(self, 0, None)))


def eig(A, *, out=None):
    """Eigenvalues and eigenvectors of square matrices ``A`` (``A V = V diag(L)``), both complex."""
    arr = _square_matrix("linalg.eig", A)
    L, V = _decompose("linalg.eig", arr)
    Lt, Vt = record((L, V), LinalgEigBackward0, (A,), L=L, V=V, input_is_complex=arr.dtype.kind == "c")
    return return_types.linalg_eig(Lt, Vt)


def eigvals(A, *, out=None):
    """Eigenvalues of square matrices ``A`` (complex)."""
    arr = _square_matrix("linalg.eigvals", A)
    L, V = _decompose("linalg.eigvals", arr)
    return record(L, LinalgEigvalsBackward0, (A,), L=L, V=V, input_is_complex=arr.dtype.kind == "c")
