"""Statistics: var/std (and their _mean forms), median/nanmedian, mode."""
import builtins

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, backward_by_recompute
from ._half_precision import computes_in_float32
from ._util import normalize_dim, record, zeros
from ._reduce_util import (_EvenlyBackward, _SelectBackward, _count, _mean_out, _rows, _selected, expand_grad,
                           reduce_axes)
from ..backends import kernel_family

mode_forward = kernel_family("reduction").mode_forward

__all__ = [
    "std", "var", "std_mean", "var_mean", "median", "nanmedian", "mode",
]

def _var_args(input, dim, unbiased, keepdim, correction):
    """Resolve the two PyTorch signatures: ``var(dim, unbiased, keepdim)`` and ``var(dim, *, correction)``."""
    if isinstance(dim, bool):  # var(input, unbiased)
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    elif unbiased is not None:
        raise TypeError("var() received an invalid combination of arguments - got both unbiased and correction")
    x = input._data
    if not dt.is_floating(x.dtype):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    return x, reduce_axes(dim, x.ndim), correction


def _var_stats(x, axes, keepdim, correction):
    """(var, mean with keepdims, divisor) of ``x`` over ``axes``."""
    m = x.mean(axis=axes, keepdims=True) if x.size else np.full((1,) * x.ndim, np.nan, x.dtype)
    d = x - m
    divisor = builtins.max(_count(x.shape, axes) - correction, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.asarray(np.sum(d * d, axis=axes, keepdims=keepdim) / divisor, dtype=x.dtype, like=x)
    return v, m, divisor


def _var_grad(grad, x, m, divisor, axes, keepdim):
    with np.errstate(invalid="ignore", divide="ignore"):
        return expand_grad(grad, x.shape, axes, keepdim) * (2.0 / divisor) * (x - m)


def _std_grad(grad, std, x, m, divisor, axes, keepdim):
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.where(std == 0, 0, grad / (2 * std))
    return _var_grad(g, x, m, divisor, axes, keepdim)


def _graph_var(x, divisor, axes, keepdim):
    """The variance from differentiable ops, for differentiating var/std again (``create_graph=True``)."""
    dims = tuple(range(x.dim())) if axes is None else axes
    centered = x - x.mean(dims, keepdim=True)
    return (centered * centered).sum(dims, keepdim=keepdim) / divisor


def _graph_var_mean(x, divisor, axes, keepdim, take_sqrt):
    dims = tuple(range(x.dim())) if axes is None else axes
    v = _graph_var(x, divisor, axes, keepdim)
    return (v.sqrt() if take_sqrt else v), x.mean(dims, keepdim=keepdim)


class VarBackward0(Node):
    __slots__ = ("x", "m", "divisor", "axes", "keepdim")

    def backward(self, grad):
        return _var_grad(grad, self.x, self.m, self.divisor, self.axes, self.keepdim)

    def backward_graph(self, grad):
        return backward_by_recompute(self, lambda x: _graph_var(x, self.divisor, self.axes, self.keepdim), (self.x,),
                                     grad)


class StdBackward0(Node):
    __slots__ = ("x", "m", "out", "divisor", "axes", "keepdim")

    def backward(self, grad):
        return _std_grad(grad, self.out, self.x, self.m, self.divisor, self.axes, self.keepdim)

    def backward_graph(self, grad):
        return backward_by_recompute(
            self, lambda x: _graph_var(x, self.divisor, self.axes, self.keepdim).sqrt(), (self.x,), grad)


@tensor_method("var")
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over ``dim`` (all elements by default), with ``correction`` (Bessel's, 1, by default)."""
    if input._data.dtype.kind == "c":  # E|z - mean|^2: the real and imaginary variances add up (a real result)
        return (var(input.real, dim, unbiased, keepdim, correction=correction)
                + var(input.imag, dim, unbiased, keepdim, correction=correction))
    x, axes, correction = _var_args(input, dim, unbiased, keepdim, correction)
    v, m, divisor = _var_stats(x, axes, keepdim, correction)
    return record(v, VarBackward0, (input,), reads=(input,), x=x, m=m, divisor=divisor, axes=axes, keepdim=keepdim)


@tensor_method("std")
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation over ``dim`` (all elements by default), with ``correction`` (1 by default)."""
    if input._data.dtype.kind == "c":
        return var(input, dim, unbiased, keepdim, correction=correction).sqrt()
    x, axes, correction = _var_args(input, dim, unbiased, keepdim, correction)
    v, m, divisor = _var_stats(x, axes, keepdim, correction)
    s = np.sqrt(v)
    return record(s, StdBackward0, (input,), reads=(input,), x=x, m=m, out=s, divisor=divisor, axes=axes,
                  keepdim=keepdim)


class VarMeanBackward0(Node):
    __slots__ = ("x", "m", "divisor", "axes", "keepdim")
    num_outputs = 2

    def backward(self, grads):
        g_var, g_mean = grads
        shape = self.x.shape
        total = zeros(shape, self.x.dtype, like=self.x)
        if g_var is not None:
            total = total + _var_grad(g_var, self.x, self.m, self.divisor, self.axes, self.keepdim)
        if g_mean is not None:
            total = total + expand_grad(g_mean / _count(shape, self.axes), shape, self.axes, self.keepdim)
        return total

    def backward_graph(self, grads):
        return backward_by_recompute(self, lambda x: _graph_var_mean(x, self.divisor, self.axes, self.keepdim, False),
                                     (self.x,), grads)


class StdMeanBackward0(Node):
    __slots__ = ("x", "m", "out", "divisor", "axes", "keepdim")
    num_outputs = 2

    def backward(self, grads):
        g_std, g_mean = grads
        shape = self.x.shape
        total = zeros(shape, self.x.dtype, like=self.x)
        if g_std is not None:
            total = total + _std_grad(g_std, self.out, self.x, self.m, self.divisor, self.axes, self.keepdim)
        if g_mean is not None:
            total = total + expand_grad(g_mean / _count(shape, self.axes), shape, self.axes, self.keepdim)
        return total

    def backward_graph(self, grads):
        return backward_by_recompute(self, lambda x: _graph_var_mean(x, self.divisor, self.axes, self.keepdim, True),
                                     (self.x,), grads)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``, as ``var`` and ``mean`` compute them."""
    x, axes, correction = _var_args(input, dim, unbiased, keepdim, correction)
    v, m, divisor = _var_stats(x, axes, keepdim, correction)
    return record((v, _mean_out(m, axes, keepdim).copy()), VarMeanBackward0, (input,), reads=(input,), x=x,
                  m=m, divisor=divisor, axes=axes, keepdim=keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``, as ``std`` and ``mean`` compute them."""
    x, axes, correction = _var_args(input, dim, unbiased, keepdim, correction)
    v, m, divisor = _var_stats(x, axes, keepdim, correction)
    s = np.sqrt(v)
    return record((s, _mean_out(m, axes, keepdim).copy()), StdMeanBackward0, (input,), reads=(input,), x=x,
                  m=m, out=s, divisor=divisor, axes=axes, keepdim=keepdim)


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
        count = (~np.isnan(x)).sum(axis=d, keepdims=True) if dt.is_floating(x.dtype) else np.full(
            tuple(1 if i == d else s for i, s in enumerate(x.shape)), n)
        k = np.maximum(count - 1, 0) // 2
        idx = np.take_along_axis(order, k, d)
    else:
        idx = np.take(order, [(n - 1) // 2], axis=d)
        if dt.is_floating(x.dtype):
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
            return Tensor._make(np.asarray(np.nan, dtype=x.dtype, like=x))
        vals, _ = _median_rows(x.reshape(-1), 0, ignore_nan)
        out = vals.reshape(())
        return record(out, NanmedianBackward0 if ignore_nan else MedianBackward0, (input,), reads=(input,), x=x,
                      value=out, axes=None, keepdim=False)
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
    """The lower median of all elements, or ``(values, indices)`` along ``dim``; nan propagates."""
    return _median(input, dim, keepdim, False)


@tensor_method("nanmedian")
def nanmedian(input, dim=None, keepdim=False):
    """The lower median ignoring nan, of all elements or ``(values, indices)`` along ``dim``."""
    return _median(input, dim, keepdim, True)


class ModeBackward0(_SelectBackward):
    __slots__ = ()


@tensor_method("mode")
@computes_in_float32
def mode(input, dim=-1, keepdim=False):
    """The most frequent value along ``dim`` and an index of it: ``(values, indices)``."""
    x = input._data
    d = normalize_dim(dim, x.ndim)
    if x.ndim == 0:
        vals, idx = x.copy(), np.zeros((), np.int64)
    else:
        if x.shape[d] == 0:
            raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
        xr, moved_shape = _rows(x, d)
        vr, ir = mode_forward(xr)
        out_shape = moved_shape[:-1] + ((1,) if keepdim else ())
        vals = vr.reshape(out_shape)
        idx = ir.reshape(out_shape)
        if keepdim:
            vals, idx = np.moveaxis(vals, -1, d), np.moveaxis(idx, -1, d)
    return _selected(input, vals, idx, ModeBackward0, d, keepdim, "mode")
