"""``F.conv1d/2d/3d`` and ``F.conv_transpose1d/2d/3d``: the convolution family module.

Arguments are checked (PyTorch's errors) and normalised once, in forward; the ``ConvolutionBackward0`` node keeps
the normalised, batched arguments, so backward calls the im2col + GEMM kernels of ``backends/cpu/conv.py``
without checking again.
"""
import warnings

import numpy as np

from ..._ops.joining import cat
from ..._ops._half_precision import computes_in_float32
from ..._ops._util import record
from ...autograd.graph import Node, operand
from ...backends import kernel_family
from ._shape_args import fmt_size, ntuple, same_padding
from ..._ops._tensor_args import require_tensor
from .padding import pad as _pad

kernels = kernel_family("conv")

_DTYPE_NAMES = {np.dtype(np.float32): "float", np.dtype(np.float64): "double", np.dtype(np.float16): "c10::Half"}


class ConvolutionBackward0(Node):
    """Backward of a (transposed) convolution; asks the kernel only for the gradients that are needed."""

    __slots__ = ("x", "w", "stride", "padding", "dilation", "groups", "transposed", "output_padding", "batched")

    def backward(self, grad):
        inputs = self.inputs
        mask = (inputs[0] is not None, inputs[1] is not None, len(inputs) > 2 and inputs[2] is not None)
        g = grad if self.batched else grad[None]
        if self.transposed:
            gx, gw, gb = kernels.conv_transpose_backward(g, self.x, self.w, self.stride, self.padding,
                                                         self.output_padding, self.groups, self.dilation, mask)
        else:
            gx, gw, gb = kernels.conv_backward(g, self.x, self.w, self.stride, self.padding, self.dilation,
                                               self.groups, mask)
        if gx is not None and not self.batched:
            gx = gx[0]
        return gx, gw, gb

    def backward_graph(self, grad):
        """The same gradients from differentiable (transposed) convolutions of Tensors.

        The input gradient of a convolution is the transposed convolution of ``grad`` by the weight (and the
        reverse); the weight gradient correlates the input with ``grad`` (batch and channel dims swapped), the
        stride and dilation exchanging roles, cropped to the kernel size.
        """
        inputs = self.inputs
        nd = self.w.ndim - 2
        g = grad if self.batched else grad.unsqueeze(0)
        gx = gw = gb = None
        if inputs[0] is not None:
            w = operand(self, 1, self.w)
            if self.transposed:
                gx = _CONV[nd](g, w, None, self.stride, self.padding, self.dilation, self.groups)
            else:
                spatial = self.x.shape[2:]
                extra = tuple(spatial[i] + 2 * self.padding[i] - self.dilation[i] * (self.w.shape[2 + i] - 1) - 1
                              - (g.shape[2 + i] - 1) * self.stride[i] for i in range(nd))
                gx = _CONV_TRANSPOSE[nd](g, w, None, self.stride, self.padding, extra, self.groups, self.dilation)
            if not self.batched:
                gx = gx.squeeze(0)
        if inputs[1] is not None:
            x = operand(self, 0, self.x)
            if inputs[0] is not None and not self.batched:
                x = x.unsqueeze(0)
            a, b = (g, x) if self.transposed else (x, g)
            crop = (slice(None), slice(None)) + tuple(slice(0, k) for k in self.w.shape[2:])
            parts = []
            ca, cb = a.shape[1] // self.groups, b.shape[1] // self.groups
            for j in range(self.groups):  # each group's kernels see only that group's channels
                aj, bj = a[:, j * ca:(j + 1) * ca], b[:, j * cb:(j + 1) * cb]
                full = _CONV[nd](aj.transpose(0, 1), bj.transpose(0, 1), None, self.dilation, self.padding,
                                 self.stride)
                parts.append(full.transpose(0, 1)[crop])
            gw = parts[0] if self.groups == 1 else cat(parts, 0)
        if len(inputs) > 2 and inputs[2] is not None:
            gb = g.sum(dim=(0,) + tuple(range(2, g.dim())))
        return gx, gw, gb


def _dtype_name(dtype):
    return _DTYPE_NAMES.get(dtype, str(dtype))


def _conv_args(name, x, weight, bias, stride, padding, dilation, groups, transposed):
    """PyTorch's checks of a convolution's arrays and arguments; returns (batched x, stride, padding,
    dilation, groups) with nd-tuples of ints."""
    nd = weight.ndim - 2
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, "
                           f"but got input of size: [{fmt_size(x.shape)}]")
    if x.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"expected input to have a floating dtype (float32 or float64), got {x.dtype}")
    if weight.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_dtype_name(x.dtype)}) and weight type "
                           f"({_dtype_name(weight.dtype)}) should be the same")
    if bias is not None and bias.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_dtype_name(x.dtype)}) and bias type "
                           f"({_dtype_name(bias.dtype)}) should be the same")
    stride = ntuple(stride, nd, "stride")
    padding = ntuple(padding, nd, "padding")
    dilation = ntuple(dilation, nd, "dilation")
    groups = int(groups)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    xb = x if x.ndim == nd + 2 else x[None]
    C = xb.shape[1]
    wshape = f"[{fmt_size(weight.shape)}]"
    if transposed:
        if weight.shape[0] != C:
            raise RuntimeError(f"Given transposed=1, weight of size {wshape}, expected input"
                               f"[{fmt_size(xb.shape)}] to have {weight.shape[0]} channels, "
                               f"but got {C} channels instead")
        if C % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                               f"dimension 0, but got weight of size [{wshape}] instead")
        cout = weight.shape[1] * groups
    else:
        if weight.shape[0] % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                               f"dimension 0, but got weight of size [{wshape}] instead")
        if weight.shape[1] * groups != C:
            raise RuntimeError(f"Given groups={groups}, weight of size {wshape}, expected input"
                               f"[{fmt_size(xb.shape)}] to have {weight.shape[1] * groups} channels, "
                               f"but got {C} channels instead")
        cout = weight.shape[0]
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != cout):
        raise RuntimeError(f"Given weight of size {wshape}, expected bias to be 1-dimensional with "
                           f"{cout} elements, but got bias of size [{fmt_size(bias.shape)}] instead")
    if not transposed:
        padded = [xb.shape[2 + i] + 2 * padding[i] for i in range(nd)]
        eff = [dilation[i] * (weight.shape[2 + i] - 1) + 1 for i in range(nd)]
        if any(p < k for p, k in zip(padded, eff)):
            raise RuntimeError(f"Calculated padded input size per channel: ({fmt_size(padded, ' x ')}). "
                               f"Kernel size: ({fmt_size(eff, ' x ')}). "
                               "Kernel size can't be greater than actual input size")
    return xb, stride, padding, dilation, groups


def _axes(nd):
    return ("width",) if nd == 1 else ("height", "width") if nd == 2 else ("depth", "height", "width")


def _transpose_args(xb, weight, stride, padding, output_padding, dilation):
    """PyTorch's checks of output_padding and the output size of a transposed convolution."""
    nd = weight.ndim - 2
    output_padding = ntuple(output_padding, nd, "output_padding")
    for i in range(nd):
        if output_padding[i] >= stride[i] and output_padding[i] >= dilation[i]:
            raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                               + " ".join(f"output_padding_{a}: {v}" for a, v in zip(_axes(nd), output_padding))
                               + " " + " ".join(f"stride_{a}: {v}" for a, v in zip(_axes(nd), stride)) + " "
                               + " ".join(f"dilation_{a}: {v}" for a, v in zip(_axes(nd), dilation)))
    out_sp = kernels.transposed_output_size(xb.shape[2:], weight, stride, padding, output_padding, dilation)
    if any(o <= 0 for o in out_sp):
        raise RuntimeError(f"Given input size per channel: ({fmt_size(xb.shape[2:], ' x ')}). "
                           f"Calculated output size per channel: ({fmt_size(out_sp, ' x ')}). "
                           "Output size is too small")
    return output_padding


def _record_conv(out, input, weight, bias, batched, **saved):
    inputs = (input, weight) if bias is None else (input, weight, bias)
    # input-grad reads the weight, weight-grad reads the input
    return record(out if batched else out[0], ConvolutionBackward0, inputs, reads=((input, 1), (weight, 0)),
                  w=weight._data, batched=batched, **saved)


def _same_padding(nd, weight, stride, dilation):
    """Symmetric per-dim padding for padding='same' plus the F.pad list for any odd remainder (added right)."""
    if any(s != 1 for s in ntuple(stride, nd, "stride")):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    pairs = same_padding(weight.shape[2:], ntuple(dilation, nd, "dilation"))
    sym = tuple(left for left, _ in pairs)
    extra = []
    for left, right in reversed(pairs):      # F.pad lists the last dim first
        extra += [0, right - left]
    if any(extra):
        warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require a "
                      "zero-padded copy of the input be created")
    return sym, (extra if any(extra) else None)


@computes_in_float32(same_dtype=("weight", "bias"))
def _conv(nd, input, weight, bias, stride, padding, dilation, groups):
    require_tensor(f"conv{nd}d", input)
    if weight.dim() != nd + 2:
        # PyTorch infers the dims from the weight and complains about the input instead
        raise RuntimeError(f"Expected {weight.dim() - 1}D (unbatched) or {weight.dim()}D (batched) input to "
                           f"conv{weight.dim() - 2}d, but got input of size: [{', '.join(map(str, input.shape))}]"
                           if input.dim() not in (weight.dim() - 1, weight.dim()) else
                           f"expected stride to be a single integer value or a list of {weight.dim() - 2} "
                           f"values to match the convolution dimensions, but got stride={list(ntuple(stride, nd))}")
    if isinstance(padding, str):
        if padding == "valid":
            padding = 0
        elif padding == "same":
            padding, extra = _same_padding(nd, weight, stride, dilation)
            if extra is not None:
                input = _pad(input, extra)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    b = None if bias is None else bias._data
    x, stride, padding, dilation, groups = _conv_args(f"conv{nd}d", input._data, weight._data, b, stride, padding,
                                                      dilation, groups, False)
    out = kernels.conv_forward(x, weight._data, b, stride, padding, dilation, groups)
    return _record_conv(out, input, weight, bias, input.dim() == nd + 2, x=x, stride=stride, padding=padding,
                        dilation=dilation, groups=groups, transposed=False, output_padding=0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution of (N, C_in, L) (or (C_in, L)) by weight (C_out, C_in/groups, k)."""
    return _conv(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution of (N, C_in, H, W) (or (C_in, H, W)) by weight (C_out, C_in/groups, kH, kW)."""
    return _conv(2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution of (N, C_in, D, H, W) (or unbatched) by weight (C_out, C_in/groups, kD, kH, kW)."""
    return _conv(3, input, weight, bias, stride, padding, dilation, groups)


@computes_in_float32(same_dtype=("weight", "bias"))
def _conv_transpose(nd, input, weight, bias, stride, padding, output_padding, groups, dilation):
    require_tensor(f"conv_transpose{nd}d", input)
    if weight.dim() != nd + 2:
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"conv_transpose{nd}d, but got input of size: [{', '.join(map(str, input.shape))}]"
                           if input.dim() not in (nd + 1, nd + 2) else
                           "weight should have at least three dimensions" if weight.dim() < 3 else
                           f"expected stride to be a single integer value or a list of {weight.dim() - 2} "
                           f"values to match the convolution dimensions, but got stride={list(ntuple(stride, nd))}")
    if isinstance(padding, str):
        raise TypeError(f"conv_transpose{nd}d(): argument 'padding' must be tuple of ints, not str")
    b = None if bias is None else bias._data
    name = f"conv_transpose{nd}d"
    x, stride, padding, dilation, groups = _conv_args(name, input._data, weight._data, b, stride, padding,
                                                      dilation, groups, True)
    output_padding = _transpose_args(x, weight._data, stride, padding, output_padding, dilation)
    out = kernels.conv_transpose_forward(x, weight._data, b, stride, padding, output_padding, groups, dilation)
    return _record_conv(out, input, weight, bias, input.dim() == nd + 2, x=x, stride=stride, padding=padding,
                        dilation=dilation, groups=groups, transposed=True, output_padding=output_padding)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-d transposed convolution; weight is (C_in, C_out/groups, k)."""
    return _conv_transpose(1, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-d transposed convolution; weight is (C_in, C_out/groups, kH, kW)."""
    return _conv_transpose(2, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-d transposed convolution; weight is (C_in, C_out/groups, kD, kH, kW)."""
    return _conv_transpose(3, input, weight, bias, stride, padding, output_padding, groups, dilation)


_CONV = {1: conv1d, 2: conv2d, 3: conv3d}
_CONV_TRANSPOSE = {1: conv_transpose1d, 2: conv_transpose2d, 3: conv_transpose3d}

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
