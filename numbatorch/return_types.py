"""Named-tuple results of ops returning (values, indices) and friends, like ``torch.return_types``."""
import collections

__all__ = ["max", "min", "median", "nanmedian", "mode", "cummax", "cummin", "sort", "topk", "kthvalue", "aminmax",
           "slogdet", "svd", "qr", "linalg_slogdet", "linalg_inv_ex", "linalg_cholesky_ex", "linalg_qr", "linalg_eigh",
           "linalg_eig", "linalg_svd", "linalg_lstsq", "linalg_solve_ex", "histogram", "frexp", "triangular_solve",
           "linalg_lu_factor", "linalg_lu_factor_ex", "linalg_lu", "lu_unpack", "histogramdd"]


def _return_type(name, fields=("values", "indices")):
    """A namedtuple printing like ``torch.return_types.max`` (values, indices)."""
    cls = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"numbatorch.return_types.{name}(\n{body})"

    cls.__repr__ = __repr__
    cls.__module__ = "numbatorch.return_types"
    return cls


max = _return_type("max")
min = _return_type("min")
median = _return_type("median")
nanmedian = _return_type("nanmedian")
mode = _return_type("mode")
cummax = _return_type("cummax")
cummin = _return_type("cummin")
sort = _return_type("sort")
topk = _return_type("topk")
kthvalue = _return_type("kthvalue")
aminmax = _return_type("aminmax", ("min", "max"))
slogdet = _return_type("slogdet", ("sign", "logabsdet"))
svd = _return_type("svd", ("U", "S", "V"))
qr = _return_type("qr", ("Q", "R"))
geqrf = _return_type("geqrf", ("a", "tau"))
linalg_slogdet = _return_type("linalg_slogdet", ("sign", "logabsdet"))
linalg_inv_ex = _return_type("linalg_inv_ex", ("inverse", "info"))
linalg_cholesky_ex = _return_type("linalg_cholesky_ex", ("L", "info"))
linalg_qr = _return_type("linalg_qr", ("Q", "R"))
linalg_eigh = _return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_eig = _return_type("linalg_eig", ("eigenvalues", "eigenvectors"))
linalg_svd = _return_type("linalg_svd", ("U", "S", "Vh"))
linalg_lstsq = _return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
linalg_solve_ex = _return_type("linalg_solve_ex", ("result", "info"))
histogram = _return_type("histogram", ("hist", "bin_edges"))
histogramdd = _return_type("histogramdd", ("hist", "bin_edges"))
frexp = _return_type("frexp", ("mantissa", "exponent"))
triangular_solve = _return_type("triangular_solve", ("solution", "cloned_coefficient"))
linalg_lu_factor = _return_type("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex = _return_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_lu = _return_type("linalg_lu", ("P", "L", "U"))
linalg_ldl_factor = _return_type("linalg_ldl_factor", ("LD", "pivots"))
linalg_ldl_factor_ex = _return_type("linalg_ldl_factor_ex", ("LD", "pivots", "info"))
lu_unpack = _return_type("lu_unpack", ("P", "L", "U"))
