"""Categorical distribution over ``{0, ..., K-1}``."""
import numpy as np

from .._creation import multinomial, tensor
from .._size import Size
from ..autograd import grad_mode
from .distribution import Distribution, real, simplex
from .utils import logits_to_probs, probs_to_logits

__all__ = ["Categorical"]


class Categorical(Distribution):
    """Draws an index with probabilities ``probs`` (normalised over the last dim) or ``softmax(logits)``.

    The last dim of the parameter indexes the categories; the others are the batch.
    """

    arg_constraints = {"probs": simplex, "logits": real}

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            param = self.probs
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(-1, keepdim=True)
            param = self.logits
        self._num_events = param.shape[-1]
        super().__init__(param.shape[:-1], validate_args=validate_args)

    def __getattr__(self, name):
        if name == "probs" and "logits" in self.__dict__:
            self.probs = logits_to_probs(self.logits)
            return self.probs
        if name == "logits" and "probs" in self.__dict__:
            self.logits = probs_to_logits(self.probs)
            return self.logits
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    @property
    def param_shape(self):
        return (self.probs if "probs" in self.__dict__ else self.logits).shape

    @property
    def mean(self):
        return tensor(np.full(self._extended_shape(), np.nan), dtype=self.probs.dtype)

    @property
    def mode(self):
        return self.probs.argmax(-1)

    @property
    def variance(self):
        return tensor(np.full(self._extended_shape(), np.nan), dtype=self.probs.dtype)

    def sample(self, sample_shape=Size()):
        """Category indices (int64) of shape ``sample_shape + batch_shape``."""
        with grad_mode.no_grad():
            n = int(np.prod(tuple(sample_shape))) if len(sample_shape) else 1
            rows = self.probs.reshape(-1, self._num_events)
            draws = multinomial(rows, n, True).transpose(0, 1)  # (n, batch)
            return draws.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value):
        value = self._as_tensor(value, None).long()
        if self._validate_args and not bool(((value._data >= 0) & (value._data < self._num_events)).all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) to be "
                             f"within the support (IntegerInterval(lower_bound=0, upper_bound="
                             f"{self._num_events - 1})) of the distribution {self!r}, but found invalid values:"
                             f"\n{value}")
        shape = np.broadcast_shapes(tuple(value.shape), tuple(self.logits.shape[:-1]))
        logits = self.logits.expand(shape + (self._num_events,))
        return logits.gather(-1, value.expand(shape).unsqueeze(-1)).squeeze(-1)

    def entropy(self):
        min_real = float(np.finfo(self.logits._data.dtype).min)
        return -(self.logits.clamp(min=min_real) * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        """The category indices, shaped ``(K,) + batch_shape`` (expanded) or ``(K, 1, ...)``."""
        values = tensor(np.arange(self._num_events)).reshape((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + tuple(self._batch_shape)) if expand else values
