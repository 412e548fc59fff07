"""Floating-point class tests (isnan, isinf, ...) and signbit; bool results, never differentiable."""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method

__all__ = [
    "isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal", "signbit",
]

def _float_test(np_fn, non_float_value, doc):
    def op(input):
        arr = input._data
        if dt.is_floating(arr.dtype):
            return Tensor._make(np_fn(arr))
        return Tensor._make(np.full_like(arr, non_float_value, dtype=bool))
    op.__doc__ = doc
    return op


isnan = tensor_method("isnan")(_float_test(np.isnan, False,
                                           "A bool tensor, ``True`` where ``input`` is nan."))


isinf = tensor_method("isinf")(_float_test(np.isinf, False,
                                           "A bool tensor, ``True`` where ``input`` is plus or minus infinity."))


isposinf = tensor_method("isposinf")(_float_test(np.isposinf, False,
                                                 "A bool tensor, ``True`` where ``input`` is plus infinity."))


isneginf = tensor_method("isneginf")(_float_test(np.isneginf, False,
                                                 "A bool tensor, ``True`` where ``input`` is minus infinity."))


isfinite = tensor_method("isfinite")(_float_test(np.isfinite, True,
                                                 "A bool tensor, ``True`` where ``input`` is finite (not inf or nan)."))


isreal = tensor_method("isreal")(_float_test(lambda a: np.ones_like(a, dtype=bool), True,
                                             "A bool tensor of ``True``: every value of a real dtype is real."))


for _fn, _name in ((isnan, "isnan"), (isinf, "isinf"), (isposinf, "isposinf"), (isneginf, "isneginf"),
                   (isfinite, "isfinite"), (isreal, "isreal")):
    _fn.__name__ = _fn.__qualname__ = _name  # the module global: pickle finds the op by this name


@tensor_method()
def signbit(input):
    """A bool tensor, ``True`` where the sign bit of ``input`` is set (including ``-0.0``)."""
    arr = input._data
    if dt.is_floating(arr.dtype):
        return Tensor._make(np.signbit(arr))
    return Tensor._make(arr < 0 if arr.dtype.kind == "i" else np.zeros_like(arr, dtype=bool))
