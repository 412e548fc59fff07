"""Matrix inverses, determinants and decompositions, re-exported from the files that define them (``inverse``,
``determinants``, ``cholesky``, ``qr``, ``eigh``, ``svd``), for the imports that name this module.

``eig``/``eigvals`` of a general matrix, whose results are complex, are in ``eig.py``.
"""
from .cholesky import cholesky, cholesky_ex  # noqa: F401
from .determinants import det, logdet, slogdet  # noqa: F401
from .eigh import eigh, eigvalsh  # noqa: F401
from .inverse import inv, inv_ex, pinv  # noqa: F401
from .qr import qr  # noqa: F401
from .svd import svd, svdvals  # noqa: F401

__all__ = ["inv", "det", "slogdet", "logdet", "cholesky", "qr", "eigh", "eigvalsh", "svd", "svdvals", "pinv",
           "inv_ex", "cholesky_ex"]
