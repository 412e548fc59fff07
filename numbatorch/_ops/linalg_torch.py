"""The ``torch.*`` forms of the linear-algebra ops (``inverse``, ``det``, ``svd``, ``qr`` ...) and Tensor methods."""
import numpy as np

from .. import return_types
from .._tensor import Tensor, tensor_method
from .decompositions import cholesky as _linalg_cholesky
from .decompositions import det, inv, logdet, pinv, qr as _linalg_qr, slogdet as _linalg_slogdet
from .decompositions import svd as _linalg_svd
from .householder import geqrf, orgqr, ormqr
from .lu import lu_factor_ex, lu_solve as _lu_solve, lu_unpack
from .matrix_exp import matrix_exp
from .matrix_functions import cross, matrix_power, vander
from .solvers import cholesky_inverse, cholesky_solve

__all__ = ["inverse", "det", "logdet", "slogdet", "cholesky", "cholesky_solve", "cholesky_inverse", "pinverse",
           "matrix_power", "matrix_exp", "svd", "qr", "cross", "vander", "lu", "lu_solve", "lu_unpack", "geqrf",
           "orgqr", "ormqr"]


def inverse(input, *, out=None):
    """``linalg.inv``."""
    return inv(input)


def slogdet(input):
    """``(sign, logabsdet)`` of the determinant (``torch.return_types.slogdet``)."""
    return return_types.slogdet(*_linalg_slogdet(input))


def cholesky(input, upper=False, *, out=None):
    """Deprecated ``torch.cholesky``: ``linalg.cholesky`` with ``upper`` allowed positionally."""
    return _linalg_cholesky(input, upper=upper)


def pinverse(input, rcond=1e-15):
    """``linalg.pinv`` with singular values below ``rcond * S_max`` treated as zero."""
    return pinv(input, rtol=rcond)


def svd(input, some=True, compute_uv=True, *, out=None):
    """Singular value decomposition of a matrix or a batch of matrices.

    ``(U, S, V)`` with ``input = U diag(S) V^T`` (V, not V^T); reduced when ``some``; U, V zero if not
    ``compute_uv``."""
    U, S, Vh = _linalg_svd(input, full_matrices=not some)
    if not compute_uv:
        return return_types.svd(Tensor._make(np.zeros_like(U._data)), S, Tensor._make(np.zeros_like(Vh._data)))
    return return_types.svd(U, S, Vh.transpose(-2, -1))


def qr(input, some=True, *, out=None):
    """``(Q, R)``: the reduced decomposition when ``some``, else the complete one."""
    return return_types.qr(*_linalg_qr(input, "reduced" if some else "complete"))


def lu(A, pivot=True, get_infos=False, out=None):
    """Deprecated ``torch.lu``: ``(A_LU, pivots)``, plus ``infos`` with ``get_infos``."""
    factors, pivots, infos = lu_factor_ex(A, pivot=pivot)
    return (factors, pivots, infos) if get_infos else (factors, pivots)


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    """Deprecated ``torch.lu_solve(b, LU_data, LU_pivots)``: ``linalg.lu_solve(LU_data, LU_pivots, b)``."""
    return _lu_solve(LU_data, LU_pivots, b)


for _name in ("det", "logdet", "slogdet", "cholesky", "cholesky_inverse", "pinverse", "matrix_power", "svd", "qr",
              "inverse", "lu", "lu_solve", "geqrf", "orgqr", "ormqr"):
    tensor_method(_name)(globals()[_name])


@tensor_method("cholesky_solve")
def _cholesky_solve_method(self, input2, upper=False):
    """``cholesky_solve(self, input2, upper)``."""
    return cholesky_solve(self, input2, upper)


@tensor_method("cross")
def _cross_method(self, other, dim=None):
    """``cross(self, other, dim)``."""
    return cross(self, other, dim)
