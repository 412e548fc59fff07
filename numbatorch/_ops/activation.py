"""Elementwise activations: sigmoid, relu, tanh (backward fused in Numba kernels)."""
import numpy as np

from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, operand, recomputed_output, with_zero_input_edges
from ._util import OUTPUT, float_array, inplace_variant, record
from ..backends.cpu import pointwise as kernels

__all__ = [
    "tanh", "sigmoid", "relu", "tanh_", "sigmoid_", "relu_",
]

class TanhBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return kernels.tanh_backward(grad, self.result)

    def backward_graph(self, grad):
        y = recomputed_output(self, operand(self, 0, None).tanh(), self.result)
        return grad * (1 - y * y)


class SigmoidBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return kernels.sigmoid_backward(grad, self.result)

    def backward_graph(self, grad):
        y = recomputed_output(self, operand(self, 0, None).sigmoid(), self.result)
        return grad * y * (1 - y)


class ReluBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return grad * (self.result > 0)

    def backward_graph(self, grad):
        # The mask is piecewise constant: its own derivative is zero.
        return with_zero_input_edges(self, grad * Tensor._make(self.result > 0))


@tensor_method()
def tanh(input):
    """Elementwise hyperbolic tangent."""
    out = np.asarray(np.tanh(float_array(input)))
    return record(out, TanhBackward0, (input,), reads=(OUTPUT,), result=out)


@tensor_method()
def sigmoid(input):
    """Elementwise logistic sigmoid ``1 / (1 + exp(-input))``."""
    out = np.asarray(kernels.sigmoid(float_array(input)))
    return record(out, SigmoidBackward0, (input,), reads=(OUTPUT,), result=out)


@tensor_method()
def relu(input):
    """Elementwise rectified linear unit ``max(0, input)``."""
    arr = input._data
    if arr.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    out = np.asarray(np.maximum(arr, 0, dtype=arr.dtype))
    return record(out, ReluBackward0, (input,), reads=(OUTPUT,), result=out)


# In-place forms: Tensor methods and torch.<name>_ functions.
for _name, _fn in (
        ("tanh_", tanh), ("sigmoid_", sigmoid), ("relu_", relu)):
    globals()[_name] = inplace_variant(_name, _fn)
del _name, _fn
