"""softmax and log_softmax along one dim, as fused Numba kernels.

The input is viewed as (outer, n, inner) with the softmax dim in the middle, so any dim is handled without a
transposing copy: each outer block normalises ``inner`` independent columns of length ``n``.
"""
import numpy as np
from numba import njit, prange

from .. import _dtype as dt
from .._tensor import tensor_method
from ..autograd.graph import Node
from ._util import _legacy_name, normalize_dim, record

__all__ = ["softmax", "log_softmax"]

_PARALLEL_MIN_SIZE = 1 << 15


@njit(cache=True, error_model="numpy")
def _softmax_block(x, out, log):
    """Stable (max-subtracted) softmax or log_softmax of the columns of one (n, inner) block."""
    n, inner = x.shape
    m = np.full(inner, -np.inf)
    for j in range(n):
        for b in range(inner):
            v = x[j, b]
            if v > m[b] or v != v:  # NaN propagates like PyTorch
                m[b] = v
    s = np.zeros(inner)
    for j in range(n):
        for b in range(inner):
            s[b] += np.exp(x[j, b] - m[b])
    for b in range(inner):
        s[b] = np.log(s[b]) if log else 1.0 / s[b]
    for j in range(n):
        for b in range(inner):
            if log:
                out[j, b] = x[j, b] - m[b] - s[b]
            else:
                out[j, b] = np.exp(x[j, b] - m[b]) * s[b]


@njit(cache=True, error_model="numpy")
def _softmax_serial(x, out, log):
    for a in range(x.shape[0]):
        _softmax_block(x[a], out[a], log)


@njit(parallel=True, cache=True, error_model="numpy")
def _softmax_parallel(x, out, log):
    for a in prange(x.shape[0]):
        _softmax_block(x[a], out[a], log)


@njit(cache=True, error_model="numpy")
def _softmax_backward_block(g, y, out, log):
    """softmax: y * (g - sum(g*y)); log_softmax: g - exp(y) * sum(g); sums over the n axis of one block."""
    n, inner = g.shape
    s = np.zeros(inner)
    for j in range(n):
        for b in range(inner):
            s[b] += g[j, b] if log else g[j, b] * y[j, b]
    for j in range(n):
        for b in range(inner):
            if log:
                out[j, b] = g[j, b] - np.exp(y[j, b]) * s[b]
            else:
                out[j, b] = y[j, b] * (g[j, b] - s[b])


@njit(cache=True, error_model="numpy")
def _softmax_backward_serial(g, y, out, log):
    for a in range(g.shape[0]):
        _softmax_backward_block(g[a], y[a], out[a], log)


@njit(parallel=True, cache=True, error_model="numpy")
def _softmax_backward_parallel(g, y, out, log):
    for a in prange(g.shape[0]):
        _softmax_backward_block(g[a], y[a], out[a], log)


def _as_blocks(arr, d):
    """Contiguous (outer, n, inner) view of ``arr`` around axis ``d``."""
    shape = arr.shape
    outer = int(np.prod(shape[:d], dtype=np.int64))
    inner = int(np.prod(shape[d + 1:], dtype=np.int64))
    return np.ascontiguousarray(arr).reshape(outer, shape[d] if shape else 1, inner)


def _use_parallel(blocks):
    """The parallel variants pay a thread wake-up: worth it only with enough work and several blocks."""
    return blocks.size >= _PARALLEL_MIN_SIZE and blocks.shape[0] > 1


class SoftmaxBackward0(Node):
    __slots__ = ("out", "dim")

    def backward(self, grad):
        return _backward(grad, self.out, self.dim, False)


class LogSoftmaxBackward0(Node):
    __slots__ = ("out", "dim")

    def backward(self, grad):
        return _backward(grad, self.out, self.dim, True)


def _backward(grad, y, d, log):
    g = np.broadcast_to(grad, y.shape).astype(y.dtype, copy=False)
    if y.size == 0:
        return np.zeros_like(y)
    yb = _as_blocks(y, d)
    res = np.empty(yb.shape, y.dtype)
    gb = _as_blocks(g, d)
    (_softmax_backward_parallel if _use_parallel(gb) else _softmax_backward_serial)(gb, yb, res, log)
    return res.reshape(y.shape)


def _implicit_dim(ndim):
    return 0 if ndim in (0, 1, 3) else 1


def _softmax(input, dim, dtype, log):
    x = input._data
    if dtype is not None:
        x = x.astype(dt.as_dtype(dtype).np, copy=False)
    if x.dtype.kind != "f":
        kernel = "log_softmax" if log else "softmax"
        raise NotImplementedError(f'"{kernel}_lastdim_kernel_impl" not implemented for '
                                  f"'{_legacy_name(x.dtype)}'")
    d = normalize_dim(_implicit_dim(x.ndim) if dim is None else dim, x.ndim)
    work = x.astype(np.float32) if x.dtype == np.float16 else x  # no float16 arithmetic in Numba
    out = np.empty(work.shape, work.dtype)
    if work.size:
        blocks = _as_blocks(work, d)
        (_softmax_parallel if _use_parallel(blocks) else _softmax_serial)(blocks, out.reshape(blocks.shape), log)
    out = out.astype(x.dtype, copy=False)
    return record(out, LogSoftmaxBackward0 if log else SoftmaxBackward0, (input,), out=out, dim=d)


@tensor_method("softmax")
def softmax(input, dim=None, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``, computed as exp(x - max) for stability."""
    return _softmax(input, dim, dtype, False)


@tensor_method("log_softmax")
def log_softmax(input, dim=None, dtype=None):
    """x - max - log(sum(exp(x - max))) along ``dim``."""
    return _softmax(input, dim, dtype, True)
