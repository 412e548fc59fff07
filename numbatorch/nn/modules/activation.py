"""Activation layers: thin wrappers over ``nn.functional`` with PyTorch's constructor arguments and reprs.

Here the rectifiers, clamps, hard sigmoid/swish and shrinks; the smooth ones are in ``activation_smooth``, the
softmax layers in ``activation_softmax``, MultiheadAttention in ``multihead_attention`` (all re-exported here, as
in PyTorch's ``nn.modules.activation``).
"""
from ... import _creation
from .. import functional as F
from ..parameter import Parameter
from .activation_smooth import (CELU, ELU, GELU, GLU, LogSigmoid, Mish, SELU, SiLU, Softplus,  # noqa: F401
                                Softsign, Tanhshrink, _inplace_repr)
from .activation_softmax import LogSoftmax, Softmax, Softmax2d, Softmin  # noqa: F401
from .module import Module
from .multihead_attention import MultiheadAttention  # noqa: F401


class Threshold(Module):
    """Replaces every element not greater than ``threshold`` by ``value``: ``y = x if x > threshold else value``.

    Args:
        threshold: the value to compare against.
        value: what elements ``<= threshold`` become.
        inplace: overwrite the input instead of allocating the result. Default: ``False``.
    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.

    Examples::

        >>> m = nn.Threshold(0.1, 20.0)
        >>> y = m(torch.randn(2))
    """

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class ReLU(Module):
    """Rectified linear unit, elementwise: ``y = max(0, x)``.

    Args:
        inplace: overwrite the input instead of allocating the result. Default: ``False``.
    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.

    Examples::

        >>> m = nn.ReLU()
        >>> y = m(torch.randn(2, 3))
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class RReLU(Module):
    """Randomised leaky ReLU: a random negative slope per element in training, a fixed one in eval mode.

    Negative inputs are scaled by a slope drawn from ``U(lower, upper)`` per element in training mode, and by
    ``(lower + upper) / 2`` in eval mode.

    Args:
        lower: lower bound of the slope distribution. Default: ``1/8``.
        upper: upper bound of the slope distribution. Default: ``1/3``.
        inplace: overwrite the input instead of allocating the result. Default: ``False``.
    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")


class Hardtanh(Module):
    """Clamps every element to ``[min_val, max_val]``.

    Args:
        min_val: lower end of the linear region. Default: ``-1.0``.
        max_val: upper end of the linear region; must exceed ``min_val``. Default: ``1.0``.
        inplace: overwrite the input instead of allocating the result. Default: ``False``.
    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if min_val >= max_val:
            raise ValueError("min_val cannot be greater than or equal to max_val")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """ReLU capped at six: ``y = min(max(0, x), 6)``.

    Args:
        inplace: overwrite the input instead of allocating the result. Default: ``False``.
    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class Sigmoid(Module):
    """Logistic sigmoid, elementwise: ``y = 1 / (1 + exp(-x))``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(Module):
    """Hyperbolic tangent, elementwise.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def forward(self, input):
        return F.tanh(input)


class Hardsigmoid(Module):
    """Piecewise-linear sigmoid: ``y = clamp(x / 6 + 1/2, 0, 1)``.

    Args:
        inplace: overwrite the input instead of allocating the result. Default: ``False``.
    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.hardsigmoid(input, self.inplace)


class Hardswish(Module):
    """Hard swish (MobileNetV3): ``y = x * clamp(x + 3, 0, 6) / 6``.

    Args:
        inplace: overwrite the input instead of allocating the result. Default: ``False``.
    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.hardswish(input, self.inplace)


class Hardshrink(Module):
    """Hard shrinkage: keeps ``x`` where ``|x| > lambd``, zero elsewhere.

    Args:
        lambd: the threshold. Default: ``0.5``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """Soft shrinkage: moves ``x`` towards zero by ``lambd`` and zeroes ``|x| <= lambd``.

    Args:
        lambd: the threshold (must not be negative). Default: ``0.5``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def forward(self, input):
        return F.softshrink(input, self.lambd)


class LeakyReLU(Module):
    """Leaky ReLU: ``y = x`` for ``x >= 0``, else ``negative_slope * x``.

    Args:
        negative_slope: slope of the negative part. Default: ``0.01``.
        inplace: overwrite the input instead of allocating the result. Default: ``False``.
    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """Leaky ReLU with a learned negative slope: ``y = max(0, x) + weight * min(0, x)``.

    Args:
        num_parameters: ``1`` (one slope shared by all channels) or the number of channels (dim 1 of the input).
            Default: ``1``.
        init: initial value of the slopes. Default: ``0.25``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of ``weight``. Default: the default dtype.

    Shape:
        - Input: ``(*)``; with ``num_parameters > 1``, ``(N, C, *)`` or ``(C,)`` with ``C == num_parameters``.
        - Output: the shape of the input.

    Attributes:
        weight: the learnable slopes, shape ``(num_parameters,)``.
    """

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(_creation.full((num_parameters,), init, dtype=dtype))

    def reset_parameters(self):
        self.weight.data.fill_(self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


