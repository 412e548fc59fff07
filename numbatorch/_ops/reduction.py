"""Reductions: sum, mean, std/var, max/min, prod, logsumexp, norm, cumulative ops, all/any, median, mode.

Whole-axis reductions run on numpy's C loops; the cumulative ops whose rows need sequential logic with
indices (cummax/cummin, cumprod's zero-aware gradient, mode) are Numba kernels on (rows, length) arrays.
"""
import builtins
import collections
import math

import numpy as np
from numba import njit, prange

from .. import _dtype as dt
from .._tensor import Tensor, is_grad_recording, tensor_method
from ..autograd.graph import Node
from ._util import _legacy_name, normalize_dim, record

__all__ = ["sum", "mean", "nansum", "nanmean", "std", "var", "std_mean", "var_mean", "max", "min", "amax",
           "amin", "aminmax", "argmax", "argmin", "prod", "logsumexp", "norm", "cumsum", "cumprod", "cummax",
           "cummin", "all", "any", "count_nonzero", "median", "nanmedian", "mode"]

_PARALLEL_MIN_SIZE = 1 << 16


# ---- result types ---------------------------------------------------------------------------------------
def _return_type(name, fields=("values", "indices")):
    """A namedtuple printing like ``torch.return_types.max`` (values, indices)."""
    cls = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"numbatorch.return_types.{name}(\n{body})"

    cls.__repr__ = __repr__
    cls.__module__ = "numbatorch.return_types"
    return cls


return_types = {n: _return_type(n) for n in ("max", "min", "median", "nanmedian", "mode", "cummax", "cummin",
                                              "sort", "topk", "kthvalue")}
return_types["aminmax"] = _return_type("aminmax", ("min", "max"))


# ---- dims and gradient plumbing --------------------------------------------------------------------------
def reduce_axes(dim, ndim):
    """numpy ``axis`` for a PyTorch ``dim``: None (all) or a tuple; a 0-d tensor accepts dim 0/-1 and keeps its
    single element. An empty tuple/list means all dims, like PyTorch."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        if not dim:
            return None
        axes = []
        for d in dim:
            a = normalize_dim(d, ndim)
            if a in axes:
                raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
            axes.append(a)
        return tuple(axes) if ndim else ()
    return (normalize_dim(dim, ndim),) if ndim else ()


def expand_grad(grad, shape, axes, keepdim):
    """Broadcast the gradient of a reduction back over the reduced dims of an input of ``shape``."""
    if not keepdim and axes and len(shape):
        grad = np.expand_dims(grad, axes)
    return np.broadcast_to(grad, shape)


def _count(shape, axes):
    if axes is None:
        return math.prod(shape)
    return math.prod(shape[a] for a in axes) if shape else 1


def scatter_grad(grad, indices, dim, shape, keepdim, accumulate=False):
    """Gradient of an op that picked ``indices`` along ``dim``: zeros with ``grad`` placed at the indices."""
    out = np.zeros(shape, dtype=grad.dtype)
    if not shape:
        out[...] = grad
        return out
    if not keepdim and indices.ndim < len(shape):
        grad = np.expand_dims(grad, dim)
        indices = np.expand_dims(indices, dim)
    grad = np.broadcast_to(grad, indices.shape)
    if not accumulate:
        np.put_along_axis(out, indices, grad, dim)
        return out
    # Repeated indices (cummax): sum per target through bincount on linear offsets along ``dim``.
    moved_idx = np.moveaxis(indices, dim, -1)
    n = shape[dim]
    rows = moved_idx.size // builtins.max(moved_idx.shape[-1], 1)
    lin = (moved_idx.reshape(rows, -1) + (np.arange(rows) * n)[:, None]).ravel()
    summed = np.bincount(lin, weights=np.moveaxis(grad, dim, -1).ravel(), minlength=rows * n)
    moved_shape = tuple(s for i, s in enumerate(shape) if i != dim) + (n,)
    return np.moveaxis(summed.reshape(moved_shape), -1, dim).astype(grad.dtype, copy=False)


def evenly_distribute(grad, x, value, shape, axes, keepdim):
    """Gradient of max/min/amax/median-like reductions: split equally among the elements equal to the result."""
    v = expand_grad(value, shape, axes, keepdim)
    mask = x == v
    if x.dtype.kind == "f":
        mask |= np.isnan(x) & np.isnan(v)
    count = mask.sum(axis=axes, keepdims=True)
    return mask * (expand_grad(grad, shape, axes, keepdim) / count)


def _float_only(x, what):
    if x.dtype.kind != "f":
        raise RuntimeError(what)


def _pair(out0, out1, node_cls, input, **saved):
    """Two outputs of one node (std_mean, aminmax): both get the node when autograd records."""
    node = None
    if is_grad_recording(input):
        node = node_cls((input,))
        for k, v in saved.items():
            setattr(node, k, v)
    return Tensor._make(out0, node, 0), Tensor._make(out1, node, 1)


class _SelectBackward(Node):
    """Backward of ops returning (values, indices): the gradient goes to the selected elements."""

    __slots__ = ("indices", "dim", "shape", "keepdim")

    def backward(self, grad):
        return scatter_grad(grad, self.indices, self.dim, self.shape, self.keepdim)


class _EvenlyBackward(Node):
    """Backward of full reductions picking a value: split among ties."""

    __slots__ = ("x", "value", "axes", "keepdim")

    def backward(self, grad):
        return evenly_distribute(grad, self.x, self.value, self.x.shape, self.axes, self.keepdim)


def _selected(input, values, indices, node_cls, dim, keepdim, kind):
    """Wrap (values, indices) of a selecting reduction along ``dim`` as a return type with graph."""
    vals = record(values, node_cls, (input,), indices=indices, dim=dim, shape=input._data.shape,
                  keepdim=keepdim)
    return return_types[kind](vals, Tensor._make(indices))


# ---- sum / mean ---------------------------------------------------------------------------------------
class SumBackward0(Node):
    __slots__ = ("shape",)

    def backward(self, grad):
        return np.broadcast_to(grad, self.shape)


class SumBackward1(Node):
    __slots__ = ("shape", "axes", "keepdim")

    def backward(self, grad):
        return expand_grad(grad, self.shape, self.axes, self.keepdim)


class MeanBackward0(Node):
    __slots__ = ("shape",)

    def backward(self, grad):
        return np.broadcast_to(grad / builtins.max(math.prod(self.shape), 1), self.shape)


class MeanBackward1(Node):
    __slots__ = ("shape", "axes", "keepdim")

    def backward(self, grad):
        return expand_grad(grad / _count(self.shape, self.axes), self.shape, self.axes, self.keepdim)


def _full_reduction(out, node_cls, input):
    """Result of reducing all of ``input`` with the node built directly: the per-op cost matters here."""
    if is_grad_recording(input):
        node = node_cls((input,))
        node.shape = input._data.shape
        return Tensor._make(out, node)
    return Tensor._make(out)


def _sum_input(input, dtype):
    x = input._data
    if dtype is not None:
        return x.astype(dt.as_dtype(dtype).np, copy=False)
    if x.dtype.kind in "biu":
        return x.astype(np.int64)
    return x


@tensor_method("sum")
def sum(input, dim=None, keepdim=False, *, dtype=None):
    x = input._data
    if dim is None and not keepdim and dtype is None and x.dtype.kind == "f" and x.itemsize > 2:
        return _full_reduction(np.asarray(x.sum()), SumBackward0, input)  # hot path: loss.sum()
    x = _sum_input(input, dtype)
    acc = np.float32 if x.dtype == np.float16 else None  # float16 accumulates in float32, like PyTorch
    if dim is None and not keepdim:
        out = np.asarray(x.sum(dtype=acc), dtype=x.dtype)
        return record(out, SumBackward0, (input,), shape=x.shape)
    axes = reduce_axes(dim, x.ndim)
    out = np.asarray(x.sum(axis=axes, keepdims=keepdim, dtype=acc), dtype=x.dtype)
    return record(out, SumBackward1, (input,), shape=x.shape, axes=axes, keepdim=keepdim)


class NansumBackward0(Node):
    __slots__ = ("x", "axes", "keepdim")

    def backward(self, grad):
        return expand_grad(grad, self.x.shape, self.axes, self.keepdim) * ~np.isnan(self.x)


@tensor_method("nansum")
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    x = _sum_input(input, dtype)
    axes = reduce_axes(dim, x.ndim)
    out = np.asarray(np.nansum(x, axis=axes, keepdims=keepdim), dtype=x.dtype)
    res = record(out, NansumBackward0, (input,), x=x, axes=axes, keepdim=keepdim)
    if res.grad_fn is not None:
        res.grad_fn.save_versions(input)
    return res


def _mean_input(input, dtype, name="mean"):
    x = input._data
    if dtype is not None:
        x = x.astype(dt.as_dtype(dtype).np, copy=False)
    if x.dtype.kind != "f":
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be either a floating point "
                           f"or complex dtype. Got: {_legacy_name(x.dtype)}")
    return x


@tensor_method("mean")
def mean(input, dim=None, keepdim=False, *, dtype=None):
    x = input._data
    if dim is None and not keepdim and dtype is None and x.dtype.kind == "f" and x.itemsize > 2 and x.size:
        return _full_reduction(np.asarray(x.sum() / x.size), MeanBackward0, input)  # hot path: loss.mean()
    x = _mean_input(input, dtype)
    acc = np.float32 if x.dtype == np.float16 else None
    if dim is None and not keepdim:
        out = np.asarray(x.mean(dtype=acc) if x.size else np.nan, dtype=x.dtype)
        return record(out, MeanBackward0, (input,), shape=x.shape)
    axes = reduce_axes(dim, x.ndim)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.asarray(x.mean(axis=axes, keepdims=keepdim, dtype=acc), dtype=x.dtype)
    return record(out, MeanBackward1, (input,), shape=x.shape, axes=axes, keepdim=keepdim)


@tensor_method("nanmean")
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    from .arithmetic import div
    x = _mean_input(input, dtype, "nanmean")
    count = (~np.isnan(x)).sum(axis=reduce_axes(dim, x.ndim), keepdims=keepdim)
    return div(nansum(input, dim, keepdim, dtype=dtype), Tensor._make(np.asarray(count, dtype=x.dtype)))


# ---- std / var --------------------------------------------------------------------------------------------
def _var_args(input, dim, unbiased, keepdim, correction):
    """Resolve the two PyTorch signatures: ``var(dim, unbiased, keepdim)`` and ``var(dim, *, correction)``."""
    if isinstance(dim, bool):  # var(input, unbiased)
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    elif unbiased is not None:
        raise TypeError("var() received an invalid combination of arguments - got both unbiased and correction")
    x = input._data
    if x.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    return x, reduce_axes(dim, x.ndim), correction


def _var_stats(x, axes, keepdim, correction):
    """(var, mean with keepdims, divisor) of ``x`` over ``axes``."""
    m = x.mean(axis=axes, keepdims=True) if x.size else np.full((1,) * x.ndim, np.nan, x.dtype)
    d = x - m
    divisor = builtins.max(_count(x.shape, axes) - correction, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.asarray(np.sum(d * d, axis=axes, keepdims=keepdim) / divisor, dtype=x.dtype)
    return v, m, divisor


def _var_grad(grad, x, m, divisor, axes, keepdim):
    with np.errstate(invalid="ignore", divide="ignore"):
        return expand_grad(grad, x.shape, axes, keepdim) * (2.0 / divisor) * (x - m)


def _std_grad(grad, std, x, m, divisor, axes, keepdim):
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.where(std == 0, 0, grad / (2 * std))
    return _var_grad(g, x, m, divisor, axes, keepdim)


class VarBackward0(Node):
    __slots__ = ("x", "m", "divisor", "axes", "keepdim")

    def backward(self, grad):
        return _var_grad(grad, self.x, self.m, self.divisor, self.axes, self.keepdim)


class StdBackward0(Node):
    __slots__ = ("x", "m", "out", "divisor", "axes", "keepdim")

    def backward(self, grad):
        return _std_grad(grad, self.out, self.x, self.m, self.divisor, self.axes, self.keepdim)


@tensor_method("var")
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    x, axes, correction = _var_args(input, dim, unbiased, keepdim, correction)
    v, m, divisor = _var_stats(x, axes, keepdim, correction)
    res = record(v, VarBackward0, (input,), x=x, m=m, divisor=divisor, axes=axes, keepdim=keepdim)
    if res.grad_fn is not None:
        res.grad_fn.save_versions(input)
    return res


@tensor_method("std")
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    x, axes, correction = _var_args(input, dim, unbiased, keepdim, correction)
    v, m, divisor = _var_stats(x, axes, keepdim, correction)
    s = np.sqrt(v)
    res = record(s, StdBackward0, (input,), x=x, m=m, out=s, divisor=divisor, axes=axes, keepdim=keepdim)
    if res.grad_fn is not None:
        res.grad_fn.save_versions(input)
    return res


class VarMeanBackward0(Node):
    __slots__ = ("x", "m", "divisor", "axes", "keepdim")
    num_outputs = 2

    def backward(self, grads):
        g_var, g_mean = grads
        shape = self.x.shape
        total = np.zeros(shape, dtype=self.x.dtype)
        if g_var is not None:
            total = total + _var_grad(g_var, self.x, self.m, self.divisor, self.axes, self.keepdim)
        if g_mean is not None:
            total = total + expand_grad(g_mean / _count(shape, self.axes), shape, self.axes, self.keepdim)
        return total


class StdMeanBackward0(Node):
    __slots__ = ("x", "m", "out", "divisor", "axes", "keepdim")
    num_outputs = 2

    def backward(self, grads):
        g_std, g_mean = grads
        shape = self.x.shape
        total = np.zeros(shape, dtype=self.x.dtype)
        if g_std is not None:
            total = total + _std_grad(g_std, self.out, self.x, self.m, self.divisor, self.axes, self.keepdim)
        if g_mean is not None:
            total = total + expand_grad(g_mean / _count(shape, self.axes), shape, self.axes, self.keepdim)
        return total


def _mean_out(m, axes, keepdim):
    if keepdim:
        return m
    return m.reshape(()) if axes is None else np.squeeze(m, axis=axes)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    x, axes, correction = _var_args(input, dim, unbiased, keepdim, correction)
    v, m, divisor = _var_stats(x, axes, keepdim, correction)
    out = _pair(v, _mean_out(m, axes, keepdim).copy(), VarMeanBackward0, input, x=x, m=m, divisor=divisor,
                axes=axes, keepdim=keepdim)
    if out[0].grad_fn is not None:
        out[0].grad_fn.save_versions(input)
    return out


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    x, axes, correction = _var_args(input, dim, unbiased, keepdim, correction)
    v, m, divisor = _var_stats(x, axes, keepdim, correction)
    s = np.sqrt(v)
    out = _pair(s, _mean_out(m, axes, keepdim).copy(), StdMeanBackward0, input, x=x, m=m, out=s,
                divisor=divisor, axes=axes, keepdim=keepdim)
    if out[0].grad_fn is not None:
        out[0].grad_fn.save_versions(input)
    return out


# ---- max / min / amax / amin / argmax / argmin -----------------------------------------------------------
class MaxBackward1(_EvenlyBackward):
    __slots__ = ()


class MinBackward1(_EvenlyBackward):
    __slots__ = ()


class MaxBackward0(_SelectBackward):
    __slots__ = ()


class MinBackward0(_SelectBackward):
    __slots__ = ()


class AmaxBackward0(_EvenlyBackward):
    __slots__ = ()


class AminBackward0(_EvenlyBackward):
    __slots__ = ()


def _extreme(input, dim, keepdim, other, name):
    if other is not None or isinstance(dim, Tensor):
        from . import pointwise
        return getattr(pointwise, "maximum" if name == "max" else "minimum")(input, dim if other is None
                                                                              else other)
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        out = np.asarray(x.max() if name == "max" else x.min())
        res = record(out, MaxBackward1 if name == "max" else MinBackward1, (input,), x=x, value=out, axes=None,
                     keepdim=False)
        if res.grad_fn is not None:
            res.grad_fn.save_versions(input)
        return res
    d = normalize_dim(dim, x.ndim)
    if x.ndim == 0:
        return _selected(input, x.copy(), np.zeros((), np.int64), MaxBackward0 if name == "max" else MinBackward0,
                         0, keepdim, name)
    if x.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    idx = (x.argmax if name == "max" else x.argmin)(axis=d, keepdims=True)
    vals = np.take_along_axis(x, idx, d)
    if not keepdim:
        idx, vals = idx.squeeze(d), vals.squeeze(d)
    return _selected(input, vals, idx, MaxBackward0 if name == "max" else MinBackward0, d, keepdim, name)


@tensor_method("max")
def max(input, dim=None, keepdim=False, *, other=None):
    """``max(input)`` value; ``max(input, dim)`` (values, indices); ``max(input, other)`` elementwise."""
    return _extreme(input, dim, keepdim, other, "max")


@tensor_method("min")
def min(input, dim=None, keepdim=False, *, other=None):
    """``min(input)`` value; ``min(input, dim)`` (values, indices); ``min(input, other)`` elementwise."""
    return _extreme(input, dim, keepdim, other, "min")


def _amax_amin(input, dim, keepdim, name, node_cls):
    x = input._data
    axes = reduce_axes(dim, x.ndim)
    if x.size == 0 and (axes is None or builtins.any(x.shape[a] == 0 for a in axes)):
        raise IndexError(f"{name}(): Expected reduction dim {0 if axes is None else axes[0]} to have non-zero "
                         "size.")
    out = np.asarray((np.amax if name == "amax" else np.amin)(x, axis=axes, keepdims=keepdim))
    res = record(out, node_cls, (input,), x=x, value=out, axes=axes, keepdim=keepdim)
    if res.grad_fn is not None:
        res.grad_fn.save_versions(input)
    return res


@tensor_method("amax")
def amax(input, dim=(), keepdim=False):
    return _amax_amin(input, dim, keepdim, "amax", AmaxBackward0)


@tensor_method("amin")
def amin(input, dim=(), keepdim=False):
    return _amax_amin(input, dim, keepdim, "amin", AminBackward0)


class AminmaxBackward0(Node):
    __slots__ = ("x", "lo", "hi", "axes", "keepdim")
    num_outputs = 2

    def backward(self, grads):
        total = np.zeros(self.x.shape, dtype=self.x.dtype)
        for g, v in zip(grads, (self.lo, self.hi)):
            if g is not None:
                total = total + evenly_distribute(g, self.x, v, self.x.shape, self.axes, self.keepdim)
        return total


@tensor_method("aminmax")
def aminmax(input, *, dim=None, keepdim=False):
    x = input._data
    axes = reduce_axes(dim, x.ndim)
    lo = np.asarray(np.amin(x, axis=axes, keepdims=keepdim))
    hi = np.asarray(np.amax(x, axis=axes, keepdims=keepdim))
    pair = _pair(lo, hi, AminmaxBackward0, input, x=x, lo=lo, hi=hi, axes=axes, keepdim=keepdim)
    if pair[0].grad_fn is not None:
        pair[0].grad_fn.save_versions(input)
    return return_types["aminmax"](*pair)


def _arg_extreme(input, dim, keepdim, name):
    x = input._data
    if x.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    find = np.argmax if name == "argmax" else np.argmin
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        out = np.asarray(find(x), dtype=np.int64)
        return Tensor._make(out.reshape((1,) * x.ndim) if keepdim else out)
    d = normalize_dim(dim, x.ndim)
    if x.ndim == 0:
        return Tensor._make(np.zeros((), np.int64))
    if x.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return Tensor._make(np.asarray(find(x, axis=d, keepdims=keepdim), dtype=np.int64))


@tensor_method("argmax")
def argmax(input, dim=None, keepdim=False):
    return _arg_extreme(input, dim, keepdim, "argmax")


@tensor_method("argmin")
def argmin(input, dim=None, keepdim=False):
    return _arg_extreme(input, dim, keepdim, "argmin")


# ---- prod ---------------------------------------------------------------------------------------------------
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


class ProdBackward1(Node):
    __slots__ = ("x", "dim", "keepdim")

    def backward(self, grad):
        x, d = self.x, self.dim
        if x.ndim == 0:
            return grad * np.ones_like(x)
        local = np.moveaxis(_prod_grad_rows(np.moveaxis(x, d, -1)), -1, d)
        return expand_grad(grad, x.shape, (d,), self.keepdim) * local


@tensor_method("prod")
def prod(input, dim=None, keepdim=False, *, dtype=None):
    x = _sum_input(input, dtype)
    if dim is None:
        res = record(np.asarray(x.prod()), ProdBackward0, (input,), x=x)
    else:
        d = normalize_dim(dim, x.ndim)
        out = np.asarray(x.prod(axis=d, keepdims=keepdim) if x.ndim else x.copy())
        res = record(out, ProdBackward1, (input,), x=x, dim=d, keepdim=keepdim)
    if res.grad_fn is not None:
        res.grad_fn.save_versions(input)
    return res


# ---- logsumexp ----------------------------------------------------------------------------------------------
class LogsumexpBackward0(Node):
    __slots__ = ("x", "out", "axes", "keepdim")

    def backward(self, grad):
        shape = self.x.shape
        return expand_grad(grad, shape, self.axes, self.keepdim) * np.exp(
            self.x - expand_grad(self.out, shape, self.axes, self.keepdim))


@tensor_method("logsumexp")
def logsumexp(input, dim, keepdim=False):
    x = input._data
    if x.dtype.kind != "f":
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
    out = np.asarray(out, dtype=x.dtype)
    res = record(out, LogsumexpBackward0, (input,), x=x, out=out, axes=axes, keepdim=keepdim)
    if res.grad_fn is not None:
        res.grad_fn.save_versions(input)
    return res


# ---- norms --------------------------------------------------------------------------------------------------
class LinalgVectorNormBackward0(Node):
    __slots__ = ("x", "out", "ord", "axes", "keepdim")

    def backward(self, grad):
        x, p, shape = self.x, self.ord, self.x.shape
        g = expand_grad(grad, shape, self.axes, self.keepdim)
        n = expand_grad(self.out, shape, self.axes, self.keepdim)
        if p == 0:
            return np.zeros_like(x)
        if p == 1:
            return g * np.sign(x)
        if math.isinf(p):
            return np.sign(x) * evenly_distribute(grad, np.abs(x), self.out, shape, self.axes, self.keepdim)
        with np.errstate(invalid="ignore", divide="ignore"):
            if p == 2:
                return np.where(n == 0, 0, g * x / n)
            scaled = x * np.abs(x) ** (p - 2)
            return np.where(n == 0, 0, g * scaled / n ** (p - 1))


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """``linalg.vector_norm``: the ``ord``-norm of ``x`` over ``dim`` (all elements when None)."""
    arr = x._data
    if dtype is not None:
        arr = arr.astype(dt.as_dtype(dtype).np, copy=False)
    if arr.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {_legacy_name(arr.dtype)}")
    p = builtins.float(ord)
    axes = reduce_axes(dim, arr.ndim)
    a = np.abs(arr)
    if p == 2:
        out = np.sqrt(np.sum(a * a, axis=axes, keepdims=keepdim))
    elif p == 1:
        out = np.sum(a, axis=axes, keepdims=keepdim)
    elif p == 0:
        out = np.sum(a != 0, axis=axes, keepdims=keepdim)
    elif p == math.inf:
        out = np.amax(a, axis=axes, keepdims=keepdim, initial=0) if a.size == 0 else np.amax(
            a, axis=axes, keepdims=keepdim)
    elif p == -math.inf:
        if a.size == 0:
            raise RuntimeError("linalg.vector_norm cannot compute the -inf norm on an empty tensor because the "
                               "operation does not have an identity")
        out = np.amin(a, axis=axes, keepdims=keepdim)
    else:
        with np.errstate(divide="ignore"):
            out = np.sum(a ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)
    out = np.asarray(out, dtype=arr.dtype)
    res = record(out, LinalgVectorNormBackward0, (x,), x=arr, out=out, ord=p, axes=axes, keepdim=keepdim)
    if res.grad_fn is not None:
        res.grad_fn.save_versions(x)
    return res


@tensor_method("norm")
def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector norms (``p`` a number, ``'fro'`` = 2) over ``dim``; ``'nuc'`` is not supported."""
    if isinstance(p, str):
        if p != "fro":
            raise RuntimeError(f"numbatorch.norm: p='{p}' is not supported (only numbers and 'fro')")
        p = 2
    elif p is None:
        p = 2
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


# ---- cumulative ops -----------------------------------------------------------------------------------------
def _rows(x, d):
    """``x`` with axis ``d`` moved last, as contiguous (rows, length)."""
    moved = np.moveaxis(x, d, -1)
    return np.ascontiguousarray(moved).reshape(-1, moved.shape[-1] if moved.ndim else 1), moved.shape


def _unrows(rows, moved_shape, d):
    return np.moveaxis(rows.reshape(moved_shape), -1, d)


class CumsumBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, grad):
        if grad.ndim == 0:
            return grad
        d = self.dim
        return np.flip(np.cumsum(np.flip(grad, d), axis=d), d)


def _cumulative_setup(input, dim, dtype):
    x = _sum_input(input, dtype)
    return x, normalize_dim(dim, x.ndim)


@tensor_method("cumsum")
def cumsum(input, dim, *, dtype=None):
    x, d = _cumulative_setup(input, dim, dtype)
    out = np.cumsum(x, axis=d) if x.ndim else x.copy()
    return record(out, CumsumBackward0, (input,), dim=d)


@njit(cache=True, error_model="numpy")
def _cumprod_backward_rows(x, out, g, res):
    """Exact gradient of cumprod per row, zeros included: entries after the first zero get none, the zero gets
    the sum of the later products with it left out, earlier ones sum(g*out)/x over the prefix before it."""
    rows, n = x.shape
    for r in range(rows):
        z = n
        for i in range(n):
            if x[r, i] == 0:
                z = i
                break
        acc = 0.0
        for i in range(z - 1, -1, -1):
            acc += g[r, i] * out[r, i]
            res[r, i] = acc / x[r, i]
        if z < n:
            p = out[r, z - 1] if z > 0 else 1.0
            acc = p * g[r, z]
            for j in range(z + 1, n):
                p *= x[r, j]
                acc += g[r, j] * p
            res[r, z] = acc
            for i in range(z + 1, n):
                res[r, i] = 0.0


class CumprodBackward0(Node):
    __slots__ = ("x", "out", "dim")

    def backward(self, grad):
        x = self.x
        if x.ndim == 0:
            return grad * np.ones_like(x)
        xr, moved_shape = _rows(x, self.dim)
        outr, _ = _rows(self.out, self.dim)
        gr, _ = _rows(np.broadcast_to(grad, x.shape).astype(x.dtype, copy=False), self.dim)
        res = np.empty_like(xr)
        _cumprod_backward_rows(xr, outr, gr, res)
        return _unrows(res, moved_shape, self.dim)


@tensor_method("cumprod")
def cumprod(input, dim, *, dtype=None):
    x, d = _cumulative_setup(input, dim, dtype)
    out = np.cumprod(x, axis=d) if x.ndim else x.copy()
    res = record(out, CumprodBackward0, (input,), x=x, out=out, dim=d)
    if res.grad_fn is not None:
        res.grad_fn.save_versions(input)
    return res


def _cum_extreme_kernel(parallel):
    """Running max (sign=1) or min (sign=-1) per row with the index of the latest extreme (ties move it, NaN
    sticks), as PyTorch's cummax/cummin. One compiled function per threading option."""
    loop = prange if parallel else range

    def kernel(x, values, indices, sign):
        rows, n = x.shape
        for r in loop(rows):
            if n == 0:
                continue
            best = x[r, 0]
            at = 0
            for i in range(n):
                v = x[r, i]
                if v != v or (best == best and (v >= best if sign > 0 else v <= best)):
                    best = v
                    at = i
                values[r, i] = best
                indices[r, i] = at

    return kernel


_cum_extreme_serial = njit(cache=True, error_model="numpy")(_cum_extreme_kernel(False))
_cum_extreme_parallel = njit(parallel=True, cache=True, error_model="numpy")(_cum_extreme_kernel(True))


class CummaxBackward0(Node):
    __slots__ = ("indices", "dim", "shape")

    def backward(self, grad):
        return scatter_grad(grad, self.indices, self.dim, self.shape, True, accumulate=True)


class CumminBackward0(CummaxBackward0):
    __slots__ = ()


def _cum_extreme(input, dim, name):
    x = input._data
    d = normalize_dim(dim, x.ndim)
    if x.ndim == 0:
        vals, idx = x.copy(), np.zeros((), np.int64)
    else:
        work = x.astype(np.float32) if x.dtype == np.float16 else x.view(np.uint8) if x.dtype == np.bool_ else x
        xr, moved_shape = _rows(work, d)
        vr = np.empty_like(xr)
        ir = np.empty(xr.shape, np.int64)
        kernel = _cum_extreme_parallel if xr.size >= _PARALLEL_MIN_SIZE and xr.shape[0] > 1 else \
            _cum_extreme_serial
        kernel(xr, vr, ir, 1 if name == "cummax" else -1)
        vr = vr.astype(x.dtype, copy=False)
        vals, idx = _unrows(vr, moved_shape, d), _unrows(ir, moved_shape, d)
    node_cls = CummaxBackward0 if name == "cummax" else CumminBackward0
    values = record(vals, node_cls, (input,), indices=idx, dim=d, shape=x.shape)
    return return_types[name](values, Tensor._make(idx))


@tensor_method("cummax")
def cummax(input, dim):
    return _cum_extreme(input, dim, "cummax")


@tensor_method("cummin")
def cummin(input, dim):
    return _cum_extreme(input, dim, "cummin")


# ---- logical reductions --------------------------------------------------------------------------------------
def _logical(input, dim, keepdim, fn):
    x = input._data
    out = np.asarray(fn(x, axis=reduce_axes(dim, x.ndim), keepdims=keepdim))
    return Tensor._make(out.astype(np.uint8) if x.dtype == np.uint8 else out)


@tensor_method("all")
def all(input, dim=None, keepdim=False):
    return _logical(input, dim, keepdim, np.all)


@tensor_method("any")
def any(input, dim=None, keepdim=False):
    return _logical(input, dim, keepdim, np.any)


@tensor_method("count_nonzero")
def count_nonzero(input, dim=None):
    x = input._data
    return Tensor._make(np.asarray(np.count_nonzero(x, axis=reduce_axes(dim, x.ndim)), dtype=np.int64))


# ---- median / nanmedian / mode ---------------------------------------------------------------------------
class MedianBackward0(_EvenlyBackward):
    __slots__ = ()


class NanmedianBackward0(_EvenlyBackward):
    __slots__ = ()


class MedianBackward1(_SelectBackward):
    __slots__ = ()


class NanmedianBackward1(_SelectBackward):
    __slots__ = ()


def _median_rows(x, d, ignore_nan):
    """(values, indices) of the lower median along ``d`` with keepdims; NaN wins unless ``ignore_nan``."""
    order = np.argsort(x, axis=d, kind="stable")  # NaN sorts last
    n = x.shape[d]
    if ignore_nan:
        count = (~np.isnan(x)).sum(axis=d, keepdims=True) if x.dtype.kind == "f" else np.full(
            tuple(1 if i == d else s for i, s in enumerate(x.shape)), n)
        k = np.maximum(count - 1, 0) // 2
        idx = np.take_along_axis(order, k, d)
    else:
        idx = np.take(order, [(n - 1) // 2], axis=d)
        if x.dtype.kind == "f":
            nan = np.isnan(x)
            has_nan = nan.any(axis=d, keepdims=True)
            idx = np.where(has_nan, np.argmax(nan, axis=d, keepdims=True), idx)
    return np.take_along_axis(x, idx, d), idx


def _median(input, dim, keepdim, ignore_nan):
    name = "nanmedian" if ignore_nan else "median"
    x = input._data
    if x.dtype == np.bool_:
        kernel = "median_cpu" if dim is None else "median_out"
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
    if dim is None:
        if x.size == 0:
            return Tensor._make(np.asarray(np.nan, dtype=x.dtype))
        vals, _ = _median_rows(x.reshape(-1), 0, ignore_nan)
        out = vals.reshape(())
        res = record(out, NanmedianBackward0 if ignore_nan else MedianBackward0, (input,), x=x, value=out,
                     axes=None, keepdim=False)
        if res.grad_fn is not None:
            res.grad_fn.save_versions(input)
        return res
    d = normalize_dim(dim, x.ndim)
    if x.ndim == 0:
        vals, idx = x.copy(), np.zeros((), np.int64)
    else:
        if x.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        vals, idx = _median_rows(x, d, ignore_nan)
        if not keepdim:
            vals, idx = vals.squeeze(d), idx.squeeze(d)
    return _selected(input, vals, idx, NanmedianBackward1 if ignore_nan else MedianBackward1, d, keepdim, name)


@tensor_method("median")
def median(input, dim=None, keepdim=False):
    return _median(input, dim, keepdim, False)


@tensor_method("nanmedian")
def nanmedian(input, dim=None, keepdim=False):
    return _median(input, dim, keepdim, True)


@njit(cache=True, error_model="numpy")
def _mode_rows(x, values, indices):
    """Most frequent value per row (smallest among equally frequent) and the index of its last occurrence."""
    rows, n = x.shape
    for r in range(rows):
        s = np.sort(x[r])
        best, best_len, run = s[0], 0, 0
        for i in range(n):
            run = run + 1 if i > 0 and s[i] == s[i - 1] else 1
            if run > best_len:
                best_len = run
                best = s[i]
        values[r] = best
        for i in range(n - 1, -1, -1):
            if x[r, i] == best:
                indices[r] = i
                break


class ModeBackward0(_SelectBackward):
    __slots__ = ()


@tensor_method("mode")
def mode(input, dim=-1, keepdim=False):
    x = input._data
    d = normalize_dim(dim, x.ndim)
    if x.ndim == 0:
        vals, idx = x.copy(), np.zeros((), np.int64)
    else:
        if x.shape[d] == 0:
            raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
        work = x.astype(np.float32) if x.dtype == np.float16 else x.astype(np.uint8) if x.dtype == np.bool_ else x
        xr, moved_shape = _rows(work, d)
        vr = np.empty(xr.shape[0], xr.dtype)
        ir = np.empty(xr.shape[0], np.int64)
        _mode_rows(xr, vr, ir)
        out_shape = moved_shape[:-1] + ((1,) if keepdim else ())
        vals = vr.astype(x.dtype).reshape(out_shape)
        idx = ir.reshape(out_shape)
        if keepdim:
            vals, idx = np.moveaxis(vals, -1, d), np.moveaxis(idx, -1, d)
    return _selected(input, vals, idx, ModeBackward0, d, keepdim, "mode")
