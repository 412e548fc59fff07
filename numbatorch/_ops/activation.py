"""Activation family: ``relu``, ``sigmoid`` and ``tanh`` (``torch.*``, Tensor methods and ``nn.functional``
alike) and the shared machinery of the other activations.

The family is three modules: this one, ``activation_piecewise`` (rectifiers, clamps, shrinks: piecewise
linear or polynomial) and ``activation_smooth`` (ELU family, GELU, SiLU, softplus, ...). Each function
checks its argument with PyTorch's error text, computes forward on the array, and records its node with
``record``; ``nn.functional`` re-exports them.
"""
import numpy as np

from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, with_zero_input_edges
from ._half_precision import computes_in_float32
from ._dtype_args import require_floating
from ._tensor_args import require_tensor
from ._inplace_direct import direct_relu
from ._util import OUTPUT, apply_inplace, float_array, inplace_variant, record
from ..backends import kernel_family
from ..backends.cpu.pointwise import KERNEL_DTYPES

kernels = kernel_family("pointwise")

__all__ = [
    "tanh", "sigmoid", "relu", "tanh_", "sigmoid_", "relu_",
]


class TanhBackward0(Node):
    __slots__ = ("result",)
    history_only_inputs = True

    def backward(self, grad):
        return kernels.tanh_backward(grad, self.result)

    def backward_graph(self, grad):
        # The output, differentiable through this node: tanh's gradient never reads its input (PyTorch's too).
        y = Tensor._make(self.result, self)
        return grad * (1 - y * y)


class SigmoidBackward0(Node):
    __slots__ = ("result",)
    history_only_inputs = True

    def backward(self, grad):
        return kernels.sigmoid_backward(grad, self.result)

    def backward_graph(self, grad):
        y = Tensor._make(self.result, self)  # the output, differentiable through this node, as in tanh's
        return grad * y * (1 - y)


class ReluBackward0(Node):
    __slots__ = ("result",)
    history_only_inputs = True

    def backward(self, grad):
        if self.result.dtype in KERNEL_DTYPES:
            return kernels.relu_backward(grad, self.result)
        return grad * (self.result > 0)

    def backward_graph(self, grad):
        # The mask is piecewise constant: its own derivative is zero.
        return with_zero_input_edges(self, grad * Tensor._make(self.result > 0))


@tensor_method()
@computes_in_float32
def tanh(input):
    """Elementwise hyperbolic tangent.

    See ``nn.Tanh`` for the shapes.
    """
    require_tensor("tanh", input)
    out = np.asarray(kernels.tanh(float_array(input)), like=input._data)
    return record(out, TanhBackward0, (input,), reads=(OUTPUT,), result=out)


@tensor_method()
@computes_in_float32
def sigmoid(input):
    """Elementwise logistic sigmoid ``1 / (1 + exp(-input))``.

    See ``nn.Sigmoid`` for the shapes.
    """
    require_tensor("sigmoid", input)
    x = float_array(input)
    if x.dtype.kind == "c":  # the kernel is real-only (math.exp)
        out = 1 / (1 + np.exp(-x))
    else:
        out = np.asarray(kernels.sigmoid(x), like=input._data)
    return record(out, SigmoidBackward0, (input,), reads=(OUTPUT,), result=out)


@tensor_method()
def relu(input):
    """Elementwise rectified linear unit ``max(0, input)``.

    See ``nn.ReLU`` for the shapes.
    """
    require_tensor("relu", input)
    arr = input._data
    if arr.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    if arr.dtype in KERNEL_DTYPES:
        out = kernels.relu(arr)
    else:
        # not np.maximum: for bfloat16 it turned -0.0 into +0.0, where PyTorch passes -0.0 and NaN through
        out = np.asarray(np.where(arr < 0, arr.dtype.type(0), arr), like=arr)
    return record(out, ReluBackward0, (input,), reads=(OUTPUT,), result=out)


# In-place forms: Tensor methods and torch.<name>_ functions (F.relu_ is torch.relu_: named here so that
# pickle finds it by name).
for _name, _fn in (
        ("tanh_", tanh), ("sigmoid_", sigmoid), ("relu_", relu)):
    globals()[_name] = direct_relu(_name, _fn, ReluBackward0) if _fn is relu else inplace_variant(_name, _fn)
    globals()[_name].__qualname__ = _name
    globals()[_name].__module__ = __name__
del _name, _fn


class InputNode(Node):
    """Backward of an elementwise activation that reads only the input array ``x`` (and options ``a``, ``b``)."""

    __slots__ = ("x", "a", "b")


def unary(fname, input, inplace, forward, node_cls, kernel=None, **saved):
    """Apply activation ``fname`` (``forward`` on the float array), recording ``node_cls`` with the input as
    ``x``; ``inplace`` writes the result back into ``input``.

    A non-Tensor input raises PyTorch's TypeError naming ``fname`` (``fname_`` in place); ``fname`` None skips
    that check for the caller to make. With ``kernel`` (PyTorch's kernel name) a non-floating input raises
    PyTorch's NotImplementedError naming it, as PyTorch implements these for floating types only."""
    if fname is not None:
        require_tensor(fname + "_" if inplace else fname, input)
    if kernel is not None:
        require_floating(kernel, input._data)
    result = _activation(input, forward, node_cls, saved)
    return apply_inplace(input, result) if inplace else result


@computes_in_float32
def _activation(input, forward, node_cls, saved):
    x = float_array(input)
    return record(forward(x), node_cls, (input,), x=x, **saved)


def keep_integers(input, inplace, forward):
    """PyTorch computes clamp-like activations of integer input in its dtype; integers take no gradient, so no
    graph is recorded."""
    out = Tensor._make(forward(input._data))
    return apply_inplace(input, out) if inplace else out
