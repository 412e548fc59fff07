"""The regularized incomplete gamma functions ``igamma`` (P(a, x), ``special.gammainc``) and ``igammac``
(Q(a, x) = 1 - P, ``special.gammaincc``), differentiable in ``x``.

P is summed as its power series where x < a + 1 and Q as its continued fraction (modified Lentz) elsewhere, the
other one being the complement; both run in float64 on whole arrays until every element has converged. As in
PyTorch, the derivative with respect to ``a`` is not implemented.
"""
import math

import numpy as np

from .._device import CPU, move
from .._tensor import tensor_method
from ..autograd.graph import Node, operand
from ._util import apply_inplace, record
from .binary_math import _float_only_pair

__all__ = ["igamma", "igammac"]

_EPS = np.finfo(np.float64).eps
_TINY = 1e-300
_MAX_TERMS = 100000
_lgamma = np.frompyfunc(math.lgamma, 1, 1)


def _log_prefactor(a, x):
    """log(x^a e^-x / Gamma(a))."""
    log_gamma = np.asarray(_lgamma(_on_host(a)), dtype=np.float64)  # math.lgamma runs per element on the host
    return a * np.log(x) - x - np.asarray(log_gamma, like=a)


def _on_host(array):
    return array if type(array) is np.ndarray else move(array, CPU)


def _series_p(a, x):
    term = 1.0 / a
    total = term.copy()
    n, active = 0, np.ones(a.shape, dtype=bool)
    while active.any() and n < _MAX_TERMS:
        n += 1
        term = np.where(active, term * x / (a + n), 0.0)
        total += term
        active &= np.abs(term) > np.abs(total) * _EPS
    return total * np.exp(_log_prefactor(a, x))


def _fraction_q(a, x):
    b = x + 1.0 - a
    c = np.full(a.shape, 1.0 / _TINY)
    d = 1.0 / b
    h = d.copy()
    i, active = 0, np.ones(a.shape, dtype=bool)
    while active.any() and i < _MAX_TERMS:
        i += 1
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        delta = np.where(active, d * c, 1.0)
        h *= delta
        active &= np.abs(delta - 1.0) > _EPS
    return np.exp(_log_prefactor(a, x)) * h


def regularized_gamma(a, x, upper):
    """P(a, x) (or Q(a, x) with ``upper``) of broadcast float64 arrays, with PyTorch's edge values."""
    a, x = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64))
    p = np.full(a.shape, np.nan)
    finite = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    with np.errstate(all="ignore"):
        series = finite & (x < a + 1)
        if series.any():
            p[series] = _series_p(a[series], x[series])
        fraction = finite & ~series
        if fraction.any():
            p[fraction] = 1.0 - _fraction_q(a[fraction], x[fraction])
    p[(a == 0) & (x > 0)] = 1.0
    p[(a > 0) & (x == 0)] = 0.0
    p[(a >= 0) & (x == np.inf) & np.isfinite(a)] = 1.0
    p[(a == np.inf) & (x >= 0) & np.isfinite(x)] = 0.0
    return 1.0 - p if upper else p


class IgammaBackward0(Node):
    """d/dx P(a, x) = x^(a-1) e^-x / Gamma(a) (minus that for Q); no derivative in ``a``, as in PyTorch."""

    __slots__ = ("a", "x")
    upper = False

    def backward(self, grad):
        if self.inputs[0] is not None:
            name = "igammac" if self.upper else "igamma"
            raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
        with np.errstate(all="ignore"):
            density = np.exp(_log_prefactor(self.a, self.x) - np.log(self.x)).astype(self.x.dtype)
        return None, grad * (-density if self.upper else density)

    def backward_graph(self, grad):
        if self.inputs[0] is not None:
            return self.backward(grad)  # raises PyTorch's error
        a, x = operand(self, 0, self.a), operand(self, 1, self.x)
        density = ((a - 1) * x.log() - x - a.lgamma()).exp()
        return None, grad * (-density if self.upper else density)


class IgammacBackward0(IgammaBackward0):
    """The derivative of Q(a, x) = 1 - P(a, x)."""

    __slots__ = ()
    upper = True


def _regularized(fname, input, other, upper):
    a, x = _float_only_pair(fname, input, other)
    # the series and fractions iterate until every element has converged: on the host, then moved back
    out = np.asarray(regularized_gamma(_on_host(a), _on_host(x), upper), like=a).astype(a.dtype)
    return record(out, IgammacBackward0 if upper else IgammaBackward0, (input, other), a=a, x=x)


@tensor_method()
def igamma(input, other):
    """The regularized lower incomplete gamma function P(input, other)."""
    return _regularized("igamma", input, other, upper=False)


@tensor_method()
def igammac(input, other):
    """The regularized upper incomplete gamma function Q(input, other) = 1 - P(input, other)."""
    return _regularized("igammac", input, other, upper=True)


@tensor_method()
def igamma_(self, other):
    """In-place ``igamma``; returns self."""
    return apply_inplace(self, igamma(self, other))


@tensor_method()
def igammac_(self, other):
    """In-place ``igammac``; returns self."""
    return apply_inplace(self, igammac(self, other))
