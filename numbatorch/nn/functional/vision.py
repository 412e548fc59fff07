"""Resampling layers: ``interpolate``/``upsample*``, ``pixel_shuffle``/``pixel_unshuffle`` and ``unfold``/``fold``."""
import warnings

from ..._ops._util import record
from ...autograd.graph import Node
from ...backends.cpu import conv as conv_kernels
from ...backends.cpu import resample as K


# ----------------------------------------------------------------------------- interpolate

class _InterpolateBackward(Node):
    __slots__ = ("x_shape", "args")

    def backward(self, grad):
        return K.interpolate_backward(grad, self.x_shape, *self.args)


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
    args = (size, scale_factor, mode, align_corners, recompute_scale_factor, antialias)
    out = K.interpolate_forward(input._data, *args)
    node = _INTERP_NODES.get((mode, input.dim() - 2), _InterpolateBackward)
    return record(out, node, (input,), x_shape=input._data.shape, args=args)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ----------------------------------------------------------------------------- pixel shuffle

class PixelShuffleBackward0(Node):
    __slots__ = ("factor",)

    def backward(self, grad):
        return K.pixel_unshuffle(grad, self.factor)


class PixelUnshuffleBackward0(Node):
    __slots__ = ("factor",)

    def backward(self, grad):
        return K.pixel_shuffle(grad, self.factor)


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    return record(K.pixel_shuffle(input._data, upscale_factor), PixelShuffleBackward0, (input,),
                  factor=int(upscale_factor))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    return record(K.pixel_unshuffle(input._data, downscale_factor), PixelUnshuffleBackward0, (input,),
                  factor=int(downscale_factor))


# ----------------------------------------------------------------------------- unfold / fold

class Im2ColBackward0(Node):
    __slots__ = ("out_size", "args")

    def backward(self, grad):
        return conv_kernels.fold(grad, self.out_size, *self.args)


class Col2ImBackward0(Node):
    __slots__ = ("args",)

    def backward(self, grad):
        return conv_kernels.unfold(grad, *self.args)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks of (N, C, H, W) as columns: (N, C*kh*kw, L)."""
    args = (kernel_size, dilation, padding, stride)
    out = conv_kernels.unfold(input._data, *args)
    return record(out, Im2ColBackward0, (input,), out_size=tuple(input.shape[-2:]), args=args)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum columns (N, C*kh*kw, L) back into an (N, C, *output_size) image; the adjoint of ``unfold``."""
    args = (kernel_size, dilation, padding, stride)
    out = conv_kernels.fold(input._data, output_size, *args)
    return record(out, Col2ImBackward0, (input,), args=args)


__all__ = ["fold", "interpolate", "pixel_shuffle", "pixel_unshuffle", "unfold", "upsample",
           "upsample_bilinear", "upsample_nearest"]

del _mode, _label, _nd, _name
