"""Input checks and errors shared by the linear-algebra ops (PyTorch's messages and ``LinAlgError``)."""
import numpy as np

from .._tensor import Tensor


class LinAlgError(RuntimeError):
    """A matrix the factorisation or inversion cannot handle (singular, not positive-definite, ...)."""


_SCALAR_NAMES = {"float16": "Half", "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                 "uint8": "Byte", "bool": "Bool"}


def mT(x):
    """The matrix transpose of the last two axes of an array."""
    return np.swapaxes(x, -1, -2)


def float_matrix(name, A, arg="A", square=False):
    """``A``'s array after PyTorch's checks: a Tensor of at least 2 dims, float32/float64, square if asked."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position 1) must be Tensor, not {type(A).__name__}")
    arr = A._data
    if arr.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    check_float(name, arr)
    if square and arr.shape[-1] != arr.shape[-2]:
        raise RuntimeError(f"{name}: {arg} must be batches of square matrices, but they are {arr.shape[-2]} by "
                           f"{arr.shape[-1]} matrices")
    return arr


def check_float(name, arr):
    kind = arr.dtype.name
    if kind in ("float16", "bfloat16"):
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got "
                           f"{'Half' if kind == 'float16' else 'BFloat16'}")
    if arr.dtype.kind == "c":
        raise NotImplementedError(f"{name}: numbatorch does not support complex inputs yet")
    if arr.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_SCALAR_NAMES.get(kind, kind)}")


def _batch_prefix(index, shape):
    return f"(Batch element {int(np.ravel_multi_index(index, shape))}): " if shape else ""


def zero_pivot(a):
    """1-based index of the first exactly-zero pivot of ``a``'s LU factorisation with partial pivoting (0: none).

    This is LAPACK ``getrf``'s ``info``, which PyTorch reports for a singular matrix.
    """
    u = np.array(a, dtype=np.float64)
    n = u.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(u[k:, k])))
        if u[p, k] == 0:
            return k + 1
        u[[k, p]] = u[[p, k]]
        u[k + 1:, k:] -= np.outer(u[k + 1:, k] / u[k, k], u[k, k:])
    return 0


def raise_singular(name, arr):
    """PyTorch's error for the first singular matrix of the batch ``arr``."""
    batch = arr.shape[:-2]
    for index in np.ndindex(*batch):
        k = zero_pivot(arr[index])
        if k:
            raise LinAlgError(f"{name}: {_batch_prefix(index, batch)}The diagonal element {k} is zero, the inversion "
                              "could not be completed because the input matrix is singular.")
    raise LinAlgError(f"{name}: The input matrix is singular, the inversion could not be completed.")


def raise_not_positive_definite(name, arr):
    """PyTorch's error for the first matrix of ``arr`` that is not positive-definite, naming the failing minor."""
    batch = arr.shape[:-2]
    for index in np.ndindex(*batch):
        a = arr[index]
        for k in range(1, a.shape[-1] + 1):
            try:
                np.linalg.cholesky(a[:k, :k])
            except np.linalg.LinAlgError:
                raise LinAlgError(f"{name}: {_batch_prefix(index, batch)}The factorization could not be completed "
                                  f"because the input is not positive-definite (the leading minor of order {k} is "
                                  "not positive-definite).") from None
    raise LinAlgError(f"{name}: The factorization could not be completed because the input is not "
                      "positive-definite.")
