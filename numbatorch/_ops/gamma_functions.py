"""Log-gamma and its derivatives: ``lgamma``, ``digamma``, ``polygamma``, ``mvlgamma`` (with gradients).

``lgamma`` is ``math.lgamma`` per element. The polygamma functions use the recurrence
``psi^(n)(x) = psi^(n)(x + 1) - (-1)^n n! / x^(n+1)`` until ``x >= 20``, then the asymptotic (Bernoulli-number)
series, which is accurate to double precision there; negative non-integers are handled by the same recurrence.
"""
import math

import numpy as np

from .._device import CPU, move
from .._tensor import tensor_method
from ..autograd.graph import Node, operand
from ._half_precision import computes_in_float32
from ._util import apply_inplace, record
from .keyword_aliases import accept_aliases

__all__ = ["lgamma", "digamma", "polygamma", "mvlgamma"]

# B_2, B_4, ..., B_20
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798, -174611 / 330)
_ASYMPTOTIC_FROM = 20.0


def _polygamma_array(n, x):
    """psi^(n)(x) of a float64 array (n = 0: digamma)."""
    x = np.array(x, dtype=np.float64, copy=True, like=x)  # on x's device: the loop below is ufuncs only
    acc = np.zeros_like(x)
    sign = -1.0 if n % 2 == 0 else 1.0  # (-1)^(n+1)
    fact_n = math.factorial(n)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pole = (x <= 0) & (x == np.floor(x))
        active = np.isfinite(x) & (x < _ASYMPTOTIC_FROM) & ~pole
        while np.any(active):
            xa = x[active]
            acc[active] += (-1.0 / xa) if n == 0 else sign * fact_n / xa ** (n + 1)
            x[active] = xa + 1
            active = np.isfinite(x) & (x < _ASYMPTOTIC_FROM) & ~pole
        if n == 0:
            series = np.log(x) - 0.5 / x
            for k, b in enumerate(_BERNOULLI, start=1):
                series -= b / (2 * k * x ** (2 * k))
        else:
            series = math.factorial(n - 1) / x ** n + fact_n / (2 * x ** (n + 1))
            for k, b in enumerate(_BERNOULLI, start=1):
                series += b * math.factorial(2 * k + n - 1) / (math.factorial(2 * k) * x ** (2 * k + n))
            series = sign * series
        out = acc + series
    if n == 0:  # PyTorch: -inf at 0, NaN at the negative integers
        out = np.where(pole, np.where(x == 0, -np.inf, np.nan), out)
    else:
        out = np.where(pole, np.inf if n % 2 else -np.inf, out)
    return out


def _lgamma(v):
    """``math.lgamma``, +inf at the poles (0 and the negative integers) as PyTorch returns."""
    return math.inf if v <= 0 and v == math.floor(v) else math.lgamma(v)


def _float_input(input):
    data = input._data
    return data if data.dtype.kind == "f" else data.astype(np.float32)


class LgammaBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * _polygamma_array(0, self.x).astype(self.x.dtype)

    def backward_graph(self, grad):
        return grad * polygamma(0, operand(self, 0, None))


class PolygammaBackward0(Node):
    __slots__ = ("x", "n")

    def backward(self, grad):
        return grad * _polygamma_array(self.n + 1, self.x).astype(self.x.dtype)

    def backward_graph(self, grad):
        return grad * polygamma(self.n + 1, operand(self, 0, None))


@tensor_method()
@computes_in_float32
def lgamma(input, *, out=None):
    """``log(|Gamma(input)|)`` elementwise."""
    x = _float_input(input)
    host = x if type(x) is np.ndarray else move(x, CPU)  # math.lgamma runs per element on the host
    result = np.vectorize(_lgamma, otypes=[np.float64])(host.astype(np.float64)) if x.size else host.copy()
    return record(np.asarray(result, like=x).astype(x.dtype), LgammaBackward0, (input,), x=x)


@tensor_method()
@computes_in_float32
def digamma(input, *, out=None):
    """``d/dx log Gamma(x)`` elementwise (``psi``)."""
    x = _float_input(input)
    return record(_polygamma_array(0, x).astype(x.dtype), PolygammaBackward0, (input,), x=x, n=0)


@computes_in_float32
def polygamma(n, input, *, out=None):
    """The ``n``-th derivative of ``digamma`` elementwise."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    x = _float_input(input)
    return record(_polygamma_array(n, x).astype(x.dtype), PolygammaBackward0, (input,), x=x, n=n)


@tensor_method("polygamma")
def _polygamma_method(self, n):
    """``polygamma(n, self)``."""
    return polygamma(n, self)


@tensor_method()
def mvlgamma(input, p):
    """The multivariate log-gamma of dimension ``p``: ``p(p-1)/4 log(pi) + sum_i lgamma(x - i/2)``."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    total = None
    for i in range(p):
        term = lgamma(input - i / 2)
        total = term if total is None else total + term
    return total + p * (p - 1) / 4 * math.log(math.pi)


@tensor_method()
def lgamma_(self):
    """In-place ``lgamma``."""
    return apply_inplace(self, lgamma(self))


@tensor_method()
def digamma_(self):
    """In-place ``digamma``."""
    return apply_inplace(self, digamma(self))


@tensor_method()
def polygamma_(self, n):
    """In-place ``polygamma(n, self)``."""
    return apply_inplace(self, polygamma(n, self))


@tensor_method()
def mvlgamma_(self, p):
    """In-place ``mvlgamma``."""
    return apply_inplace(self, mvlgamma(self, p))


accept_aliases(__name__)
