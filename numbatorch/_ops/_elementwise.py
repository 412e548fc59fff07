"""Recording and operand helpers shared by the elementwise op modules."""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor
from ._util import SavedOutput, _legacy_name, binary_arrays, broadcast_error, record


def _record_in(out, node_cls, input, **saved):
    """Record a unary op whose backward reads the input's data."""
    res = record(out, node_cls, (input,), **saved)
    if res.grad_fn is not None:
        res.grad_fn.save_versions(input)
    return res


def _record_out(out, node_cls, input):
    """Record a unary op whose backward reads its own result (saved as ``result``)."""
    res = record(out, node_cls, (input,), result=_as_array(out))
    if res.grad_fn is not None:
        res.grad_fn._saved_versions = [(SavedOutput(res), res._version[0])]
    return res


def _as_array(out):
    return out if type(out) is np.ndarray else np.asarray(out)


def _save_read(res, *tensors):
    """Version-check the Tensors among ``tensors`` (those whose data backward reads)."""
    if res.grad_fn is not None:
        res.grad_fn.save_versions(*(t for t in tensors if isinstance(t, Tensor)))
    return res


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
    if np.result_type(x, y).kind != "f":
        default = dt.get_default_dtype().np
        x = np.asarray(x, dtype=default)
        y = np.asarray(y, dtype=default)
    return x, y


def _apply2(fn, x, y):
    """``fn(x, y)`` with PyTorch's error for shapes that do not broadcast."""
    try:
        return fn(x, y)
    except ValueError:
        raise broadcast_error(np.shape(x), np.shape(y)) from None


def _c_name(np_dtype):
    """dtype names as PyTorch's C++ errors spell them."""
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}[
        np.dtype(np_dtype).name]
