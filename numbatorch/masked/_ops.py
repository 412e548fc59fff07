"""The masked reductions and normalizations of ``torch.masked`` on strided tensors with a boolean ``mask``.

The mask broadcasts to the input; masked-out elements take the operation's identity (0 for sums, 1 for products,
-inf for maxima and log-sum-exp, +inf for minima, NaN for medians), so a fully masked-out slice gives that
identity, or NaN where the operation divides by the number of elements (mean, var, std, softmax). Everything is
composed of recorded ops, so gradients flow to the unmasked elements as in PyTorch.
"""
import math

from .. import _dtype as dt
from .._creation import ones
from ..linalg import vector_norm
from .._ops.ternary import where
from .._type_info import iinfo

__all__ = ["amax", "amin", "argmax", "argmin", "cumprod", "cumsum", "log_softmax", "logaddexp", "logsumexp",
           "mean", "median", "norm", "normalize", "prod", "softmax", "softmin", "std", "sum", "var"]

def _input_mask(input, mask):
    """``mask`` as a boolean tensor of ``input``'s shape (all True when None)."""
    if mask is None:
        return ones(input.shape, dtype=dt.bool_)
    mask = mask if mask.dtype == dt.bool_ else mask.to(dt.bool_)
    return mask.expand(input.shape) if tuple(mask.shape) != tuple(input.shape) else mask


def _dims(dim, ndim):
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    return tuple(d % max(ndim, 1) for d in ((dim,) if isinstance(dim, int) else dim))


def _cast(input, dtype):
    return input if dtype is None or dtype == input.dtype else input.to(dtype)


def _extreme(dtype, largest):
    if dtype.is_floating_point or dtype.is_complex:
        return math.inf if largest else -math.inf
    if dtype == dt.bool_:
        return largest
    info = iinfo(dtype)
    return info.max if largest else info.min


def _filled(input, mask, value):
    return where(_input_mask(input, mask), input, value)


def _reduce_each(x, dims, keepdim, reduce):
    """``reduce(x, d, keepdim)`` over each of ``dims`` in turn, for reductions taking one dim."""
    for d in sorted(dims, reverse=True):
        x = reduce(x, d, keepdim)
    return x


def sum(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Sum over ``dim`` of the elements where ``mask`` is True (0 for none)."""
    return _filled(input, mask, 0).sum(_dims(dim, input.dim()), keepdim=keepdim, dtype=dtype)


def prod(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Product over ``dim`` of the elements where ``mask`` is True (1 for none)."""
    filled = _filled(_cast(input, dtype), mask, 1)
    return _reduce_each(filled, _dims(dim, input.dim()), keepdim, lambda x, d, k: x.prod(d, keepdim=k))


def amax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Maximum over ``dim`` of the elements where ``mask`` is True (the dtype's lowest value for none)."""
    x = _cast(input, dtype)
    return _filled(x, mask, _extreme(x.dtype, False)).amax(_dims(dim, input.dim()), keepdim=keepdim)


def amin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Minimum over ``dim`` of the elements where ``mask`` is True (the dtype's highest value for none)."""
    x = _cast(input, dtype)
    return _filled(x, mask, _extreme(x.dtype, True)).amin(_dims(dim, input.dim()), keepdim=keepdim)


def argmax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Index of the maximum over ``dim`` among the elements where ``mask`` is True, in ``dtype`` (default: the
    input's)."""
    x = _cast(input, dtype)
    return _filled(x, mask, _extreme(x.dtype, False)).argmax(dim, keepdim=keepdim).to(x.dtype)


def argmin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Index of the minimum over ``dim`` among the elements where ``mask`` is True, in ``dtype`` (default: the
    input's)."""
    x = _cast(input, dtype)
    return _filled(x, mask, _extreme(x.dtype, True)).argmin(dim, keepdim=keepdim).to(x.dtype)


def _count(input, dims, keepdim, mask, dtype):
    return _input_mask(input, mask).sum(dims, keepdim=keepdim, dtype=dtype)


def mean(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Mean over ``dim`` of the elements where ``mask`` is True (NaN for none)."""
    x = _cast(input, dtype)
    dims = _dims(dim, input.dim())
    return sum(x, dims, keepdim=keepdim, mask=mask) / _count(x, dims, keepdim, mask, x.dtype)


def median(input, dim=-1, *, keepdim=False, dtype=None, mask=None):
    """Median over ``dim`` of the elements where ``mask`` is True (the lower of the two middle ones; NaN for
    none)."""
    x = _cast(input, dtype)
    return _filled(x, mask, math.nan).nanmedian(dim, keepdim=keepdim).values


def logsumexp(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """``log(sum(exp(x)))`` over ``dim`` of the elements where ``mask`` is True (-inf for none)."""
    x = _cast(input, dtype)
    return _filled(x, mask, -math.inf).logsumexp(_dims(dim, input.dim()), keepdim=keepdim)


def norm(input, ord=2.0, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Vector ``ord``-norm over ``dim`` of the elements where ``mask`` is True (0 for none; inf for ord=-inf)."""
    x = _cast(input, dtype)
    fill = math.inf if ord == -math.inf else 0
    return vector_norm(_filled(x, mask, fill), ord, _dims(dim, input.dim()), keepdim=keepdim)


def var(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    """Variance over ``dim`` of the elements where ``mask`` is True, divided by ``count - correction`` (default
    1; ``unbiased=False`` means 0); NaN where that is not positive."""
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    x = _cast(input, dtype)
    dims = _dims(dim, input.dim())
    count = _count(x, dims, True, mask, x.dtype)
    centred = _filled(x - sum(x, dims, keepdim=True, mask=mask) / count, mask, 0)
    squares = (centred * centred.conj()).real if centred.is_complex() else centred * centred
    total = squares.sum(dims, keepdim=True)
    result = total / (count - correction).clamp(min=0)
    return result if keepdim else result.squeeze(dims)


def std(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    """Standard deviation over ``dim`` of the elements where ``mask`` is True (the square root of ``var``)."""
    return var(input, dim, unbiased, correction=correction, keepdim=keepdim, dtype=dtype, mask=mask).sqrt()


def softmax(input, dim, *, dtype=None, mask=None):
    """Softmax along ``dim`` over the elements where ``mask`` is True; 0 where it is False (NaN for none)."""
    return _filled(_cast(input, dtype), mask, -math.inf).softmax(dim)


def log_softmax(input, dim, *, dtype=None, mask=None):
    """Log-softmax along ``dim`` over the elements where ``mask`` is True; -inf where it is False."""
    return _filled(_cast(input, dtype), mask, -math.inf).log_softmax(dim)


def softmin(input, dim, *, dtype=None, mask=None):
    """Softmin along ``dim`` over the elements where ``mask`` is True; 0 where it is False (NaN for none)."""
    return (-_filled(_cast(input, dtype), mask, math.inf)).softmax(dim)


def normalize(input, ord, dim, *, eps=1e-12, dtype=None, mask=None):
    """The elements where ``mask`` is True divided by their ``ord``-norm along ``dim`` (at least ``eps``); 0
    elsewhere."""
    x = _cast(input, dtype)
    total = norm(x, ord, dim, keepdim=True, mask=mask)
    return _filled(x, mask, 0) / total.clamp(min=eps)


def cumsum(input, dim, *, dtype=None, mask=None):
    """Cumulative sum along ``dim`` counting only the elements where ``mask`` is True."""
    return _filled(_cast(input, dtype), mask, 0).cumsum(dim)


def cumprod(input, dim, *, dtype=None, mask=None):
    """Cumulative product along ``dim`` counting only the elements where ``mask`` is True."""
    return _filled(_cast(input, dtype), mask, 1).cumprod(dim)


def logaddexp(input, other, *, dtype=None, input_mask=None, other_mask=None):
    """``log(exp(input) + exp(other))`` elementwise, each operand counted only where its own mask is True."""
    x, y = _cast(input, dtype), _cast(other, dtype)
    return _filled(x, input_mask, -math.inf).logaddexp(_filled(y, other_mask, -math.inf))
