"""``torch.special``: the special functions numbatorch has (error functions, logistic, log-sum-exp, entropy
terms, normal CDF), mostly the same ops as in the ``numbatorch`` namespace under SciPy-style names.

Bessel functions other than ``i0``, the incomplete gamma functions and zeta are not provided.
"""
import math

import numpy as np

from ._ops._util import record
from ._tensor import Tensor
from .autograd.graph import Node, operand
from ._ops.activation import sigmoid as expit
from ._ops.softmax import log_softmax as _log_softmax, softmax as _softmax
from ._ops.binary_math import xlogy
from ._ops.reduction import logsumexp
from ._ops.unary_math import erf, erfc, erfinv, exp2, expm1, log1p, logit, sinc
from ._ops.rounding import round
from ._ops.gamma_functions import digamma, lgamma as gammaln, mvlgamma as _mvlgamma, polygamma
from ._ops.incomplete_gamma import igamma as gammainc, igammac as gammaincc

__all__ = ["expit", "logit", "erf", "erfc", "erfinv", "exp2", "expm1", "log1p", "logsumexp", "softmax",
           "log_softmax", "xlogy", "xlog1py", "sinc", "round", "entr", "ndtr", "log_ndtr", "i0", "gammaln", "digamma",
           "psi", "polygamma", "multigammaln", "gammainc", "gammaincc"]

psi = digamma


def softmax(input, dim, *, dtype=None):
    """``softmax`` along ``dim`` (``dim`` is required here)."""
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """``log_softmax`` along ``dim`` (``dim`` is required here)."""
    return _log_softmax(input, dim, dtype=dtype)


def xlog1py(input, other):
    """``input * log1p(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    x = input if isinstance(input, Tensor) else Tensor._make(np.asarray(input, dtype=other._data.dtype))
    y = other if isinstance(other, Tensor) else Tensor._make(np.asarray(other, dtype=x._data.dtype))
    zero = Tensor._make((x._data == 0) & ~np.isnan(y._data))
    safe_y = y.where(~zero, y * 0)  # log1p(0) where the result is 0 anyway: no 0 * inf
    return (x * log1p(safe_y)).where(~zero, x * 0)


def entr(input):
    """Elementwise entropy term ``-x * log(x)``: 0 at 0, -inf for negative x."""
    x = input._data
    safe = input.where(Tensor._make(x > 0), input * 0 + 1)  # log of 1 where x <= 0 keeps gradients finite
    out = -input * safe.log()
    return out.where(Tensor._make(x >= 0), out * 0 - math.inf)


def ndtr(input):
    """The standard normal CDF ``(1 + erf(x / sqrt(2))) / 2``."""
    return (1 + erf(input * (1 / math.sqrt(2)))) * 0.5


def log_ndtr(input):
    """``log(ndtr(x))``, through ``erfc`` for negative x so that the far left tail keeps its precision."""
    return (erfc(-input * (1 / math.sqrt(2))) * 0.5).log()


class I0Backward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        # d/dx I0(x) = I1(x); I1 by its power series sum_k (x/2)^(2k+1) / (k! (k+1)!) (entire: converges for all x).
        half = self.x / 2.0
        term = half.astype(np.float64)
        total = term.copy()
        for k in range(1, 60):
            term = term * half * half / (k * (k + 1))
            total = total + term
        return grad * total.astype(self.x.dtype)

    def backward_graph(self, grad):
        # the same series on Tensors: a polynomial in x, differentiable to any order
        half = operand(self, 0, self.x) / 2.0
        term = total = half
        for k in range(1, 60):
            term = term * half * half / (k * (k + 1))
            total = total + term
        return grad * total


def i0(input):
    """The modified Bessel function of the first kind, order 0."""
    x = input._data if input.is_floating_point() else input._data.astype(np.float32)
    return record(np.i0(x).astype(x.dtype), I0Backward0, (input,), x=x)


def multigammaln(input, p):
    """The multivariate log-gamma of dimension ``p`` (``mvlgamma``)."""
    return _mvlgamma(input, p)
