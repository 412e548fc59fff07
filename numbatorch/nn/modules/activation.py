"""Activation modules: thin wrappers over ``nn.functional`` with PyTorch's constructor arguments and reprs."""
from ... import _creation
from .. import functional as F
from ..parameter import Parameter
from .module import Module


def _inplace_repr(inplace):
    return "inplace=True" if inplace else ""


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


class SiLU(Module):
    """Sigmoid-weighted linear unit (swish): ``y = x * sigmoid(x)``.

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
        return F.silu(input, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class Mish(Module):
    """Mish: ``y = x * tanh(softplus(x))``.

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
        return F.mish(input, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class ELU(Module):
    """Exponential linear unit: ``y = x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

    Args:
        alpha: the saturation value for large negative inputs. Default: ``1.0``.
        inplace: overwrite the input instead of allocating the result. Default: ``False``.
    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """Continuously differentiable ELU: ``y = max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    Args:
        alpha: the scale of the negative branch. Default: ``1.0``.
        inplace: overwrite the input instead of allocating the result. Default: ``False``.
    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)


class SELU(Module):
    """Scaled ELU with the fixed self-normalising constants ``scale ~ 1.0507`` and ``alpha ~ 1.6733``.

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
        return F.selu(input, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class GLU(Module):
    """Gated linear unit: splits the input in halves ``a, b`` along ``dim`` and returns ``a * sigmoid(b)``.

    Args:
        dim: the dimension to split; its size must be even. Default: ``-1``.

    Shape:
        - Input: ``(*1, N, *2)`` with ``N`` even at ``dim``.
        - Output: ``(*1, N / 2, *2)``.
    """

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class GELU(Module):
    """Gaussian error linear unit: ``y = x * Phi(x)`` with ``Phi`` the standard normal CDF.

    Args:
        approximate: ``'none'`` for the exact erf form, ``'tanh'`` for the tanh approximation. Default: ``'none'``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


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


class LogSigmoid(Module):
    """Log of the sigmoid, computed stably: ``y = -softplus(-x)``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def forward(self, input):
        return F.logsigmoid(input)


class Softplus(Module):
    """Smooth ReLU: ``y = log(1 + exp(beta * x)) / beta``, linear where ``beta * x > threshold``.

    Args:
        beta: sharpness of the curve. Default: ``1.0``.
        threshold: above this value of ``beta * x`` the result is ``x`` (for numerical stability). Default: ``20.0``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    """Softsign: ``y = x / (1 + |x|)``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def forward(self, input):
        return F.softsign(input)


class Tanhshrink(Module):
    """``y = x - tanh(x)``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def forward(self, input):
        return F.tanhshrink(input)


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


class _SoftmaxBase(Module):
    # The forwards pass ``_stacklevel=5`` so that the missing-``dim`` warning names the line calling the module
    # (level 1 _implicit_dim, 2 F.softmax, 3 forward, 4 Module.__call__, 5 the caller).
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(_SoftmaxBase):
    """Softmax along ``dim``: ``exp(x_i) / sum_j exp(x_j)``, so each slice is positive and sums to one.

    Args:
        dim: the dimension to normalise. ``None`` picks one as PyTorch's legacy rule does (dim 0 for 0-, 1- and
            3-D input, else dim 1); pass it explicitly.

    Shape:
        - Input: ``(*)``.
        - Output: ``(*)``, the shape of the input.

    Examples::

        >>> m = nn.Softmax(dim=1)
        >>> y = m(torch.randn(2, 3))
    """

    def forward(self, input):
        return F.softmax(input, self.dim, _stacklevel=5)


class Softmin(_SoftmaxBase):
    """Softmin along ``dim``: the softmax of ``-x``.

    Args:
        dim: the dimension to normalise (``None``: PyTorch's legacy implicit choice).

    Shape:
        - Input: ``(*)``.
        - Output: ``(*)``, the shape of the input.
    """

    def forward(self, input):
        return F.softmin(input, self.dim, _stacklevel=5)


class LogSoftmax(_SoftmaxBase):
    """Log of the softmax along ``dim``, computed stably: ``x_i - logsumexp(x)``.

    Args:
        dim: the dimension to normalise (``None``: PyTorch's legacy implicit choice).

    Shape:
        - Input: ``(*)``.
        - Output: ``(*)``, the shape of the input.
    """

    def forward(self, input):
        return F.log_softmax(input, self.dim, _stacklevel=5)


class Softmax2d(Module):
    """Softmax over the channel dimension at every spatial location.

    Shape:
        - Input: ``(N, C, H, W)`` or ``(C, H, W)``.
        - Output: the shape of the input.
    """

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
        return F.softmax(input, -3)
