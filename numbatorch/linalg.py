"""``torch.linalg`` subset: vector norms and the Frobenius matrix norm."""
from ._ops.norms import vector_norm

__all__ = ["vector_norm", "norm", "matrix_norm"]


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """Frobenius norm over the two dims ``dim`` (other orders are not supported)."""
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if ord != "fro":
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} is not supported (only 'fro')")
    return vector_norm(A, 2, tuple(dim), keepdim, dtype=dtype)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """Vector norm when ``dim`` is an int or ``A`` is 1-D (or ``ord`` and ``dim`` are None); else ``matrix_norm``."""
    if isinstance(dim, int) or (isinstance(dim, (tuple, list)) and len(dim) == 1) or (
            dim is None and (ord is None or A.dim() == 1)):
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is None and A.dim() != 2:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A.dim()}D.")
    return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
