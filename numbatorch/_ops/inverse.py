"""Matrix inverses: ``inv``, ``inv_ex`` and the pseudo-inverse ``pinv``.

numpy.linalg does the math (LAPACK, batched over leading dims); the backwards are PyTorch's formulas
(``FunctionsManual.cpp``: ``pinv_backward``) written in numpy. Real dtypes only.
"""
import numpy as np

from .. import return_types
from .._tensor import Tensor
from ..autograd.graph import Node, operand, recomputed_output
from ._util import record, zeros
from .linalg_checks import float_matrix, mT, raise_singular, zero_pivot

__all__ = ["inv", "inv_ex", "pinv"]


def _inv_array(name, a):
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise_singular(name, a)


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
