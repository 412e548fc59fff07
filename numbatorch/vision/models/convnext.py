"""ConvNeXt tiny/small/base/large (Liu et al. 2022), laid out as torchvision's."""
from functools import partial
from typing import Optional

import numbatorch

from ... import nn
from ...nn import functional as F
from ..ops.misc import Conv2dNormActivation, Permute
from ..ops.stochastic_depth import StochasticDepth
from ._api import WeightsEnum, _resolve_weights, register_model
from ._utils import _build, _imagenet_weights

__all__ = ["ConvNeXt", "ConvNeXt_Base_Weights", "ConvNeXt_Large_Weights", "ConvNeXt_Small_Weights",
           "ConvNeXt_Tiny_Weights", "convnext_base", "convnext_large", "convnext_small", "convnext_tiny"]


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of an (N, C, H, W) tensor."""

    def forward(self, x):
        x = F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class CNBlock(nn.Module):
    """Depthwise 7x7 conv, LayerNorm, 4x inverted-bottleneck MLP (GELU), per-channel layer scale, stochastic
    depth and a shortcut."""

    def __init__(self, dim, layer_scale, stochastic_depth_prob, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = partial(nn.LayerNorm, eps=1e-6)
        self.block = nn.Sequential(
            nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim, bias=True),
            Permute([0, 2, 3, 1]),
            norm_layer(dim),
            nn.Linear(in_features=dim, out_features=4 * dim, bias=True),
            nn.GELU(),
            nn.Linear(in_features=4 * dim, out_features=dim, bias=True),
            Permute([0, 3, 1, 2]),
        )
        self.layer_scale = nn.Parameter(numbatorch.ones(dim, 1, 1) * layer_scale)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")

    def forward(self, input):
        return self.stochastic_depth(self.layer_scale * self.block(input)) + input


class CNBlockConfig:
    """One stage: ``num_layers`` blocks of ``input_channels``, then a downsampling to ``out_channels`` (None for
    the last stage)."""

    def __init__(self, input_channels, out_channels, num_layers):
        self.input_channels = input_channels
        self.out_channels = out_channels
        self.num_layers = num_layers

    def __repr__(self):
        return (f"{self.__class__.__name__}(input_channels={self.input_channels}, "
                f"out_channels={self.out_channels}, num_layers={self.num_layers})")


class ConvNeXt(nn.Module):
    """A 4x4 patchify stem, the configured stages with 2x2 downsampling between them (stochastic depth growing
    linearly to ``stochastic_depth_prob``), global pooling and a LayerNorm + linear classifier."""

    def __init__(self, block_setting, stochastic_depth_prob=0.0, layer_scale=1e-6, num_classes=1000, block=None,
                 norm_layer=None):
        super().__init__()
        if not block_setting:
            raise ValueError("The block_setting should not be empty")
        if not (isinstance(block_setting, (list, tuple)) and all(isinstance(s, CNBlockConfig) for s in block_setting)):
            raise TypeError("The block_setting should be List[CNBlockConfig]")
        if block is None:
            block = CNBlock
        if norm_layer is None:
            norm_layer = partial(LayerNorm2d, eps=1e-6)
        layers = [Conv2dNormActivation(3, block_setting[0].input_channels, kernel_size=4, stride=4, padding=0,
                                       norm_layer=norm_layer, activation_layer=None, bias=True)]
        total_stage_blocks = sum(cnf.num_layers for cnf in block_setting)
        stage_block_id = 0
        for cnf in block_setting:
            stage = []
            for _ in range(cnf.num_layers):
                sd_prob = stochastic_depth_prob * stage_block_id / (total_stage_blocks - 1.0)
                stage.append(block(cnf.input_channels, layer_scale, sd_prob))
                stage_block_id += 1
            layers.append(nn.Sequential(*stage))
            if cnf.out_channels is not None:
                layers.append(nn.Sequential(norm_layer(cnf.input_channels),
                                            nn.Conv2d(cnf.input_channels, cnf.out_channels, kernel_size=2, stride=2)))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        last = block_setting[-1]
        last_channels = last.out_channels if last.out_channels is not None else last.input_channels
        self.classifier = nn.Sequential(norm_layer(last_channels), nn.Flatten(1), nn.Linear(last_channels, num_classes))
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.trunc_normal_(m.weight, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)))


def _convnext(stages, stochastic_depth_prob, weights, progress, kwargs):
    setting = [CNBlockConfig(*stage) for stage in stages]
    make = partial(ConvNeXt, setting, stochastic_depth_prob=kwargs.pop("stochastic_depth_prob", stochastic_depth_prob))
    return _build(make, weights, progress, kwargs)


_URL = "https://download.pytorch.org/models/"


class ConvNeXt_Tiny_Weights(WeightsEnum):
    """Pretrained weights for ``convnext_tiny`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "convnext_tiny-983f1562.pth", 28589128, (32, 32), resize_size=236)
    DEFAULT = IMAGENET1K_V1


class ConvNeXt_Small_Weights(WeightsEnum):
    """Pretrained weights for ``convnext_small`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "convnext_small-0c510722.pth", 50223688, (32, 32), resize_size=230)
    DEFAULT = IMAGENET1K_V1


class ConvNeXt_Base_Weights(WeightsEnum):
    """Pretrained weights for ``convnext_base`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "convnext_base-6075fbad.pth", 88591464, (32, 32), resize_size=232)
    DEFAULT = IMAGENET1K_V1


class ConvNeXt_Large_Weights(WeightsEnum):
    """Pretrained weights for ``convnext_large`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "convnext_large-ea097f82.pth", 197767336, (32, 32), resize_size=232)
    DEFAULT = IMAGENET1K_V1


@register_model()
def convnext_tiny(*, weights: Optional[ConvNeXt_Tiny_Weights] = None, progress=True, **kwargs):
    """ConvNeXt-Tiny (28.6M parameters)."""
    weights = _resolve_weights(ConvNeXt_Tiny_Weights, weights, kwargs)
    return _convnext([(96, 192, 3), (192, 384, 3), (384, 768, 9), (768, None, 3)], 0.1, weights, progress, kwargs)


@register_model()
def convnext_small(*, weights: Optional[ConvNeXt_Small_Weights] = None, progress=True, **kwargs):
    """ConvNeXt-Small (50.2M parameters)."""
    weights = _resolve_weights(ConvNeXt_Small_Weights, weights, kwargs)
    return _convnext([(96, 192, 3), (192, 384, 3), (384, 768, 27), (768, None, 3)], 0.4, weights, progress, kwargs)


@register_model()
def convnext_base(*, weights: Optional[ConvNeXt_Base_Weights] = None, progress=True, **kwargs):
    """ConvNeXt-Base (88.6M parameters)."""
    weights = _resolve_weights(ConvNeXt_Base_Weights, weights, kwargs)
    return _convnext([(128, 256, 3), (256, 512, 3), (512, 1024, 27), (1024, None, 3)], 0.5, weights, progress,
                     kwargs)


@register_model()
def convnext_large(*, weights: Optional[ConvNeXt_Large_Weights] = None, progress=True, **kwargs):
    """ConvNeXt-Large (197.8M parameters)."""
    weights = _resolve_weights(ConvNeXt_Large_Weights, weights, kwargs)
    return _convnext([(192, 384, 3), (384, 768, 3), (768, 1536, 27), (1536, None, 3)], 0.5, weights, progress,
                     kwargs)
