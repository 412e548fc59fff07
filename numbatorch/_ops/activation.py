"""Elementwise activations: sigmoid, relu, tanh (backward fused in Numba kernels)."""
import numpy as np

from .._tensor import tensor_method
from ..autograd.graph import Node
from ._util import float_array, inplace_variant
from ..backends.cpu import pointwise as kernels
from ._elementwise import _record_out

__all__ = [
    "tanh", "sigmoid", "relu", "tanh_", "sigmoid_", "relu_",
]

class TanhBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return kernels.tanh_backward(grad, self.result)


class SigmoidBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return kernels.sigmoid_backward(grad, self.result)


class ReluBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return grad * (self.result > 0)


@tensor_method()
def tanh(input):
    return _record_out(np.tanh(float_array(input)), TanhBackward0, input)


@tensor_method()
def sigmoid(input):
    return _record_out(kernels.sigmoid(float_array(input)), SigmoidBackward0, input)


@tensor_method()
def relu(input):
    arr = input._data
    if arr.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return _record_out(np.maximum(arr, 0, dtype=arr.dtype), ReluBackward0, input)


# In-place forms: Tensor methods and torch.<name>_ functions.
for _name, _fn in (
        ("tanh_", tanh), ("sigmoid_", sigmoid), ("relu_", relu)):
    globals()[_name] = inplace_variant(_name, _fn)
del _name, _fn
