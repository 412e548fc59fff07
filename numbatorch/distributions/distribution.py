"""``Distribution``: the base class of probability distributions (shapes, sampling, argument validation)."""
from .. import _dtype as dt
from .._creation import tensor
from .._size import Size
from .._tensor import Tensor
from ..autograd import grad_mode

__all__ = ["Distribution"]


class Distribution:
    """A (batch of) probability distribution(s): ``sample``, ``rsample``, ``log_prob``, ``entropy``, moments.

    ``batch_shape`` indexes independent distributions; ``event_shape`` is the shape of one draw.
    """

    has_rsample = False
    _validate_default = True
    arg_constraints = {}

    def __init__(self, batch_shape=Size(), event_shape=Size(), validate_args=None):
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        self._validate_args = Distribution._validate_default if validate_args is None else validate_args
        if self._validate_args:
            for name, check in self.arg_constraints.items():
                value = getattr(self, name, None)
                if isinstance(value, Tensor) and not bool(check(value._data).all()):
                    raise ValueError(f"Expected parameter {name} ({type(value).__name__} of shape "
                                     f"{tuple(value.shape)}) of distribution {self!r} to satisfy the constraint "
                                     f"{check.__doc__}, but found invalid values:\n{value}")

    @staticmethod
    def set_default_validate_args(value):
        """Whether distributions check their arguments (and ``log_prob`` values) by default."""
        if value not in (True, False):
            raise ValueError
        Distribution._validate_default = value

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    @property
    def mean(self):
        raise NotImplementedError

    @property
    def variance(self):
        raise NotImplementedError

    @property
    def stddev(self):
        return self.variance.sqrt()

    def _extended_shape(self, sample_shape=Size()):
        return Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def sample(self, sample_shape=Size()):
        """A draw of shape ``sample_shape + batch_shape + event_shape``, outside autograd."""
        with grad_mode.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=Size()):
        raise NotImplementedError(f"{type(self).__name__} has no reparameterized sampler (rsample)")

    def sample_n(self, n):
        return self.sample(Size((n,)))

    def log_prob(self, value):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        return self.entropy().exp()

    def _as_tensor(self, value, like):
        return value if isinstance(value, Tensor) else tensor(value, dtype=like.dtype if isinstance(like, Tensor)
                                                              else dt.get_default_dtype())

    def __repr__(self):
        params = ", ".join(f"{name}: {self._param_repr(getattr(self, name))}" for name in self.arg_constraints
                           if name in self.__dict__ or isinstance(getattr(type(self), name, None), property))
        return f"{type(self).__name__}({params})"

    @staticmethod
    def _param_repr(value):
        if isinstance(value, Tensor) and value.numel() == 1:
            return repr(value.item())
        return repr(value.shape) if isinstance(value, Tensor) else repr(value)


def greater_than_zero(x):
    """GreaterThan(lower_bound=0.0)"""
    return x > 0


def unit_interval(x):
    """Interval(lower_bound=0.0, upper_bound=1.0)"""
    return (x >= 0) & (x <= 1)


def real(x):
    """Real()"""
    return x == x  # not NaN


def simplex(x):
    """Simplex()"""
    return (x >= 0).all(-1) & (abs(x.sum(-1) - 1) < 1e-6)
