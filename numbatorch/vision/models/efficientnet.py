"""EfficientNet B0-B7 (Tan & Le 2019) and EfficientNetV2 S/M/L (Tan & Le 2021), laid out as torchvision's."""
import copy
import math
from dataclasses import dataclass
from functools import partial
from typing import Callable, Optional

import numbatorch

from ... import nn
from ..ops.misc import Conv2dNormActivation, SqueezeExcitation
from ..ops.stochastic_depth import StochasticDepth
from ..transforms._interpolation import InterpolationMode
from ._api import Weights, WeightsEnum, _resolve_weights, register_model
from ._utils import _build, _init_mobile_weights, _make_divisible

__all__ = ["EfficientNet", "EfficientNet_B0_Weights", "EfficientNet_B1_Weights", "EfficientNet_B2_Weights",
           "EfficientNet_B3_Weights", "EfficientNet_B4_Weights", "EfficientNet_B5_Weights", "EfficientNet_B6_Weights",
           "EfficientNet_B7_Weights", "EfficientNet_V2_S_Weights", "EfficientNet_V2_M_Weights",
           "EfficientNet_V2_L_Weights", "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
           "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7", "efficientnet_v2_s",
           "efficientnet_v2_m", "efficientnet_v2_l"]


@dataclass
class _MBConvConfig:
    expand_ratio: float
    kernel: int
    stride: int
    input_channels: int
    out_channels: int
    num_layers: int
    block: Callable

    @staticmethod
    def adjust_channels(channels, width_mult, min_value=None):
        """``channels * width_mult`` rounded to a multiple of 8."""
        return _make_divisible(channels * width_mult, 8, min_value)


class MBConvConfig(_MBConvConfig):
    """One stage of MBConv blocks (EfficientNet's Table 1), scaled by ``width_mult`` and ``depth_mult``."""

    def __init__(self, expand_ratio, kernel, stride, input_channels, out_channels, num_layers, width_mult=1.0,
                 depth_mult=1.0, block=None):
        input_channels = self.adjust_channels(input_channels, width_mult)
        out_channels = self.adjust_channels(out_channels, width_mult)
        num_layers = self.adjust_depth(num_layers, depth_mult)
        super().__init__(expand_ratio, kernel, stride, input_channels, out_channels, num_layers,
                         MBConv if block is None else block)

    @staticmethod
    def adjust_depth(num_layers, depth_mult):
        """``num_layers * depth_mult`` rounded up."""
        return int(math.ceil(num_layers * depth_mult))


class FusedMBConvConfig(_MBConvConfig):
    """One stage of Fused-MBConv blocks (EfficientNetV2's Table 4)."""

    def __init__(self, expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block=None):
        super().__init__(expand_ratio, kernel, stride, input_channels, out_channels, num_layers,
                         FusedMBConv if block is None else block)


class MBConv(nn.Module):
    """1x1 expansion, depthwise KxK, squeeze-excitation, linear 1x1 projection, all SiLU; stochastic depth on the
    residual branch."""

    def __init__(self, cnf, stochastic_depth_prob, norm_layer, se_layer=SqueezeExcitation):
        super().__init__()
        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        expanded = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        layers = []
        if expanded != cnf.input_channels:
            layers.append(Conv2dNormActivation(cnf.input_channels, expanded, kernel_size=1, norm_layer=norm_layer,
                                               activation_layer=nn.SiLU))
        layers.append(Conv2dNormActivation(expanded, expanded, kernel_size=cnf.kernel, stride=cnf.stride,
                                           groups=expanded, norm_layer=norm_layer, activation_layer=nn.SiLU))
        layers.append(se_layer(expanded, max(1, cnf.input_channels // 4), activation=partial(nn.SiLU, inplace=True)))
        layers.append(Conv2dNormActivation(expanded, cnf.out_channels, kernel_size=1, norm_layer=norm_layer,
                                           activation_layer=None))
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels

    def forward(self, input):
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result) + input
        return result


class FusedMBConv(nn.Module):
    """KxK expansion (strided) and 1x1 projection, or one KxK convolution when there is no expansion."""

    def __init__(self, cnf, stochastic_depth_prob, norm_layer):
        super().__init__()
        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        expanded = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        if expanded != cnf.input_channels:
            layers = [Conv2dNormActivation(cnf.input_channels, expanded, kernel_size=cnf.kernel, stride=cnf.stride,
                                           norm_layer=norm_layer, activation_layer=nn.SiLU),
                      Conv2dNormActivation(expanded, cnf.out_channels, kernel_size=1, norm_layer=norm_layer,
                                           activation_layer=None)]
        else:
            layers = [Conv2dNormActivation(cnf.input_channels, cnf.out_channels, kernel_size=cnf.kernel,
                                           stride=cnf.stride, norm_layer=norm_layer, activation_layer=nn.SiLU)]
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels

    def forward(self, input):
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result) + input
        return result



def _init_linear_uniform(m):
    """EfficientNet's classifier: weights from U(-1/sqrt(out), 1/sqrt(out)), zero bias."""
    init_range = 1.0 / math.sqrt(m.out_features)
    nn.init.uniform_(m.weight, -init_range, init_range)
    nn.init.zeros_(m.bias)

class EfficientNet(nn.Module):
    """A SiLU stem, one Sequential per configured stage (stochastic depth growing linearly with block index up
    to ``stochastic_depth_prob``), a 1x1 head convolution, global pooling, dropout and a linear classifier."""

    def __init__(self, inverted_residual_setting, dropout, stochastic_depth_prob=0.2, num_classes=1000,
                 norm_layer=None, last_channel=None):
        super().__init__()
        if not inverted_residual_setting:
            raise ValueError("The inverted_residual_setting should not be empty")
        if not (isinstance(inverted_residual_setting, (list, tuple))
                and all(isinstance(s, _MBConvConfig) for s in inverted_residual_setting)):
            raise TypeError("The inverted_residual_setting should be List[MBConvConfig]")
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        layers = [Conv2dNormActivation(3, inverted_residual_setting[0].input_channels, kernel_size=3, stride=2,
                                       norm_layer=norm_layer, activation_layer=nn.SiLU)]
        total_stage_blocks = sum(cnf.num_layers for cnf in inverted_residual_setting)
        stage_block_id = 0
        for cnf in inverted_residual_setting:
            stage = []
            for _ in range(cnf.num_layers):
                block_cnf = copy.copy(cnf)
                if stage:  # only a stage's first block changes width and stride
                    block_cnf.input_channels = block_cnf.out_channels
                    block_cnf.stride = 1
                sd_prob = stochastic_depth_prob * float(stage_block_id) / total_stage_blocks
                stage.append(block_cnf.block(block_cnf, sd_prob, norm_layer))
                stage_block_id += 1
            layers.append(nn.Sequential(*stage))
        last_in = inverted_residual_setting[-1].out_channels
        last_out = last_channel if last_channel is not None else 4 * last_in
        layers.append(Conv2dNormActivation(last_in, last_out, kernel_size=1, norm_layer=norm_layer,
                                           activation_layer=nn.SiLU))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout, inplace=True), nn.Linear(last_out, num_classes))
        _init_mobile_weights(self, _init_linear_uniform)

    def forward(self, x):
        x = numbatorch.flatten(self.avgpool(self.features(x)), 1)
        return self.classifier(x)


def _efficientnet_conf(arch, width_mult=1.0, depth_mult=1.0):
    """The stage list and head width of ``arch``."""
    if arch.startswith("efficientnet_b"):
        conf = partial(MBConvConfig, width_mult=width_mult, depth_mult=depth_mult)
        setting = [conf(1, 3, 1, 32, 16, 1), conf(6, 3, 2, 16, 24, 2), conf(6, 5, 2, 24, 40, 2),
                   conf(6, 3, 2, 40, 80, 3), conf(6, 5, 1, 80, 112, 3), conf(6, 5, 2, 112, 192, 4),
                   conf(6, 3, 1, 192, 320, 1)]
        return setting, None
    if arch.startswith("efficientnet_v2_s"):
        setting = [FusedMBConvConfig(1, 3, 1, 24, 24, 2), FusedMBConvConfig(4, 3, 2, 24, 48, 4),
                   FusedMBConvConfig(4, 3, 2, 48, 64, 4), MBConvConfig(4, 3, 2, 64, 128, 6),
                   MBConvConfig(6, 3, 1, 128, 160, 9), MBConvConfig(6, 3, 2, 160, 256, 15)]
    elif arch.startswith("efficientnet_v2_m"):
        setting = [FusedMBConvConfig(1, 3, 1, 24, 24, 3), FusedMBConvConfig(4, 3, 2, 24, 48, 5),
                   FusedMBConvConfig(4, 3, 2, 48, 80, 5), MBConvConfig(4, 3, 2, 80, 160, 7),
                   MBConvConfig(6, 3, 1, 160, 176, 14), MBConvConfig(6, 3, 2, 176, 304, 18),
                   MBConvConfig(6, 3, 1, 304, 512, 5)]
    elif arch.startswith("efficientnet_v2_l"):
        setting = [FusedMBConvConfig(1, 3, 1, 32, 32, 4), FusedMBConvConfig(4, 3, 2, 32, 64, 7),
                   FusedMBConvConfig(4, 3, 2, 64, 96, 7), MBConvConfig(4, 3, 2, 96, 192, 10),
                   MBConvConfig(6, 3, 1, 192, 224, 19), MBConvConfig(6, 3, 2, 224, 384, 25),
                   MBConvConfig(6, 3, 1, 384, 640, 7)]
    else:
        raise ValueError(f"Unsupported model type {arch}")
    return setting, 1280


def _efficientnet(arch, width_mult, depth_mult, dropout, weights, progress, kwargs, norm_layer=None):
    setting, last_channel = _efficientnet_conf(arch, width_mult=width_mult, depth_mult=depth_mult)
    if norm_layer is not None:
        kwargs.setdefault("norm_layer", norm_layer)
    make = partial(EfficientNet, setting, kwargs.pop("dropout", dropout), last_channel=last_channel)
    return _build(make, weights, progress, kwargs)


def _weights(url, num_params, crop_size, resize_size, interpolation=InterpolationMode.BICUBIC, v2=False, **extra):
    from ..transforms._presets import ImageClassification
    return Weights(url=url, transforms=partial(ImageClassification, crop_size=crop_size, resize_size=resize_size,
                                               interpolation=interpolation, **extra),
                   meta={"num_params": num_params, "min_size": (33, 33) if v2 else (1, 1)})


_URL = "https://download.pytorch.org/models/"


class EfficientNet_B0_Weights(WeightsEnum):
    """Pretrained weights for ``efficientnet_b0`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _weights(_URL + "efficientnet_b0_rwightman-7f5810bc.pth", 5288548, 224, 256)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B1_Weights(WeightsEnum):
    """Pretrained weights for ``efficientnet_b1`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _weights(_URL + "efficientnet_b1_rwightman-bac287d4.pth", 7794184, 240, 256)
    IMAGENET1K_V2 = _weights(_URL + "efficientnet_b1-c27df63c.pth", 7794184, 240, 255, InterpolationMode.BILINEAR)
    DEFAULT = IMAGENET1K_V2


class EfficientNet_B2_Weights(WeightsEnum):
    """Pretrained weights for ``efficientnet_b2`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _weights(_URL + "efficientnet_b2_rwightman-c35c1473.pth", 9109994, 288, 288)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B3_Weights(WeightsEnum):
    """Pretrained weights for ``efficientnet_b3`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _weights(_URL + "efficientnet_b3_rwightman-b3899882.pth", 12233232, 300, 320)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B4_Weights(WeightsEnum):
    """Pretrained weights for ``efficientnet_b4`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _weights(_URL + "efficientnet_b4_rwightman-23ab8bcd.pth", 19341616, 380, 384)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B5_Weights(WeightsEnum):
    """Pretrained weights for ``efficientnet_b5`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _weights(_URL + "efficientnet_b5_lukemelas-1a07897c.pth", 30389784, 456, 456)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B6_Weights(WeightsEnum):
    """Pretrained weights for ``efficientnet_b6`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _weights(_URL + "efficientnet_b6_lukemelas-24a108a5.pth", 43040704, 528, 528)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B7_Weights(WeightsEnum):
    """Pretrained weights for ``efficientnet_b7`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _weights(_URL + "efficientnet_b7_lukemelas-c5b4e57e.pth", 66347960, 600, 600)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_S_Weights(WeightsEnum):
    """Pretrained weights for ``efficientnet_v2_s`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _weights(_URL + "efficientnet_v2_s-dd5fe13b.pth", 21458488, 384, 384, InterpolationMode.BILINEAR,
                             v2=True)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_M_Weights(WeightsEnum):
    """Pretrained weights for ``efficientnet_v2_m`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _weights(_URL + "efficientnet_v2_m-dc08266a.pth", 54139356, 480, 480, InterpolationMode.BILINEAR,
                             v2=True)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_L_Weights(WeightsEnum):
    """Pretrained weights for ``efficientnet_v2_l`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _weights(_URL + "efficientnet_v2_l-59c71312.pth", 118515272, 480, 480, v2=True,
                             mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
    DEFAULT = IMAGENET1K_V1


# The ported B5-B7 and V2 weights were trained with TensorFlow's batch-norm epsilon (and momentum).
_tf_norm = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
_v2_norm = partial(nn.BatchNorm2d, eps=1e-03)


@register_model()
def efficientnet_b0(*, weights: Optional[EfficientNet_B0_Weights] = None, progress=True, **kwargs):
    """EfficientNet-B0 (5.3M parameters)."""
    weights = _resolve_weights(EfficientNet_B0_Weights, weights, kwargs)
    return _efficientnet("efficientnet_b0", 1.0, 1.0, 0.2, weights, progress, kwargs)


@register_model()
def efficientnet_b1(*, weights: Optional[EfficientNet_B1_Weights] = None, progress=True, **kwargs):
    """EfficientNet-B1 (7.8M parameters)."""
    weights = _resolve_weights(EfficientNet_B1_Weights, weights, kwargs)
    return _efficientnet("efficientnet_b1", 1.0, 1.1, 0.2, weights, progress, kwargs)


@register_model()
def efficientnet_b2(*, weights: Optional[EfficientNet_B2_Weights] = None, progress=True, **kwargs):
    """EfficientNet-B2 (9.1M parameters)."""
    weights = _resolve_weights(EfficientNet_B2_Weights, weights, kwargs)
    return _efficientnet("efficientnet_b2", 1.1, 1.2, 0.3, weights, progress, kwargs)


@register_model()
def efficientnet_b3(*, weights: Optional[EfficientNet_B3_Weights] = None, progress=True, **kwargs):
    """EfficientNet-B3 (12.2M parameters)."""
    weights = _resolve_weights(EfficientNet_B3_Weights, weights, kwargs)
    return _efficientnet("efficientnet_b3", 1.2, 1.4, 0.3, weights, progress, kwargs)


@register_model()
def efficientnet_b4(*, weights: Optional[EfficientNet_B4_Weights] = None, progress=True, **kwargs):
    """EfficientNet-B4 (19.3M parameters)."""
    weights = _resolve_weights(EfficientNet_B4_Weights, weights, kwargs)
    return _efficientnet("efficientnet_b4", 1.4, 1.8, 0.4, weights, progress, kwargs)


@register_model()
def efficientnet_b5(*, weights: Optional[EfficientNet_B5_Weights] = None, progress=True, **kwargs):
    """EfficientNet-B5 (30.4M parameters)."""
    weights = _resolve_weights(EfficientNet_B5_Weights, weights, kwargs)
    return _efficientnet("efficientnet_b5", 1.6, 2.2, 0.4, weights, progress, kwargs, _tf_norm)


@register_model()
def efficientnet_b6(*, weights: Optional[EfficientNet_B6_Weights] = None, progress=True, **kwargs):
    """EfficientNet-B6 (43.0M parameters)."""
    weights = _resolve_weights(EfficientNet_B6_Weights, weights, kwargs)
    return _efficientnet("efficientnet_b6", 1.8, 2.6, 0.5, weights, progress, kwargs, _tf_norm)


@register_model()
def efficientnet_b7(*, weights: Optional[EfficientNet_B7_Weights] = None, progress=True, **kwargs):
    """EfficientNet-B7 (66.3M parameters)."""
    weights = _resolve_weights(EfficientNet_B7_Weights, weights, kwargs)
    return _efficientnet("efficientnet_b7", 2.0, 3.1, 0.5, weights, progress, kwargs, _tf_norm)


@register_model()
def efficientnet_v2_s(*, weights: Optional[EfficientNet_V2_S_Weights] = None, progress=True, **kwargs):
    """EfficientNetV2-S (21.5M parameters)."""
    weights = _resolve_weights(EfficientNet_V2_S_Weights, weights, kwargs)
    return _efficientnet("efficientnet_v2_s", 1.0, 1.0, 0.2, weights, progress, kwargs, _v2_norm)


@register_model()
def efficientnet_v2_m(*, weights: Optional[EfficientNet_V2_M_Weights] = None, progress=True, **kwargs):
    """EfficientNetV2-M (54.1M parameters)."""
    weights = _resolve_weights(EfficientNet_V2_M_Weights, weights, kwargs)
    return _efficientnet("efficientnet_v2_m", 1.0, 1.0, 0.3, weights, progress, kwargs, _v2_norm)


@register_model()
def efficientnet_v2_l(*, weights: Optional[EfficientNet_V2_L_Weights] = None, progress=True, **kwargs):
    """EfficientNetV2-L (118.5M parameters)."""
    weights = _resolve_weights(EfficientNet_V2_L_Weights, weights, kwargs)
    return _efficientnet("efficientnet_v2_l", 1.0, 1.0, 0.4, weights, progress, kwargs, _v2_norm)
