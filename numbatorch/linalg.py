"""``torch.linalg``: decompositions, inverses, determinants, solvers and norms, with PyTorch's gradients."""
from ._ops.decompositions import (cholesky, cholesky_ex, det, eigh, eigvalsh, inv, inv_ex, pinv, qr, slogdet, svd,
                                  svdvals)
from ._ops.eig import eig, eigvals
from ._ops.householder import householder_product
from ._ops.ldl import ldl_factor, ldl_factor_ex, ldl_solve
from ._ops.linalg_checks import LinAlgError
from ._ops.lu import lu, lu_factor, lu_factor_ex, lu_solve
from ._ops.matrix_exp import matrix_exp
from ._ops.matrix_functions import cond, diagonal, linalg_cross as cross, linalg_norm as norm, linalg_vander as vander
from ._ops.matrix_functions import matrix_norm, matrix_power, multi_dot, tensorinv, tensorsolve, vecdot
from ._ops.norms import vector_norm
from ._ops.products import matmul
from ._ops.solvers import lstsq, matrix_rank, solve, solve_ex, solve_triangular

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig", "eigh", "eigvals",
           "eigvalsh", "householder_product", "inv", "inv_ex", "ldl_factor", "ldl_factor_ex", "ldl_solve", "lstsq",
           "lu", "lu_factor", "lu_factor_ex", "lu_solve", "matmul", "matrix_exp", "matrix_norm", "matrix_power",
           "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex", "solve_triangular", "svd",
           "svdvals", "tensorinv", "tensorsolve", "vander", "vecdot", "vector_norm"]
