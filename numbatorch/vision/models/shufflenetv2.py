"""ShuffleNet V2 x0.5/x1.0/x1.5/x2.0 (Ma et al. 2018), laid out as torchvision's."""
from functools import partial
from typing import Optional

import numbatorch

from ... import nn
from ._api import WeightsEnum, _resolve_weights, register_model
from ._utils import _build, _imagenet_weights

__all__ = ["ShuffleNetV2", "ShuffleNet_V2_X0_5_Weights", "ShuffleNet_V2_X1_0_Weights", "ShuffleNet_V2_X1_5_Weights",
           "ShuffleNet_V2_X2_0_Weights", "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5",
           "shufflenet_v2_x2_0"]


def channel_shuffle(x, groups):
    """Interleave the channels of ``groups`` equal groups (so the next block mixes information across them)."""
    batchsize, num_channels, height, width = x.size()
    x = x.view(batchsize, groups, num_channels // groups, height, width)
    return numbatorch.transpose(x, 1, 2).contiguous().view(batchsize, num_channels, height, width)


class InvertedResidual(nn.Module):
    """ShuffleNet V2 unit: stride 1 splits the channels and transforms one half; stride 2 transforms (and
    downsamples) both copies; the halves are concatenated and shuffled."""

    def __init__(self, inp, oup, stride):
        super().__init__()
        if not (1 <= stride <= 3):
            raise ValueError("illegal stride value")
        self.stride = stride
        branch_features = oup // 2
        if self.stride == 1 and inp != branch_features << 1:
            raise ValueError(f"Invalid combination of stride {stride}, inp {inp} and oup {oup} values. If stride == 1 "
                             f"then inp should be equal to oup // 2 << 1.")
        if self.stride > 1:
            self.branch1 = nn.Sequential(
                self.depthwise_conv(inp, inp, kernel_size=3, stride=self.stride, padding=1), nn.BatchNorm2d(inp),
                nn.Conv2d(inp, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
                nn.BatchNorm2d(branch_features), nn.ReLU(inplace=True))
        else:
            self.branch1 = nn.Sequential()
        self.branch2 = nn.Sequential(
            nn.Conv2d(inp if self.stride > 1 else branch_features, branch_features, kernel_size=1, stride=1,
                      padding=0, bias=False),
            nn.BatchNorm2d(branch_features), nn.ReLU(inplace=True),
            self.depthwise_conv(branch_features, branch_features, kernel_size=3, stride=self.stride, padding=1),
            nn.BatchNorm2d(branch_features),
            nn.Conv2d(branch_features, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(branch_features), nn.ReLU(inplace=True))

    @staticmethod
    def depthwise_conv(i, o, kernel_size, stride=1, padding=0, bias=False):
        """A convolution with one group per input channel."""
        return nn.Conv2d(i, o, kernel_size, stride, padding, bias=bias, groups=i)

    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = numbatorch.cat((x1, self.branch2(x2)), dim=1)
        else:
            out = numbatorch.cat((self.branch1(x), self.branch2(x)), dim=1)
        return channel_shuffle(out, 2)


class ShuffleNetV2(nn.Module):
    """A strided 3x3 stem and max pool, three stages of units (``stages_repeats``), a 1x1 conv, global average
    pooling and a linear classifier; ``stages_out_channels`` gives the five widths."""

    def __init__(self, stages_repeats, stages_out_channels, num_classes=1000, inverted_residual=InvertedResidual):
        super().__init__()
        if len(stages_repeats) != 3:
            raise ValueError("expected stages_repeats as list of 3 positive ints")
        if len(stages_out_channels) != 5:
            raise ValueError("expected stages_out_channels as list of 5 positive ints")
        self._stage_out_channels = stages_out_channels
        input_channels, output_channels = 3, stages_out_channels[0]
        self.conv1 = nn.Sequential(nn.Conv2d(input_channels, output_channels, 3, 2, 1, bias=False),
                                   nn.BatchNorm2d(output_channels), nn.ReLU(inplace=True))
        input_channels = output_channels
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        for name, repeats, output_channels in zip(("stage2", "stage3", "stage4"), stages_repeats,
                                                  stages_out_channels[1:]):
            units = [inverted_residual(input_channels, output_channels, 2)]
            units += [inverted_residual(output_channels, output_channels, 1) for _ in range(repeats - 1)]
            setattr(self, name, nn.Sequential(*units))
            input_channels = output_channels
        output_channels = stages_out_channels[-1]
        self.conv5 = nn.Sequential(nn.Conv2d(input_channels, output_channels, 1, 1, 0, bias=False),
                                   nn.BatchNorm2d(output_channels), nn.ReLU(inplace=True))
        self.fc = nn.Linear(output_channels, num_classes)

    def forward(self, x):
        x = self.maxpool(self.conv1(x))
        x = self.conv5(self.stage4(self.stage3(self.stage2(x))))
        return self.fc(x.mean([2, 3]))  # global average pool


_URL = "https://download.pytorch.org/models/"


class ShuffleNet_V2_X0_5_Weights(WeightsEnum):
    """Pretrained weights for ``shufflenet_v2_x0_5`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "shufflenetv2_x0.5-f707e7126e.pth", 1366792, (1, 1))
    DEFAULT = IMAGENET1K_V1


class ShuffleNet_V2_X1_0_Weights(WeightsEnum):
    """Pretrained weights for ``shufflenet_v2_x1_0`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "shufflenetv2_x1-5666bf0f80.pth", 2278604, (1, 1))
    DEFAULT = IMAGENET1K_V1


class ShuffleNet_V2_X1_5_Weights(WeightsEnum):
    """Pretrained weights for ``shufflenet_v2_x1_5`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "shufflenetv2_x1_5-3c479a10.pth", 3503624, (1, 1), resize_size=232)
    DEFAULT = IMAGENET1K_V1


class ShuffleNet_V2_X2_0_Weights(WeightsEnum):
    """Pretrained weights for ``shufflenet_v2_x2_0`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "shufflenetv2_x2_0-8be3c8ee.pth", 7393996, (1, 1), resize_size=232)
    DEFAULT = IMAGENET1K_V1


def _shufflenetv2(channels, weights, progress, kwargs):
    return _build(partial(ShuffleNetV2, [4, 8, 4], channels), weights, progress, kwargs)


@register_model()
def shufflenet_v2_x0_5(*, weights: Optional[ShuffleNet_V2_X0_5_Weights] = None, progress=True, **kwargs):
    """ShuffleNet V2 at 0.5x width (1.4M parameters)."""
    weights = _resolve_weights(ShuffleNet_V2_X0_5_Weights, weights, kwargs)
    return _shufflenetv2([24, 48, 96, 192, 1024], weights, progress, kwargs)


@register_model()
def shufflenet_v2_x1_0(*, weights: Optional[ShuffleNet_V2_X1_0_Weights] = None, progress=True, **kwargs):
    """ShuffleNet V2 at 1.0x width (2.3M parameters)."""
    weights = _resolve_weights(ShuffleNet_V2_X1_0_Weights, weights, kwargs)
    return _shufflenetv2([24, 116, 232, 464, 1024], weights, progress, kwargs)


@register_model()
def shufflenet_v2_x1_5(*, weights: Optional[ShuffleNet_V2_X1_5_Weights] = None, progress=True, **kwargs):
    """ShuffleNet V2 at 1.5x width (3.5M parameters)."""
    weights = _resolve_weights(ShuffleNet_V2_X1_5_Weights, weights, kwargs)
    return _shufflenetv2([24, 176, 352, 704, 1024], weights, progress, kwargs)


@register_model()
def shufflenet_v2_x2_0(*, weights: Optional[ShuffleNet_V2_X2_0_Weights] = None, progress=True, **kwargs):
    """ShuffleNet V2 at 2.0x width (7.4M parameters)."""
    weights = _resolve_weights(ShuffleNet_V2_X2_0_Weights, weights, kwargs)
    return _shufflenetv2([24, 244, 488, 976, 2048], weights, progress, kwargs)
