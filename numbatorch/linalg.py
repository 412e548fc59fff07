"""``torch.linalg``: decompositions, inverses, determinants, solvers and norms, with PyTorch's gradients."""
from ._ops.decompositions import (cholesky, cholesky_ex, det, eig, eigh, eigvals, eigvalsh, inv, inv_ex, pinv, qr,
                                  slogdet, svd, svdvals)
from ._ops.linalg_checks import LinAlgError
from ._ops.matrix_functions import cond, linalg_cross as cross, linalg_norm as norm, matrix_norm, matrix_power
from ._ops.matrix_functions import multi_dot, vecdot
from ._ops.norms import vector_norm
from ._ops.products import matmul
from ._ops.solvers import lstsq, matrix_rank, solve, solve_ex, solve_triangular

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "eig", "eigh", "eigvals", "eigvalsh",
           "inv", "inv_ex", "lstsq", "matmul", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm",
           "pinv", "qr", "slogdet", "solve", "solve_ex", "solve_triangular", "svd", "svdvals", "vecdot",
           "vector_norm"]
