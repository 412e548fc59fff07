"""Matrix inverses, determinants and decompositions, re-exported from the files that define them (``inverse``,
``determinants``, ``cholesky``, ``qr``, ``eigh``, ``svd``), for the imports that name this module.

``eig``/``eigvals`` of a general matrix, whose results are complex, are in ``eig.py``.
"""
from .cholesky import LinalgCholeskyExBackward0, cholesky, cholesky_ex  # noqa: F401
from .determinants import (LinalgDetBackward0, LinalgSlogdetBackward0, LogdetBackward0, det, logdet,  # noqa: F401
                           slogdet)
from .eigh import LinalgEighBackward0, LinalgEigvalshBackward0, eigh, eigvalsh  # noqa: F401
from .inverse import LinalgInvExBackward0, PinvBackward0, inv, inv_ex, pinv  # noqa: F401
from .qr import LinalgQrBackward0, qr  # noqa: F401
from .svd import LinalgSvdBackward0, LinalgSvdvalsBackward0, svd, svdvals  # noqa: F401

__all__ = ["inv", "det", "slogdet", "logdet", "cholesky", "qr", "eigh", "eigvalsh", "svd", "svdvals", "pinv",
           "inv_ex", "cholesky_ex"]
