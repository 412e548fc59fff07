"""Elementwise functions of ``backends.cpu.pointwise`` on device arrays, composed from the array library's
ufuncs (each one fused pass on the GPU is not worth a hand-written kernel)."""
from ._array import xp


def sigmoid(x):
    """``1 / (1 + exp(-x))``, written with tanh so that no exponential overflows."""
    return 0.5 * (1 + xp.tanh(x * 0.5))


def sigmoid_backward(grad, result):
    """``grad * y * (1 - y)`` for ``y = sigmoid(x)``, in ``result``'s dtype."""
    return (grad * (result * (1 - result))).astype(result.dtype, copy=False)


def tanh_backward(grad, result):
    """``grad * (1 - y * y)`` for ``y = tanh(x)``, in ``result``'s dtype."""
    return (grad * (1 - result * result)).astype(result.dtype, copy=False)
