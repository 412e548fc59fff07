"""``F.conv1d/2d/3d`` and ``F.conv_transpose1d/2d/3d``: one ``ConvolutionBackward0`` node per call,
backed by the im2col + GEMM kernels of ``backends/cpu/conv.py``."""
import warnings

from ..._ops._util import record
from ...autograd.graph import Node
from ...backends.cpu import conv as K
from ...backends.cpu._shape import ntuple
from ._tensor_args import require_tensor
from .padding import pad as _pad


class ConvolutionBackward0(Node):
    """Backward of a (transposed) convolution; asks the kernel only for the gradients that are needed."""

    __slots__ = ("x", "w", "stride", "padding", "dilation", "groups", "transposed", "output_padding")

    def backward(self, grad):
        inputs = self.inputs
        mask = (inputs[0] is not None, inputs[1] is not None, len(inputs) > 2 and inputs[2] is not None)
        if self.transposed:
            return K.conv_transpose_backward(grad, self.x, self.w, self.stride, self.padding,
                                             self.output_padding, self.groups, self.dilation, mask)
        return K.conv_backward(grad, self.x, self.w, self.stride, self.padding, self.dilation,
                               self.groups, mask)


def _record_conv(out, input, weight, bias, **saved):
    inputs = (input, weight) if bias is None else (input, weight, bias)
    # input-grad reads the weight, weight-grad reads the input
    return record(out, ConvolutionBackward0, inputs, reads=((input, 1), (weight, 0)), x=input._data, w=weight._data,
                  **saved)


def _same_padding(nd, weight, stride, dilation):
    """Symmetric per-dim padding for padding='same' plus the F.pad list for any odd remainder (added right)."""
    if any(s != 1 for s in ntuple(stride, nd, "stride")):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    pairs = K.same_padding(weight.shape[2:], ntuple(dilation, nd, "dilation"))
    sym = tuple(left for left, _ in pairs)
    extra = []
    for left, right in reversed(pairs):      # F.pad lists the last dim first
        extra += [0, right - left]
    if any(extra):
        warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require a "
                      "zero-padded copy of the input be created")
    return sym, (extra if any(extra) else None)


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
    out = K.conv_forward(input._data, weight._data, None if bias is None else bias._data,
                         stride, padding, dilation, groups, _name=f"conv{nd}d")
    return _record_conv(out, input, weight, bias, stride=stride, padding=padding, dilation=dilation,
                        groups=groups, transposed=False, output_padding=0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution of (N, C_in, L) (or (C_in, L)) by weight (C_out, C_in/groups, k)."""
    return _conv(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution of (N, C_in, H, W) (or (C_in, H, W)) by weight (C_out, C_in/groups, kH, kW)."""
    return _conv(2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution of (N, C_in, D, H, W) (or unbatched) by weight (C_out, C_in/groups, kD, kH, kW)."""
    return _conv(3, input, weight, bias, stride, padding, dilation, groups)


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
    out = K.conv_transpose_forward(input._data, weight._data, None if bias is None else bias._data,
                                   stride, padding, output_padding, groups, dilation)
    return _record_conv(out, input, weight, bias, stride=stride, padding=padding, dilation=dilation,
                        groups=groups, transposed=True, output_padding=output_padding)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-d transposed convolution; weight is (C_in, C_out/groups, k)."""
    return _conv_transpose(1, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-d transposed convolution; weight is (C_in, C_out/groups, kH, kW)."""
    return _conv_transpose(2, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-d transposed convolution; weight is (C_in, C_out/groups, kD, kH, kW)."""
    return _conv_transpose(3, input, weight, bias, stride, padding, output_padding, groups, dilation)


__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
