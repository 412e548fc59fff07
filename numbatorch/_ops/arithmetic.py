"""Binary arithmetic: add, sub, mul, div, remainder, floor_divide, pow, neg, and their operator forms."""
import warnings

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, backward_with_constant_slopes, operand
from ..backends.cpu import _arithmetic_kernels as threaded, _ufunc_halves as halves
from ._elementwise import _apply2
from ._history_only import history_only
from ._inplace_direct import direct_binary
from ._util import binary_arrays, inplace_variant, record, write_out


_DIVISION_WARNINGS = r"(divide by zero|invalid value) encountered in (divide|remainder|fmod|floor_divide)"
_filters_with_ours = None  # the ``warnings.filters`` list known to hold the filter below


def _quiet_division():
    """Ignore numpy's division warnings raised in this module, _elementwise, _inplace_direct and the threaded
    kernels' module (which run numpy's ufuncs where the kernels do not apply): PyTorch divides floats by zero
    silently (inf, nan).

    A warnings filter costs nothing until a warning is raised (``np.errstate`` around each division costs
    ~0.8 us); it is added again when ``warnings.catch_warnings`` (pytest wraps each test in one) has restored a
    filter list without it.
    """
    global _filters_with_ours
    if warnings.filters is not _filters_with_ours:
        modules = r"numbatorch\.(_ops\.(arithmetic|_elementwise|_inplace_direct)|backends\.cpu\._arithmetic_kernels)$"
        warnings.filterwarnings("ignore", _DIVISION_WARNINGS, RuntimeWarning, modules)
        _filters_with_ours = warnings.filters


class AddBackward0(Node):
    __slots__ = ("alpha",)
    history_only_inputs = True

    def backward(self, grad):
        return grad, (grad if self.alpha == 1 else grad * self.alpha)

    def backward_graph(self, grad):
        return self.backward(grad)


class SubBackward0(Node):
    __slots__ = ("alpha",)
    history_only_inputs = True

    def backward(self, grad):
        return grad, -grad if self.alpha == 1 else grad * -self.alpha

    def backward_graph(self, grad):
        return self.backward(grad)


class RsubBackward1(Node):
    """``other - self`` recorded with inputs (other, self)."""

    __slots__ = ()
    history_only_inputs = True

    def backward(self, grad):
        return grad, -grad

    def backward_graph(self, grad):
        return self.backward(grad)


class MulBackward0(Node):
    __slots__ = ("a", "b")

    def backward(self, grad):
        if threaded.small(grad.size):  # small: the bare operator, the fewest steps (per-op overhead)
            return (grad * self.b if self.inputs[0] is not None else None,
                    grad * self.a if self.inputs[1] is not None else None)
        ga = threaded.multiply(grad, self.b) if self.inputs[0] is not None else None
        gb = threaded.multiply(grad, self.a) if self.inputs[1] is not None else None
        return ga, gb

    def backward_graph(self, grad):
        # each factor only for the other's gradient: beside a constant, the input may be a stand-in or overwritten
        ga = grad * operand(self, 1, self.b) if self.inputs[0] is not None else None
        gb = grad * operand(self, 0, self.a) if self.inputs[1] is not None else None
        return ga, gb


class DivBackward0(Node):
    __slots__ = ("a", "b")

    def backward(self, grad):
        _quiet_division()
        ga = threaded.divide(grad, self.b) if self.inputs[0] is not None else None
        gb = -grad * self.a / (self.b * self.b) if self.inputs[1] is not None else None
        return ga, gb

    def backward_graph(self, grad):
        b = operand(self, 1, self.b)
        ga = grad / b if self.inputs[0] is not None else None
        # the dividend only for the divisor's gradient (as in mul's)
        gb = -grad * operand(self, 0, self.a) / (b * b) if self.inputs[1] is not None else None
        return ga, gb


class NegBackward0(Node):
    __slots__ = ()
    history_only_inputs = True

    def backward(self, grad):
        return halves.run(np.negative, grad)

    def backward_graph(self, grad):
        return -grad


class PowBackward0(Node):
    """Both operands may require grad: d(a**b) = b a**(b-1) da + a**b log(a) db."""

    __slots__ = ("a", "b", "out")

    def backward(self, grad):
        a, b = self.a, self.b
        ga = gb = None
        if self.inputs[0] is not None:
            ga = threaded.multiply(threaded.multiply(grad, b), _power(a, b - 1)) \
                if not np.isscalar(b) or b != 0 else np.zeros_like(grad)
        if self.inputs[1] is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = grad * np.where(a == 0, 0.0, self.out * np.log(a)).astype(grad.dtype, copy=False)
        return ga, gb

    def backward_graph(self, grad):
        from .ternary import where
        a, b = operand(self, 0, self.a), operand(self, 1, self.b)
        ga = gb = None
        if self.inputs[0] is not None:
            ga = grad * b * a ** (b - 1) if isinstance(b, Tensor) or b != 0 else grad * 0
        if self.inputs[1] is not None:
            g = grad._data
            a_t = a if isinstance(a, Tensor) else Tensor._make(np.asarray(self.a, dtype=g.dtype, like=g))
            # where() picks 0 where a == 0, but log(0) = -inf would still reach the gradient of the unpicked branch.
            safe = where(a_t == 0, 1.0, a_t)
            gb = grad * where(a_t == 0, 0.0, a_t ** b * safe.log())
        return ga, gb


class RemainderBackward0(Node):
    __slots__ = ("a", "b")

    def backward(self, grad):
        _quiet_division()
        ga = grad if self.inputs[0] is not None else None
        gb = -grad * np.floor_divide(self.a, self.b) if self.inputs[1] is not None else None
        return ga, gb

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


def _float_result(x, y):
    """True division always produces floating point, like PyTorch (int / int -> float32)."""
    if isinstance(x, np.ndarray) and x.dtype.kind not in dt.DIFFERENTIABLE_KINDS:
        x = x.astype(dt.get_default_dtype().np)
    if isinstance(y, np.ndarray) and y.dtype.kind not in dt.DIFFERENTIABLE_KINDS:
        y = y.astype(dt.get_default_dtype().np)
    return x, y


@tensor_method("add", "__add__")
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting ``input`` and ``other`` and promoting dtypes as PyTorch does."""
    x, y = binary_arrays(input, other)
    if alpha != 1:
        y = y * alpha
    res = record(_apply2(np.add, x, y), AddBackward0, (input, other), alpha=alpha)
    return res if out is None else write_out(res, out)


@tensor_method("__radd__")
def _radd(self, other):
    return add(other, self)


@tensor_method("sub", "subtract", "__sub__")
def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``, broadcasting ``input`` and ``other``; ``subtract`` is an alias."""
    _check_bool_subtraction(input, other)
    x, y = binary_arrays(input, other)
    if alpha != 1:
        y = y * alpha
    res = record(_apply2(np.subtract, x, y), SubBackward0, (input, other), alpha=alpha)
    return write_out(res, out)


def _is_bool(x):
    return isinstance(x, bool) or (isinstance(x, Tensor) and x._data.dtype == np.bool_)


def _check_bool_subtraction(a, b):
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    if _is_bool(a) or _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")


@tensor_method("__rsub__")
def _rsub(self, other):
    _check_bool_subtraction(other, self)
    x, y = binary_arrays(other, self)
    return record(x - y, RsubBackward1, (other, self))


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``, the reversed subtraction."""
    return sub(other, input, alpha=alpha)


@tensor_method("mul", "multiply", "__mul__")
def mul(input, other, *, out=None):
    """``input * other``, broadcasting ``input`` and ``other``; ``multiply`` is an alias."""
    x, y = binary_arrays(input, other)
    # Each factor is read only for the other's gradient: beside a constant (a number, a Tensor without grad) the
    # node keeps neither the other factor's data nor its array, as PyTorch saves only what backward reads.
    keep_x = isinstance(other, Tensor) and other._requires_grad
    keep_y = isinstance(input, Tensor) and input._requires_grad
    if keep_x is keep_y:  # both factors record (each is read for the other's gradient), or neither does
        inputs = (input, other)
    else:  # the one factor that records is read by no gradient
        inputs = (history_only(input), other) if keep_y else (input, history_only(other))
    res = record(_apply2(np.multiply, x, y), MulBackward0, inputs,
                 reads=((other, 0), (input, 1)), a=x if keep_x else None, b=y if keep_y else None)
    return res if out is None else write_out(res, out)


@tensor_method("__rmul__")
def _rmul(self, other):
    return mul(other, self)


@tensor_method("div", "divide", "true_divide", "__truediv__")
def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``, broadcasting ``input`` and ``other``; integer inputs give a floating result.

    ``rounding_mode`` ``'trunc'`` or ``'floor'`` rounds the quotient (keeping integer dtypes); ``divide`` and
    ``true_divide`` are aliases.
    """
    _quiet_division()
    if rounding_mode is not None:
        if rounding_mode == "floor":
            return floor_divide(input, other)
        if rounding_mode == "trunc":
            x, y = binary_arrays(input, other)
            floating = dt.is_floating(np.result_type(x, y))
            q = np.trunc(x / y) if floating else _int_trunc_div(x, y)
            like = x if isinstance(input, Tensor) else y
            return Tensor._make(np.asarray(q, like=like).astype(np.result_type(x, y), copy=False))
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    x, y = _float_result(*binary_arrays(input, other))
    keep_x = isinstance(other, Tensor) and other._requires_grad  # the dividend is read for the divisor's gradient
    dividend = history_only(input) if not keep_x and isinstance(input, Tensor) and input._requires_grad else input
    res = record(_apply2(np.true_divide, x, y), DivBackward0, (dividend, other),
                 reads=(other, (input, 1)), a=x if keep_x else None, b=y)
    return write_out(res, out)


def _int_trunc_div(x, y):
    q = np.floor_divide(x, y)
    r = np.remainder(x, y)
    return q + ((r != 0) & (np.less(x, 0) != np.less(y, 0)))


@tensor_method("__rtruediv__")
def _rtruediv(self, other):
    return div(other, self)


@tensor_method("floor_divide", "__floordiv__")
def floor_divide(input, other):
    """``input / other`` rounded towards minus infinity, broadcasting ``input`` and ``other``."""
    _quiet_division()
    x, y = binary_arrays(input, other)
    if np.result_type(x, y).kind in "iu" and np.any(np.equal(y, 0)):
        raise RuntimeError("ZeroDivisionError")
    return Tensor._make(np.floor_divide(x, y))


@tensor_method("__rfloordiv__")
def _rfloordiv(self, other):
    return floor_divide(other, self)


@tensor_method("remainder", "__mod__")
def remainder(input, other):
    """Python-style modulus: the remainder of ``input / other`` with the sign of ``other``."""
    _quiet_division()
    x, y = binary_arrays(input, other)
    return record(np.remainder(x, y), RemainderBackward0, (input, other), a=x, b=y)


@tensor_method("__rmod__")
def _rmod(self, other):
    return remainder(other, self)


@tensor_method("fmod")
def fmod(input, other):
    """C-style modulus: the remainder of ``input / other`` with the sign of ``input``."""
    _quiet_division()
    x, y = binary_arrays(input, other)
    return record(np.fmod(x, y), RemainderBackward0, (input, other), a=x, b=y)


# Elements from which an integral power of a float array is taken from the magnitudes (below, the extra passes cost
# more than they save on the few negative bases).
_POWER_BY_MAGNITUDE = 1024


def _power(x, y):
    """``np.power(x, y)``. For a negative base to an integral power other than 2 numpy calls libm's powf/pow,
    whose slow path took 108 ms on 8 MiB of float32 to the power 3, 4 or -2 (numpy's own SIMD power of |x| 4 ms):
    so a float array to such a power is ``|x| ** y`` with x's sign put back for odd y, as a negative base's power
    is defined (``pow(-a, n) = (-1)**n pow(a, n)``, signed zeros and infinities included). Within 1 ulp of the
    exact power, as numpy's and libm's are; they round differently from each other (tested)."""
    if type(x) is not np.ndarray or x.dtype.kind != "f" or x.size < _POWER_BY_MAGNITUDE or \
            not isinstance(y, (int, float, np.integer, np.floating)) or isinstance(y, bool):
        return halves.run(np.power, x, y)
    e = float(y)
    if not e.is_integer() or e in (0.0, 1.0, 2.0) or abs(e) > 2 ** 52:
        return halves.run(np.power, x, y)
    out = np.power(np.abs(x), y)
    if e % 2:
        np.copysign(out, x, out=out)
    return out


@tensor_method("pow", "__pow__")
def pow(input, exponent):
    """``input ** exponent`` elementwise; either may be a number."""
    x, y = binary_arrays(input, exponent)
    if isinstance(x, np.ndarray) and x.dtype.kind in "iu" and isinstance(y, np.ndarray) is False and y < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    out = _power(x, y)
    return record(out, PowBackward0, (input, exponent), reads=(input, exponent), a=x, b=y, out=out)


@tensor_method("__rpow__")
def _rpow(self, other):
    return pow(other, self)


@tensor_method("neg", "negative", "__neg__")
def neg(input):
    """Elementwise negation ``-input``; ``negative`` is an alias."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    return record(halves.run(np.negative, input._data), NegBackward0, (input,))


@tensor_method("__pos__", "positive")
def positive(input):
    """Returns ``input`` itself (unary plus)."""
    return input


for _name, _fn in (("pow_", pow), ("neg_", neg), ("remainder_", remainder), ("fmod_", fmod),
                   ("floor_divide_", floor_divide), ("__ifloordiv__", floor_divide), ("__imod__", remainder),
                   ("__ipow__", pow)):
    inplace_variant(_name, _fn)
for _names, _fn, _ufunc in ((("add_", "__iadd__"), add, np.add), (("sub_", "subtract_", "__isub__"), sub, np.subtract),
                            (("mul_", "multiply_", "__imul__"), mul, np.multiply),
                            (("div_", "divide_", "true_divide_", "__itruediv__"), div, np.true_divide)):
    for _name in _names:
        direct_binary(_name, _fn, _ufunc, takes_alpha=_fn in (add, sub),
                      before=_quiet_division if _fn is div else None,
                      node={add: AddBackward0, sub: SubBackward0, mul: MulBackward0, div: DivBackward0}[_fn],
                      saves_other=_fn in (mul, div))

divide = true_divide = div
multiply = mul
subtract = sub
negative = neg
