"""Pooling on raw numpy arrays (N, C, *spatial) or unbatched (C, *spatial), 1-d/2-d/3-d:
max pool (+indices) and its backward, max unpool, avg pool, adaptive avg/max pool and
fractional max pool, forward and backward.  LP pooling is left to the caller (avg pool
of x**p).  Indices are flat offsets into each input plane, like PyTorch's, held as int32 where a plane
has fewer than 2**31 elements (``index_dtype``): the family module widens those it returns to PyTorch's int64.
"""
import math

import numpy as np

from . import _pool_kernels as K
from ._parallel import MIN_ELEMENTS, choose
from .pointwise import MIN_BACKWARD_BYTES

# Elements from which the global max pool's flat scan runs parallel: at ~1.4 ns an element, cifar2's 50x64x5x5
# (80,000 elements, ~0.11 ms) ran no faster on two threads than on one, beside a busy core
GLOBAL_MAX_MIN_ELEMENTS = 8 * MIN_ELEMENTS
# Input bytes from which global average pooling sums its planes on ``plane_mean`` (eight float64 partial sums, not
# ``window_avg``'s one running sum: 2.4x PyTorch's time forward and backward on 8 MiB of float32).
GLOBAL_AVERAGE_MIN_BYTES = MIN_BACKWARD_BYTES

# The max pools' backward reads the indices from memory long since left by the cache: int32 instead of int64
# halves that read and the forward's write (cifar2's first pool: 2.9 of the 4.3 MB it writes at batch 50).
_INDEX_DTYPES = (np.dtype(np.int32), np.dtype(np.int64))

__all__ = [
    "pool_output_size", "max_pool_forward", "max_pool_backward", "max_unpool_forward",
    "max_unpool_backward", "avg_pool_forward", "avg_pool_backward",
    "adaptive_avg_pool_forward", "adaptive_avg_pool_backward",
    "adaptive_max_pool_forward", "adaptive_max_pool_backward",
    "fractional_max_pool_forward", "fractional_max_pool_backward", "adaptive_windows", "index_dtype",
]


def _planes(x, nd):
    """(N, C, *sp) or (C, *sp) -> contiguous (P, D, H, W) view and the leading shape."""
    lead = x.shape[:x.ndim - nd]
    sp = x.shape[x.ndim - nd:]
    planes = math.prod(lead)
    x4 = np.ascontiguousarray(x).reshape((planes,) + (1,) * (3 - nd) + sp)
    return x4, lead, sp


def _as4(a, nd):
    lead = a.shape[:a.ndim - nd]
    return np.ascontiguousarray(a).reshape((math.prod(lead),) + (1,) * (3 - nd) + a.shape[a.ndim - nd:])


def _pad3(t, fill):
    return (fill,) * (3 - len(t)) + tuple(t)


def index_dtype(plane):
    """The dtype of the max pools' indices into planes of ``plane`` elements: int32 where every offset fits."""
    return np.int32 if plane < 2 ** 31 else np.int64


def pool_output_size(size, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's pooling_output_shape: a last window must start inside the input or left pad."""
    num = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = num // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _per_dim(value, nd):
    """An int for every spatial dim as an nd-tuple (lengths were checked by the caller)."""
    return (int(value),) * nd if isinstance(value, (int, np.integer)) else tuple(int(v) for v in value)


def _window_args(spatial, nd, kernel_size, stride, padding, dilation, ceil_mode):
    """Per-dim (kernel, stride, padding, dilation) and the output size; stride None means the kernel."""
    k = _per_dim(kernel_size, nd)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _per_dim(stride, nd)
    p = _per_dim(padding, nd)
    d = _per_dim(dilation, nd)
    out = tuple(pool_output_size(spatial[i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(nd))
    return k, s, p, d, out


# ----------------------------------------------------------------------------- max pool

def max_pool_forward(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max pool over the last nd dims (nd = len(kernel_size), or x.ndim - 2 for an int).
    Returns (output, indices of ``index_dtype``)."""
    nd = len(kernel_size) if not isinstance(kernel_size, int) else x.ndim - 2
    x4, lead, sp = _planes(x, nd)
    k, s, p, d, osp = _window_args(sp, nd, kernel_size, stride, padding, dilation, ceil_mode)
    P = x4.shape[0]
    out = np.empty((P,) + _pad3(osp, 1), dtype=x.dtype)
    idx = np.empty(out.shape, dtype=index_dtype(math.prod(sp)))
    k3, s3, p3, d3 = _pad3(k, 1), _pad3(s, 1), _pad3(p, 0), _pad3(d, 1)
    if _is_plain_2x2(k3, s3, p3, d3, x4.shape, out.shape):
        choose(K.maxpool2x2, x4.size)(x4, out, idx)
    else:
        choose(K.maxpool, x4.size)(x4, out, idx, *k3, *s3, *p3, *d3)
    return out.reshape(lead + osp), idx.reshape(lead + osp)


def _is_plain_2x2(k3, s3, p3, d3, x_shape, out_shape):
    """2x2 windows at stride 2, no padding or dilation, all inside the input (ceil_mode may
    add a partial last window): the fast kernel's case."""
    return (k3 == (1, 2, 2) and s3 == (1, 2, 2) and p3 == (0, 0, 0) and d3 == (1, 1, 1)
            and x_shape[1] == 1 and 2 * out_shape[2] <= x_shape[2] and 2 * out_shape[3] <= x_shape[3])


def max_pool_backward(grad_output, x_shape, indices, nd=None):
    """Input gradient of any max pool returning PyTorch indices (also adaptive/fractional).
    nd (spatial dims) defaults to len(x_shape) - 2; pass it for unbatched inputs."""
    nd = nd or len(x_shape) - 2
    P = math.prod(x_shape[:len(x_shape) - nd])
    gy = np.ascontiguousarray(grad_output).reshape(P, math.prod(grad_output.shape[grad_output.ndim - nd:]))
    ix = np.ascontiguousarray(indices, dtype=indices.dtype if indices.dtype in _INDEX_DTYPES else np.int64)
    ix = ix.reshape(gy.shape)
    gx = np.empty((P, math.prod(x_shape[len(x_shape) - nd:])), dtype=grad_output.dtype)   # zeroed per plane
    choose(K.scatter_add, gx.size)(gy, ix, gx)
    return gx.reshape(x_shape)


def max_unpool_forward(x, indices, output_size):
    """max_unpoolNd: scatter x into zeros of spatial size output_size (tuple of nd ints); indices of x's
    shape, each in [0, prod(output_size))."""
    nd = len(output_size)
    lead = x.shape[:x.ndim - nd]
    plane = math.prod(output_size)
    xi = np.ascontiguousarray(x).reshape(math.prod(lead), math.prod(x.shape[x.ndim - nd:]))
    ix = np.asarray(indices, dtype=np.int64).reshape(xi.shape)
    out = np.zeros((xi.shape[0], plane), dtype=x.dtype)
    # later duplicates win, as in PyTorch's serial loop
    np.put_along_axis(out, ix, xi, axis=1)
    return out.reshape(lead + tuple(output_size))


def max_unpool_backward(grad_output, indices, nd=None):
    """Input gradient of max_unpool_forward: gather grad_output at indices."""
    nd = nd or indices.ndim - 2
    P = math.prod(indices.shape[:indices.ndim - nd])
    g = np.ascontiguousarray(grad_output).reshape(P, math.prod(grad_output.shape[grad_output.ndim - nd:]))
    ix = np.asarray(indices, dtype=np.int64).reshape(P, math.prod(indices.shape[indices.ndim - nd:]))
    return np.take_along_axis(g, ix, axis=1).reshape(indices.shape)


# ----------------------------------------------------------------------------- avg pool

def avg_pool_forward(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                     count_include_pad=True, divisor_override=None):
    nd = len(kernel_size) if not isinstance(kernel_size, int) else x.ndim - 2
    x4, lead, sp = _planes(x, nd)
    k, s, p, _, osp = _window_args(sp, nd, kernel_size, stride, padding, 1, ceil_mode)
    out = np.empty((x4.shape[0],) + _pad3(osp, 1), dtype=x.dtype)
    choose(K.avgpool, x4.size)(x4, out, out, x4, False, *_pad3(k, 1), *_pad3(s, 1), *_pad3(p, 0),
                         bool(count_include_pad), int(divisor_override or 0))
    return out.reshape(lead + osp)


def avg_pool_backward(grad_output, x_shape, kernel_size, stride=None, padding=0, ceil_mode=False,
                      count_include_pad=True, divisor_override=None):
    nd = len(kernel_size) if not isinstance(kernel_size, int) else len(x_shape) - 2
    k, s, p, _, osp = _window_args(x_shape[len(x_shape) - nd:], nd, kernel_size, stride, padding, 1, ceil_mode)
    gy = _as4(grad_output, nd)
    P = gy.shape[0]
    gx = np.zeros((P,) + _pad3(tuple(x_shape[len(x_shape) - nd:]), 1), dtype=grad_output.dtype)
    choose(K.avgpool, gx.size)(gx, gy, gy, gx, True, *_pad3(k, 1), *_pad3(s, 1), *_pad3(p, 0),
                         bool(count_include_pad), int(divisor_override or 0))
    return gx.reshape(x_shape)


# ----------------------------------------------------------------------------- adaptive

def adaptive_windows(in_size, out_size):
    """PyTorch's adaptive bins: start = floor(i*in/out), end = ceil((i+1)*in/out), as (1, out) arrays."""
    i = np.arange(out_size, dtype=np.int64)
    start = (i * in_size) // out_size
    end = -((-(i + 1) * in_size) // out_size)
    return start.reshape(1, -1), end.reshape(1, -1)


def _adaptive_size(x, output_size, nd):
    """The output size as an nd-tuple of ints (None entries keep the input's size)."""
    if not isinstance(output_size, (int, np.integer)):
        output_size = tuple(output_size)
        nd = len(output_size)
        sp = x.shape[x.ndim - nd:]
        return tuple(sp[i] if output_size[i] is None else int(output_size[i]) for i in range(nd))
    return (int(output_size),) * nd


def _adaptive_windows3(in_sizes, out_sizes):
    """The adaptive windows (start, end) of every dim, padded to three dims."""
    wins = []
    for v in _pad3(tuple(zip(in_sizes, out_sizes)), (1, 1)):
        wins.extend(adaptive_windows(*v))
    return wins


def _global_average(x, osz, size=None):
    """Whether adaptive average pooling to ``osz`` of ``x`` (``size`` elements, default ``x.size``) takes the
    global kernels (``plane_mean``, ``plane_spread``): one window per plane, float32/float64, from
    ``GLOBAL_AVERAGE_MIN_BYTES``; smaller inputs keep ``window_avg``'s bits and its numpy stand-in."""
    size = x.size if size is None else size
    return all(o == 1 for o in osz) and x.dtype in (np.float32, np.float64) and \
        size * x.dtype.itemsize >= GLOBAL_AVERAGE_MIN_BYTES


def adaptive_avg_pool_forward(x, output_size, nd=None):
    """Adaptive average pool over the last nd dims (nd defaults to len(output_size) or x.ndim-2)."""
    nd = nd or (len(output_size) if not isinstance(output_size, (int, np.integer)) else x.ndim - 2)
    osz = _adaptive_size(x, output_size, nd)
    x4, lead, sp = _planes(x, len(osz))
    out = np.empty((x4.shape[0],) + _pad3(osz, 1), dtype=x.dtype)
    if _global_average(x4, osz):
        planes = x4.reshape(x4.shape[0], -1)
        choose(K.plane_mean, planes.size)(planes, out.reshape(-1))
    else:
        choose(K.window_avg, x4.size)(x4, out, out, x4, False, *_adaptive_windows3(sp, osz))
    return out.reshape(lead + osz)


def adaptive_avg_pool_backward(grad_output, x_shape, nd=None):
    nd = nd or len(x_shape) - 2
    osz = grad_output.shape[grad_output.ndim - nd:]
    gy = _as4(grad_output, nd)
    shape = (gy.shape[0],) + _pad3(tuple(x_shape[len(x_shape) - nd:]), 1)
    if _global_average(np.empty(0, grad_output.dtype), osz, math.prod(shape)):
        gx = np.empty(shape, grad_output.dtype)
        planes = gx.reshape(gx.shape[0], -1)
        choose(K.plane_spread, planes.size)(np.ascontiguousarray(gy).reshape(-1), planes)
        return gx.reshape(x_shape)
    gx = np.zeros(shape, dtype=grad_output.dtype)
    choose(K.window_avg, gx.size)(gx, gy, gy, gx, True, *_adaptive_windows3(x_shape[len(x_shape) - nd:], osz))
    return gx.reshape(x_shape)


def adaptive_max_pool_forward(x, output_size, nd=None):
    """Adaptive max pool; returns (output, indices of ``index_dtype``). Backward: max_pool_backward."""
    nd = nd or (len(output_size) if not isinstance(output_size, (int, np.integer)) else x.ndim - 2)
    osz = _adaptive_size(x, output_size, nd)
    x4, lead, sp = _planes(x, len(osz))
    out = np.empty((x4.shape[0],) + _pad3(osz, 1), dtype=x.dtype)
    idx = np.empty(out.shape, dtype=index_dtype(math.prod(sp)))
    if x4.size and all(o == 1 for o in osz):  # global pooling: one window covers each plane
        planes = x4.reshape(x4.shape[0], -1)
        choose(K.plane_max, planes.size, GLOBAL_MAX_MIN_ELEMENTS)(planes, out.reshape(-1), idx.reshape(-1))
    else:
        choose(K.window_max, x4.size)(x4, out, idx, *_adaptive_windows3(sp, osz))
    return out.reshape(lead + osz), idx.reshape(lead + osz)


adaptive_max_pool_backward = max_pool_backward


# ----------------------------------------------------------------------------- fractional

def _fractional_starts(samples, in_size, out_size, pool):
    """PyTorch's generate_intervals, vectorised over planes; computed in the samples' dtype."""
    dt = samples.dtype.type
    P = samples.shape[0]
    seq = np.empty((P, out_size), dtype=np.int64)
    if out_size > 1:
        alpha = dt(in_size - pool) / dt(out_size - 1)
        i = np.arange(out_size - 1, dtype=samples.dtype)
        seq[:, :-1] = (((i[None, :] + samples[:, None]) * alpha).astype(np.int64)
                       - (samples[:, None] * alpha).astype(np.int64))
    seq[:, -1] = in_size - pool
    return seq


def fractional_max_pool_forward(x, kernel_size, output_size, random_samples):
    """Fractional max pool 2-d/3-d.  random_samples: (N, C, nd) in [0, 1) (PyTorch's
    _random_samples; for 2-d sample[..., 0] drives the width, [..., 1] the height; for 3-d
    [..., 0] time/depth, 1 height, 2 width).  Returns (output, indices of ``index_dtype``)."""
    nd = len(output_size)
    k = _per_dim(kernel_size, nd)
    osz = tuple(int(o) for o in output_size)
    x4, lead, sp = _planes(x, nd)
    smp = np.ascontiguousarray(random_samples).reshape(-1, nd)
    order = (1, 0) if nd == 2 else (0, 1, 2)   # sample column used by each dim (d, h, w order)
    dims = [(sp[i], osz[i], k[i], smp[:, order[i]]) for i in range(nd)]
    wins = [np.zeros((1, 1), np.int64), np.ones((1, 1), np.int64)] * (3 - nd)
    for size, o, kk, s in dims:
        st = _fractional_starts(s, size, o, kk)
        wins.extend([st, st + kk])
    out = np.empty((x4.shape[0],) + _pad3(osz, 1), dtype=x.dtype)
    idx = np.empty(out.shape, dtype=index_dtype(math.prod(sp)))
    choose(K.window_max, x4.size)(x4, out, idx, *wins)
    return out.reshape(lead + osz), idx.reshape(lead + osz)


fractional_max_pool_backward = max_pool_backward
