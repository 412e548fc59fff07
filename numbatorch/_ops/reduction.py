"""Basic reductions: sum/mean, prod, logsumexp, all/any; max/min/amax/amin/argmax/argmin are in ``reduction_extremes``.

Whole-axis reductions run on numpy's C loops; whole-array sums and means of large float arrays on
``_chunk_sums`` (float64 chunk sums on Numba's threads).
"""
import builtins
import math

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, operand
from ._util import _legacy_name, broadcast_grad, normalize_dim, record
from ..backends.cpu import _chunk_sums
from ._reduce_util import _count, _mean_out, expand_graph_grad, expand_grad, reduce_axes
from .reduction_extremes import amax, amin, aminmax, argmax, argmin, max, min  # noqa: F401

__all__ = [
    "sum", "mean", "nansum", "nanmean", "max", "min", "amax", "amin", "aminmax", "argmax", "argmin", "prod",
    "logsumexp", "all", "any", "count_nonzero",
]

_add_reduce = np.add.reduce


class SumBackward0(Node):
    __slots__ = ("shape",)
    history_only_inputs = True

    def backward(self, grad):
        return broadcast_grad(grad, self.shape)

    def backward_graph(self, grad):
        return grad.expand(self.shape)


class SumBackward1(Node):
    __slots__ = ("shape", "axes", "keepdim")
    history_only_inputs = True

    def backward(self, grad):
        return expand_grad(grad, self.shape, self.axes, self.keepdim)

    def backward_graph(self, grad):
        return expand_graph_grad(grad, self.shape, self.axes, self.keepdim)


class MeanBackward0(Node):
    __slots__ = ("shape",)
    history_only_inputs = True

    def backward(self, grad):
        return broadcast_grad(grad / builtins.max(math.prod(self.shape), 1), self.shape)

    def backward_graph(self, grad):
        return (grad / builtins.max(math.prod(self.shape), 1)).expand(self.shape)


class MeanBackward1(Node):
    __slots__ = ("shape", "axes", "keepdim")
    history_only_inputs = True

    def backward(self, grad):
        return expand_grad(grad / _count(self.shape, self.axes), self.shape, self.axes, self.keepdim)

    def backward_graph(self, grad):
        return expand_graph_grad(grad / _count(self.shape, self.axes), self.shape, self.axes, self.keepdim)


def _sum_input(input, dtype):
    x = input._data
    if dtype is not None:
        return x.astype(dt.as_dtype(dtype).np, copy=False)
    if x.dtype.kind in "biu":
        return x.astype(np.int64)
    return x


@tensor_method("sum")
def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or over ``dim`` (an int or a tuple); ``keepdim`` keeps reduced dimensions as size 1."""
    x = input._data
    if dim is None and not keepdim and dtype is None and x.dtype.kind == "f" and x.itemsize > 2:  # hot: loss.sum()
        if _chunk_sums.applies(x):
            return record(np.asarray(_chunk_sums.total(x), x.dtype), SumBackward0, (input,), shape=x.shape)
        # np.add.reduce is ndarray.sum without its Python wrapper (~100 ns of a small sum's ~600)
        total = _add_reduce(x, None, None, None, True) if type(x) is np.ndarray else x.sum(keepdims=True)
        return record(total.reshape(()), SumBackward0, (input,), shape=x.shape)
    x = _sum_input(input, dtype)
    # float16 and bfloat16 ("V": ml_dtypes) accumulate in float32, like PyTorch
    acc = np.float32 if x.dtype == np.float16 or x.dtype.kind == "V" else None
    if dim is None and not keepdim:
        out = np.asarray(x.sum(dtype=acc), dtype=x.dtype, like=x)
        return record(out, SumBackward0, (input,), shape=x.shape)
    axes = reduce_axes(dim, x.ndim)
    out = np.asarray(x.sum(axis=axes, keepdims=keepdim, dtype=acc), dtype=x.dtype, like=x)
    return record(out, SumBackward1, (input,), shape=x.shape, axes=axes, keepdim=keepdim)


class NansumBackward0(Node):
    __slots__ = ("x", "axes", "keepdim")

    def backward(self, grad):
        return expand_grad(grad, self.x.shape, self.axes, self.keepdim) * ~np.isnan(self.x)

    def backward_graph(self, grad):
        # NaN entries get no gradient: a constant mask
        return expand_graph_grad(grad, self.x.shape, self.axes, self.keepdim) * Tensor._make(~np.isnan(self.x))


@tensor_method("nansum")
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum treating nan as zero, over all elements or over ``dim``."""
    x = _sum_input(input, dtype)
    axes = reduce_axes(dim, x.ndim)
    out = np.asarray(np.nansum(x, axis=axes, keepdims=keepdim), dtype=x.dtype, like=x)
    return record(out, NansumBackward0, (input,), reads=(input,), x=x, axes=axes, keepdim=keepdim)


def _mean_input(input, dtype, name="mean"):
    x = input._data
    if dtype is not None:
        x = x.astype(dt.as_dtype(dtype).np, copy=False)
    if x.dtype.kind not in dt.DIFFERENTIABLE_KINDS:
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be either a floating point "
                           f"or complex dtype. Got: {_legacy_name(x.dtype)}")
    return x


@tensor_method("mean")
def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of all elements, or over ``dim``; ``keepdim`` keeps reduced dimensions as size 1."""
    x = input._data
    if dim is None and not keepdim and dtype is None and x.dtype.kind == "f" and x.itemsize > 2 and x.size:
        if _chunk_sums.applies(x):
            return record(np.asarray(_chunk_sums.total(x) / x.size, x.dtype), MeanBackward0, (input,), shape=x.shape)
        out = (x.sum(keepdims=True) / x.size).reshape(())  # hot path: loss.mean()
        return record(out, MeanBackward0, (input,), shape=x.shape)
    x = _mean_input(input, dtype)
    acc = np.float32 if x.dtype == np.float16 or x.dtype.kind == "V" else None
    if dim is None and not keepdim:
        out = np.asarray(x.mean(dtype=acc) if x.size else np.nan, dtype=x.dtype, like=x)
        return record(out, MeanBackward0, (input,), shape=x.shape)
    axes = reduce_axes(dim, x.ndim)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.asarray(x.mean(axis=axes, keepdims=keepdim, dtype=acc), dtype=x.dtype, like=x)
    return record(out, MeanBackward1, (input,), shape=x.shape, axes=axes, keepdim=keepdim)


@tensor_method("nanmean")
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean ignoring nan values, over all elements or over ``dim``."""
    from .arithmetic import div
    x = _mean_input(input, dtype, "nanmean")
    count = (~np.isnan(x)).sum(axis=reduce_axes(dim, x.ndim), keepdims=keepdim)
    return div(nansum(input, dim, keepdim, dtype=dtype), Tensor._make(np.asarray(count, dtype=x.dtype, like=x)))


def _prod_grad_rows(x):
    """d prod(row) / d x for rows along the last axis, exact with zeros (one zero: only it gets a gradient)."""
    zero = x == 0
    n_zero = zero.sum(axis=-1, keepdims=True)
    safe = np.where(zero, 1, x)
    prod_nonzero = safe.prod(axis=-1, keepdims=True)
    return np.where(n_zero == 0, prod_nonzero / safe, np.where((n_zero == 1) & zero, prod_nonzero, 0))


class ProdBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return (grad * _prod_grad_rows(self.x.reshape(-1))).reshape(self.x.shape)

    def backward_graph(self, grad):
        x = operand(self, 0, self.x)
        return grad * _others_product(x.reshape(-1), 0).reshape(self.x.shape)


class ProdBackward1(Node):
    __slots__ = ("x", "dim", "keepdim")

    def backward(self, grad):
        x, d = self.x, self.dim
        if x.ndim == 0:
            return grad * np.ones_like(x)
        local = np.moveaxis(_prod_grad_rows(np.moveaxis(x, d, -1)), -1, d)
        return expand_grad(grad, x.shape, (d,), self.keepdim) * local

    def backward_graph(self, grad):
        x, d = operand(self, 0, self.x), self.dim
        if x.dim() == 0:
            return grad * 1
        return expand_graph_grad(grad, self.x.shape, (d,), self.keepdim) * _others_product(x, d)


def _others_product(x, d):
    """For each element of the Tensor ``x``, the product of the others along ``d``, differentiably and exactly
    with zeros: the exclusive cumulative product of those before it times that of those after it."""
    from .joining import cat
    n = x.shape[d]
    one = Tensor._make(np.ones(tuple(1 if i == d else s for i, s in enumerate(x.shape)), dtype=x._data.dtype))
    before = cat([one, x.narrow(d, 0, n - 1)], d).cumprod(d)
    after = cat([x.narrow(d, 1, n - 1), one], d).flip(d).cumprod(d).flip(d)
    return before * after


@tensor_method("prod")
def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements, or over ``dim``."""
    x = _sum_input(input, dtype)
    if dim is None:
        return record(np.asarray(x.prod(), like=x), ProdBackward0, (input,), reads=(input,), x=x)
    d = normalize_dim(dim, x.ndim)
    out = np.asarray(x.prod(axis=d, keepdims=keepdim) if x.ndim else x.copy(), like=x)
    return record(out, ProdBackward1, (input,), reads=(input,), x=x, dim=d, keepdim=keepdim)


class LogsumexpBackward0(Node):
    __slots__ = ("x", "out", "axes", "keepdim")

    def backward(self, grad):
        shape = self.x.shape
        return expand_grad(grad, shape, self.axes, self.keepdim) * np.exp(
            self.x - expand_grad(self.out, shape, self.axes, self.keepdim))

    def backward_graph(self, grad):
        shape = self.x.shape
        x = operand(self, 0, self.x)
        dims = tuple(range(len(shape))) if self.axes is None else self.axes
        lse = expand_graph_grad(x.logsumexp(dims, keepdim=self.keepdim), shape, self.axes, self.keepdim)
        return expand_graph_grad(grad, shape, self.axes, self.keepdim) * (x - lse).exp()


@tensor_method("logsumexp")
def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(input)))`` over ``dim``, computed stably."""
    x = input._data
    if not dt.is_floating(x.dtype):
        x = x.astype(dt.get_default_dtype().np)
    axes = reduce_axes(dim, x.ndim)
    if x.size == 0:
        out = np.log(np.sum(np.exp(x), axis=axes, keepdims=keepdim))
    else:
        m = np.amax(x, axis=axes, keepdims=True)
        m = np.where(np.isinf(m), 0, m)  # all -inf (or +inf) slices: shift by 0 to avoid inf - inf
        with np.errstate(divide="ignore"):
            s = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
        out = s if keepdim else _mean_out(s, axes, False)
    out = np.asarray(out, dtype=x.dtype, like=x)
    return record(out, LogsumexpBackward0, (input,), reads=(input,), x=x, out=out, axes=axes, keepdim=keepdim)


def _logical(input, dim, keepdim, fn):
    x = input._data
    out = np.asarray(fn(x, axis=reduce_axes(dim, x.ndim), keepdims=keepdim), like=x)
    return Tensor._make(out.astype(np.uint8) if x.dtype == np.uint8 else out)


@tensor_method("all")
def all(input, dim=None, keepdim=False):
    """Whether all elements are true (non-zero), overall or along ``dim``; a bool tensor."""
    return _logical(input, dim, keepdim, np.all)


@tensor_method("any")
def any(input, dim=None, keepdim=False):
    """Whether any element is true (non-zero), overall or along ``dim``; a bool tensor."""
    return _logical(input, dim, keepdim, np.any)


@tensor_method("count_nonzero")
def count_nonzero(input, dim=None):
    """The number of non-zero elements, overall or over ``dim``."""
    x = input._data
    return Tensor._make(np.asarray(np.count_nonzero(x, axis=reduce_axes(dim, x.ndim)), dtype=np.int64, like=x))
