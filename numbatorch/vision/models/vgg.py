"""VGG 11/13/16/19, with and without batch norm (Simonyan & Zisserman 2014), laid out as torchvision's."""
from functools import partial
from typing import Optional

import numbatorch

from ... import nn
from ._api import WeightsEnum, _resolve_weights, register_model
from ._utils import _build, _imagenet_weights

__all__ = ["VGG", "VGG11_Weights", "VGG11_BN_Weights", "VGG13_Weights", "VGG13_BN_Weights", "VGG16_Weights",
           "VGG16_BN_Weights", "VGG19_Weights", "VGG19_BN_Weights", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16",
           "vgg16_bn", "vgg19", "vgg19_bn"]

# Channels of each 3x3 convolution, "M" a 2x2 max pool: configurations A, B, D and E of the paper.
cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


class VGG(nn.Module):
    """``features``, a 7x7 adaptive average pool and a three-layer classifier."""

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = numbatorch.flatten(self.avgpool(self.features(x)), 1)
        return self.classifier(x)


def make_layers(cfg, batch_norm=False):
    """The convolutional part of a VGG from a configuration list."""
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(v))
            layers.append(nn.ReLU(inplace=True))
            in_channels = v
    return nn.Sequential(*layers)


_URL = "https://download.pytorch.org/models/"


class VGG11_Weights(WeightsEnum):
    """Pretrained weights for ``vgg11`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg11-8a719046.pth", 132863336, (32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    """Pretrained weights for ``vgg11_bn`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg11_bn-6002323d.pth", 132868840, (32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG13_Weights(WeightsEnum):
    """Pretrained weights for ``vgg13`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg13-19584684.pth", 133047848, (32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG13_BN_Weights(WeightsEnum):
    """Pretrained weights for ``vgg13_bn`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg13_bn-abd245e5.pth", 133053736, (32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):
    """Pretrained weights for ``vgg16`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg16-397923af.pth", 138357544, (32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    """Pretrained weights for ``vgg16_bn`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg16_bn-6c64b313.pth", 138365992, (32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG19_Weights(WeightsEnum):
    """Pretrained weights for ``vgg19`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg19-dcbb9e9d.pth", 143667240, (32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG19_BN_Weights(WeightsEnum):
    """Pretrained weights for ``vgg19_bn`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg19_bn-c79401a0.pth", 143678248, (32, 32))
    DEFAULT = IMAGENET1K_V1


def _vgg(cfg, batch_norm, weights, progress, kwargs):
    return _build(partial(VGG, make_layers(cfgs[cfg], batch_norm=batch_norm)), weights, progress, kwargs)


@register_model()
def vgg11(*, weights: Optional[VGG11_Weights] = None, progress=True, **kwargs):
    """VGG-11 (configuration A)."""
    weights = _resolve_weights(VGG11_Weights, weights, kwargs)
    return _vgg("A", False, weights, progress, kwargs)


@register_model()
def vgg11_bn(*, weights: Optional[VGG11_BN_Weights] = None, progress=True, **kwargs):
    """VGG-11 with batch normalization."""
    weights = _resolve_weights(VGG11_BN_Weights, weights, kwargs)
    return _vgg("A", True, weights, progress, kwargs)


@register_model()
def vgg13(*, weights: Optional[VGG13_Weights] = None, progress=True, **kwargs):
    """VGG-13 (configuration B)."""
    weights = _resolve_weights(VGG13_Weights, weights, kwargs)
    return _vgg("B", False, weights, progress, kwargs)


@register_model()
def vgg13_bn(*, weights: Optional[VGG13_BN_Weights] = None, progress=True, **kwargs):
    """VGG-13 with batch normalization."""
    weights = _resolve_weights(VGG13_BN_Weights, weights, kwargs)
    return _vgg("B", True, weights, progress, kwargs)


@register_model()
def vgg16(*, weights: Optional[VGG16_Weights] = None, progress=True, **kwargs):
    """VGG-16 (configuration D)."""
    weights = _resolve_weights(VGG16_Weights, weights, kwargs)
    return _vgg("D", False, weights, progress, kwargs)


@register_model()
def vgg16_bn(*, weights: Optional[VGG16_BN_Weights] = None, progress=True, **kwargs):
    """VGG-16 with batch normalization."""
    weights = _resolve_weights(VGG16_BN_Weights, weights, kwargs)
    return _vgg("D", True, weights, progress, kwargs)


@register_model()
def vgg19(*, weights: Optional[VGG19_Weights] = None, progress=True, **kwargs):
    """VGG-19 (configuration E)."""
    weights = _resolve_weights(VGG19_Weights, weights, kwargs)
    return _vgg("E", False, weights, progress, kwargs)


@register_model()
def vgg19_bn(*, weights: Optional[VGG19_BN_Weights] = None, progress=True, **kwargs):
    """VGG-19 with batch normalization."""
    weights = _resolve_weights(VGG19_BN_Weights, weights, kwargs)
    return _vgg("E", True, weights, progress, kwargs)
