"""In-place forms of activations that PyTorch exposes as functions: ``F.elu_``, ``F.selu_``, ``F.celu_``,
``F.rrelu_``."""
from .activation import celu, elu, rrelu, selu

__all__ = ["elu_", "selu_", "celu_", "rrelu_"]


def elu_(input, alpha=1.0):
    """``F.elu(input, alpha, inplace=True)``."""
    return elu(input, alpha, inplace=True)


def selu_(input):
    """``F.selu(input, inplace=True)``."""
    return selu(input, inplace=True)


def celu_(input, alpha=1.0):
    """``F.celu(input, alpha, inplace=True)``."""
    return celu(input, alpha, inplace=True)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """``F.rrelu(input, lower, upper, training, inplace=True)``."""
    return rrelu(input, lower, upper, training, inplace=True)
