"""Exponential, Laplace and Poisson distributions."""
import math

import numpy as np

from .._creation import poisson, rand
from .._size import Size
from .._tensor import Tensor
from ..autograd import grad_mode
from .distribution import Distribution, greater_than_zero, real
from .utils import broadcast_all

__all__ = ["Exponential", "Laplace", "Poisson"]


def _batch(*params):
    return params[0].shape if any(isinstance(p, Tensor) for p in params) else Size()


class Exponential(Distribution):
    """Density ``rate * exp(-rate * x)`` on x >= 0."""

    arg_constraints = {"rate": greater_than_zero}
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        original = rate
        (self.rate,) = broadcast_all(rate)
        super().__init__(_batch(original) if isinstance(original, Tensor) else Size(), validate_args=validate_args)

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return self.rate * 0

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=Size()):
        """``-log(1 - u) / rate`` with ``u ~ U[0, 1)``: differentiable in ``rate``."""
        u = rand(self._extended_shape(sample_shape), dtype=self.rate.dtype)
        return -(-u).log1p() / self.rate

    def log_prob(self, value):
        value = self._as_tensor(value, self.rate)
        if self._validate_args and not bool((value._data >= 0).all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) to be "
                             f"within the support (GreaterThanEq(lower_bound=0.0)) of the distribution {self!r}, but "
                             f"found invalid values:\n{value}")
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        return 1 - (-self.rate * value).exp()

    def icdf(self, value):
        return -(-value).log1p() / self.rate

    def entropy(self):
        return 1.0 - self.rate.log()


class Laplace(Distribution):
    """Density ``exp(-|x - loc| / scale) / (2 scale)``."""

    arg_constraints = {"loc": real, "scale": greater_than_zero}
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(_batch(loc, scale) if isinstance(loc, Tensor) or isinstance(scale, Tensor) else Size(),
                         validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape=Size()):
        """``loc - scale * sign(u) * log(1 - |u|)`` with ``u ~ U(-1, 1)``."""
        eps = float(np.finfo(self.loc._data.dtype).eps)
        u = rand(self._extended_shape(sample_shape), dtype=self.loc.dtype) * (2 - eps) - (1 - eps)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value):
        value = self._as_tensor(value, self.loc)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        z = value - self.loc
        return 0.5 - 0.5 * z.sign() * (-(z.abs()) / self.scale).expm1()

    def entropy(self):
        return 1 + (2 * self.scale).log()


class Poisson(Distribution):
    """Counts with ``P(k) = rate^k exp(-rate) / k!``."""

    arg_constraints = {"rate": lambda x: x >= 0}
    arg_constraints["rate"].__doc__ = "GreaterThanEq(lower_bound=0.0)"

    def __init__(self, rate, validate_args=None):
        original = rate
        (self.rate,) = broadcast_all(rate)
        super().__init__(_batch(original) if isinstance(original, Tensor) else Size(), validate_args=validate_args)

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=Size()):
        with grad_mode.no_grad():
            return poisson(self.rate.expand(self._extended_shape(sample_shape)).contiguous())

    def log_prob(self, value):
        from .._ops.binary_math import xlogy
        from .._ops.gamma_functions import lgamma
        value = self._as_tensor(value, self.rate)
        if self._validate_args and not bool(((value._data >= 0) & (value._data == np.floor(value._data))).all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) to be "
                             f"within the support (IntegerGreaterThan(lower_bound=0)) of the distribution {self!r}, "
                             f"but found invalid values:\n{value}")
        rate, value = broadcast_all(self.rate, value)
        return xlogy(value, rate) - rate - lgamma(value + 1)
