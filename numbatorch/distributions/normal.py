"""Normal (Gaussian) distribution."""
import math

from .._creation import randn
from .._size import Size
from .._tensor import Tensor
from .distribution import Distribution, greater_than_zero, real
from .utils import broadcast_all

__all__ = ["Normal"]


class Normal(Distribution):
    """``N(loc, scale**2)``, batched by broadcasting ``loc`` and ``scale``.

    Args:
        loc: the mean.
        scale: the standard deviation (positive).
        validate_args: check the arguments (default: ``Distribution``'s setting, on).
    """

    arg_constraints = {"loc": real, "scale": greater_than_zero}
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        batch = Size() if not isinstance(loc, Tensor) and not isinstance(scale, Tensor) else self.loc.shape
        super().__init__(batch, validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale.pow(2)

    def rsample(self, sample_shape=Size()):
        """``loc + scale * eps`` with ``eps ~ N(0, 1)``: differentiable in ``loc`` and ``scale``."""
        eps = randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        value = self._as_tensor(value, self.loc)
        var = self.scale ** 2
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() - math.log(math.sqrt(2 * math.pi))

    def cdf(self, value):
        value = self._as_tensor(value, self.loc)
        return 0.5 * (1 + ((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)).erf())

    def icdf(self, value):
        value = self._as_tensor(value, self.loc)
        return self.loc + self.scale * (2 * value - 1).erfinv() * math.sqrt(2)

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()
