"""Smooth activations (``nn.functional``): the ELU family (elu, selu, celu), GELU, SiLU, Mish, softplus,
softsign, log-sigmoid, tanhshrink and the gated linear unit. Part of the activation family (see
``activation``)."""
import math

import numpy as np

from .._tensor import Tensor
from ..autograd.graph import Node, backward_by_recompute, operand
from ._dtype_args import require_floating
from ._tensor_args import require_tensor
from ._util import float_array, normalize_dim, record
from .activation import InputNode, unary
from .ternary import where
from .unary_math import erf
from ..backends import kernel_family
from ..backends.cpu import _gelu_kernels as gelu_kernels, _smooth_kernels as smooth
from ..backends.cpu import _elu_kernels as elu_kernels, _softplus_kernels as softplus_kernels
from ..backends.cpu._select_kernels import select

kernels = kernel_family("pointwise")

__all__ = ["celu", "celu_", "elu", "elu_", "gelu", "glu", "logsigmoid", "mish", "selu", "selu_", "silu",
           "softplus", "softsign", "tanhshrink"]

_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _tensor_method(input, name):
    """PyTorch builds softsign/tanhshrink from Tensor methods, so a non-Tensor input fails looking ``name`` up:
    the same AttributeError (``'numpy.ndarray' object has no attribute 'abs'``) here."""
    if not isinstance(input, Tensor):
        getattr(input, name)


class EluBackward0(InputNode):
    # a = alpha, b = scale (ELU/SELU/CELU share it; CELU passes alpha and 1/alpha as the input scale).
    __slots__ = ()

    def backward(self, grad):
        x = self.x
        out = elu_kernels.elu_backward(grad, x, self.a, *self.b)
        if out is not None:
            return out
        return select(x > 0, grad * self.b[0], grad * self.b[0] * self.a * self.b[1] * np.exp(x * self.b[1]))

    def backward_graph(self, grad):
        scale, in_scale = self.b
        # exp of the clamped input: the unpicked branch stays finite, so its zero gradient is not 0 * inf.
        neg = (operand(self, 0, None).clamp(max=0) * in_scale).exp()
        return where(Tensor._make(self.x > 0), grad * scale, grad * (scale * self.a * in_scale) * neg)


class GeluBackward0(InputNode):
    __slots__ = ()

    def backward(self, grad):
        x = self.x
        out = gelu_kernels.gelu_backward(grad, x, self.a)
        if out is not None:
            return out
        if self.a == "tanh":
            inner = _SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x))  # as PyTorch; x ** 3 is libm's slow powf
            t = np.tanh(inner)
            d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * d_inner)
        cdf = 0.5 * (1 + kernels.erf(x / _SQRT_2))
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return grad * (cdf + x * pdf)

    def backward_graph(self, grad):
        x = operand(self, 0, None)
        if self.a == "tanh":
            t = (_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)).tanh()
            d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * d_inner)
        cdf = 0.5 * (1 + erf(x / _SQRT_2))
        pdf = (-0.5 * x * x).exp() / math.sqrt(2 * math.pi)
        return grad * (cdf + x * pdf)


class SiluBackward0(InputNode):
    __slots__ = ()

    def backward(self, grad):
        return smooth.silu_backward(grad, self.x)

    def backward_graph(self, grad):
        x = operand(self, 0, None)
        sig = x.sigmoid()
        return grad * sig * (1 + x * (1 - sig))


class MishBackward0(InputNode):
    __slots__ = ()

    def backward(self, grad):
        out = softplus_kernels.mish_backward(grad, self.x)
        if out is not None:
            return out
        x = self.x
        sp = np.logaddexp(0, x)
        t = np.tanh(sp)
        s = 1 / (1 + np.exp(-x))
        return grad * (t + x * (1 - t * t) * s)

    def backward_graph(self, grad):
        x = operand(self, 0, None)
        t = softplus(x).tanh()
        return grad * (t + x * (1 - t * t) * x.sigmoid())


class SoftplusBackward0(InputNode):
    __slots__ = ()

    def backward(self, grad):
        out = softplus_kernels.softplus_backward(grad, self.x, self.a, self.b)
        if out is not None:
            return out
        z = self.x * self.a
        return select(z > self.b, grad, grad / (1 + np.exp(-z)))

    def backward_graph(self, grad):
        z = operand(self, 0, None) * self.a
        return where(Tensor._make(z._data > self.b), grad, grad * z.sigmoid())


class SoftsignBackward0(InputNode):
    __slots__ = ()

    def backward(self, grad):
        return grad / (1 + np.abs(self.x)) ** 2

    def backward_graph(self, grad):
        return grad / (1 + operand(self, 0, None).abs()) ** 2


class LogSigmoidBackward0(InputNode):
    __slots__ = ()

    def backward(self, grad):
        out = softplus_kernels.logsigmoid_backward(grad, self.x)
        return grad / (1 + np.exp(self.x)) if out is None else out

    def backward_graph(self, grad):
        return grad * (-operand(self, 0, None)).sigmoid()


class TanhshrinkBackward0(InputNode):
    __slots__ = ()

    def backward(self, grad):
        t = np.tanh(self.x)
        return grad * t * t

    def backward_graph(self, grad):
        t = operand(self, 0, None).tanh()
        return grad * t * t


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


def _elu_kernel_first(alpha, scale, input_scale, numpy_form):
    """The ELU family's forward: the kernel from its size on, ``numpy_form`` below it (the same bits as before)."""
    def forward(x):
        out = elu_kernels.elu(x, alpha, scale, input_scale)
        return numpy_form(x) if out is None else out
    return forward


def elu(input, alpha=1.0, inplace=False):
    """Elementwise ``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

    See ``nn.ELU`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return unary("elu", input, inplace,
                 _elu_kernel_first(alpha, 1.0, 1.0,
                                   lambda x: select(x > 0, x, alpha * np.expm1(x)).astype(x.dtype, copy=False)),
                 EluBackward0, a=alpha, b=(1.0, 1.0), kernel="elu_cpu")


def elu_(input, alpha=1.0):
    """``F.elu(input, alpha, inplace=True)``."""
    return elu(input, alpha, inplace=True)


def selu(input, inplace=False):
    """Elementwise scaled ELU with the self-normalising constants.

    See ``nn.SELU`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return unary("selu", input, inplace,
                 _elu_kernel_first(_SELU_ALPHA, _SELU_SCALE, 1.0, lambda x: (
                     _SELU_SCALE * select(x > 0, x, _SELU_ALPHA * np.expm1(x))).astype(x.dtype, copy=False)),
                 EluBackward0, a=_SELU_ALPHA, b=(_SELU_SCALE, 1.0), kernel="elu_cpu")


def selu_(input):
    """``F.selu(input, inplace=True)``."""
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """Elementwise ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    See ``nn.CELU`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return unary("celu", input, inplace,
                 _elu_kernel_first(alpha, 1.0, 1.0 / alpha, lambda x: select(
                     x > 0, x, alpha * np.expm1(x / alpha)).astype(x.dtype, copy=False)),
                 EluBackward0, a=alpha, b=(1.0, 1.0 / alpha), kernel="elu_cpu")


def celu_(input, alpha=1.0):
    """``F.celu(input, alpha, inplace=True)``."""
    return celu(input, alpha, inplace=True)


def gelu(input, approximate="none"):
    """Elementwise ``x * Phi(x)``, exact (``approximate='none'``) or by the tanh approximation.

    See ``nn.GELU`` for the arguments and shapes.
    """
    require_tensor("gelu", input)
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")

    def forward(x):
        out = gelu_kernels.gelu(x, approximate)
        if out is not None:
            return out
        if approximate == "tanh":
            cube = x * x * x  # as PyTorch; x ** 3 took libm's slow powf for negative x (~50 ns an element)
            return (0.5 * x * (1 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * cube)))).astype(x.dtype, copy=False)
        return (0.5 * x * (1 + kernels.erf(x / _SQRT_2))).astype(x.dtype, copy=False)
    return unary(None, input, False, forward, GeluBackward0, a=approximate, kernel="GeluKernelImpl")


def silu(input, inplace=False):
    """Elementwise ``x * sigmoid(x)`` (swish).

    See ``nn.SiLU`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    return unary("silu", input, inplace, smooth.silu, SiluBackward0, kernel="silu_cpu")


def mish(input, inplace=False):
    """Elementwise ``x * tanh(softplus(x))``.

    See ``nn.Mish`` for the arguments and shapes.

    ``inplace=True`` overwrites ``input``.
    """
    def forward(x):
        out = softplus_kernels.mish(x)
        return x * np.tanh(np.logaddexp(0, x)).astype(x.dtype, copy=False) if out is None else out
    return unary("mish", input, inplace, forward, MishBackward0, kernel="mish_cpu")


def softplus(input, beta=1.0, threshold=20.0):
    """Elementwise ``log(1 + exp(beta * x)) / beta``, linear above ``threshold``.

    See ``nn.Softplus`` for the arguments and shapes.
    """
    def forward(x):
        out = softplus_kernels.softplus(x, beta, threshold)
        if out is not None:
            return out
        z = x * beta
        return select(z > threshold, x, np.logaddexp(0, z) / beta).astype(x.dtype, copy=False)
    return unary("softplus", input, False, forward, SoftplusBackward0, a=beta, b=threshold, kernel="softplus_cpu")


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
    return unary(None, input, False, lambda x: x / (1 + np.abs(x)), SoftsignBackward0)


def logsigmoid(input):
    """Elementwise ``log(sigmoid(x))``, computed stably.

    See ``nn.LogSigmoid`` for the arguments and shapes.
    """
    def forward(x):
        out = softplus_kernels.logsigmoid(x)
        return -np.logaddexp(0, -x) if out is None else out
    return unary("log_sigmoid", input, False, forward, LogSigmoidBackward0, kernel="log_sigmoid_cpu")


def tanhshrink(input):
    """Elementwise ``x - tanh(x)``.

    See ``nn.Tanhshrink`` for the arguments and shapes.
    """
    _tensor_method(input, "tanh")
    if input._data.dtype.kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")
    return unary(None, input, False, lambda x: x - np.tanh(x), TanhshrinkBackward0)


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
