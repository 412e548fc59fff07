"""Assorted numerics of PyTorch's namespace: angle conversions, integer gcd/lcm, float bits (frexp, nextafter,
copysign, ldexp), membership, combinations.

Differences and integrals (``differences.py``), covariance (``covariance.py``), histograms (``histograms.py``),
quantiles (``quantiles.py``), hsplit/vsplit/dsplit (``splitting.py``) and ``Tensor.unfold``
(``sliding_windows.py``) have files of their own; their names are re-exported here. Differentiable results are
built from differentiable ops, so their gradients are PyTorch's; counting ops (histc, bincount, isin, gcd ...) have
none, as in PyTorch.
"""
import math

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from . import sliding_windows  # noqa: F401  (defines Tensor.unfold)
from ._dtype_args import floating_or_default
from .covariance import corrcoef, cov  # noqa: F401
from .differences import cumulative_trapezoid, diff, gradient, trapezoid, trapz  # noqa: F401
from .histograms import bincount, histc, histogram  # noqa: F401
from .keyword_aliases import accept_aliases
from .quantiles import nanquantile, quantile  # noqa: F401
from .splitting import dsplit, hsplit, vsplit  # noqa: F401
from .ternary import where

__all__ = ["deg2rad", "rad2deg", "diff", "cov", "corrcoef", "histc", "histogram", "bincount", "quantile",
           "nanquantile", "dist", "isin", "diagflat", "float_power", "positive", "resolve_neg", "is_neg", "gcd",
           "lcm", "frexp",
           "nextafter", "hsplit", "vsplit", "dsplit", "trapezoid", "trapz", "cumulative_trapezoid", "combinations",
           "unravel_index", "ldexp", "copysign", "gradient"]



@tensor_method()
def deg2rad(input):
    """Degrees to radians."""
    return floating_or_default(input) * (math.pi / 180)


@tensor_method()
def rad2deg(input):
    """Radians to degrees."""
    return floating_or_default(input) * (180 / math.pi)


@tensor_method()
def dist(input, other, p=2):
    """The ``p``-norm of ``input - other``."""
    from .norms import vector_norm
    return vector_norm(input - other, p)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of ``elements`` is in ``test_elements`` (bool, ``elements``'s shape)."""
    a = elements._data if isinstance(elements, Tensor) else None
    b = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements, like=a)
    if a is None:
        a = np.asarray(elements, like=b)
    return Tensor._make(np.isin(a, b, assume_unique=assume_unique, invert=invert))


@tensor_method()
def diagflat(input, offset=0):
    """A 2-D tensor with the flattened ``input`` on diagonal ``offset``."""
    from .reordering import diag
    return diag(input.reshape(-1), offset)


@tensor_method()
def float_power(input, exponent):
    """``input ** exponent`` computed in double precision (float64 result)."""
    base = input.to(dt.float64) if isinstance(input, Tensor) else input
    exp = exponent.to(dt.float64) if isinstance(exponent, Tensor) else exponent
    if not isinstance(base, Tensor):
        from .._creation import tensor
        base = tensor(base, dtype=dt.float64)
    return base ** exp


@tensor_method()
def ldexp(input, other):
    """``input * 2 ** other``."""
    return floating_or_default(input) * (2.0 ** floating_or_default(other))


@tensor_method()
def copysign(input, other):
    """``|input|`` with the sign of ``other`` (sign bit: -0.0 counts as negative)."""
    magnitude = floating_or_default(input).abs()
    # Negating (not multiplying by -1, which keeps a NaN's sign) sets the sign bit of a NaN too, as PyTorch.
    if not isinstance(other, Tensor):
        return -magnitude if math.copysign(1.0, other) < 0 else magnitude
    return where(Tensor._make(np.signbit(other._data)), -magnitude, magnitude)


@tensor_method()
def positive(input):
    """``input`` itself; TypeError for bool tensors, as in PyTorch."""
    if input.dtype is dt.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


@tensor_method()
def resolve_neg(input):
    """``input`` itself: numbatorch tensors have no negative bit."""
    return input


@tensor_method()
def is_neg(input):
    """Always ``False``: numbatorch tensors have no negative bit."""
    return False


def _integer_binary(name, fn):
    def op(input, other):
        a, b = input._data, other._data if isinstance(other, Tensor) else other
        if input._data.dtype.kind not in "iu":
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dt.LEGACY_NAME[input.dtype][6:-6]}'")
        return Tensor._make(np.asarray(fn(a, b), like=a).astype(np.result_type(a, b)))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` of integer tensors."
    return tensor_method(name)(op)


gcd = _integer_binary("gcd", np.gcd)
lcm = _integer_binary("lcm", np.lcm)


@tensor_method()
def frexp(input):
    """``(mantissa, exponent)`` with ``input = mantissa * 2 ** exponent`` and ``|mantissa|`` in [0.5, 1)."""
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa, exponent = np.frexp(input._data)
    from ..return_types import frexp as result_type
    return result_type(Tensor._make(mantissa), Tensor._make(exponent.astype(np.int32)))


@tensor_method()
def nextafter(input, other):
    """The next representable value after ``input`` towards ``other``."""
    b = other._data if isinstance(other, Tensor) else other
    return Tensor._make(np.nextafter(input._data, b).astype(input._data.dtype))


def combinations(input, r=2, with_replacement=False):
    """The length-``r`` combinations of the elements of a 1-D tensor, as rows of an (n_combinations, r) tensor."""
    import itertools
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = np.array(list(pick(range(input.shape[0]), r)), dtype=np.int64, like=input._data).reshape(-1, r)
    if r == 0 or index.size == 0:
        return Tensor._make(np.empty((0,) if r == 0 else (0, r), dtype=input._data.dtype, like=input._data))
    return input[Tensor._make(index)]


def unravel_index(indices, shape):
    """The coordinates (one tensor per dim of ``shape``) of the flat ``indices``."""
    flat = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if flat.dtype.kind not in "iu":
        raise TypeError("expected 'indices' to be integer dtype, but got " + str(flat.dtype))
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    total = int(np.prod(shape))
    if np.any((flat < -total) | (flat >= total)):
        raise RuntimeError("'indices' must be in range [-total, total)".replace("total", str(total)))
    return tuple(Tensor._make(c.astype(np.int64)) for c in np.unravel_index(np.mod(flat, total), shape))


accept_aliases(__name__)  # last: this module loads after keyword_aliases ran
