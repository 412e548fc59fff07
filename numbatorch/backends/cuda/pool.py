"""Pooling on device arrays (N, C, *spatial) or unbatched (C, *spatial), 1-d/2-d/3-d: max pool (+indices),
avg pool and adaptive avg/max pool, forward and backward, with the names, arguments and results of
``backends.cpu.pool``. Indices are int64 flat offsets into each input plane, like PyTorch's.
"""
import numpy as np

from ..cpu.pool import _pad3, _per_dim, pool_output_size
from . import _pool_kernels as K
from ._array import launch, xp

__all__ = [
    "pool_output_size", "max_pool_forward", "max_pool_backward", "avg_pool_forward", "avg_pool_backward",
    "adaptive_avg_pool_forward", "adaptive_avg_pool_backward",
    "adaptive_max_pool_forward", "adaptive_max_pool_backward",
]


def _as4(a, nd):
    """(N, C, *sp) or (C, *sp) -> contiguous (P, D, H, W) and the leading shape."""
    lead = a.shape[:a.ndim - nd]
    sp = a.shape[a.ndim - nd:]
    return xp.ascontiguousarray(a).reshape((int(np.prod(lead)),) + (1,) * (3 - nd) + sp), lead


def _nd(kernel_size, ndim):
    return len(kernel_size) if not isinstance(kernel_size, int) else ndim - 2


def _window_args(spatial, nd, kernel_size, stride, padding, dilation, ceil_mode):
    """Per-dim (kernel, stride, padding, dilation) padded to 3 dims, and the nd output sizes."""
    k = _per_dim(kernel_size, nd)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _per_dim(stride, nd)
    p = _per_dim(padding, nd)
    d = _per_dim(dilation, nd)
    out = tuple(pool_output_size(spatial[i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(nd))
    return _pad3(k, 1) + _pad3(s, 1) + _pad3(p, 0) + _pad3(d, 1), out


def max_pool_forward(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max pool over the last nd dims (nd = len(kernel_size), or x.ndim - 2 for an int).
    Returns (output, indices:int64)."""
    nd = _nd(kernel_size, x.ndim)
    x4, lead = _as4(x, nd)
    args, osp = _window_args(x.shape[x.ndim - nd:], nd, kernel_size, stride, padding, dilation, ceil_mode)
    out = xp.empty((x4.shape[0],) + _pad3(osp, 1), dtype=x.dtype)
    idx = xp.empty(out.shape, dtype=np.int64)
    launch(K.maxpool, out.size)(x4, out, idx, *args)
    return out.reshape(lead + osp), idx.reshape(lead + osp)


def max_pool_backward(grad_output, x_shape, indices, nd=None):
    """Input gradient of any max pool returning PyTorch indices (also adaptive).
    nd (spatial dims) defaults to len(x_shape) - 2; pass it for unbatched inputs."""
    nd = nd or len(x_shape) - 2
    P = int(np.prod(x_shape[:len(x_shape) - nd]))
    gy = xp.ascontiguousarray(grad_output).reshape(P, -1)
    ix = xp.ascontiguousarray(indices, dtype=np.int64).reshape(gy.shape)
    gx = xp.zeros((P, int(np.prod(x_shape[len(x_shape) - nd:]))), dtype=grad_output.dtype)
    launch(K.scatter_add, gy.size)(gy, ix, gx)
    return gx.reshape(x_shape)


def avg_pool_forward(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                     count_include_pad=True, divisor_override=None):
    nd = _nd(kernel_size, x.ndim)
    x4, lead = _as4(x, nd)
    args, osp = _window_args(x.shape[x.ndim - nd:], nd, kernel_size, stride, padding, 1, ceil_mode)
    out = xp.empty((x4.shape[0],) + _pad3(osp, 1), dtype=x.dtype)
    launch(K.avgpool_forward, out.size)(x4, out, *args[:9], bool(count_include_pad), int(divisor_override or 0))
    return out.reshape(lead + osp)


def avg_pool_backward(grad_output, x_shape, kernel_size, stride=None, padding=0, ceil_mode=False,
                      count_include_pad=True, divisor_override=None):
    nd = _nd(kernel_size, len(x_shape))
    sp = tuple(x_shape[len(x_shape) - nd:])
    args, _ = _window_args(sp, nd, kernel_size, stride, padding, 1, ceil_mode)
    gy, _ = _as4(grad_output, nd)
    gx = xp.empty((gy.shape[0],) + _pad3(sp, 1), dtype=grad_output.dtype)
    launch(K.avgpool_backward, gx.size)(gy, gx, *args[:9], bool(count_include_pad), int(divisor_override or 0))
    return gx.reshape(x_shape)


def _adaptive_size(x_shape, output_size, nd):
    """nd and the output sizes (None entries keep the input's size)."""
    if isinstance(output_size, (int, np.integer)):
        return nd, (int(output_size),) * nd
    nd = len(output_size)
    sp = x_shape[len(x_shape) - nd:]
    return nd, tuple(sp[i] if output_size[i] is None else int(output_size[i]) for i in range(nd))


def _adaptive(x, output_size, nd, is_max):
    nd, osz = _adaptive_size(x.shape, output_size, nd or x.ndim - 2)
    x4, lead = _as4(x, nd)
    out = xp.empty((x4.shape[0],) + _pad3(osz, 1), dtype=x.dtype)
    idx = xp.empty(out.shape if is_max else (1, 1, 1, 1), dtype=np.int64)
    launch(K.adaptive_forward, out.size)(x4, out, idx, is_max)
    return out.reshape(lead + osz), idx.reshape(lead + osz) if is_max else None


def adaptive_avg_pool_forward(x, output_size, nd=None):
    """Adaptive average pool over the last nd dims (nd defaults to len(output_size) or x.ndim-2)."""
    return _adaptive(x, output_size, nd, False)[0]


def adaptive_avg_pool_backward(grad_output, x_shape, nd=None):
    nd = nd or len(x_shape) - 2
    sp = tuple(x_shape[len(x_shape) - nd:])
    gy, _ = _as4(grad_output, nd)
    gx = xp.empty((gy.shape[0],) + _pad3(sp, 1), dtype=grad_output.dtype)
    launch(K.adaptive_avg_backward, gx.size)(gy, gx)
    return gx.reshape(x_shape)


def adaptive_max_pool_forward(x, output_size, nd=None):
    """Adaptive max pool; returns (output, indices:int64). Backward: max_pool_backward."""
    return _adaptive(x, output_size, nd, True)


adaptive_max_pool_backward = max_pool_backward
