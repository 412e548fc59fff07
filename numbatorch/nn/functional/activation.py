"""Activation functions of ``nn.functional``: each a fused forward/backward on arrays."""
import math
import warnings

import numpy as np

from ..._ops._util import Tensor, apply_inplace, float_array, normalize_dim, record
from ..._random import numpy_generator
from ...autograd.graph import (Node, backward_by_recompute, backward_with_constant_slopes, operand,
                               with_zero_input_edges)
from ..._ops._dtype_args import integer_scalar, require_floating, scalar_name
from ..._ops._tensor_args import require_tensor

_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _unary(fname, input, inplace, forward, node_cls, kernel=None, **saved):
    """Apply activation ``fname``, recording ``node_cls``; ``inplace`` writes the result back into ``input``.

    A non-Tensor input raises PyTorch's TypeError naming ``fname`` (``fname_`` in place); ``fname`` None skips
    that check for the caller to make. With ``kernel`` (PyTorch's kernel name) a non-floating input raises
    PyTorch's NotImplementedError naming it, as PyTorch implements these for floating types only."""
    if fname is not None:
        require_tensor(fname + "_" if inplace else fname, input)
    if kernel is not None:
        require_floating(kernel, input._data)
    x = float_array(input)
    out = forward(x)
    result = record(out, node_cls, (input,), **saved)
    if result.grad_fn is not None:
        result.grad_fn.x = x
    if inplace:
        return apply_inplace(input, result)
    return result


def _keep_integers(input, inplace, forward):
    """PyTorch computes clamp-like activations of integer input in its dtype; integers take no gradient, so no
    graph is recorded."""
    out = Tensor._make(forward(input._data))
    return apply_inplace(input, out) if inplace else out


def _tensor_method(input, name):
    """PyTorch builds softsign/tanhshrink from Tensor methods, so a non-Tensor input fails looking ``name`` up:
    the same AttributeError (``'numpy.ndarray' object has no attribute 'abs'``) here."""
    if not isinstance(input, Tensor):
        getattr(input, name)


def _where(condition, input, other):
    from ..._ops.ternary import where
    return where(condition, input, other)


class _InputNode(Node):
    """Backward that only needs the input array ``x`` (and constant options)."""

    __slots__ = ("x", "a", "b")


class LeakyReluBackward0(_InputNode):
    def backward(self, grad):
        return np.where(self.x > 0, grad, grad * self.a)

    def backward_graph(self, grad):
        return with_zero_input_edges(self, grad * Tensor._make(np.where(self.x > 0, 1, self.a).astype(self.x.dtype)))


class EluBackward0(_InputNode):
    # a = alpha, b = scale (ELU/SELU/CELU share it; CELU passes alpha and 1/alpha as the input scale).
    def backward(self, grad):
        x = self.x
        return np.where(x > 0, grad * self.b[0], grad * self.b[0] * self.a * self.b[1] * np.exp(x * self.b[1]))

    def backward_graph(self, grad):
        scale, in_scale = self.b
        # exp of the clamped input: the unpicked branch stays finite, so its zero gradient is not 0 * inf.
        neg = (operand(self, 0, None).clamp(max=0) * in_scale).exp()
        return _where(Tensor._make(self.x > 0), grad * scale, grad * (scale * self.a * in_scale) * neg)


class GeluBackward0(_InputNode):
    def backward(self, grad):
        x = self.x
        if self.a == "tanh":
            inner = _SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)
            t = np.tanh(inner)
            d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * d_inner)
        cdf = 0.5 * (1 + _erf(x / _SQRT_2))
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return grad * (cdf + x * pdf)

    def backward_graph(self, grad):
        from ..._ops.unary_math import erf
        x = operand(self, 0, None)
        if self.a == "tanh":
            t = (_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)).tanh()
            d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * d_inner)
        cdf = 0.5 * (1 + erf(x / _SQRT_2))
        pdf = (-0.5 * x * x).exp() / math.sqrt(2 * math.pi)
        return grad * (cdf + x * pdf)


class SiluBackward0(_InputNode):
    def backward(self, grad):
        s = 1 / (1 + np.exp(-self.x))
        return grad * s * (1 + self.x * (1 - s))

    def backward_graph(self, grad):
        x = operand(self, 0, None)
        sig = x.sigmoid()
        return grad * sig * (1 + x * (1 - sig))


class MishBackward0(_InputNode):
    def backward(self, grad):
        x = self.x
        sp = np.logaddexp(0, x)
        t = np.tanh(sp)
        s = 1 / (1 + np.exp(-x))
        return grad * (t + x * (1 - t * t) * s)

    def backward_graph(self, grad):
        x = operand(self, 0, None)
        t = softplus(x).tanh()
        return grad * (t + x * (1 - t * t) * x.sigmoid())


class SoftplusBackward0(_InputNode):
    def backward(self, grad):
        z = self.x * self.a
        return np.where(z > self.b, grad, grad / (1 + np.exp(-z)))

    def backward_graph(self, grad):
        z = operand(self, 0, None) * self.a
        return _where(Tensor._make(z._data > self.b), grad, grad * z.sigmoid())


class SoftsignBackward0(_InputNode):
    def backward(self, grad):
        return grad / (1 + np.abs(self.x)) ** 2

    def backward_graph(self, grad):
        return grad / (1 + operand(self, 0, None).abs()) ** 2


class HardtanhBackward0(_InputNode):
    def backward(self, grad):
        return np.where((self.x > self.a) & (self.x < self.b), grad, 0).astype(grad.dtype, copy=False)

    def backward_graph(self, grad):
        return with_zero_input_edges(self, backward_with_constant_slopes(self, grad))


class HardsigmoidBackward0(_InputNode):
    def backward(self, grad):
        return np.where((self.x > -3) & (self.x < 3), grad / 6, 0).astype(grad.dtype, copy=False)

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


class HardswishBackward0(_InputNode):
    def backward(self, grad):
        x = self.x
        return np.where(x < -3, 0, np.where(x <= 3, grad * (2 * x + 3) / 6, grad)).astype(grad.dtype, copy=False)

    def backward_graph(self, grad):
        x = self.x
        middle = Tensor._make(((x >= -3) & (x <= 3)).astype(x.dtype))
        return grad * (middle * (2 * operand(self, 0, None) + 3) / 6 + Tensor._make((x > 3).astype(x.dtype)))


class LogSigmoidBackward0(_InputNode):
    def backward(self, grad):
        return grad / (1 + np.exp(self.x))

    def backward_graph(self, grad):
        return grad * (-operand(self, 0, None)).sigmoid()


class ShrinkBackward0(_InputNode):
    def backward(self, grad):
        return np.where(np.abs(self.x) > self.a, grad, 0).astype(grad.dtype, copy=False)

    def backward_graph(self, grad):
        return with_zero_input_edges(self, backward_with_constant_slopes(self, grad))


class TanhshrinkBackward0(_InputNode):
    def backward(self, grad):
        t = np.tanh(self.x)
        return grad * t * t

    def backward_graph(self, grad):
        t = operand(self, 0, None).tanh()
        return grad * t * t


class ThresholdBackward0(_InputNode):
    def backward(self, grad):
        return np.where(self.x > self.a, grad, 0).astype(grad.dtype, copy=False)

    def backward_graph(self, grad):
        return with_zero_input_edges(self, backward_with_constant_slopes(self, grad))


class MulConstantBackward(_InputNode):
    """Gradient of ``x * mask`` with a constant mask (RReLU in training, dropout)."""

    def backward(self, grad):
        return grad * self.a

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


def _erf(x):
    from ...backends.cpu.pointwise import erf
    return erf(x)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """Elementwise ``x`` for ``x >= 0``, else ``negative_slope * x``.

    See ``nn.LeakyReLU`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return _unary("leaky_relu", input, inplace,
                  lambda x: np.where(x > 0, x, x * negative_slope).astype(x.dtype, copy=False),
                  LeakyReluBackward0, a=negative_slope, kernel="leaky_relu_cpu")


def leaky_relu_(input, negative_slope=0.01):
    """In-place ``leaky_relu``."""
    return leaky_relu(input, negative_slope, True)


def elu(input, alpha=1.0, inplace=False):
    """Elementwise ``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

    See ``nn.ELU`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return _unary("elu", input, inplace,
                  lambda x: np.where(x > 0, x, alpha * np.expm1(x)).astype(x.dtype, copy=False),
                  EluBackward0, a=alpha, b=(1.0, 1.0), kernel="elu_cpu")


def selu(input, inplace=False):
    """Elementwise scaled ELU with the self-normalising constants.

    See ``nn.SELU`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return _unary("selu", input, inplace,
                  lambda x: (_SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(x))).astype(x.dtype, copy=False),
                  EluBackward0, a=_SELU_ALPHA, b=(_SELU_SCALE, 1.0), kernel="elu_cpu")


def celu(input, alpha=1.0, inplace=False):
    """Elementwise ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    See ``nn.CELU`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return _unary("celu", input, inplace,
                  lambda x: np.where(x > 0, x, alpha * np.expm1(x / alpha)).astype(x.dtype, copy=False),
                  EluBackward0, a=alpha, b=(1.0, 1.0 / alpha), kernel="elu_cpu")


def gelu(input, approximate="none"):
    """Elementwise ``x * Phi(x)``, exact (``approximate='none'``) or by the tanh approximation.

    See ``nn.GELU`` for the arguments and shapes.
    """
    require_tensor("gelu", input)
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")

    def forward(x):
        if approximate == "tanh":
            return (0.5 * x * (1 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))).astype(x.dtype, copy=False)
        return (0.5 * x * (1 + _erf(x / _SQRT_2))).astype(x.dtype, copy=False)
    return _unary(None, input, False, forward, GeluBackward0, a=approximate, kernel="GeluKernelImpl")


def silu(input, inplace=False):
    """Elementwise ``x * sigmoid(x)`` (swish).

    See ``nn.SiLU`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return _unary("silu", input, inplace, lambda x: x / (1 + np.exp(-x)), SiluBackward0, kernel="silu_cpu")


def mish(input, inplace=False):
    """Elementwise ``x * tanh(softplus(x))``.

    See ``nn.Mish`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return _unary("mish", input, inplace,
                  lambda x: x * np.tanh(np.logaddexp(0, x)).astype(x.dtype, copy=False),
                  MishBackward0, kernel="mish_cpu")


def softplus(input, beta=1.0, threshold=20.0):
    """Elementwise ``log(1 + exp(beta * x)) / beta``, linear above ``threshold``.

    See ``nn.Softplus`` for the arguments and shapes.
    """
    def forward(x):
        z = x * beta
        return np.where(z > threshold, x, np.logaddexp(0, z) / beta).astype(x.dtype, copy=False)
    return _unary("softplus", input, False, forward, SoftplusBackward0, a=beta, b=threshold, kernel="softplus_cpu")


def softsign(input):
    """Elementwise ``x / (1 + |x|)``.

    See ``nn.Softsign`` for the arguments and shapes.
    """
    _tensor_method(input, "abs")
    x = input._data
    if x.dtype.kind == "b":
        require_floating("abs_cpu", x)
    if x.dtype.kind in "iu":
        # PyTorch's ``input / (1 + input.abs())``: the denominator stays integer (wrapping as in C), then the
        # true division happens in the default float dtype
        default = float_array(input).dtype
        with np.errstate(divide="ignore"):
            return Tensor._make(x.astype(default) / (1 + np.abs(x)).astype(x.dtype).astype(default))
    return _unary(None, input, False, lambda x: x / (1 + np.abs(x)), SoftsignBackward0)


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
        return _keep_integers(input, inplace, lambda x: np.clip(x, low, high))
    return _unary(None, input, inplace,
                  lambda x: np.clip(x, min_val, max_val).astype(x.dtype, copy=False),
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


def hardsigmoid(input, inplace=False):
    """Elementwise ``clamp(x / 6 + 1/2, 0, 1)``.

    See ``nn.Hardsigmoid`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return _unary("hardsigmoid", input, inplace,
                  lambda x: (np.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False),
                  HardsigmoidBackward0, kernel="hardsigmoid_cpu")


def hardswish(input, inplace=False):
    """Elementwise ``x * clamp(x + 3, 0, 6) / 6``.

    See ``nn.Hardswish`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return _unary("hardswish", input, inplace,
                  lambda x: (x * np.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False),
                  HardswishBackward0, kernel="hardswish_cpu")


def logsigmoid(input):
    """Elementwise ``log(sigmoid(x))``, computed stably.

    See ``nn.LogSigmoid`` for the arguments and shapes.
    """
    return _unary("log_sigmoid", input, False, lambda x: -np.logaddexp(0, -x), LogSigmoidBackward0,
                  kernel="log_sigmoid_cpu")


def softshrink(input, lambd=0.5):
    """Moves elements towards zero by ``lambd``, zeroing ``|x| <= lambd``.

    See ``nn.Softshrink`` for the arguments and shapes.
    """
    def forward(x):
        return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0)).astype(x.dtype, copy=False)
    return _unary("softshrink", input, False, forward, ShrinkBackward0, a=lambd, kernel="softshrink_check")


def hardshrink(input, lambd=0.5):
    """Keeps elements with ``|x| > lambd``, zeroes the rest.

    See ``nn.Hardshrink`` for the arguments and shapes.
    """
    return _unary("hardshrink", input, False,
                  lambda x: np.where(np.abs(x) > lambd, x, 0).astype(x.dtype, copy=False),
                  ShrinkBackward0, a=lambd, kernel="hardshrink_cpu")


def tanhshrink(input):
    """Elementwise ``x - tanh(x)``.

    See ``nn.Tanhshrink`` for the arguments and shapes.
    """
    _tensor_method(input, "tanh")
    if input._data.dtype.kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")
    return _unary(None, input, False, lambda x: x - np.tanh(x), TanhshrinkBackward0)


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
        return _keep_integers(input, inplace, lambda x: np.where(x > low, x, fill))
    return _unary(None, input, inplace,
                  lambda x: np.where(x > threshold, x, value).astype(x.dtype, copy=False),
                  ThresholdBackward0, a=threshold)


def threshold_(input, threshold_value, value):
    """In-place ``threshold``."""
    return threshold(input, threshold_value, value, True)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: a random negative slope per element in training, their mean in eval."""
    require_tensor("rrelu_" if inplace else "rrelu", input)
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    require_floating("rrelu_with_noise_out_cpu", input._data)
    x = float_array(input)
    slopes = numpy_generator().uniform(lower, upper, x.shape)
    scale = np.where(x >= 0, 1.0, slopes).astype(x.dtype)
    result = record(x * scale, MulConstantBackward, (input,), a=scale)
    return apply_inplace(input, result) if inplace else result


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
        gx = _where(positive, grad, grad * w.reshape(self.w.shape)) if self.inputs[0] is not None else None
        gw = None
        if self.inputs[1] is not None:
            gw = _where(positive, grad * 0, grad * x)
            axes = tuple(i for i in range(gw.dim()) if i != (1 if gw.dim() > 1 else -1) or self.w_shape == (1,))
            gw = gw.sum(axes).reshape(self.w_shape)
        return gx, gw


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


class GluBackward0(Node):
    __slots__ = ("a", "b", "dim")

    def backward(self, grad):
        s = 1 / (1 + np.exp(-self.b))
        return np.concatenate([grad * s, grad * self.a * s * (1 - s)], axis=self.dim)

    def backward_graph(self, grad):
        def forward(x):
            a, b = x.chunk(2, self.dim)
            return a * b.sigmoid()
        return backward_by_recompute(self, forward, (None,), grad)


def glu(input, dim=-1):
    """Gated linear unit: ``a * sigmoid(b)`` for the halves ``a, b`` of ``input`` along ``dim``.

    See ``nn.GLU`` for the arguments and shapes.
    """
    x = input._data
    require_floating("glu_cpu", x)
    dim = normalize_dim(dim, x.ndim)
    if x.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size {x.shape[dim]}")
    a, b = np.split(x, 2, axis=dim)
    return record(a / (1 + np.exp(-b)), GluBackward0, (input,), a=a, b=b, dim=dim)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """Softmin (softmax of ``-input``) along ``dim``.

    See ``nn.Softmin`` for the arguments and shapes.
    """
    from ..._ops.softmax import softmax
    return softmax(-input, _implicit_dim("softmin", input, dim, _stacklevel), dtype=dtype)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Softmax along ``dim``; with ``dtype`` the input is cast first.

    See ``nn.Softmax`` for the arguments and shapes.
    """
    require_tensor("softmax", input)
    from ..._ops.softmax import softmax as _softmax
    return _softmax(input, _implicit_dim("softmax", input, dim, _stacklevel), dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Log of the softmax along ``dim``, computed stably; with ``dtype`` the input is cast first.

    See ``nn.LogSoftmax`` for the arguments and shapes.
    """
    require_tensor("log_softmax", input)
    from ..._ops.softmax import log_softmax as _log_softmax
    return _log_softmax(input, _implicit_dim("log_softmax", input, dim, _stacklevel), dtype=dtype)


def _implicit_dim(name, input, dim, stacklevel):
    # PyTorch's legacy rule for a missing dim: 0 for 0-, 1- and 3-D inputs, else 1 (with its warning).
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=stacklevel)
    return 0 if input.dim() in (0, 1, 3) else 1


def relu(input, inplace=False):
    """Elementwise ``max(0, x)``.

    See ``nn.ReLU`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    require_tensor("relu", input)
    from ..._ops.activation import relu as _relu
    return apply_inplace(input, _relu(input)) if inplace else _relu(input)


def relu_(input):
    """In-place ``relu``."""
    return relu(input, True)


def sigmoid(input):
    """Elementwise logistic sigmoid ``1 / (1 + exp(-x))``.

    See ``nn.Sigmoid`` for the arguments and shapes.
    """
    require_tensor("sigmoid", input)
    from ..._ops.activation import sigmoid as _sigmoid
    return _sigmoid(input)


def tanh(input):
    """Elementwise hyperbolic tangent.

    See ``nn.Tanh`` for the arguments and shapes.
    """
    require_tensor("tanh", input)
    from ..._ops.activation import tanh as _tanh
    return _tanh(input)


__all__ = ["celu", "elu", "gelu", "glu", "hardshrink", "hardsigmoid", "hardswish", "hardtanh", "hardtanh_",
           "leaky_relu", "leaky_relu_", "log_softmax", "logsigmoid", "mish", "prelu", "relu", "relu6", "relu_",
           "rrelu", "selu", "sigmoid", "silu", "softmax", "softmin", "softplus", "softshrink", "softsign", "tanh",
           "tanhshrink", "threshold", "threshold_"]
