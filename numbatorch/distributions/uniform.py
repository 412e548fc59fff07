"""Uniform distribution on ``[low, high)``."""
import numpy as np

from .._creation import rand
from .._size import Size
from .._tensor import Tensor
from .distribution import Distribution, real
from .utils import broadcast_all

__all__ = ["Uniform"]


class Uniform(Distribution):
    """Uniform on the half-open interval ``[low, high)``, batched by broadcasting."""

    arg_constraints = {"low": real, "high": real}
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        batch = Size() if not isinstance(low, Tensor) and not isinstance(high, Tensor) else self.low.shape
        super().__init__(batch, validate_args=validate_args)
        if self._validate_args and not bool((self.low._data < self.high._data).all()):
            raise ValueError(f"Expected parameter low ({type(self.low).__name__} of shape {tuple(self.low.shape)}) "
                             f"of distribution {self!r} to satisfy the constraint LessThan(upper_bound=high), but "
                             f"found invalid values:\n{self.low}")

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def mode(self):
        return self.mean * float("nan")

    @property
    def stddev(self):
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self):
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape=Size()):
        """``low + u * (high - low)`` with ``u ~ U[0, 1)``: differentiable in ``low`` and ``high``."""
        u = rand(self._extended_shape(sample_shape), dtype=self.low.dtype)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value):
        value = self._as_tensor(value, self.low)
        below, above = (self.low <= value), (self.high > value)
        if self._validate_args and not bool((below._data & above._data).all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) to be "
                             f"within the support (Interval(lower_bound=low, upper_bound=high)) of the distribution "
                             f"{self!r}, but found invalid values:\n{value}")
        with np.errstate(divide="ignore"):  # log(0) = -inf outside the support
            inside = below.to(self.low.dtype) * above.to(self.low.dtype)
            return inside.log() - (self.high - self.low).log()

    def cdf(self, value):
        value = self._as_tensor(value, self.low)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value):
        return value * (self.high - self.low) + self.low

    def entropy(self):
        return (self.high - self.low).log()
