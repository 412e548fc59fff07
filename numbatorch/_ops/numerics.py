"""Assorted numerics of PyTorch's namespace: differences, covariance, quantiles, histograms, sliding windows and
angle conversions.

Differentiable results are built from differentiable ops (or, for ``Tensor.unfold``, one graph node), so their
gradients are PyTorch's; counting ops (histc, bincount, isin, gcd ...) have none, as in PyTorch.
"""
import math
import warnings

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, normalize_dim, tensor_method
from ..autograd.graph import Node
from ._half_precision import computes_in_float32
from ._dtype_args import require_float_or_double
from ._linear_grad import linear_grad
from ._util import record, zeros
from .keyword_aliases import accept_aliases
from .ternary import where

__all__ = ["deg2rad", "rad2deg", "diff", "cov", "corrcoef", "histc", "histogram", "bincount", "quantile",
           "nanquantile", "dist", "isin", "diagflat", "float_power", "positive", "resolve_neg", "is_neg", "gcd",
           "lcm", "frexp",
           "nextafter", "hsplit", "vsplit", "dsplit", "trapezoid", "trapz", "cumulative_trapezoid", "combinations",
           "unravel_index", "ldexp", "copysign", "gradient"]


def _float(input):
    """``input`` itself when floating, else converted to the default dtype (PyTorch's int -> float ops)."""
    return input if input.is_floating_point() else input.to(dt.get_default_dtype())


@tensor_method()
def deg2rad(input):
    """Degrees to radians."""
    return _float(input) * (math.pi / 180)


@tensor_method()
def rad2deg(input):
    """Radians to degrees."""
    return _float(input) * (180 / math.pi)


@tensor_method()
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """``n``-th forward difference along ``dim`` (after concatenating ``prepend``/``append``)."""
    from .joining import cat
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    dim = normalize_dim(dim, input.dim())
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        length = x.shape[dim]
        if length == 0:
            break
        later, earlier = x.narrow(dim, 1, length - 1), x.narrow(dim, 0, length - 1)
        x = (later != earlier) if x.dtype is dt.bool_ else later - earlier
    return x


@tensor_method()
def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance of the variables (rows) of ``input`` over its observations (columns), optionally weighted."""
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.dim()} dimensions")
    x = _float(input)
    x = x.reshape(1, -1) if x.dim() < 2 else x
    n_obs = x.shape[1]
    w = None
    if fweights is not None:
        w = fweights.to(x.dtype)
    if aweights is not None:
        w = aweights.to(x.dtype) if w is None else w * aweights.to(x.dtype)
    if w is None:
        w_sum = float(n_obs)
        avg = x.mean(1, keepdim=True)
        norm = w_sum - correction
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1, keepdim=True) / w_sum
        if correction != 0 and aweights is not None:
            norm = w_sum - correction * (w * aweights.to(x.dtype)).sum() / w_sum
        else:
            norm = w_sum - correction
    if float(norm) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", UserWarning, stacklevel=2)
        norm = norm * 0
    centered = x - avg
    weighted = centered if w is None else centered * w
    return ((centered @ weighted.transpose(0, 1)) / norm).squeeze()


@tensor_method()
def corrcoef(input):
    """Pearson correlation coefficients of the rows of ``input``, clipped to [-1, 1]."""
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal()
    stddev = d.sqrt()
    return (c / stddev.unsqueeze(1) / stddev.unsqueeze(0)).clamp(-1, 1)


@tensor_method()
@computes_in_float32
def histc(input, bins=100, min=0, max=0):
    """Counts of ``input`` in ``bins`` equal bins over [min, max] (the data's range when both are 0)."""
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{dt.LEGACY_NAME[input.dtype][6:-6]}'")
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    inside = x[(x >= lo) & (x <= hi)].astype(np.float64)
    index = np.minimum(((inside - lo) * bins / (hi - lo)).astype(np.int64), bins - 1)
    return Tensor._make(np.bincount(index, minlength=bins).astype(x.dtype))


def histogram(input, bins=100, *, range=None, weight=None, density=False):
    """``(hist, bin_edges)`` of ``input`` with ``bins`` bins (or the given edges), like ``numpy.histogram``."""
    require_float_or_double("histogramdd", input._data)
    edges = bins._data if isinstance(bins, Tensor) else bins
    hist, bin_edges = np.histogram(input._data, edges, range=range,
                                   weights=None if weight is None else weight._data, density=density)
    from ..return_types import histogram as result_type
    return result_type(Tensor._make(hist.astype(input._data.dtype)), Tensor._make(bin_edges.astype(input._data.dtype)))


@tensor_method()
def bincount(input, weights=None, minlength=0):
    """Occurrences of each value of the non-negative 1-D int ``input`` (weighted sums with ``weights``)."""
    x = input._data
    if x.ndim != 1 or x.dtype.kind not in "iub":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if x.size and x.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return Tensor._make(np.bincount(x, minlength=minlength).astype(np.int64))
    w = weights._data
    out_dtype = w.dtype if w.dtype in (np.float32, np.float64) else np.float64  # PyTorch widens half weights
    return Tensor._make(np.bincount(x, weights=w, minlength=minlength).astype(out_dtype))


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    from .sorting import sort
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest. "
                           f"Got {interpolation}")
    if input.dtype not in (dt.float32, dt.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    scalar_q = not isinstance(q, Tensor) or q.dim() == 0
    qs = np.atleast_1d(q._data if isinstance(q, Tensor) else np.asarray(q, dtype=np.float64)).astype(np.float64)
    if qs.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if np.any((qs < 0) | (qs > 1)):
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else normalize_dim(dim, input.dim())
    values = sort(x, d)[0]  # NaNs sort last
    n = values.shape[d]
    nan_count = np.isnan(values._data).sum(axis=d, keepdims=True)
    valid = n - nan_count if ignore_nan else np.full_like(nan_count, n)
    outs = []
    for qv in qs:
        pos = qv * (valid - 1).astype(np.float64)
        low = np.floor(pos).astype(np.int64)
        high = np.ceil(pos).astype(np.int64)
        if interpolation == "lower":
            high = low
        elif interpolation == "higher":
            low = high
        elif interpolation == "nearest":
            low = high = np.round(pos).astype(np.int64)  # round half to even, as PyTorch
        low, high = np.clip(low, 0, n - 1), np.clip(high, 0, n - 1)
        v_low = values.gather(d, Tensor._make(low))
        v_high = values.gather(d, Tensor._make(high))
        frac = 0.5 if interpolation == "midpoint" else (pos - low if interpolation == "linear" else 0.0)
        result = v_low + (v_high - v_low) * Tensor._make(np.asarray(frac, dtype=values._data.dtype, like=values._data))
        empty = (valid == 0) if ignore_nan else (nan_count > 0)  # NaN results (PyTorch's quantile propagates NaN)
        if np.any(empty):
            result = result * Tensor._make(np.where(empty, np.nan, 1).astype(values._data.dtype))
        if not keepdim:
            result = result.squeeze(d)
        elif dim is None:
            result = result.reshape((1,) * input.dim())
        outs.append(result)
    if scalar_q:
        return outs[0]
    from .joining import stack
    return stack(outs, 0)


@tensor_method()
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The ``q``-quantiles of ``input`` (over all elements, or along ``dim``); NaN where a slice holds NaN."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


@tensor_method()
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """``quantile`` ignoring NaNs (NaN only where a slice is all NaN)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


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
    return _float(input) * (2.0 ** _float(other))


@tensor_method()
def copysign(input, other):
    """``|input|`` with the sign of ``other`` (sign bit: -0.0 counts as negative)."""
    magnitude = _float(input).abs()
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


def _directional_split(name, min_dims, dim):
    def split(input, indices_or_sections):
        if input.dim() < min_dims:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a "
                               f"tensor with {input.dim()} dimensions!")
        d = 0 if (name == "hsplit" and input.dim() == 1) else dim
        if isinstance(indices_or_sections, int) and input.shape[d] % indices_or_sections != 0:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but the size of the "
                               f"dimension {input.shape[d]} is not divisible by the split_size "
                               f"{indices_or_sections}!")
        return input.tensor_split(indices_or_sections, d)
    split.__name__ = split.__qualname__ = name
    split.__doc__ = f"``tensor_split`` along dim {dim} (``hsplit`` of a 1-D tensor: dim 0)."
    return tensor_method(name)(split)


hsplit = _directional_split("hsplit", 1, 1)
vsplit = _directional_split("vsplit", 2, 0)
dsplit = _directional_split("dsplit", 3, 2)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integral of ``y`` along ``dim`` by the trapezoidal rule, at sample points ``x`` or spacing ``dx``."""
    length = y.shape[dim]
    if length == 0:
        return y.sum(dim) * 0
    pairs = y.narrow(dim, 1, length - 1) + y.narrow(dim, 0, length - 1)
    if x is None:
        return pairs.sum(dim) * ((1.0 if dx is None else dx) / 2)
    spacing = diff(x, dim=dim if x.dim() == y.dim() else -1)
    return (pairs * spacing).sum(dim) / 2


def trapz(y, x=None, *, dx=None, dim=-1):
    """The older name of ``trapezoid``."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Running trapezoidal integral of ``y`` along ``dim`` (one element shorter than ``y``)."""
    length = y.shape[dim]
    pairs = y.narrow(dim, 1, length - 1) + y.narrow(dim, 0, length - 1)
    if x is None:
        return (pairs * ((1.0 if dx is None else dx) / 2)).cumsum(dim)
    spacing = diff(x, dim=dim if x.dim() == y.dim() else -1)
    return (pairs * spacing / 2).cumsum(dim)


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


def _gradient_along(f, d, spacing, edge_order):
    """Central differences along dim ``d`` (one-sided at the ends), for a uniform step or 1-D coordinates."""
    from .joining import cat
    n = f.shape[d]
    if n < edge_order + 1:
        raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    shape = [1] * f.dim()

    def coef(values):
        shape[d] = -1
        return Tensor._make(np.asarray(values, dtype=f._data.dtype, like=f._data).reshape(shape))

    def part(start, length):
        return f.narrow(d, start, length)
    if isinstance(spacing, Tensor):
        dx = np.diff(spacing._data.astype(np.float64))
    else:
        dx = np.full(n - 1, float(spacing))
    dx1, dx2 = dx[:-1], dx[1:]
    interior = (part(0, n - 2) * coef(-dx2 / (dx1 * (dx1 + dx2))) + part(1, n - 2) * coef((dx2 - dx1) / (dx1 * dx2))
                + part(2, n - 2) * coef(dx1 / (dx2 * (dx1 + dx2))))
    if edge_order == 1:
        first = (part(1, 1) - part(0, 1)) / float(dx[0])
        last = (part(n - 1, 1) - part(n - 2, 1)) / float(dx[-1])
    else:
        a1, a2 = dx[0], dx[1]
        first = (part(0, 1) * (-(2 * a1 + a2) / (a1 * (a1 + a2))) + part(1, 1) * ((a1 + a2) / (a1 * a2))
                 + part(2, 1) * (-a1 / (a2 * (a1 + a2))))
        b1, b2 = dx[-2], dx[-1]
        last = (part(n - 3, 1) * (b2 / (b1 * (b1 + b2))) + part(n - 2, 1) * (-(b2 + b1) / (b1 * b2))
                + part(n - 1, 1) * ((2 * b2 + b1) / (b2 * (b1 + b2))))
    return cat([first, interior, last], d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Numerical gradient of ``input`` by finite differences.

    Estimated derivative of ``input`` along each of ``dim`` (all by default): second-order central
    differences inside, first- or second-order (``edge_order``) one-sided ones at the ends. ``spacing``: one step
    for all dims, one per dim, or one coordinate tensor per dim. Returns one tensor per dim."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = list(range(input.dim())) if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    dims = [normalize_dim(d, input.dim()) for d in dims]
    spacings = list(spacing) if isinstance(spacing, (list, tuple)) else [spacing] * len(dims)
    if len(spacings) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                           f"arguments to have the same length, but got a spacing argument of length "
                           f"{len(spacings)} and a dim argument of length {len(dims)}.")
    f = _float(input)
    return tuple(_gradient_along(f, d, h, edge_order) for d, h in zip(dims, spacings))


# ---- Tensor.unfold: sliding windows ------------------------------------------------------------------
class UnfoldBackward0(Node):
    __slots__ = ("shape", "dim", "index")

    def backward(self, grad):
        return _sum_windows(grad, self.shape, self.dim, self.index)

    def backward_graph(self, grad):
        shape, dim, index = self.shape, self.dim, self.index
        return linear_grad(grad, lambda g: _sum_windows(g, shape, dim, index), lambda h: _windows(h, dim, index))


def _windows(data, dim, index):
    """Tensor.unfold on an array: the windows ``index`` (windows, size) along ``dim``, a new last dim."""
    return np.ascontiguousarray(np.moveaxis(np.moveaxis(data, dim, -1)[..., index], -2, dim), like=data)


def _sum_windows(grad, shape, dim, index):
    """The transpose of ``_windows``: each window's elements added back where they came from."""
    moved = np.moveaxis(grad, dim, -2)  # (..., windows, size)
    out = zeros(tuple(np.delete(shape, dim)) + (shape[dim],), grad.dtype, like=grad)
    flat_out = out.reshape(-1, out.shape[-1])
    np.add.at(flat_out, (slice(None), index), moved.reshape((-1,) + index.shape))
    return np.moveaxis(flat_out.reshape(out.shape), -1, dim)


@tensor_method("unfold")
def _tensor_unfold(self, dimension, size, step):
    """Windows of ``size`` elements every ``step`` along ``dimension``, as a new last dim (a copy, not a view)."""
    d = normalize_dim(dimension, self.dim())
    length = self.shape[d] if self.dim() else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    starts = np.arange(0, length - size + 1, step, like=self._data)
    index = starts[:, None] + np.arange(size, like=self._data)[None, :]
    return record(_windows(self._data, d, index), UnfoldBackward0, (self,), shape=self._data.shape, dim=d,
                  index=index)


accept_aliases(__name__)  # last: this module loads after keyword_aliases ran

