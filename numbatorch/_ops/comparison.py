"""Comparisons, logical and bitwise ops, and closeness tests; results are bool (or integer bitwise) tensors."""
import numpy as np

from .._tensor import Tensor, is_grad_recording, tensor_method
from ..autograd.graph import Node
from ._util import (_legacy_name, _name_as_tensor_method, apply_inplace, binary_arrays, broadcast_error,
                    inplace_variant, record)

__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_not", "isclose", "allclose", "equal",
]

# Operand types a comparison dunder accepts; anything else returns NotImplemented (``t == None`` is False).
_OPERAND_TYPES = (Tensor, int, float, bool, np.ndarray, np.generic)


def _elementwise(ufunc, input, other):
    x, y = binary_arrays(input, other)
    try:
        return Tensor._make(ufunc(x, y))
    except ValueError:
        raise broadcast_error(np.shape(x), np.shape(y)) from None


# ---- comparisons -------------------------------------------------------------------------------------
def _comparison(name, ufunc, doc):
    def op(input, other):
        return _elementwise(ufunc, input, other)

    def dunder(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return _elementwise(ufunc, self, other)

    # op becomes the module global ``name``: named so, pickle finds it by name
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    _name_as_tensor_method(dunder, f"__{name}__")
    return op, dunder


eq, _eq_dunder = _comparison("eq", np.equal,
                             "Elementwise ``input == other`` as a bool tensor (broadcasting).")
ne, _ne_dunder = _comparison("ne", np.not_equal,
                             "Elementwise ``input != other`` as a bool tensor; ``not_equal`` is an alias.")
lt, _lt_dunder = _comparison("lt", np.less,
                             "Elementwise ``input < other`` as a bool tensor; ``less`` is an alias.")
le, _le_dunder = _comparison("le", np.less_equal,
                             "Elementwise ``input <= other`` as a bool tensor; ``less_equal`` is an alias.")
gt, _gt_dunder = _comparison("gt", np.greater,
                             "Elementwise ``input > other`` as a bool tensor; ``greater`` is an alias.")
ge, _ge_dunder = _comparison("ge", np.greater_equal,
                             "Elementwise ``input >= other`` as a bool tensor; ``greater_equal`` is an alias.")
not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge

for _names, _op, _dunder in ((("eq",), eq, _eq_dunder), (("ne", "not_equal"), ne, _ne_dunder),
                             (("lt", "less"), lt, _lt_dunder), (("le", "less_equal"), le, _le_dunder),
                             (("gt", "greater"), gt, _gt_dunder), (("ge", "greater_equal"), ge, _ge_dunder)):
    tensor_method(*_names)(_op)
    tensor_method(_dunder.__name__)(_dunder)
# Assigning __eq__ after class creation leaves Tensor.__hash__ (by id) in place, so tensors stay usable as
# dict keys and in sets, as in PyTorch.


class _ComparisonBackward(Node):
    """An in-place comparison makes its tensor piecewise constant: zero gradient to what it was."""

    __slots__ = ()

    def backward(self, grad):
        return (np.zeros_like(grad),) + (None,) * (len(self.inputs) - 1)

    def backward_graph(self, grad):
        return (grad * 0,) + (None,) * (len(self.inputs) - 1)


# PyTorch's names: ...Backward0 when ``other`` is a Python number, ...Backward1 for a Tensor.
_COMPARISON_NODES = {
    (name, kind): type(f"{name.capitalize()}Backward{kind}", (_ComparisonBackward,), {"__slots__": ()})
    for name in ("eq", "ne", "lt", "le", "gt", "ge") for kind in (0, 1)}


def _comparison_inplace(name, op):
    def method(self, other):
        out = op(self, other)._data.astype(self._data.dtype)
        if is_grad_recording(self, other):
            node = _COMPARISON_NODES[(name, 1 if isinstance(other, Tensor) else 0)]
            # other's gradient is zero too; only self's history needs the (zero) gradient to arrive.
            result = record(out, node, (self,))
        else:
            result = Tensor._make(out)
        return apply_inplace(self, result)
    method.__doc__ = f"In-place ``{name}``: self becomes 1 where it holds, else 0 (keeping its dtype)."
    return method


for _name, _op in (("eq", eq), ("ne", ne), ("lt", lt), ("le", le), ("gt", gt), ("ge", ge),
                   ("not_equal", ne), ("less", lt), ("less_equal", le), ("greater", gt),
                   ("greater_equal", ge)):
    _method = _comparison_inplace(_op.__name__, _op)
    _name_as_tensor_method(_method, _name + "_")
    setattr(Tensor, _name + "_", _method)


# ---- logical -----------------------------------------------------------------------------------------
def _logical(name, ufunc, doc):
    def op(input, other):
        return _elementwise(ufunc, input, other)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


logical_and = _logical("logical_and", np.logical_and,
                       "Elementwise logical AND of the truth values of ``input`` and ``other``, as a bool tensor.")
logical_or = _logical("logical_or", np.logical_or,
                      "Elementwise logical OR of the truth values of ``input`` and ``other``, as a bool tensor.")
logical_xor = _logical("logical_xor", np.logical_xor,
                       "Elementwise logical XOR of the truth values of ``input`` and ``other``, as a bool tensor.")


def logical_not(input):
    """Elementwise logical NOT of the truth values of ``input``, as a bool tensor."""
    return Tensor._make(np.logical_not(input._data))


for _name, _op in (("logical_and", logical_and), ("logical_or", logical_or), ("logical_xor", logical_xor),
                   ("logical_not", logical_not)):
    tensor_method(_name)(_op)
    inplace_variant(_name + "_", _op)


# ---- bitwise -----------------------------------------------------------------------------------------
def _bitwise(name, ufunc, doc):
    def op(input, other):
        x, y = binary_arrays(input, other)
        res_dtype = np.result_type(x, y)
        if res_dtype.kind not in "biu":
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{_legacy_name(res_dtype)}\'')
        try:
            return Tensor._make(ufunc(x, y))
        except ValueError:
            raise broadcast_error(np.shape(x), np.shape(y)) from None
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


bitwise_and = _bitwise("bitwise_and", np.bitwise_and,
                       "Elementwise bitwise AND of integer or bool tensors.")
bitwise_or = _bitwise("bitwise_or", np.bitwise_or,
                      "Elementwise bitwise OR of integer or bool tensors.")
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor,
                       "Elementwise bitwise XOR of integer or bool tensors.")


def bitwise_not(input):
    """Elementwise bitwise NOT of an integer or bool tensor."""
    arr = input._data
    if arr.dtype.kind not in "biu":
        raise NotImplementedError(f'"bitwise_not_cpu" not implemented for \'{_legacy_name(arr.dtype)}\'')
    return Tensor._make(np.invert(arr))


@tensor_method("__invert__")
def _invert(self):
    if self._data.dtype.kind not in "biu":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return Tensor._make(np.invert(self._data))


def _operator(name, op):
    def dunder(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return op(self, other)
    _name_as_tensor_method(dunder, name)
    setattr(Tensor, name, dunder)


def _reflected(name, op):
    def dunder(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return op(other, self)
    _name_as_tensor_method(dunder, name)
    setattr(Tensor, name, dunder)


for _name, _sym, _op in (("bitwise_and", "and", bitwise_and), ("bitwise_or", "or", bitwise_or),
                         ("bitwise_xor", "xor", bitwise_xor)):
    tensor_method(_name)(_op)
    _operator(f"__{_sym}__", _op)
    _reflected(f"__r{_sym}__", _op)
    inplace_variant(f"__i{_sym}__", _op)
    inplace_variant(_name + "_", _op)
tensor_method("bitwise_not")(bitwise_not)
inplace_variant("bitwise_not_", bitwise_not)


# ---- closeness ---------------------------------------------------------------------------------------
@tensor_method()
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|input - other| <= atol + rtol * |other|`` elementwise (infinities equal only to themselves)."""
    for arg, name, pos in ((input, "input", 1), (other, "other", 2)):
        if not isinstance(arg, Tensor):
            raise TypeError(f"isclose(): argument '{name}' (position {pos}) must be Tensor, not "
                            f"{type(arg).__name__}")
    x, y = input._data, other._data
    if x.dtype != y.dtype:
        raise RuntimeError(f"{_legacy_name(x.dtype)} did not match {_legacy_name(y.dtype)}")
    try:
        if x.dtype == np.bool_:
            return Tensor._make(np.equal(x, y))
        return Tensor._make(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError:
        raise broadcast_error(x.shape, y.shape) from None


@tensor_method()
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether ``|input - other| <= atol + rtol * |other|`` holds everywhere (a Python bool)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


@tensor_method()
def equal(input, other):
    """True when both tensors have the same shape and the same values (after type promotion)."""
    if input._data.shape != other._data.shape:
        return False
    x, y = binary_arrays(input, other)
    return bool(np.array_equal(x, y))
