"""Elementwise functions of ``backends.cpu.pointwise`` on device arrays, composed from the array library's
ufuncs (each one fused pass on the GPU is not worth a hand-written kernel)."""
from ._array import xp


def sigmoid(x):
    """``1 / (1 + exp(-x))``, written with tanh so that no exponential overflows."""
    return 0.5 * (1 + xp.tanh(x * 0.5))


def sigmoid_backward(grad, result):
    """``grad * y * (1 - y)`` for ``y = sigmoid(x)``, in ``result``'s dtype."""
    return (grad * (result * (1 - result))).astype(result.dtype, copy=False)


def tanh(x):
    """Hyperbolic tangent."""
    return xp.tanh(x)


def tanh_backward(grad, result):
    """``grad * (1 - y * y)`` for ``y = tanh(x)``, in ``result``'s dtype."""
    return (grad * (1 - result * result)).astype(result.dtype, copy=False)


def relu(x):
    """``max(x, 0)`` as PyTorch computes it: -0.0 and NaN pass through."""
    return xp.where(x < 0, 0, x).astype(x.dtype, copy=False)


def relu_backward(grad, result):
    """``grad`` where ``result`` is positive (or NaN), 0 elsewhere, in ``result``'s dtype."""
    return xp.where(result <= 0, 0, grad).astype(result.dtype, copy=False)


def sqrt(x):
    """Square root (NaN for negatives)."""
    return xp.sqrt(x)
