"""Smooth activation layers: the ELU family, GELU, SiLU, Mish, softplus, softsign, log-sigmoid, tanhshrink and
the gated linear unit; thin wrappers over ``nn.functional`` with PyTorch's constructor arguments and reprs."""
from .. import functional as F
from .module import Module


def _inplace_repr(inplace):
    return "inplace=True" if inplace else ""


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
