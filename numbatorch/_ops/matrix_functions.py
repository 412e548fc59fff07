"""Matrix norms, matrix powers, chained products, cross and vector dot products of ``torch.linalg``.

Built from differentiable ops (abs, sum, amax, svdvals, matmul, ...), so their gradients are those ops'
gradients: no graph nodes of their own.
"""
import builtins
import math

from .._tensor import Tensor, normalize_dim
from .decompositions import inv, svdvals
from .linalg_checks import check_float
from .norms import vector_norm

__all__ = ["matrix_norm", "linalg_norm", "cond", "cross", "linalg_cross", "matrix_power", "multi_dot", "vecdot"]

_MATRIX_ORDS = ("fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2)


def _matrix_dims(name, A, dim):
    if A.dim() < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"{name}: dim must be a 2-tuple. Got {dim}")
    d0, d1 = (normalize_dim(d, A.dim()) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"{name}: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norm over the two dims ``dim``: 'fro', 'nuc', inf, -inf, 1, -1, 2 or -2 (as ``torch.linalg``)."""
    d0, d1 = _matrix_dims("linalg.matrix_norm", A, dim)
    if dtype is not None:
        A = A.to(dtype)
    if A._data.dtype.name not in ("float16", "bfloat16") or ord in ("nuc", 2, -2):
        # half precision: PyTorch has the sums and the Frobenius norm, not the singular values
        check_float("linalg.matrix_norm", A._data)
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        moved = A.movedim((d0, d1), (-2, -1))
        s = svdvals(moved)
        result = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
    else:
        # 1 / -1: largest / smallest column sum of |A|; inf / -inf: the same over rows.
        summed, other = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = A.abs().sum(summed, keepdim=True)
        result = sums.amax(other, keepdim=True) if ord > 0 else sums.amin(other, keepdim=True)
        return result if keepdim else result.squeeze((d0, d1))
    if keepdim:
        for d in sorted((d0, d1)):
            result = result.unsqueeze(d)
    return result


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """``linalg.norm``: a vector norm when ``dim`` is an int (or ``A`` is 1-D), a matrix norm for a 2-tuple ``dim``
    (or a 2-D ``A``); with ``ord`` and ``dim`` both None, the 2-norm of all elements."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 1 or (dim is None and (ord is None or A.dim() == 1)):
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is None and A.dim() != 2:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A.dim()}D.")
    if isinstance(ord, (int, float)) and ord not in _MATRIX_ORDS and not isinstance(ord, builtins.bool):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)


def cond(A, p=None, *, out=None):
    """Condition number ``norm(A, p) * norm(A^-1, p)``; for ``p`` None or ±2, the ratio of extreme singular values."""
    if p is None or p in (2, -2):
        s = svdvals(A)
        return s.amax(-1) / s.amin(-1) if p in (None, 2) else s.amin(-1) / s.amax(-1)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def _cross_check(name, input, other, dim):
    if input.dim() != other.dim():
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3. Got {input.shape[dim]} and "
                           f"{other.shape[dim]}")


def _cross(input, other, dim):
    # a x b = (a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0): rolls of the components, differentiable throughout.
    a1, a2 = input.roll(-1, dim), input.roll(-2, dim)
    b1, b2 = other.roll(-1, dim), other.roll(-2, dim)
    return a1 * b2 - a2 * b1


def linalg_cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along ``dim`` (broadcasting the other dims)."""
    _cross_check("linalg.cross", input, other, dim)
    return _cross(input, other, dim)


def cross(input, other, dim=None, *, out=None):
    """``torch.cross``: like ``linalg.cross`` but ``dim`` defaults to the first dim of length 3 (deprecated)."""
    if dim is None:
        import warnings
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                      "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
        dim = next((i for i, n in enumerate(input.shape) if n == 3), -1)
    _cross_check("linalg.cross", input, other, dim)
    return _cross(input, other, dim)


def matrix_power(A, n, *, out=None):
    """``A`` multiplied by itself ``n`` times (``n`` < 0: powers of the inverse, ``n == 0``: identity)."""
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{tuple(A.shape[-2:])} matrices")
    if n == 0:
        from .._creation import eye
        return eye(A.shape[-1], dtype=A.dtype).expand(A.shape).clone()
    base = inv(A) if n < 0 else A
    result = None
    power = builtins.abs(n)
    while power:  # square-and-multiply, as PyTorch does
        if power & 1:
            result = base if result is None else result @ base
        power >>= 1
        if power:
            base = base @ base
    return result


def multi_dot(tensors, *, out=None):
    """``tensors[0] @ tensors[1] @ ...``; the first may be 1-D (a row vector), the last 1-D (a column vector)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.dim() not in allowed:
            where = "first" if i == 0 else ("last" if i == len(tensors) - 1 else None)
            raise RuntimeError(f"multi_dot(): the {where} tensor must be 1D or 2D but got {t.dim()}D" if where else
                               f"multi_dot(): tensor {i} must be 2D but got {t.dim()}D")
    result = tensors[0]
    for t in tensors[1:]:
        result = result @ t
    return result


def vecdot(x, y, *, dim=-1, out=None):
    """Dot product of vectors along ``dim`` (broadcasting the other dims)."""
    if not isinstance(x, Tensor) or not isinstance(y, Tensor):
        raise TypeError("linalg.vecdot(): arguments must be Tensors")
    return (x * y).sum(dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """``linalg.diagonal``: ``torch.diagonal`` with the matrix dims last by default."""
    return A.diagonal(offset, dim1, dim2)


def _powers(x, n):
    """``[x**0, x**1, ..., x**(n-1)]`` by repeated products (finite gradients at x = 0, unlike ``pow``)."""
    powers = []
    current = None
    for _ in range(n):
        current = (x * 0 + 1) if current is None else current * x
        powers.append(current)
    return powers


def linalg_vander(x, *, N=None):
    """Vandermonde matrix of ``x`` (*, n): columns ``x**0 ... x**(N-1)`` (increasing powers), N = n by default."""
    if x.dim() < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension.")
    n = x.shape[-1] if N is None else N
    if n < 2:
        raise RuntimeError("N must be greater than 1.")
    from .joining import stack
    return stack(_powers(x, n), -1)


def vander(x, N=None, increasing=False):
    """``torch.vander`` of a 1-D ``x``: columns ``x**(N-1) ... x**0`` (decreasing unless ``increasing``)."""
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    from .joining import stack
    from .._creation import empty
    if n == 0:
        return empty(x.shape[0], 0, dtype=x.dtype)
    powers = _powers(x, n)
    return stack(powers if increasing else powers[::-1], -1)


def tensorinv(A, ind=2, *, out=None):
    """The inverse of ``A`` seen as a map from its last dims to its first ``ind`` dims: shape ``A.shape[ind:] +
    A.shape[:ind]``."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    n_rows = int(math.prod(rows))
    if n_rows != int(math.prod(cols)):
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {int(math.prod(cols))} != {n_rows}")
    return inv(A.reshape(n_rows, -1)).reshape(cols + rows)


def tensorsolve(A, B, dims=None, *, out=None):
    """``X`` with ``tensordot(A, X, X.ndim) == B``; ``dims`` are moved to the end of ``A`` first."""
    from .solvers import solve
    if dims is not None:
        dims = [d % A.dim() for d in dims]
        A = A.movedim(dims, list(range(A.dim() - len(dims), A.dim())))
    result_shape = tuple(A.shape[B.dim():])
    n = int(math.prod(result_shape))
    if int(math.prod(B.shape)) != n:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {n} != {int(math.prod(B.shape))}")
    return solve(A.reshape(-1, n), B.reshape(-1)).reshape(result_shape)
