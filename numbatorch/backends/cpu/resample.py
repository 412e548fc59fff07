"""Interpolation (nearest, nearest-exact, linear/bilinear/trilinear, bicubic, area) forward and
backward on (N, C, *spatial) arrays, and pixel shuffle/unshuffle.  (unfold/fold live in fold.py.)

Interpolation is separable: per spatial dim we build source indices and weights following
PyTorch's CPU formulas (coordinates in the input's precision; nearest uses float32 scales like
PyTorch), then resample one axis at a time, innermost (width) first, which reproduces
PyTorch's evaluation order.
"""
import numpy as np

from . import _resample_kernels as K
from ._parallel import choose

CUBIC_A = -0.75

__all__ = ["interpolate_forward", "interpolate_backward", "pixel_shuffle", "pixel_unshuffle"]


def _scale(in_size, out_size, align_corners, scale, dt):
    """PyTorch's area_pixel_compute_scale in precision dt."""
    if align_corners:
        return dt(in_size - 1) / dt(out_size - 1) if out_size > 1 else dt(0)
    if scale is not None and scale > 0:
        return dt(1.0 / scale)
    return dt(in_size) / dt(out_size)


def _taps(mode, in_size, out_size, align_corners, scale, dtype):
    """(idx:int64 (out, T), wts:dtype (out, T)) for one spatial dim."""
    dt = np.dtype(dtype).type
    o = np.arange(out_size)
    if mode in ("nearest", "nearest-exact"):
        f32 = np.float32
        s = f32(1.0 / scale) if scale is not None and scale > 0 else f32(in_size) / f32(out_size)
        if mode == "nearest":
            if out_size == in_size:
                src = o
            elif out_size == 2 * in_size:
                src = o >> 1
            else:
                src = np.floor(o.astype(f32) * s).astype(np.int64)
        else:
            src = np.floor((o + 0.5) * np.float64(s)).astype(np.int64)
        idx = np.minimum(src, in_size - 1).reshape(-1, 1)
        return idx, np.ones((out_size, 1), dtype=dtype)
    s = _scale(in_size, out_size, align_corners, scale, dt)
    od = o.astype(dtype)
    real = s * od if align_corners else s * (od + dt(0.5)) - dt(0.5)
    if mode == "bicubic":
        i0 = np.floor(real).astype(np.int64)
        t = (real - i0).astype(dtype)
        A = dt(CUBIC_A)
        one = dt(1.0)

        def conv1(x):
            return ((A + dt(2)) * x - (A + dt(3))) * x * x + one

        def conv2(x):
            return ((A * x - dt(5) * A) * x + dt(8) * A) * x - dt(4) * A

        wts = np.stack([conv2(t + one), conv1(t), conv1(one - t), conv2(one - t + one)], axis=1)
        idx = np.clip(i0[:, None] + np.arange(-1, 3)[None, :], 0, in_size - 1)
        return idx, wts.astype(dtype)
    # linear family
    if out_size == in_size:
        return o.reshape(-1, 1).astype(np.int64), np.ones((out_size, 1), dtype=dtype)
    real = np.maximum(real, dt(0))
    i0 = np.minimum(np.floor(real).astype(np.int64), in_size - 1)
    lam1 = np.clip(real - i0.astype(dtype), dt(0), dt(1)).astype(dtype)
    i1 = i0 + (i0 < in_size - 1)
    return np.stack([i0, i1], axis=1), np.stack([dt(1) - lam1, lam1], axis=1).astype(dtype)


def _identity(idx, wts, in_size):
    # equal sizes with unit taps (PyTorch short-circuits these too): skip the pass
    return (idx.shape == (in_size, 1) and bool((idx[:, 0] == np.arange(in_size)).all())
            and bool((wts == 1).all()))


def _axis_view(shape, axis):
    A = int(np.prod(shape[:axis]))
    B = int(np.prod(shape[axis + 1:]))
    return A, shape[axis], B


def interpolate_forward(x, out_size, scales, mode, align_corners):
    """Resample float x (N, C, *spatial), or uint8 x in the nearest modes, to spatial ``out_size`` (a tuple);
    ``scales`` are PyTorch's per-dim scale factors (None: recompute from the sizes). Sizes, mode, flags and
    dtype are checked by the caller."""
    nd = x.ndim - 2
    in_sp, out_sp = tuple(x.shape[2:]), tuple(out_size)
    if mode == "area":
        from .pool import adaptive_avg_pool_forward
        return adaptive_avg_pool_forward(x, out_sp, nd)
    y = np.ascontiguousarray(x)
    for d in reversed(range(nd)):          # width first, like PyTorch's inner loop
        axis = 2 + d
        idx, wts = _taps(mode, in_sp[d], out_sp[d], bool(align_corners), scales[d], x.dtype)
        if _identity(idx, wts, in_sp[d]):
            continue
        if x.dtype == np.uint8:
            # nearest of uint8, PyTorch's one integer resampling here: one unit tap each, so an exact gather
            y = np.take(y, idx[:, 0], axis=axis)
            continue
        A, In, B = _axis_view(y.shape, axis)
        out = np.empty((A, out_sp[d], B), dtype=x.dtype)
        fn = choose(K.resample_axis, out.size)
        fn(y.reshape(A, In, B), idx, wts, out)
        y = out.reshape(y.shape[:axis] + (out_sp[d],) + y.shape[axis + 1:])
    return y


def interpolate_backward(grad_output, x_shape, out_size, scales, mode, align_corners):
    """Input gradient of interpolate_forward (same arguments, plus grad_output and x's shape)."""
    nd = len(x_shape) - 2
    in_sp, out_sp = tuple(x_shape[2:]), tuple(out_size)
    if mode == "area":
        from .pool import adaptive_avg_pool_backward
        return adaptive_avg_pool_backward(grad_output, tuple(x_shape), nd)
    g = np.ascontiguousarray(grad_output)
    for d in range(nd):                    # undo the forward passes in reverse order
        axis = 2 + d
        idx, wts = _taps(mode, in_sp[d], out_sp[d], bool(align_corners), scales[d], grad_output.dtype)
        if _identity(idx, wts, in_sp[d]):
            continue
        A, Out, B = _axis_view(g.shape, axis)
        gx = np.zeros((A, in_sp[d], B), dtype=grad_output.dtype)
        fn = choose(K.resample_axis_backward, g.size)
        fn(g.reshape(A, Out, B), idx, wts, gx)
        g = gx.reshape(g.shape[:axis] + (in_sp[d],) + g.shape[axis + 1:])
    return g


def pixel_shuffle(x, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r); r > 0 dividing the channels (checked by the caller)."""
    r = int(upscale_factor)
    *lead, C, H, W = x.shape
    y = x.reshape(*lead, C // (r * r), r, r, H, W)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return np.ascontiguousarray(y).reshape(*lead, C // (r * r), H * r, W * r)


def pixel_unshuffle(x, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W); the inverse (and backward) of pixel_shuffle."""
    r = int(downscale_factor)
    *lead, C, H, W = x.shape
    n = len(lead)
    y = x.reshape(*lead, C, H // r, r, W // r, r)
    y = y.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return np.ascontiguousarray(y).reshape(*lead, C * r * r, H // r, W // r)
