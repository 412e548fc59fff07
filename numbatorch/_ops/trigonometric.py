"""Trigonometric and hyperbolic functions and their inverses (``torch.sin`` ... ``torch.atanh``, aliases
``arcsin`` ..., Tensor methods and in-place forms); ``unary_math`` re-exports them."""
import numpy as np

from .._tensor import tensor_method
from ..autograd.graph import Node, operand, recomputed_output
from ..backends.cpu import _arithmetic_kernels as threaded, _ufunc_halves as halves
from ._util import OUTPUT, float_array, inplace_variant, record

__all__ = [
    "sin", "cos", "tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "sinh", "cosh", "asinh", "arcsinh",
    "acosh", "arccosh", "atanh", "arctanh", "sin_", "cos_", "tan_", "asin_", "acos_", "atan_", "sinh_", "cosh_",
]


class SinBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return threaded.multiply(grad, halves.run(np.cos, self.x))

    def backward_graph(self, grad):
        return grad * operand(self, 0, None).cos()


class CosBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * -np.sin(self.x)

    def backward_graph(self, grad):
        return grad * -operand(self, 0, None).sin()


class TanBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return grad * (1 + self.result * self.result)

    def backward_graph(self, grad):
        t = recomputed_output(self, operand(self, 0, None).tan(), self.result)
        return grad * (1 + t * t)


class AsinBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / np.sqrt(1 - self.x * self.x)

    def backward_graph(self, grad):
        x = operand(self, 0, None)
        return grad / (1 - x * x).sqrt()


class AcosBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return -grad / np.sqrt(1 - self.x * self.x)

    def backward_graph(self, grad):
        x = operand(self, 0, None)
        return -grad / (1 - x * x).sqrt()


class AtanBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / (1 + self.x * self.x)

    def backward_graph(self, grad):
        x = operand(self, 0, None)
        return grad / (1 + x * x)


class SinhBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * np.cosh(self.x)

    def backward_graph(self, grad):
        return grad * operand(self, 0, None).cosh()


class CoshBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * np.sinh(self.x)

    def backward_graph(self, grad):
        return grad * operand(self, 0, None).sinh()


class AsinhBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / np.sqrt(self.x * self.x + 1)

    def backward_graph(self, grad):
        x = operand(self, 0, None)
        return grad / (x * x + 1).sqrt()


class AcoshBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / np.sqrt(self.x * self.x - 1)

    def backward_graph(self, grad):
        x = operand(self, 0, None)
        return grad / (x * x - 1).sqrt()


class AtanhBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / (1 - self.x * self.x)

    def backward_graph(self, grad):
        x = operand(self, 0, None)
        return grad / (1 - x * x)


@tensor_method()
def sin(input):
    """Elementwise sine (radians)."""
    x = float_array(input)
    return record(halves.run(np.sin, x), SinBackward0, (input,), reads=(input,), x=x)


@tensor_method()
def cos(input):
    """Elementwise cosine (radians)."""
    x = float_array(input)
    return record(np.cos(x), CosBackward0, (input,), reads=(input,), x=x)


@tensor_method()
def tan(input):
    """Elementwise tangent (radians)."""
    out = np.asarray(np.tan(float_array(input)), like=input._data)
    return record(out, TanBackward0, (input,), reads=(OUTPUT,), result=out)


@tensor_method("asin", "arcsin")
def asin(input):
    """Elementwise inverse sine; ``arcsin`` is an alias."""
    x = float_array(input)
    with np.errstate(invalid="ignore"):
        return record(np.arcsin(x), AsinBackward0, (input,), reads=(input,), x=x)


@tensor_method("acos", "arccos")
def acos(input):
    """Elementwise inverse cosine; ``arccos`` is an alias."""
    x = float_array(input)
    with np.errstate(invalid="ignore"):
        return record(np.arccos(x), AcosBackward0, (input,), reads=(input,), x=x)


@tensor_method("atan", "arctan")
def atan(input):
    """Elementwise inverse tangent; ``arctan`` is an alias."""
    x = float_array(input)
    return record(np.arctan(x), AtanBackward0, (input,), reads=(input,), x=x)


@tensor_method()
def sinh(input):
    """Elementwise hyperbolic sine."""
    x = float_array(input)
    return record(np.sinh(x), SinhBackward0, (input,), reads=(input,), x=x)


@tensor_method()
def cosh(input):
    """Elementwise hyperbolic cosine."""
    x = float_array(input)
    return record(np.cosh(x), CoshBackward0, (input,), reads=(input,), x=x)


@tensor_method("asinh", "arcsinh")
def asinh(input):
    """Elementwise inverse hyperbolic sine; ``arcsinh`` is an alias."""
    x = float_array(input)
    return record(np.arcsinh(x), AsinhBackward0, (input,), reads=(input,), x=x)


@tensor_method("acosh", "arccosh")
def acosh(input):
    """Elementwise inverse hyperbolic cosine; ``arccosh`` is an alias."""
    x = float_array(input)
    with np.errstate(invalid="ignore"):
        return record(np.arccosh(x), AcoshBackward0, (input,), reads=(input,), x=x)


@tensor_method("atanh", "arctanh")
def atanh(input):
    """Elementwise inverse hyperbolic tangent; ``arctanh`` is an alias."""
    x = float_array(input)
    with np.errstate(divide="ignore", invalid="ignore"):
        return record(np.arctanh(x), AtanhBackward0, (input,), reads=(input,), x=x)


arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh

# In-place forms: Tensor methods and torch.<name>_ functions.
for _name, _fn in (
        ("sin_", sin), ("cos_", cos), ("tan_", tan), ("asin_", asin), ("arcsin_", asin), ("acos_", acos),
        ("arccos_", acos), ("atan_", atan), ("arctan_", atan), ("sinh_", sinh), ("cosh_", cosh), ("asinh_", asinh),
        ("arcsinh_", asinh), ("acosh_", acosh), ("arccosh_", acosh), ("atanh_", atanh), ("arctanh_", atanh)):
    globals()[_name] = inplace_variant(_name, _fn)
del _name, _fn
