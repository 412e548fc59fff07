"""Convolution layers: Conv1d/2d/3d and ConvTranspose1d/2d/3d (PyTorch's parameters, init and repr)."""
import math

from ... import _creation
from .. import init
from ..functional import conv as F
from ..functional._shape_args import _pair, _reverse_repeat_tuple, _single, _triple  # noqa: F401  (pooling too)
from ..functional.padding import pad as _pad
from ..parameter import Parameter
from .module import Module


class _ConvNd(Module):
    __constants__ = ["stride", "padding", "dilation", "groups", "padding_mode", "output_padding",
                     "in_channels", "out_channels", "kernel_size"]

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device=None, dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        valid_padding_strings = {"same", "valid"}
        if isinstance(padding, str):
            if padding not in valid_padding_strings:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {valid_padding_strings}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        valid_padding_modes = {"zeros", "reflect", "replicate", "circular"}
        if padding_mode not in valid_padding_modes:
            raise ValueError(f"padding_mode must be one of {valid_padding_modes}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad amounts (last dim first) used by the non-zeros padding modes
        if isinstance(padding, str):
            self._reversed_padding_repeated_twice = [0, 0] * len(kernel_size)
            if padding == "same":
                for d, k, i in zip(dilation, kernel_size, range(len(kernel_size) - 1, -1, -1)):
                    total = d * (k - 1)
                    left = total // 2
                    self._reversed_padding_repeated_twice[2 * i] = left
                    self._reversed_padding_repeated_twice[2 * i + 1] = total - left
        else:
            self._reversed_padding_repeated_twice = _reverse_repeat_tuple(padding, 2)
        shape = ((in_channels, out_channels // groups) if transposed
                 else (out_channels, in_channels // groups)) + tuple(kernel_size)
        self.weight = Parameter(_creation.empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # kaiming_uniform with a=sqrt(5) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as in PyTorch
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "padding_mode"):
            self.padding_mode = "zeros"


class _Conv(_ConvNd):
    _conv = None      # the functional form, set by each subclass
    _tuple = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        t = type(self)._tuple
        super().__init__(in_channels, out_channels, t(kernel_size), t(stride),
                         padding if isinstance(padding, str) else t(padding), t(dilation), False, t(0),
                         groups, bias, padding_mode, device, dtype)

    def _conv_forward(self, input, weight, bias):
        conv = type(self)._conv
        if self.padding_mode != "zeros":
            padded = _pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-D convolution (cross-correlation, as in PyTorch) over a batch of ``C_in``-channel inputs.

    Args:
        in_channels: ``C_in``, channels of the input.
        out_channels: ``C_out``, channels of the output.
        kernel_size: the kernel's spatial size, an int or a 1-tuple.
        stride: the kernel's step. Default: ``1``.
        padding: implicit padding on both sides, an int or a 1-tuple, or ``'valid'`` (none) or ``'same'``
            (output size equals input size; stride 1 only). Default: ``0``.
        dilation: spacing between kernel elements. Default: ``1``.
        groups: split the channels into this many independent groups; ``in_channels`` and ``out_channels`` must be
            divisible by it. Default: ``1``.
        bias: add a learned per-channel bias. Default: ``True``.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``. Default: ``'zeros'``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - Input: ``(N, C_in, L_in)`` or ``(C_in, L_in)``.
        - Output: ``(N, C_out, L_out)`` or ``(C_out, L_out)``, where per dimension
          ``out = floor((in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)``.

    Attributes:
        weight: shape ``(C_out, C_in / groups, k)``, initialised from ``U(-sqrt(k), sqrt(k))`` with
            ``k = groups / (C_in * prod(kernel_size))``.
        bias: shape ``(C_out,)``, initialised like ``weight``; ``None`` if ``bias=False``.

    Examples::

        >>> m = nn.Conv1d(16, 33, 3, stride=2)
        >>> y = m(torch.randn(20, 16, 50))  # (20, 33, 24)
    """

    _conv = staticmethod(F.conv1d)
    _tuple = staticmethod(_single)


class Conv2d(_Conv):
    """2-D convolution (cross-correlation, as in PyTorch) over a batch of ``C_in``-channel inputs.

    Args:
        in_channels: ``C_in``, channels of the input.
        out_channels: ``C_out``, channels of the output.
        kernel_size: the kernel's spatial size, an int or a pair.
        stride: the kernel's step. Default: ``1``.
        padding: implicit padding on both sides, an int or a pair, or ``'valid'`` (none) or ``'same'``
            (output size equals input size; stride 1 only). Default: ``0``.
        dilation: spacing between kernel elements. Default: ``1``.
        groups: split the channels into this many independent groups; ``in_channels`` and ``out_channels`` must be
            divisible by it. Default: ``1``.
        bias: add a learned per-channel bias. Default: ``True``.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``. Default: ``'zeros'``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - Input: ``(N, C_in, H_in, W_in)`` or ``(C_in, H_in, W_in)``.
        - Output: ``(N, C_out, H_out, W_out)`` or ``(C_out, H_out, W_out)``, where per dimension
          ``out = floor((in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)``.

    Attributes:
        weight: shape ``(C_out, C_in / groups, kH, kW)``, initialised from ``U(-sqrt(k), sqrt(k))`` with
            ``k = groups / (C_in * prod(kernel_size))``.
        bias: shape ``(C_out,)``, initialised like ``weight``; ``None`` if ``bias=False``.

    Examples::

        >>> m = nn.Conv2d(16, 33, 3, stride=2, padding=1)
        >>> y = m(torch.randn(20, 16, 50, 100))  # (20, 33, 25, 50)
    """

    _conv = staticmethod(F.conv2d)
    _tuple = staticmethod(_pair)


class Conv3d(_Conv):
    """3-D convolution (cross-correlation, as in PyTorch) over a batch of ``C_in``-channel inputs.

    Args:
        in_channels: ``C_in``, channels of the input.
        out_channels: ``C_out``, channels of the output.
        kernel_size: the kernel's spatial size, an int or a triple.
        stride: the kernel's step. Default: ``1``.
        padding: implicit padding on both sides, an int or a triple, or ``'valid'`` (none) or ``'same'``
            (output size equals input size; stride 1 only). Default: ``0``.
        dilation: spacing between kernel elements. Default: ``1``.
        groups: split the channels into this many independent groups; ``in_channels`` and ``out_channels`` must be
            divisible by it. Default: ``1``.
        bias: add a learned per-channel bias. Default: ``True``.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``. Default: ``'zeros'``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - Input: ``(N, C_in, D_in, H_in, W_in)`` or ``(C_in, D_in, H_in, W_in)``.
        - Output: ``(N, C_out, D_out, H_out, W_out)`` or ``(C_out, D_out, H_out, W_out)``, where per dimension
          ``out = floor((in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)``.

    Attributes:
        weight: shape ``(C_out, C_in / groups, kD, kH, kW)``, initialised from ``U(-sqrt(k), sqrt(k))`` with
            ``k = groups / (C_in * prod(kernel_size))``.
        bias: shape ``(C_out,)``, initialised like ``weight``; ``None`` if ``bias=False``.
    """

    _conv = staticmethod(F.conv3d)
    _tuple = staticmethod(_triple)


class _ConvTransposeNd(_ConvNd):
    _conv = None
    _tuple = None
    _nd = 0

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {self.__class__.__name__}')
        t = type(self)._tuple
        super().__init__(in_channels, out_channels, t(kernel_size), t(stride), t(padding), t(dilation), True,
                         t(output_padding), groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input, output_size, stride, padding, kernel_size, num_spatial_dims, dilation=None):
        """output_padding that makes the result exactly ``output_size`` (spatial, or with N and C)."""
        if output_size is None:
            return _single(self.output_padding)
        batched = input.dim() == num_spatial_dims + 2
        lead = 2 if batched else 1
        output_size = list(output_size)
        if len(output_size) == lead + num_spatial_dims:
            output_size = output_size[lead:]
        if len(output_size) != num_spatial_dims:
            raise ValueError(f"ConvTranspose{num_spatial_dims}D: for {input.dim()}D input, output_size must have "
                             f"{num_spatial_dims} or {lead + num_spatial_dims} elements (got {len(output_size)})")
        min_sizes, max_sizes = [], []
        for d in range(num_spatial_dims):
            dil = dilation[d] if dilation is not None else 1
            size = (input.size(d + lead) - 1) * stride[d] - 2 * padding[d] + dil * (kernel_size[d] - 1) + 1
            min_sizes.append(size)
            max_sizes.append(size + stride[d] - 1)
        for size, lo, hi in zip(output_size, min_sizes, max_sizes):
            if size < lo or size > hi:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes range from "
                                 f"{min_sizes} to {max_sizes} (for an input of {input.size()[2:]})")
        return [output_size[d] - min_sizes[d] for d in range(num_spatial_dims)]

    def forward(self, input, output_size=None):
        if self.padding_mode != "zeros":
            raise ValueError(f"Only `zeros` padding mode is supported for {self.__class__.__name__}")
        output_padding = self._output_padding(input, output_size, self.stride, self.padding, self.kernel_size,
                                              self._nd, self.dilation)
        return type(self)._conv(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                                self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution (the gradient of ``Conv1d`` with respect to its input), used to upsample.

    Call it as ``m(input, output_size=None)``; ``output_size`` picks among the sizes a strided layer can produce.

    Args:
        in_channels: ``C_in``, channels of the input.
        out_channels: ``C_out``, channels of the output.
        kernel_size: the kernel's spatial size, an int or a 1-tuple.
        stride: the kernel's step. Default: ``1``.
        padding: ``dilation * (kernel_size - 1) - padding`` zeros are added to both sides of the input, so that a
            ``Conv1d`` with the same arguments inverts the shape. Default: ``0``.
        output_padding: extra size added to one side of the output (less than ``stride`` or ``dilation``).
            Default: ``0``.
        groups: split the channels into this many independent groups. Default: ``1``.
        bias: add a learned per-channel bias. Default: ``True``.
        dilation: spacing between kernel elements. Default: ``1``.
        padding_mode: only ``'zeros'`` is supported, as in PyTorch.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - Input: ``(N, C_in, L_in)`` or ``(C_in, L_in)``.
        - Output: ``(N, C_out, L_out)`` or ``(C_out, L_out)``, where per dimension
          ``out = (in - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1``.

    Attributes:
        weight: shape ``(C_in, C_out / groups, k)``, initialised from ``U(-sqrt(k), sqrt(k))`` with
            ``k = groups / (C_out * prod(kernel_size))``.
        bias: shape ``(C_out,)``; ``None`` if ``bias=False``.
    """

    _conv = staticmethod(F.conv_transpose1d)
    _tuple = staticmethod(_single)
    _nd = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution (the gradient of ``Conv2d`` with respect to its input), used to upsample.

    Call it as ``m(input, output_size=None)``; ``output_size`` picks among the sizes a strided layer can produce.

    Args:
        in_channels: ``C_in``, channels of the input.
        out_channels: ``C_out``, channels of the output.
        kernel_size: the kernel's spatial size, an int or a pair.
        stride: the kernel's step. Default: ``1``.
        padding: ``dilation * (kernel_size - 1) - padding`` zeros are added to both sides of the input, so that a
            ``Conv2d`` with the same arguments inverts the shape. Default: ``0``.
        output_padding: extra size added to one side of the output (less than ``stride`` or ``dilation``).
            Default: ``0``.
        groups: split the channels into this many independent groups. Default: ``1``.
        bias: add a learned per-channel bias. Default: ``True``.
        dilation: spacing between kernel elements. Default: ``1``.
        padding_mode: only ``'zeros'`` is supported, as in PyTorch.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - Input: ``(N, C_in, H_in, W_in)`` or ``(C_in, H_in, W_in)``.
        - Output: ``(N, C_out, H_out, W_out)`` or ``(C_out, H_out, W_out)``, where per dimension
          ``out = (in - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1``.

    Attributes:
        weight: shape ``(C_in, C_out / groups, kH, kW)``, initialised from ``U(-sqrt(k), sqrt(k))`` with
            ``k = groups / (C_out * prod(kernel_size))``.
        bias: shape ``(C_out,)``; ``None`` if ``bias=False``.

    Examples::

        >>> m = nn.ConvTranspose2d(16, 33, 3, stride=2, padding=1, output_padding=1)
        >>> y = m(torch.randn(20, 16, 50, 100))  # (20, 33, 100, 200)
    """

    _conv = staticmethod(F.conv_transpose2d)
    _tuple = staticmethod(_pair)
    _nd = 2


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution (the gradient of ``Conv3d`` with respect to its input), used to upsample.

    Call it as ``m(input, output_size=None)``; ``output_size`` picks among the sizes a strided layer can produce.

    Args:
        in_channels: ``C_in``, channels of the input.
        out_channels: ``C_out``, channels of the output.
        kernel_size: the kernel's spatial size, an int or a triple.
        stride: the kernel's step. Default: ``1``.
        padding: ``dilation * (kernel_size - 1) - padding`` zeros are added to both sides of the input, so that a
            ``Conv3d`` with the same arguments inverts the shape. Default: ``0``.
        output_padding: extra size added to one side of the output (less than ``stride`` or ``dilation``).
            Default: ``0``.
        groups: split the channels into this many independent groups. Default: ``1``.
        bias: add a learned per-channel bias. Default: ``True``.
        dilation: spacing between kernel elements. Default: ``1``.
        padding_mode: only ``'zeros'`` is supported, as in PyTorch.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - Input: ``(N, C_in, D_in, H_in, W_in)`` or ``(C_in, D_in, H_in, W_in)``.
        - Output: ``(N, C_out, D_out, H_out, W_out)`` or ``(C_out, D_out, H_out, W_out)``, where per dimension
          ``out = (in - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1``.

    Attributes:
        weight: shape ``(C_in, C_out / groups, kD, kH, kW)``, initialised from ``U(-sqrt(k), sqrt(k))`` with
            ``k = groups / (C_out * prod(kernel_size))``.
        bias: shape ``(C_out,)``; ``None`` if ``bias=False``.
    """

    _conv = staticmethod(F.conv_transpose3d)
    _tuple = staticmethod(_triple)
    _nd = 3


__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]
