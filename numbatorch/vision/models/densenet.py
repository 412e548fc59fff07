"""DenseNet 121/161/169/201 (Huang et al. 2016), laid out as torchvision's."""
import re
from collections import OrderedDict
from functools import partial
from typing import Optional

import numbatorch

from ... import nn
from ...nn import functional as F
from ._api import WeightsEnum, _resolve_weights, register_model
from ._utils import _IMAGENET_NUM_CLASSES, _imagenet_weights, _ovewrite_named_param

__all__ = ["DenseNet", "DenseNet121_Weights", "DenseNet161_Weights", "DenseNet169_Weights", "DenseNet201_Weights",
           "densenet121", "densenet161", "densenet169", "densenet201"]


class _DenseLayer(nn.Module):
    """BN-ReLU-1x1 conv to ``bn_size * growth_rate`` channels, BN-ReLU-3x3 conv to ``growth_rate`` new ones."""

    def __init__(self, num_input_features, growth_rate, bn_size, drop_rate, memory_efficient=False):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1, stride=1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, stride=1, padding=1, bias=False)
        self.drop_rate = float(drop_rate)
        self.memory_efficient = memory_efficient

    def forward(self, input):
        prev_features = [input] if isinstance(input, numbatorch.Tensor) else input
        bottleneck = self.conv1(self.relu1(self.norm1(numbatorch.cat(prev_features, 1))))
        new_features = self.conv2(self.relu2(self.norm2(bottleneck)))
        if self.drop_rate > 0:
            new_features = F.dropout(new_features, p=self.drop_rate, training=self.training)
        return new_features


class _DenseBlock(nn.ModuleDict):
    """``num_layers`` dense layers, each seeing the concatenation of all earlier outputs."""

    def __init__(self, num_layers, num_input_features, bn_size, growth_rate, drop_rate, memory_efficient=False):
        super().__init__()
        for i in range(num_layers):
            self.add_module(f"denselayer{i + 1}",
                            _DenseLayer(num_input_features + i * growth_rate, growth_rate=growth_rate,
                                        bn_size=bn_size, drop_rate=drop_rate, memory_efficient=memory_efficient))

    def forward(self, init_features):
        features = [init_features]
        for _, layer in self.items():
            features.append(layer(features))
        return numbatorch.cat(features, 1)


class _Transition(nn.Sequential):
    """BN-ReLU-1x1 conv then 2x2 average pooling between dense blocks."""

    def __init__(self, num_input_features, num_output_features):
        super().__init__()
        self.norm = nn.BatchNorm2d(num_input_features)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(num_input_features, num_output_features, kernel_size=1, stride=1, bias=False)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)


class DenseNet(nn.Module):
    """A 7x7 stem, dense blocks of ``block_config`` layers joined by halving transitions, a final BN and a linear
    classifier. ``memory_efficient`` is accepted for torchvision's signature; numbatorch has no activation
    checkpointing, so it computes the same result without saving memory."""

    def __init__(self, growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64, bn_size=4, drop_rate=0,
                 num_classes=1000, memory_efficient=False):
        super().__init__()
        self.features = nn.Sequential(OrderedDict([
            ("conv0", nn.Conv2d(3, num_init_features, kernel_size=7, stride=2, padding=3, bias=False)),
            ("norm0", nn.BatchNorm2d(num_init_features)),
            ("relu0", nn.ReLU(inplace=True)),
            ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
        ]))
        num_features = num_init_features
        for i, num_layers in enumerate(block_config):
            self.features.add_module(f"denseblock{i + 1}", _DenseBlock(
                num_layers=num_layers, num_input_features=num_features, bn_size=bn_size, growth_rate=growth_rate,
                drop_rate=drop_rate, memory_efficient=memory_efficient))
            num_features += num_layers * growth_rate
            if i != len(block_config) - 1:
                self.features.add_module(f"transition{i + 1}", _Transition(num_features, num_features // 2))
                num_features //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(num_features))
        self.classifier = nn.Linear(num_features, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        out = F.relu(self.features(x), inplace=True)
        out = numbatorch.flatten(F.adaptive_avg_pool2d(out, (1, 1)), 1)
        return self.classifier(out)


# The published checkpoints predate module names with dots removed: "denselayer1.norm.1.weight" is today's
# "denselayer1.norm1.weight".
_OLD_KEY = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$")


def _load_state_dict(model, weights, progress):
    state_dict = weights.get_state_dict(progress=progress, check_hash=True)
    for key in list(state_dict):
        match = _OLD_KEY.match(key)
        if match:
            state_dict[match.group(1) + match.group(2)] = state_dict.pop(key)
    model.load_state_dict(state_dict)


def _densenet(growth_rate, block_config, num_init_features, weights, progress, kwargs):
    if weights is not None:
        _ovewrite_named_param(kwargs, "num_classes", _IMAGENET_NUM_CLASSES)
    model = DenseNet(growth_rate, block_config, num_init_features, **kwargs)
    if weights is not None:
        _load_state_dict(model, weights, progress)
    return model


_densenet_weights = partial(_imagenet_weights, min_size=(29, 29))


class DenseNet121_Weights(WeightsEnum):
    """Pretrained weights for ``densenet121`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _densenet_weights("https://download.pytorch.org/models/densenet121-a639ec97.pth", 7978856)
    DEFAULT = IMAGENET1K_V1


class DenseNet161_Weights(WeightsEnum):
    """Pretrained weights for ``densenet161`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _densenet_weights("https://download.pytorch.org/models/densenet161-8d451a50.pth", 28681000)
    DEFAULT = IMAGENET1K_V1


class DenseNet169_Weights(WeightsEnum):
    """Pretrained weights for ``densenet169`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _densenet_weights("https://download.pytorch.org/models/densenet169-b2777c0a.pth", 14149480)
    DEFAULT = IMAGENET1K_V1


class DenseNet201_Weights(WeightsEnum):
    """Pretrained weights for ``densenet201`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _densenet_weights("https://download.pytorch.org/models/densenet201-c1103571.pth", 20013928)
    DEFAULT = IMAGENET1K_V1


@register_model()
def densenet121(*, weights: Optional[DenseNet121_Weights] = None, progress=True, **kwargs):
    """DenseNet-121 (8.0M parameters)."""
    weights = _resolve_weights(DenseNet121_Weights, weights, kwargs)
    return _densenet(32, (6, 12, 24, 16), 64, weights, progress, kwargs)


@register_model()
def densenet161(*, weights: Optional[DenseNet161_Weights] = None, progress=True, **kwargs):
    """DenseNet-161 (28.7M parameters)."""
    weights = _resolve_weights(DenseNet161_Weights, weights, kwargs)
    return _densenet(48, (6, 12, 36, 24), 96, weights, progress, kwargs)


@register_model()
def densenet169(*, weights: Optional[DenseNet169_Weights] = None, progress=True, **kwargs):
    """DenseNet-169 (14.1M parameters)."""
    weights = _resolve_weights(DenseNet169_Weights, weights, kwargs)
    return _densenet(32, (6, 12, 32, 32), 64, weights, progress, kwargs)


@register_model()
def densenet201(*, weights: Optional[DenseNet201_Weights] = None, progress=True, **kwargs):
    """DenseNet-201 (20.0M parameters)."""
    weights = _resolve_weights(DenseNet201_Weights, weights, kwargs)
    return _densenet(32, (6, 12, 48, 32), 64, weights, progress, kwargs)
