"""Bernoulli distribution (0/1 draws)."""
from .._creation import bernoulli
from .._size import Size
from ..autograd import grad_mode
from ..nn.functional import binary_cross_entropy_with_logits
from .distribution import Distribution, real, unit_interval
from .utils import broadcast_all, logits_to_probs, probs_to_logits

__all__ = ["Bernoulli"]


class Bernoulli(Distribution):
    """1 with probability ``probs`` (or ``sigmoid(logits)``), else 0; give exactly one of the two."""

    arg_constraints = {"probs": unit_interval, "logits": real}

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            param = self.probs
        else:
            (self.logits,) = broadcast_all(logits)
            param = self.logits
        super().__init__(param.shape, validate_args=validate_args)

    def __getattr__(self, name):
        # The parameter not given is derived on first use (PyTorch's lazy_property).
        if name == "probs" and "logits" in self.__dict__:
            self.probs = logits_to_probs(self.logits, is_binary=True)
            return self.probs
        if name == "logits" and "probs" in self.__dict__:
            self.logits = probs_to_logits(self.probs, is_binary=True)
            return self.logits
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        return (self.probs >= 0.5).to(self.probs.dtype).where(self.probs != 0.5, self.probs * float("nan"))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        with grad_mode.no_grad():
            return bernoulli(self.probs.expand(self._extended_shape(sample_shape)).contiguous())

    def log_prob(self, value):
        value = self._as_tensor(value, self.logits)
        if self._validate_args and not bool(((value._data == 0) | (value._data == 1)).all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) to be "
                             f"within the support (Boolean()) of the distribution {self!r}, but found invalid values:"
                             f"\n{value}")
        logits, value = broadcast_all(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")
