"""Finite differences and integrals of samples: diff, gradient, trapezoid and cumulative_trapezoid.

Built from differentiable ops, so their gradients are PyTorch's.
"""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, normalize_dim, tensor_method
from ._dtype_args import floating_or_default
from .keyword_aliases import accept_aliases

__all__ = ["diff", "gradient", "trapezoid", "trapz", "cumulative_trapezoid"]


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
    f = floating_or_default(input)
    return tuple(_gradient_along(f, d, h, edge_order) for d, h in zip(dims, spacings))


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


accept_aliases(__name__)  # last: this module loads after keyword_aliases ran
