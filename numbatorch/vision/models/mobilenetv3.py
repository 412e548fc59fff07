"""MobileNetV3 large and small (Howard et al. 2019), laid out as torchvision's."""
from functools import partial
from typing import Optional

import numbatorch

from ... import nn
from ..ops.misc import Conv2dNormActivation, SqueezeExcitation
from ._api import WeightsEnum, _resolve_weights, register_model
from ._utils import _build, _imagenet_weights, _init_linear_small_normal, _init_mobile_weights, _make_divisible

__all__ = ["MobileNetV3", "MobileNet_V3_Large_Weights", "MobileNet_V3_Small_Weights", "mobilenet_v3_large",
           "mobilenet_v3_small"]


class InvertedResidualConfig:
    """One bottleneck: channels (scaled by ``width_mult``, rounded to multiples of 8), kernel, squeeze-excitation,
    activation ("RE" ReLU or "HS" hard-swish), stride and dilation."""

    def __init__(self, input_channels, kernel, expanded_channels, out_channels, use_se, activation, stride, dilation,
                 width_mult):
        self.input_channels = self.adjust_channels(input_channels, width_mult)
        self.kernel = kernel
        self.expanded_channels = self.adjust_channels(expanded_channels, width_mult)
        self.out_channels = self.adjust_channels(out_channels, width_mult)
        self.use_se = use_se
        self.use_hs = activation == "HS"
        self.stride = stride
        self.dilation = dilation

    @staticmethod
    def adjust_channels(channels, width_mult):
        """``channels * width_mult`` rounded to a multiple of 8."""
        return _make_divisible(channels * width_mult, 8)


class InvertedResidual(nn.Module):
    """1x1 expansion, depthwise KxK, optional squeeze-excitation, linear 1x1 projection; a shortcut when the
    shapes allow."""

    def __init__(self, cnf, norm_layer, se_layer=partial(SqueezeExcitation, scale_activation=nn.Hardsigmoid)):
        super().__init__()
        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        activation_layer = nn.Hardswish if cnf.use_hs else nn.ReLU
        layers = []
        if cnf.expanded_channels != cnf.input_channels:
            layers.append(Conv2dNormActivation(cnf.input_channels, cnf.expanded_channels, kernel_size=1,
                                               norm_layer=norm_layer, activation_layer=activation_layer))
        layers.append(Conv2dNormActivation(cnf.expanded_channels, cnf.expanded_channels, kernel_size=cnf.kernel,
                                           stride=1 if cnf.dilation > 1 else cnf.stride, dilation=cnf.dilation,
                                           groups=cnf.expanded_channels, norm_layer=norm_layer,
                                           activation_layer=activation_layer))
        if cnf.use_se:
            layers.append(se_layer(cnf.expanded_channels, _make_divisible(cnf.expanded_channels // 4, 8)))
        layers.append(Conv2dNormActivation(cnf.expanded_channels, cnf.out_channels, kernel_size=1,
                                           norm_layer=norm_layer, activation_layer=None))
        self.block = nn.Sequential(*layers)
        self.out_channels = cnf.out_channels
        self._is_cn = cnf.stride > 1

    def forward(self, input):
        result = self.block(input)
        if self.use_res_connect:
            result = result + input
        return result


class MobileNetV3(nn.Module):
    """A hard-swish stem, the configured bottlenecks, a 1x1 convolution to 6x the last width, global pooling and
    a two-layer classifier."""

    def __init__(self, inverted_residual_setting, last_channel, num_classes=1000, block=None, norm_layer=None,
                 dropout=0.2):
        super().__init__()
        if not inverted_residual_setting:
            raise ValueError("The inverted_residual_setting should not be empty")
        if not (isinstance(inverted_residual_setting, (list, tuple))
                and all(isinstance(s, InvertedResidualConfig) for s in inverted_residual_setting)):
            raise TypeError("The inverted_residual_setting should be List[InvertedResidualConfig]")
        if block is None:
            block = InvertedResidual
        if norm_layer is None:
            norm_layer = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
        first = inverted_residual_setting[0].input_channels
        layers = [Conv2dNormActivation(3, first, kernel_size=3, stride=2, norm_layer=norm_layer,
                                       activation_layer=nn.Hardswish)]
        layers += [block(cnf, norm_layer) for cnf in inverted_residual_setting]
        last_in = inverted_residual_setting[-1].out_channels
        last_out = 6 * last_in
        layers.append(Conv2dNormActivation(last_in, last_out, kernel_size=1, norm_layer=norm_layer,
                                           activation_layer=nn.Hardswish))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Linear(last_out, last_channel), nn.Hardswish(inplace=True),
                                        nn.Dropout(p=dropout, inplace=True), nn.Linear(last_channel, num_classes))
        _init_mobile_weights(self, _init_linear_small_normal)

    def forward(self, x):
        x = numbatorch.flatten(self.avgpool(self.features(x)), 1)
        return self.classifier(x)


def _mobilenet_v3_conf(arch, width_mult=1.0, reduced_tail=False, dilated=False):
    """The bottleneck list and classifier width of ``arch``; ``reduced_tail`` halves the last stage's channels and
    ``dilated`` replaces its stride by dilation (both for dense prediction backbones)."""
    divider = 2 if reduced_tail else 1
    dilation = 2 if dilated else 1
    conf = partial(InvertedResidualConfig, width_mult=width_mult)
    if arch == "mobilenet_v3_large":
        setting = [
            conf(16, 3, 16, 16, False, "RE", 1, 1),
            conf(16, 3, 64, 24, False, "RE", 2, 1),
            conf(24, 3, 72, 24, False, "RE", 1, 1),
            conf(24, 5, 72, 40, True, "RE", 2, 1),
            conf(40, 5, 120, 40, True, "RE", 1, 1),
            conf(40, 5, 120, 40, True, "RE", 1, 1),
            conf(40, 3, 240, 80, False, "HS", 2, 1),
            conf(80, 3, 200, 80, False, "HS", 1, 1),
            conf(80, 3, 184, 80, False, "HS", 1, 1),
            conf(80, 3, 184, 80, False, "HS", 1, 1),
            conf(80, 3, 480, 112, True, "HS", 1, 1),
            conf(112, 3, 672, 112, True, "HS", 1, 1),
            conf(112, 5, 672, 160 // divider, True, "HS", 2, dilation),
            conf(160 // divider, 5, 960 // divider, 160 // divider, True, "HS", 1, dilation),
            conf(160 // divider, 5, 960 // divider, 160 // divider, True, "HS", 1, dilation),
        ]
        last_channel = InvertedResidualConfig.adjust_channels(1280 // divider, width_mult)
    elif arch == "mobilenet_v3_small":
        setting = [
            conf(16, 3, 16, 16, True, "RE", 2, 1),
            conf(16, 3, 72, 24, False, "RE", 2, 1),
            conf(24, 3, 88, 24, False, "RE", 1, 1),
            conf(24, 5, 96, 40, True, "HS", 2, 1),
            conf(40, 5, 240, 40, True, "HS", 1, 1),
            conf(40, 5, 240, 40, True, "HS", 1, 1),
            conf(40, 5, 120, 48, True, "HS", 1, 1),
            conf(48, 5, 144, 48, True, "HS", 1, 1),
            conf(48, 5, 288, 96 // divider, True, "HS", 2, dilation),
            conf(96 // divider, 5, 576 // divider, 96 // divider, True, "HS", 1, dilation),
            conf(96 // divider, 5, 576 // divider, 96 // divider, True, "HS", 1, dilation),
        ]
        last_channel = InvertedResidualConfig.adjust_channels(1024 // divider, width_mult)
    else:
        raise ValueError(f"Unsupported model type {arch}")
    return setting, last_channel


def _mobilenet_v3(arch, weights, progress, kwargs):
    conf = {k: kwargs.pop(k) for k in ("width_mult", "reduced_tail", "dilated") if k in kwargs}
    setting, last_channel = _mobilenet_v3_conf(arch, **conf)
    return _build(partial(MobileNetV3, setting, last_channel), weights, progress, kwargs)


class MobileNet_V3_Large_Weights(WeightsEnum):
    """Pretrained weights for ``mobilenet_v3_large`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights("https://download.pytorch.org/models/mobilenet_v3_large-8738ca79.pth", 5483032,
                                      (1, 1))
    IMAGENET1K_V2 = _imagenet_weights("https://download.pytorch.org/models/mobilenet_v3_large-5c1a4163.pth", 5483032,
                                      (1, 1), resize_size=232)
    DEFAULT = IMAGENET1K_V2


class MobileNet_V3_Small_Weights(WeightsEnum):
    """Pretrained weights for ``mobilenet_v3_small`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights("https://download.pytorch.org/models/mobilenet_v3_small-047dcff4.pth", 2542856,
                                      (1, 1))
    DEFAULT = IMAGENET1K_V1


@register_model()
def mobilenet_v3_large(*, weights: Optional[MobileNet_V3_Large_Weights] = None, progress=True, **kwargs):
    """MobileNetV3-Large (5.5M parameters)."""
    weights = _resolve_weights(MobileNet_V3_Large_Weights, weights, kwargs)
    return _mobilenet_v3("mobilenet_v3_large", weights, progress, kwargs)


@register_model()
def mobilenet_v3_small(*, weights: Optional[MobileNet_V3_Small_Weights] = None, progress=True, **kwargs):
    """MobileNetV3-Small (2.5M parameters)."""
    weights = _resolve_weights(MobileNet_V3_Small_Weights, weights, kwargs)
    return _mobilenet_v3("mobilenet_v3_small", weights, progress, kwargs)
