"""``torch.sparse``: products and sums of sparse COO tensors (see ``numbatorch._sparse_coo``)."""
import warnings

from ._ops.products import matmul
from ._sparse_coo import sparse_coo_tensor

__all__ = ["mm", "addmm", "sum", "FloatTensor", "DoubleTensor"]


def mm(mat1, mat2, reduce="sum"):
    """``mat1 @ mat2`` where ``mat1`` (and/or ``mat2``) is sparse; the result is dense, with gradients for both."""
    if reduce != "sum":
        raise NotImplementedError(f"sparse.mm: reduce='{reduce}' is not supported by numbatorch (only 'sum')")
    return matmul(mat1, mat2)


def addmm(mat, mat1, mat2, *, beta=1.0, alpha=1.0):
    """``beta * mat + alpha * (mat1 @ mat2)`` with a sparse ``mat1``."""
    return beta * mat + alpha * matmul(mat1, mat2)


def sum(input, dim=None, dtype=None):
    """Sum of all elements (a dense 0-d tensor), or over ``dim`` (a sparse tensor, as in PyTorch)."""
    if dim is None:
        return input.sum(dtype=dtype)
    return input.to_dense().sum(dim, dtype=dtype).to_sparse()


def _legacy(name, dtype_name):
    def constructor(indices, values, size=None, *, device=None):
        warnings.warn("torch.sparse.SparseTensor(indices, values, shape, *, device=) is deprecated.  Please use "
                      "torch.sparse_coo_tensor(indices, values, shape, dtype=, device=).", UserWarning, stacklevel=2)
        from . import _dtype as dt
        return sparse_coo_tensor(indices, values, size, dtype=getattr(dt, dtype_name), device=device)
    constructor.__name__ = constructor.__qualname__ = name
    constructor.__doc__ = f"Deprecated ``torch.sparse.{name}(indices, values, size)``: ``sparse_coo_tensor``."
    return constructor


FloatTensor = _legacy("FloatTensor", "float32")
DoubleTensor = _legacy("DoubleTensor", "float64")
