"""Binary elementwise math: atan2, hypot, logaddexp, xlogy and the maximum/minimum family."""
import math

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, backward_with_constant_slopes, operand
from ._util import binary_arrays, inplace_variant, record
from ._elementwise import _apply2, _float_pair, _not_implemented_for, _require_tensors

__all__ = [
    "atan2", "arctan2", "maximum", "minimum", "fmax", "fmin", "hypot", "logaddexp", "logaddexp2", "xlogy",
]

class Atan2Backward0(Node):
    __slots__ = ("y", "x")

    def backward(self, grad):
        y, x = self.y, self.x
        g = grad / (x * x + y * y)
        return (g * x if self.inputs[0] is not None else None,
                g * -y if self.inputs[1] is not None else None)

    def backward_graph(self, grad):
        y, x = operand(self, 0, self.y), operand(self, 1, self.x)
        g = grad / (x * x + y * y)
        return (g * x if self.inputs[0] is not None else None,
                g * -y if self.inputs[1] is not None else None)


class HypotBackward0(Node):
    __slots__ = ("x", "y", "result")

    def backward(self, grad):
        g = grad / self.result
        return (g * self.x if self.inputs[0] is not None else None,
                g * self.y if self.inputs[1] is not None else None)

    def backward_graph(self, grad):
        x, y = operand(self, 0, self.x), operand(self, 1, self.y)
        g = grad / (x * x + y * y).sqrt()
        return (g * x if self.inputs[0] is not None else None,
                g * y if self.inputs[1] is not None else None)


class LogaddexpBackward0(Node):
    __slots__ = ("x", "y", "result")

    def backward(self, grad):
        return (grad * np.exp(self.x - self.result) if self.inputs[0] is not None else None,
                grad * np.exp(self.y - self.result) if self.inputs[1] is not None else None)

    def backward_graph(self, grad):
        x, y = operand(self, 0, self.x), operand(self, 1, self.y)
        p = (x - y).sigmoid()  # exp(x - logaddexp(x, y)), without overflow
        return (grad * p if self.inputs[0] is not None else None,
                grad * (1 - p) if self.inputs[1] is not None else None)


class Logaddexp2Backward0(Node):
    __slots__ = ("x", "y", "result")

    def backward(self, grad):
        return (grad * np.exp2(self.x - self.result) if self.inputs[0] is not None else None,
                grad * np.exp2(self.y - self.result) if self.inputs[1] is not None else None)

    def backward_graph(self, grad):
        x, y = operand(self, 0, self.x), operand(self, 1, self.y)
        p = ((x - y) * math.log(2.0)).sigmoid()  # exp2(x - logaddexp2(x, y)), without overflow
        return (grad * p if self.inputs[0] is not None else None,
                grad * (1 - p) if self.inputs[1] is not None else None)


class XlogyBackward0(Node):
    __slots__ = ("x", "y")

    def backward(self, grad):
        x, y = self.x, self.y
        gx = gy = None
        if self.inputs[0] is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                gx = grad * np.where((x == 0) & (y <= 0), 0, np.log(y))
        if self.inputs[1] is not None:
            gy = grad * x / y
        return gx, gy

    def backward_graph(self, grad):
        from .ternary import where
        g = grad._data
        x, y = (v if isinstance(v, Tensor) else Tensor._make(np.asarray(v, dtype=g.dtype, like=g))
                for v in (operand(self, 0, self.x), operand(self, 1, self.y)))
        gx = gy = None
        if self.inputs[0] is not None:
            zero = Tensor._make((self.x == 0) & (self.y <= 0))
            # log of a safe y where the gradient is zero: no NaN reaches the unpicked branch's gradient
            gx = grad * where(zero, 0.0, where(zero, 1.0, y).log())
        if self.inputs[1] is not None:
            gy = grad * x / y
        return gx, gy


class XlogyBackward1(XlogyBackward0):
    __slots__ = ()


class XlogyBackward2(XlogyBackward0):
    __slots__ = ()


class MaximumBackward0(Node):
    """Ties split the gradient evenly, like PyTorch."""

    __slots__ = ("x", "y")

    def backward(self, grad):
        x, y = self.x, self.y
        half = np.where(x == y, grad / 2, grad)
        return (np.where(x < y, 0, half) if self.inputs[0] is not None else None,
                np.where(x > y, 0, half) if self.inputs[1] is not None else None)

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


class MinimumBackward0(MaximumBackward0):
    __slots__ = ()

    def backward(self, grad):
        x, y = self.x, self.y
        half = np.where(x == y, grad / 2, grad)
        return (np.where(x > y, 0, half) if self.inputs[0] is not None else None,
                np.where(x < y, 0, half) if self.inputs[1] is not None else None)


class FmaxBackward0(Node):
    """Ties (and NaN in ``other``) send the whole gradient to ``input``, like PyTorch."""

    __slots__ = ("x", "y")

    def backward(self, grad):
        to_x = (self.x >= self.y) | np.isnan(self.y)
        return (np.where(to_x, grad, 0) if self.inputs[0] is not None else None,
                np.where(to_x, 0, grad) if self.inputs[1] is not None else None)

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


class FminBackward0(FmaxBackward0):
    __slots__ = ()

    def backward(self, grad):
        to_x = (self.x <= self.y) | np.isnan(self.y)
        return (np.where(to_x, grad, 0) if self.inputs[0] is not None else None,
                np.where(to_x, 0, grad) if self.inputs[1] is not None else None)


@tensor_method("atan2", "arctan2")
def atan2(input, other):
    """Elementwise angle of the point ``(other, input)``: ``atan(input / other)`` in the right quadrant."""
    _require_tensors("atan2", input, other)
    y, x = _float_pair(input, other)
    return record(_apply2(np.arctan2, y, x), Atan2Backward0, (input, other), reads=(input, other), y=y, x=x)


arctan2 = atan2


def _float_only_pair(fname, input, other):
    _require_tensors(fname, input, other)
    x, y = binary_arrays(input, other)
    if not dt.is_floating(x.dtype):
        raise _not_implemented_for(f"{fname}_cpu", x.dtype if x.dtype.itemsize >= y.dtype.itemsize else y.dtype)
    return x, y


@tensor_method()
def hypot(input, other):
    """Elementwise ``sqrt(input ** 2 + other ** 2)``."""
    x, y = _float_only_pair("hypot", input, other)
    out = _apply2(np.hypot, x, y)
    return record(out, HypotBackward0, (input, other), reads=(input, other), x=x, y=y, result=out)


@tensor_method()
def logaddexp(input, other):
    """Elementwise ``log(exp(input) + exp(other))``, computed stably."""
    x, y = _float_only_pair("logaddexp", input, other)
    out = _apply2(np.logaddexp, x, y)
    return record(out, LogaddexpBackward0, (input, other), reads=(input, other), x=x, y=y, result=out)


@tensor_method()
def logaddexp2(input, other):
    """Elementwise ``log2(2 ** input + 2 ** other)``, computed stably."""
    x, y = _float_only_pair("logaddexp2", input, other)
    out = _apply2(np.logaddexp2, x, y)
    return record(out, Logaddexp2Backward0, (input, other), reads=(input, other), x=x, y=y, result=out)


def _xlogy_array(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(y)
    return np.where((x == 0) & ~np.isnan(y), 0, out).astype(out.dtype, copy=False)


@tensor_method()
def xlogy(input, other):
    """Elementwise ``input * log(other)``, 0 where ``input`` is 0 (unless ``other`` is nan)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("xlogy(): expected at least one Tensor argument")
    x, y = _float_pair(input, other)
    node = XlogyBackward0 if isinstance(input, Tensor) and isinstance(other, Tensor) else (
        XlogyBackward2 if isinstance(input, Tensor) else XlogyBackward1)
    return record(_apply2(_xlogy_array, x, y), node, (input, other), reads=(input, other), x=x, y=y)


def _extremum(fname, np_fn, node_cls, doc):
    def op(input, other):
        _require_tensors(fname, input, other)
        x, y = binary_arrays(input, other)
        return record(_apply2(np_fn, x, y), node_cls, (input, other), reads=(input, other), x=x, y=y)
    op.__name__ = op.__qualname__ = fname  # the module global: pickle finds the op by this name
    op.__doc__ = doc
    return op


maximum = tensor_method("maximum")(_extremum("maximum", np.maximum, MaximumBackward0,
                                             "Elementwise maximum of ``input`` and ``other``, propagating nan."))


minimum = tensor_method("minimum")(_extremum("minimum", np.minimum, MinimumBackward0,
                                             "Elementwise minimum of ``input`` and ``other``, propagating nan."))


fmax = tensor_method("fmax")(_extremum("fmax", np.fmax, FmaxBackward0,
                                       "Elementwise maximum, ignoring nan where the other operand is a number."))


fmin = tensor_method("fmin")(_extremum("fmin", np.fmin, FminBackward0,
                                       "Elementwise minimum, ignoring nan where the other operand is a number."))


# In-place forms: Tensor methods and torch.<name>_ functions.
for _name, _fn in (
        ("atan2_", atan2), ("arctan2_", atan2), ("hypot_", hypot), ("xlogy_", xlogy)):
    globals()[_name] = inplace_variant(_name, _fn)
del _name, _fn
