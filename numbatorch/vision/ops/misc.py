"""``Conv2dNormActivation``, ``SqueezeExcitation`` and ``Permute``: blocks torchvision's models are built from."""
from ... import nn

__all__ = ["Conv2dNormActivation", "Permute", "SqueezeExcitation"]


class Conv2dNormActivation(nn.Sequential):
    """``Sequential(Conv2d, norm_layer, activation_layer)``; padding defaults to "same" for odd kernels and the
    convolution has a bias only when there is no norm layer."""

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1, inplace=True, bias=None):
        if padding is None:
            if isinstance(kernel_size, int) and isinstance(dilation, int):
                padding = (kernel_size - 1) // 2 * dilation
            else:
                dims = len(kernel_size) if isinstance(kernel_size, (tuple, list)) else len(dilation)
                kernel_size = (kernel_size,) * dims if isinstance(kernel_size, int) else tuple(kernel_size)
                dilation = (dilation,) * dims if isinstance(dilation, int) else tuple(dilation)
                padding = tuple((k - 1) // 2 * d for k, d in zip(kernel_size, dilation))
        if bias is None:
            bias = norm_layer is None
        layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation=dilation, groups=groups,
                            bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer(**({} if inplace is None else {"inplace": inplace})))
        super().__init__(*layers)
        self.out_channels = out_channels


class SqueezeExcitation(nn.Module):
    """Squeeze-and-Excitation (Hu et al. 2017): scale each channel by a gate computed from the global average of
    all channels through a 1x1-conv bottleneck of ``squeeze_channels``."""

    def __init__(self, input_channels, squeeze_channels, activation=nn.ReLU, scale_activation=nn.Sigmoid):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def _scale(self, input):
        return self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(input)))))

    def forward(self, input):
        return self._scale(input) * input


class Permute(nn.Module):
    """``x.permute(*dims)`` as a module, for use inside ``nn.Sequential``."""

    def __init__(self, dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        return x.permute(*self.dims)
