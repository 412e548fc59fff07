"""Interpolation (nearest, nearest-exact, linear/bilinear/trilinear, bicubic, area) forward and
backward on (N, C, *spatial) arrays, and pixel shuffle/unshuffle.  (unfold/fold live in conv.py.)

Interpolation is separable: per spatial dim we build source indices and weights following
PyTorch's CPU formulas (coordinates in the input's precision; nearest uses float32 scales like
PyTorch), then resample one axis at a time, innermost (width) first, which reproduces
PyTorch's evaluation order.
"""
import math

import numpy as np

from . import _resample_kernels as K
from ._parallel import choose
from ._shape import fmt_size, check_float

CUBIC_A = -0.75

__all__ = ["interpolate_output_size", "interpolate_forward", "interpolate_backward",
           "pixel_shuffle", "pixel_unshuffle"]

_MODE_DIMS = {"linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2}


def interpolate_output_size(in_sizes, size=None, scale_factor=None):
    """Output spatial sizes and the scales PyTorch passes to its kernels (None = recompute)."""
    nd = len(in_sizes)
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        out = (int(size),) * nd if isinstance(size, (int, np.integer)) else tuple(int(s) for s in size)
        if len(out) != nd:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but "
                             f"got input with spatial dimensions of [{fmt_size(in_sizes)}] and output size "
                             f"of {list(out)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                             "and output size in (o1, o2, ...,oK) format.")
        return out, (None,) * nd
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    sf = (float(scale_factor),) * nd if isinstance(scale_factor, (int, float, np.floating, np.integer)) \
        else tuple(float(s) for s in scale_factor)
    if len(sf) != nd:
        raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but "
                         f"got input with spatial dimensions of [{fmt_size(in_sizes)}] and scale_factor "
                         f"of shape {list(sf)}.")
    return tuple(int(math.floor(i * s)) for i, s in zip(in_sizes, sf)), sf


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


def _check(x, mode, align_corners, antialias):
    check_float(x)
    nd = x.ndim - 2
    if nd < 1 or nd > 3:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) "
                                  f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    if mode in ("nearest", "nearest-exact", "area"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif mode in _MODE_DIMS:
        if _MODE_DIMS[mode] != nd:
            raise NotImplementedError(f"Got {x.ndim}D input, but {mode} mode needs "
                                      f"{_MODE_DIMS[mode] + 2}D input")
    else:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) "
                                  f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    if antialias:
        raise NotImplementedError("antialias=True is not supported by the numbatorch CPU backend")
    return nd


def _plan(x_shape, size, scale_factor, recompute_scale_factor):
    in_sp = tuple(x_shape[2:])
    out_sp, scales = interpolate_output_size(in_sp, size, scale_factor)
    if recompute_scale_factor:
        scales = (None,) * len(in_sp)
    if any(o <= 0 for o in out_sp) or any(i <= 0 for i in in_sp):
        names = ("D", "H", "W")[3 - len(in_sp):]
        raise RuntimeError("Input and output sizes should be greater than 0, but got input ("
                           + ", ".join(f"{n}: {v}" for n, v in zip(names, in_sp)) + ") and output ("
                           + ", ".join(f"{n}: {v}" for n, v in zip(names, out_sp)) + ")")
    return in_sp, out_sp, scales


def _identity(idx, wts, in_size):
    # equal sizes with unit taps (PyTorch short-circuits these too): skip the pass
    return (idx.shape == (in_size, 1) and bool((idx[:, 0] == np.arange(in_size)).all())
            and bool((wts == 1).all()))


def _axis_view(shape, axis):
    A = int(np.prod(shape[:axis]))
    B = int(np.prod(shape[axis + 1:]))
    return A, shape[axis], B


def interpolate_forward(x, size=None, scale_factor=None, mode="nearest", align_corners=None,
                        recompute_scale_factor=None, antialias=False):
    """torch.nn.functional.interpolate on a raw array (N, C, *spatial)."""
    nd = _check(x, mode, align_corners, antialias)
    in_sp, out_sp, scales = _plan(x.shape, size, scale_factor, recompute_scale_factor)
    if mode == "area":
        from .pool import adaptive_avg_pool_forward
        return adaptive_avg_pool_forward(x, out_sp, nd)
    y = np.ascontiguousarray(x)
    for d in reversed(range(nd)):          # width first, like PyTorch's inner loop
        axis = 2 + d
        idx, wts = _taps(mode, in_sp[d], out_sp[d], bool(align_corners), scales[d], x.dtype)
        if _identity(idx, wts, in_sp[d]):
            continue
        A, In, B = _axis_view(y.shape, axis)
        out = np.empty((A, out_sp[d], B), dtype=x.dtype)
        fn = choose(K.resample_axis, out.size)
        fn(y.reshape(A, In, B), idx, wts, out)
        y = out.reshape(y.shape[:axis] + (out_sp[d],) + y.shape[axis + 1:])
    return y


def interpolate_backward(grad_output, x_shape, size=None, scale_factor=None, mode="nearest",
                         align_corners=None, recompute_scale_factor=None, antialias=False):
    """Input gradient of interpolate_forward (same arguments, plus grad_output and x's shape)."""
    nd = _check(np.empty((1,) * len(x_shape), grad_output.dtype), mode, align_corners, antialias)
    in_sp, out_sp, scales = _plan(x_shape, size, scale_factor, recompute_scale_factor)
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
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    r = int(upscale_factor)
    if x.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input "
                           f"with {x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, C, H, W = x.shape
    if C % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by "
                           f"the square of upscale_factor, but input.size(-3)={C} is not divisible by {r * r}")
    y = x.reshape(*lead, C // (r * r), r, r, H, W)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return np.ascontiguousarray(y).reshape(*lead, C // (r * r), H * r, W * r)


def pixel_unshuffle(x, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W); the inverse (and backward) of pixel_shuffle."""
    r = int(downscale_factor)
    if x.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input "
                           f"with {x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, C, H, W = x.shape
    if H % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but "
                           f"input.size(-2)={H} is not divisible by {r}")
    if W % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but "
                           f"input.size(-1)={W} is not divisible by {r}")
    n = len(lead)
    y = x.reshape(*lead, C, H // r, r, W // r, r)
    y = y.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return np.ascontiguousarray(y).reshape(*lead, C * r * r, H // r, W // r)
