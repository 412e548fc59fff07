"""Operand helpers shared by the elementwise op modules."""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor
from ..backends.cpu import _arithmetic_kernels as threaded, _ufunc_halves as halves
from ._util import _legacy_name, binary_arrays, broadcast_error


def _require_tensors(fname, input, other, other_name="other"):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(other, Tensor):
        raise TypeError(f"{fname}(): argument '{other_name}' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")


def _not_implemented_for(kernel, np_dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_legacy_name(np_dtype)}\'')


def _float_pair(input, other):
    """Operands promoted like PyTorch, then to floating point (integer atan2/xlogy give float32)."""
    x, y = binary_arrays(input, other)
    if not dt.is_floating(np.result_type(x, y)):
        default = dt.get_default_dtype().np
        like = x if isinstance(input, Tensor) else y  # a Python number operand is made on the tensor's device
        x = np.asarray(x, dtype=default, like=like)
        y = np.asarray(y, dtype=default, like=like)
    return x, y


_THREADED = (np.add, np.subtract, np.multiply, np.true_divide)


def _apply2(fn, x, y):
    """``fn(x, y)`` with PyTorch's error for shapes that do not broadcast; a large float ``np.add``,
    ``np.subtract``, ``np.multiply`` or ``np.true_divide`` runs on Numba's threads, another large ufunc in two halves
    at once (same bits)."""
    try:
        if threaded.small(max(getattr(x, "size", 0), getattr(y, "size", 0))):
            return fn(x, y)
        return threaded.run(fn, x, y) if fn in _THREADED else halves.run(fn, x, y)
    except ValueError:
        raise broadcast_error(np.shape(x), np.shape(y)) from None


def _c_name(np_dtype):
    """dtype names as PyTorch's C++ errors spell them."""
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}[
        np.dtype(np_dtype).name]
