"""Resampling layers: ``interpolate``/``upsample*``, ``pixel_shuffle``/``pixel_unshuffle`` and ``unfold``/``fold``."""
import math
import warnings

import numpy as np

from ..._ops._util import record
from ...autograd.graph import Node
from ...backends import kernel_family
from ..._ops._half_precision import computes_in_float32
from ..._ops._dtype_args import scalar_name
from ._shape_args import fmt_size, ntuple

conv_kernels = kernel_family("conv")
fold_kernels = kernel_family("fold")
resample_kernels = kernel_family("resample")

_MODE_DIMS = {"linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2}


# ----------------------------------------------------------------------------- interpolate

class _InterpolateBackward(Node):
    __slots__ = ("x_shape", "args")

    def backward(self, grad):
        return resample_kernels.interpolate_backward(grad, self.x_shape, *self.args)

    def backward_graph(self, grad):
        return record(self.backward(grad._data), _InterpolateGradBackward, (grad,), args=self.args)


class _InterpolateGradBackward(Node):
    """Graph of a resampling's gradient: linear in it, with the resampling itself as its adjoint."""

    __slots__ = ("args",)

    def backward(self, grad):
        return resample_kernels.interpolate_forward(grad, *self.args)

    def backward_graph(self, grad):
        return record(self.backward(grad._data), _InterpolateBackward, (grad,), x_shape=grad._data.shape,
                      args=self.args)


def _node(name, base):
    return type(name, (base,), {"__slots__": ()})


# PyTorch's grad_fn name for each (mode, spatial dims)
_INTERP_NODES = {}
for _mode, _label in (("nearest", "Nearest"), ("nearest-exact", "NearestExact"), ("linear", "Linear"),
                      ("bilinear", "Bilinear"), ("bicubic", "Bicubic"), ("trilinear", "Trilinear")):
    for _nd in (1, 2, 3):
        _name = f"Upsample{_label}{_nd}DBackward0"
        _INTERP_NODES[_mode, _nd] = _node(_name, _InterpolateBackward)
for _nd in (1, 2, 3):
    _INTERP_NODES["area", _nd] = _node(f"AdaptiveAvgPool{max(_nd, 2)}DBackward0", _InterpolateBackward)


def _interpolate_output_size(in_sizes, size, scale_factor):
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


# PyTorch's CPU kernel refusing non-floating input, per (mode, spatial dims)
_INTEGER_KERNELS = {("nearest", 2): "upsample_nearest2d_channels_last",
                    ("nearest-exact", 2): "upsample_nearest2d_channels_last",
                    ("bilinear", 2): "upsample_bilinear2d_channels_last",
                    ("bicubic", 2): "compute_indices_weights_cubic",
                    ("area", 1): "adaptive_avg_pool2d", ("area", 2): "adaptive_avg_pool2d",
                    ("area", 3): "adaptive_avg_pool3d_cpu"}


def _check_interpolate_dtype(x, mode, nd):
    """PyTorch resamples floating input, and uint8 in the nearest modes (and 2-D bilinear/bicubic, not here);
    other dtypes get its NotImplementedError naming the refusing kernel."""
    if x.dtype in (np.float32, np.float64):
        return
    if x.dtype.kind == "f":
        raise RuntimeError(f"expected input to have a floating dtype (float32 or float64), got {x.dtype}")
    if x.dtype == np.uint8 and mode in ("nearest", "nearest-exact"):
        return
    if x.dtype == np.uint8 and mode in ("bilinear", "bicubic"):
        raise NotImplementedError(f"{mode} interpolation of uint8 input is not supported by the numbatorch CPU "
                                  "backend; convert the input to float")
    kernel = _INTEGER_KERNELS.get((mode, nd), "compute_indices_weights_" + mode.split("-")[0].replace("tri", ""))
    raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_name(x.dtype)}\'')


def _check_interpolate(x, mode, align_corners, antialias):
    """PyTorch's checks of interpolate's input rank, mode, flags and dtype."""
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
    _check_interpolate_dtype(x, mode, nd)
    return nd


def _interpolate_plan(x_shape, size, scale_factor, recompute_scale_factor):
    """(output spatial sizes, scales PyTorch passes to its kernels) with PyTorch's size checks."""
    in_sp = tuple(x_shape[2:])
    out_sp, scales = _interpolate_output_size(in_sp, size, scale_factor)
    if recompute_scale_factor:
        scales = (None,) * len(in_sp)
    if any(o <= 0 for o in out_sp) or any(i <= 0 for i in in_sp):
        names = ("D", "H", "W")[3 - len(in_sp):]
        raise RuntimeError("Input and output sizes should be greater than 0, but got input ("
                           + ", ".join(f"{n}: {v}" for n, v in zip(names, in_sp)) + ") and output ("
                           + ", ".join(f"{n}: {v}" for n, v in zip(names, out_sp)) + ")")
    return out_sp, scales


@computes_in_float32
def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of (N, C, *spatial) to ``size`` or by ``scale_factor``."""
    if mode in ("linear", "bilinear", "bicubic", "trilinear") and align_corners is None:
        align_corners = False
    if size is not None and not isinstance(size, int) and len(size) != input.dim() - 2:
        # the message shows the size as the user wrote it (tuple or list)
        raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input with "
                         f"spatial dimensions of {list(input.shape[2:])} and output size of {size}. Please provide "
                         "input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
    x = input._data
    nd = _check_interpolate(x, mode, align_corners, antialias)
    out_size, scales = _interpolate_plan(x.shape, size, scale_factor, recompute_scale_factor)
    args = (out_size, scales, mode, bool(align_corners))
    out = resample_kernels.interpolate_forward(x, *args)
    node = _INTERP_NODES[mode, nd]
    return record(out, node, (input,), x_shape=input._data.shape, args=args)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of ``F.interpolate`` (without ``recompute_scale_factor``).

    See ``nn.Upsample`` for the arguments and shapes.
    """
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``F.interpolate(..., mode='nearest')``.

    See ``nn.UpsamplingNearest2d`` for the arguments and shapes.
    """
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``F.interpolate(..., mode='bilinear', align_corners=True)``.

    See ``nn.UpsamplingBilinear2d`` for the arguments and shapes.
    """
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ----------------------------------------------------------------------------- pixel shuffle

class PixelShuffleBackward0(Node):
    __slots__ = ("factor",)

    def backward(self, grad):
        return resample_kernels.pixel_unshuffle(grad, self.factor)

    def backward_graph(self, grad):
        return pixel_unshuffle(grad, self.factor)


class PixelUnshuffleBackward0(Node):
    __slots__ = ("factor",)

    def backward(self, grad):
        return resample_kernels.pixel_shuffle(grad, self.factor)

    def backward_graph(self, grad):
        return pixel_shuffle(grad, self.factor)


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    x, r = input._data, int(upscale_factor)
    if x.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input "
                           f"with {x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    if x.shape[-3] % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
                           f"of upscale_factor, but input.size(-3)={x.shape[-3]} is not divisible by {r * r}")
    return record(resample_kernels.pixel_shuffle(x, r), PixelShuffleBackward0, (input,), factor=r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    x, r = input._data, int(downscale_factor)
    if x.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input "
                           f"with {x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    for name, size, dim in (("height", x.shape[-2], -2), ("width", x.shape[-1], -1)):
        if size % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({dim})={size} is not divisible by {r}")
    return record(resample_kernels.pixel_unshuffle(x, r), PixelUnshuffleBackward0, (input,), factor=r)


# ----------------------------------------------------------------------------- unfold / fold

class Im2ColBackward0(Node):
    __slots__ = ("out_size", "args", "batched")

    def backward(self, grad):
        g = fold_kernels.fold(grad if self.batched else grad[None], self.out_size, *self.args)
        return g if self.batched else g[0]

    def backward_graph(self, grad):
        # fold and unfold are each other's adjoints
        return record(self.backward(grad._data), Col2ImBackward0, (grad,), args=self.args, batched=self.batched)


class Col2ImBackward0(Node):
    __slots__ = ("args", "batched")

    def backward(self, grad):
        g = fold_kernels.unfold(grad if self.batched else grad[None], *self.args)
        return g if self.batched else g[0]

    def backward_graph(self, grad):
        return record(self.backward(grad._data), Im2ColBackward0, (grad,), out_size=grad._data.shape[-2:],
                      args=self.args, batched=self.batched)


def _block_args(kernel_size, dilation, padding, stride):
    """(kernel_size, dilation, padding, stride) as pairs of ints."""
    return tuple(ntuple(v, 2, n) for v, n in ((kernel_size, "kernel_size"), (dilation, "dilation"),
                                              (padding, "padding"), (stride, "stride")))


@computes_in_float32
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks of (N, C, H, W) as columns: (N, C*kh*kw, L)."""
    x = input._data
    if x.ndim not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {x.ndim}D)")
    batched = x.ndim == 4
    args = k, d, p, s = _block_args(kernel_size, dilation, padding, stride)
    H, W = x.shape[-2:]
    oH, oW = (conv_kernels.conv_output_size((H, W)[i], k[i], s[i], p[i], d[i]) for i in range(2))
    if oH <= 0 or oW <= 0:
        raise RuntimeError(f"Given input with spatial size ({H}, {W}), kernel_size=({k[0]}, {k[1]}), "
                           f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), calculated shape of "
                           f"the array of sliding blocks as ({oH}, {oW}), but its components must be at "
                           "least one.")
    if x.dtype.kind in "iu":     # PyTorch's im2col has no integer kernel
        raise NotImplementedError(f'"im2col_out_cpu" not implemented for \'{scalar_name(x.dtype)}\'')
    out = fold_kernels.unfold(x if batched else x[None], *args)
    return record(out if batched else out[0], Im2ColBackward0, (input,), out_size=(H, W), args=args,
                  batched=batched)


@computes_in_float32
def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum columns (N, C*kh*kw, L) back into an (N, C, *output_size) image; the adjoint of ``unfold``."""
    x = input._data
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                           f"(got {x.ndim}D)")
    batched = x.ndim == 3
    o = ntuple(output_size, 2, "output_size")
    args = k, d, p, s = _block_args(kernel_size, dilation, padding, stride)
    CK, L = x.shape[-2:]
    if CK % (k[0] * k[1]):
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={CK} and kernel_size=({k[0]}, {k[1]})")
    oH, oW = (conv_kernels.conv_output_size(o[i], k[i], s[i], p[i], d[i]) for i in range(2))
    if oH * oW != L:
        raise RuntimeError(f"Given output_size=({o[0]}, {o[1]}), kernel_size=({k[0]}, {k[1]}), "
                           f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), "
                           f"expected size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {oH} * {oW} = {oH * oW}, but got input.size(2)={L}.")
    if x.dtype.kind in "iu":     # nor its col2im
        raise NotImplementedError(f'"col2im_out_cpu" not implemented for \'{scalar_name(x.dtype)}\'')
    out = fold_kernels.fold(x if batched else x[None], o, *args)
    return record(out if batched else out[0], Col2ImBackward0, (input,), args=args, batched=batched)


__all__ = ["fold", "interpolate", "pixel_shuffle", "pixel_unshuffle", "unfold", "upsample",
           "upsample_bilinear", "upsample_nearest"]

del _mode, _label, _nd, _name
