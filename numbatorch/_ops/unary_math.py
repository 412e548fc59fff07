"""Unary elementwise math: abs, exp/log families, powers, erf, sinc, logit; the trigonometric and hyperbolic
functions are in ``trigonometric`` (re-exported here)."""
import math

import numpy as np

from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, operand, recomputed_output, with_zero_input_edges
from ._half_precision import computes_in_float32
from ._util import OUTPUT, float_array, inplace_variant, record
from ..backends import kernel_family
from ..backends.cpu import _arithmetic_kernels as threaded, _ufunc_halves as halves
from ..backends.cpu.pointwise import KERNEL_DTYPES
from ._elementwise import _not_implemented_for
from .trigonometric import (acos, acos_, acosh, arccos, arccosh, arcsin, arcsinh, arctan, arctanh, asin,  # noqa: F401
                            asin_, asinh, atan, atan_, atanh, cos, cos_, cosh, cosh_, sin, sin_, sinh, sinh_, tan,
                            tan_)

kernels = kernel_family("pointwise")

__all__ = [
    "abs", "absolute", "exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "sqrt", "rsqrt", "square", "sin",
    "cos", "tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "sinh", "cosh", "asinh", "arcsinh",
    "acosh", "arccosh", "atanh", "arctanh", "erf", "erfc", "erfinv", "reciprocal", "sinc", "logit", "abs_", "exp_",
    "exp2_", "log_", "log2_", "log10_", "log1p_", "expm1_", "sqrt_", "rsqrt_", "square_", "sin_", "cos_", "tan_",
    "asin_", "acos_", "atan_", "sinh_", "cosh_", "erf_", "erfc_", "erfinv_", "reciprocal_", "sinc_", "logit_",
]

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0


def _own(temporary):
    """A temporary array as its ufunc's ``out`` (no new allocation), None for the numpy scalar a 0-d op gives."""
    return temporary if type(temporary) is np.ndarray else None


class AbsBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return threaded.multiply(grad, halves.run(np.sign, self.x))

    def backward_graph(self, grad):
        if self.x.dtype.kind == "c":  # sgn(z) = z / |z| varies with z (real signs are locally constant)
            zero = Tensor._make(self.x == 0)
            z = operand(self, 0, self.x).masked_fill(zero, 1)
            return grad * (z / z.abs()).masked_fill(zero, 0)
        return with_zero_input_edges(self, grad * Tensor._make(np.sign(self.x)))


class ExpBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return threaded.multiply(grad, self.result)

    def backward_graph(self, grad):
        return grad * recomputed_output(self, operand(self, 0, None).exp(), self.result)


class Exp2Backward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return grad * self.result * _LN2

    def backward_graph(self, grad):
        return grad * recomputed_output(self, operand(self, 0, None).exp2(), self.result) * _LN2


class Expm1Backward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return grad * (self.result + 1)

    def backward_graph(self, grad):
        return grad * (recomputed_output(self, operand(self, 0, None).expm1(), self.result) + 1)


class LogBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return threaded.divide(grad, self.x)

    def backward_graph(self, grad):
        return grad / operand(self, 0, None)


class Log2Backward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / (self.x * _LN2)

    def backward_graph(self, grad):
        return grad / (operand(self, 0, None) * _LN2)


class Log10Backward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / (self.x * _LN10)

    def backward_graph(self, grad):
        return grad / (operand(self, 0, None) * _LN10)


class Log1PBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / (self.x + 1)

    def backward_graph(self, grad):
        return grad / (operand(self, 0, None) + 1)


class SqrtBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return threaded.divide(grad, threaded.multiply(self.result, 2))  # r * 2 is 2 * r's bits

    def backward_graph(self, grad):
        return grad / (2 * recomputed_output(self, operand(self, 0, None).sqrt(), self.result))


class RsqrtBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        r = self.result
        cube = threaded.multiply(threaded.multiply(threaded.multiply(r, -0.5), r), r)  # (-0.5 * r) * r * r
        return threaded.multiply(grad, cube)

    def backward_graph(self, grad):
        return grad * (-0.5 * recomputed_output(self, operand(self, 0, None).rsqrt(), self.result) ** 3)


class PowBackward0(Node):
    """``square`` is ``pow(x, 2)`` in PyTorch, hence the name."""

    __slots__ = ("x",)

    def backward(self, grad):
        return threaded.multiply(grad, threaded.multiply(self.x, 2))

    def backward_graph(self, grad):
        return grad * (2 * operand(self, 0, None))


class ReciprocalBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        square = threaded.multiply(self.result, self.result)
        return threaded.multiply(grad, halves.run(np.negative, square, out=_own(square)))

    def backward_graph(self, grad):
        r = recomputed_output(self, operand(self, 0, None).reciprocal(), self.result)
        return -grad * r * r


class ErfBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * (kernels.TWO_OVER_SQRT_PI * np.exp(-(self.x * self.x)))

    def backward_graph(self, grad):
        x = operand(self, 0, None)
        return grad * kernels.TWO_OVER_SQRT_PI * (-(x * x)).exp()


class ErfcBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * (-kernels.TWO_OVER_SQRT_PI * np.exp(-(self.x * self.x)))

    def backward_graph(self, grad):
        x = operand(self, 0, None)
        return grad * -kernels.TWO_OVER_SQRT_PI * (-(x * x)).exp()


class ErfinvBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return grad * (_SQRT_PI_OVER_TWO * np.exp(self.result * self.result))

    def backward_graph(self, grad):
        y = operand(self, 0, None).erfinv()
        return grad * _SQRT_PI_OVER_TWO * (y * y).exp()


class SincBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        x = self.x
        pix = np.pi * x
        with np.errstate(divide="ignore", invalid="ignore"):
            d = (pix * np.cos(pix) - np.sin(pix)) / (pix * x)
        return grad * np.where(x == 0, 0, d)

    def backward_graph(self, grad):
        zero = Tensor._make(self.x == 0)
        x = operand(self, 0, self.x).masked_fill(zero, 1.0)  # no inf reaches the masked-out branch's gradient
        pix = math.pi * x
        return grad * ((pix * pix.cos() - pix.sin()) / (pix * x)).masked_fill(zero, 0.0)


class LogitBackward0(Node):
    __slots__ = ("x", "eps")

    def backward(self, grad):
        x = self.x
        with np.errstate(divide="ignore", invalid="ignore"):
            g = grad / (x * (1 - x))
        if self.eps is None:
            return np.where((x < 0) | (x > 1), np.nan, g)
        return np.where((x < self.eps) | (x > 1 - self.eps), 0, g)

    def backward_graph(self, grad):
        x = operand(self, 0, self.x)
        g = grad / (x * (1 - x))
        if self.eps is None:
            return g.masked_fill(Tensor._make((self.x < 0) | (self.x > 1)), math.nan)
        return g.masked_fill(Tensor._make((self.x < self.eps) | (self.x > 1 - self.eps)), 0.0)


@tensor_method("abs", "absolute", "__abs__")
def abs(input):
    """Elementwise absolute value ``|input|``; ``absolute`` is an alias."""
    arr = input._data
    if arr.dtype == np.bool_:
        raise _not_implemented_for("abs_cpu", arr.dtype)
    return record(halves.run(np.abs, arr), AbsBackward0, (input,), reads=(input,), x=arr)


absolute = abs


@tensor_method()
def exp(input):
    """Elementwise exponential ``e ** input``."""
    out = np.asarray(halves.run(np.exp, float_array(input)), like=input._data)
    return record(out, ExpBackward0, (input,), reads=(OUTPUT,), result=out)


@tensor_method()
def exp2(input):
    """Elementwise base-2 exponential ``2 ** input``."""
    out = np.asarray(np.exp2(float_array(input)), like=input._data)
    return record(out, Exp2Backward0, (input,), reads=(OUTPUT,), result=out)


@tensor_method()
def expm1(input):
    """Elementwise ``exp(input) - 1``, accurate for small inputs."""
    out = np.asarray(np.expm1(float_array(input)), like=input._data)
    return record(out, Expm1Backward0, (input,), reads=(OUTPUT,), result=out)


@tensor_method()
def log(input):
    """Elementwise natural logarithm (``nan`` below 0, ``-inf`` at 0)."""
    x = float_array(input)
    with np.errstate(divide="ignore", invalid="ignore"):
        return record(halves.run(np.log, x), LogBackward0, (input,), reads=(input,), x=x)


@tensor_method()
def log2(input):
    """Elementwise base-2 logarithm."""
    x = float_array(input)
    with np.errstate(divide="ignore", invalid="ignore"):
        return record(np.log2(x), Log2Backward0, (input,), reads=(input,), x=x)


@tensor_method()
def log10(input):
    """Elementwise base-10 logarithm."""
    x = float_array(input)
    with np.errstate(divide="ignore", invalid="ignore"):
        return record(np.log10(x), Log10Backward0, (input,), reads=(input,), x=x)


@tensor_method()
def log1p(input):
    """Elementwise ``log(1 + input)``, accurate for small inputs."""
    x = float_array(input)
    with np.errstate(divide="ignore", invalid="ignore"):
        return record(np.log1p(x), Log1PBackward0, (input,), reads=(input,), x=x)


@tensor_method()
def sqrt(input):
    """Elementwise square root (``nan`` for negative inputs)."""
    x = float_array(input)
    if x.dtype in KERNEL_DTYPES:
        out = kernels.sqrt(x)
    else:
        with np.errstate(invalid="ignore"):
            out = np.asarray(np.sqrt(x), like=input._data)
    return record(out, SqrtBackward0, (input,), reads=(OUTPUT,), result=out)


@tensor_method()
def rsqrt(input):
    """Elementwise reciprocal square root ``1 / sqrt(input)``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        root = halves.run(np.sqrt, float_array(input))
        out = np.asarray(halves.run(np.true_divide, 1, root, out=_own(root)), like=input._data)  # 1 / root
        return record(out, RsqrtBackward0, (input,), reads=(OUTPUT,), result=out)


@tensor_method()
def square(input):
    """Elementwise square ``input * input``."""
    arr = input._data
    if arr.dtype == np.bool_:
        arr = arr.astype(np.int64)
    return record(arr * arr, PowBackward0, (input,), reads=(input,), x=arr)


@tensor_method()
def reciprocal(input):
    """Elementwise reciprocal ``1 / input``; integer inputs give a floating result."""
    with np.errstate(divide="ignore"):
        out = np.asarray(halves.run(np.true_divide, 1, float_array(input)), like=input._data)
        return record(out, ReciprocalBackward0, (input,), reads=(OUTPUT,), result=out)


@tensor_method()
@computes_in_float32
def erf(input):
    """Elementwise Gauss error function."""
    x = float_array(input)
    return record(kernels.erf(x), ErfBackward0, (input,), reads=(input,), x=x)


@tensor_method()
@computes_in_float32
def erfc(input):
    """Elementwise complementary error function ``1 - erf(input)``."""
    x = float_array(input)
    return record(kernels.erfc(x), ErfcBackward0, (input,), reads=(input,), x=x)


@tensor_method()
@computes_in_float32
def erfinv(input):
    """Elementwise inverse error function, defined on ``(-1, 1)``."""
    # PyTorch's erfinv backward recomputes from the input, so the input (not the result) is version-checked.
    out = kernels.erfinv(float_array(input))
    return record(out, ErfinvBackward0, (input,), reads=(input,), result=out)


@tensor_method()
def sinc(input):
    """Elementwise normalised sinc ``sin(pi * x) / (pi * x)``, 1 at 0."""
    x = float_array(input)
    return record(np.sinc(x), SincBackward0, (input,), reads=(input,), x=x)


@tensor_method()
def logit(input, eps=None):
    """Elementwise log-odds ``log(p / (1 - p))``; with ``eps`` the input is first clamped to ``[eps, 1 - eps]``."""
    x = float_array(input)
    z = x if eps is None else np.clip(x, eps, 1 - eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(z / (1 - z))
    return record(out, LogitBackward0, (input,), reads=(input,), x=x, eps=eps)


# In-place forms: Tensor methods and torch.<name>_ functions.
for _name, _fn in (
        ("abs_", abs), ("absolute_", abs), ("exp_", exp), ("exp2_", exp2), ("expm1_", expm1), ("log_", log),
        ("log2_", log2), ("log10_", log10), ("log1p_", log1p), ("sqrt_", sqrt), ("rsqrt_", rsqrt),
        ("square_", square), ("reciprocal_", reciprocal), ("erf_", erf), ("erfc_", erfc),
        ("erfinv_", erfinv), ("sinc_", sinc), ("logit_", logit)):
    globals()[_name] = inplace_variant(_name, _fn)
del _name, _fn
