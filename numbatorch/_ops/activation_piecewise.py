"""Piecewise activations (``nn.functional``): rectifiers (leaky, randomized, parametric), clamps (hardtanh,
relu6, threshold), hard sigmoid/swish and the shrinks. Part of the activation family (see ``activation``)."""
import numpy as np

from .._random import numpy_generator
from .._tensor import Tensor
from ..backends.cpu import _piecewise_kernels as piecewise
from ..autograd.graph import Node, backward_with_constant_slopes, operand, with_zero_input_edges
from ._dtype_args import integer_scalar, require_floating, scalar_name
from ._tensor_args import require_tensor
from ._util import apply_inplace, float_array, record
from .activation import InputNode, keep_integers, unary
from .ternary import where

__all__ = ["hardshrink", "hardsigmoid", "hardswish", "hardtanh", "hardtanh_", "leaky_relu", "leaky_relu_", "prelu",
           "relu6", "rrelu", "rrelu_", "softshrink", "threshold", "threshold_"]


class LeakyReluBackward0(InputNode):
    __slots__ = ()

    def backward(self, grad):
        return piecewise.leaky_relu_backward(grad, self.x, self.a)

    def backward_graph(self, grad):
        return with_zero_input_edges(self, grad * Tensor._make(np.where(self.x > 0, 1, self.a).astype(self.x.dtype)))


class HardtanhBackward0(InputNode):
    __slots__ = ()

    def backward(self, grad):
        return piecewise.hardtanh_backward(grad, self.x, self.a, self.b)

    def backward_graph(self, grad):
        return with_zero_input_edges(self, backward_with_constant_slopes(self, grad))


class HardsigmoidBackward0(InputNode):
    __slots__ = ()

    def backward(self, grad):
        return piecewise.hardsigmoid_backward(grad, self.x)

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


class HardswishBackward0(InputNode):
    __slots__ = ()

    def backward(self, grad):
        return piecewise.hardswish_backward(grad, self.x)

    def backward_graph(self, grad):
        x = self.x
        middle = Tensor._make(((x >= -3) & (x <= 3)).astype(x.dtype))
        return grad * (middle * (2 * operand(self, 0, None) + 3) / 6 + Tensor._make((x > 3).astype(x.dtype)))


class ShrinkBackward0(InputNode):
    __slots__ = ()

    def backward(self, grad):
        return np.where(np.abs(self.x) > self.a, grad, 0).astype(grad.dtype, copy=False)

    def backward_graph(self, grad):
        return with_zero_input_edges(self, backward_with_constant_slopes(self, grad))


class ThresholdBackward0(InputNode):
    __slots__ = ()

    def backward(self, grad):
        return np.where(self.x > self.a, grad, 0).astype(grad.dtype, copy=False)

    def backward_graph(self, grad):
        return with_zero_input_edges(self, backward_with_constant_slopes(self, grad))


class MulConstantBackward(InputNode):
    """Gradient of ``x * mask`` with a constant mask (RReLU in training)."""

    __slots__ = ()

    def backward(self, grad):
        return grad * self.a

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


class PreluBackward0(Node):
    __slots__ = ("x", "w", "w_shape")

    def backward(self, grad):
        x, w = self.x, self.w
        gx = np.where(x > 0, grad, grad * w) if self.inputs[0] is not None else None
        gw = None
        if self.inputs[1] is not None:
            gw = np.where(x > 0, 0, grad * x)
            axes = tuple(i for i in range(gw.ndim) if i != (1 if gw.ndim > 1 else -1) or self.w_shape == (1,))
            gw = gw.sum(axis=axes).reshape(self.w_shape)
        return gx, gw

    def backward_graph(self, grad):
        x, w = operand(self, 0, self.x), operand(self, 1, self.w)
        positive = Tensor._make(self.x > 0)
        gx = where(positive, grad, grad * w.reshape(self.w.shape)) if self.inputs[0] is not None else None
        gw = None
        if self.inputs[1] is not None:
            gw = where(positive, grad * 0, grad * x)
            axes = tuple(i for i in range(gw.dim()) if i != (1 if gw.dim() > 1 else -1) or self.w_shape == (1,))
            gw = gw.sum(axes).reshape(self.w_shape)
        return gx, gw


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """Elementwise ``x`` for ``x >= 0``, else ``negative_slope * x``.

    See ``nn.LeakyReLU`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return unary("leaky_relu", input, inplace, lambda x: piecewise.leaky_relu(x, negative_slope),
                 LeakyReluBackward0, a=negative_slope, kernel="leaky_relu_cpu")


def leaky_relu_(input, negative_slope=0.01):
    """In-place ``leaky_relu``."""
    return leaky_relu(input, negative_slope, True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamps elements to ``[min_val, max_val]``.

    See ``nn.Hardtanh`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    require_tensor("hardtanh_" if inplace else "hardtanh", input)
    kind = input._data.dtype.kind
    if kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if kind == "u" and (min_val < 0 or max_val < 0):
        raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
    if kind in "iu":
        low, high = integer_scalar(min_val, input._data.dtype), integer_scalar(max_val, input._data.dtype)
        return keep_integers(input, inplace, lambda x: np.clip(x, low, high))
    return unary(None, input, inplace, lambda x: piecewise.hardtanh(x, min_val, max_val),
                 HardtanhBackward0, a=min_val, b=max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place ``hardtanh``."""
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    """Elementwise ``min(max(0, x), 6)``.

    See ``nn.ReLU6`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    require_tensor("relu6_" if inplace else "relu6", input)
    return hardtanh(input, 0.0, 6.0, inplace)


def threshold(input, threshold, value, inplace=False):
    """Elementwise ``x`` where ``x > threshold``, else ``value``.

    See ``nn.Threshold`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    require_tensor("threshold_" if inplace else "threshold", input)
    if input._data.dtype.kind == "b":
        require_floating("threshold_cpu", input._data)
    if input._data.dtype.kind in "iu":
        low, fill = integer_scalar(threshold, input._data.dtype), integer_scalar(value, input._data.dtype)
        return keep_integers(input, inplace, lambda x: np.where(x > low, x, fill))
    return unary(None, input, inplace,
                 lambda x: np.where(x > threshold, x, value).astype(x.dtype, copy=False),
                 ThresholdBackward0, a=threshold)


def threshold_(input, threshold_value, value):
    """In-place ``threshold``."""
    return threshold(input, threshold_value, value, True)


def hardsigmoid(input, inplace=False):
    """Elementwise ``clamp(x / 6 + 1/2, 0, 1)``.

    See ``nn.Hardsigmoid`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return unary("hardsigmoid", input, inplace, piecewise.hardsigmoid, HardsigmoidBackward0,
                 kernel="hardsigmoid_cpu")


def hardswish(input, inplace=False):
    """Elementwise ``x * clamp(x + 3, 0, 6) / 6``.

    See ``nn.Hardswish`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return unary("hardswish", input, inplace, piecewise.hardswish, HardswishBackward0, kernel="hardswish_cpu")


def softshrink(input, lambd=0.5):
    """Moves elements towards zero by ``lambd``, zeroing ``|x| <= lambd``.

    See ``nn.Softshrink`` for the arguments and shapes.
    """
    def forward(x):
        return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0)).astype(x.dtype, copy=False)
    return unary("softshrink", input, False, forward, ShrinkBackward0, a=lambd, kernel="softshrink_check")


def hardshrink(input, lambd=0.5):
    """Keeps elements with ``|x| > lambd``, zeroes the rest.

    See ``nn.Hardshrink`` for the arguments and shapes.
    """
    return unary("hardshrink", input, False,
                 lambda x: np.where(np.abs(x) > lambd, x, 0).astype(x.dtype, copy=False),
                 ShrinkBackward0, a=lambd, kernel="hardshrink_cpu")


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: a random negative slope per element in training, their mean in eval."""
    require_tensor("rrelu_" if inplace else "rrelu", input)
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    require_floating("rrelu_with_noise_out_cpu", input._data)
    x = float_array(input)
    slopes = np.asarray(numpy_generator().uniform(lower, upper, x.shape), like=x)  # drawn on the host
    scale = np.where(x >= 0, 1.0, slopes).astype(x.dtype)
    result = record(x * scale, MulConstantBackward, (input,), a=scale)
    return apply_inplace(input, result) if inplace else result


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """``F.rrelu(input, lower, upper, training, inplace=True)``."""
    return rrelu(input, lower, upper, training, inplace=True)


def prelu(input, weight):
    """``max(0, x) + weight * min(0, x)`` with one weight or one per channel (dim 1)."""
    require_tensor("prelu", input)
    x, w = input._data, weight._data
    if w.size != 1 and (x.ndim < 2 or x.shape[1] != w.size) and not (x.ndim == 1 and x.shape[0] == w.size):
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{w.size} and channel size = {x.shape[1] if x.ndim > 1 else 1}.")
    if x.dtype != w.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {scalar_name(x.dtype)} and "
                           f"{scalar_name(w.dtype)}")
    wb = w.reshape((1, -1) + (1,) * (x.ndim - 2)) if w.size != 1 and x.ndim > 1 else w.reshape(())
    out = np.where(x > 0, x, x * wb)
    return record(out, PreluBackward0, (input, weight), x=x, w=wb, w_shape=w.shape)
