"""Quantiles: quantile and nanquantile, interpolated between sorted values (differentiable through the sort)."""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, normalize_dim, tensor_method
from .keyword_aliases import accept_aliases

__all__ = ["quantile", "nanquantile"]


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


accept_aliases(__name__)  # last: this module loads after keyword_aliases ran
