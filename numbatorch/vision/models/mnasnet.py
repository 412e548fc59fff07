"""MNASNet 0.5/0.75/1.0/1.3 (Tan et al. 2018), laid out as torchvision's."""
from functools import partial
from typing import Optional

from ... import nn
from ._api import WeightsEnum, _resolve_weights, register_model
from ._utils import _build, _imagenet_weights

__all__ = ["MNASNet", "MNASNet0_5_Weights", "MNASNet0_75_Weights", "MNASNet1_0_Weights", "MNASNet1_3_Weights",
           "mnasnet0_5", "mnasnet0_75", "mnasnet1_0", "mnasnet1_3"]

# Paper's batch-norm momentum, in PyTorch's convention (TensorFlow's decay 0.9997).
_BN_MOMENTUM = 1 - 0.9997


class _InvertedResidual(nn.Module):
    """1x1 expansion, depthwise KxK, linear 1x1 projection; a shortcut when shapes allow."""

    def __init__(self, in_ch, out_ch, kernel_size, stride, expansion_factor, bn_momentum=0.1):
        super().__init__()
        if stride not in [1, 2]:
            raise ValueError(f"stride should be 1 or 2 instead of {stride}")
        if kernel_size not in [3, 5]:
            raise ValueError(f"kernel_size should be 3 or 5 instead of {kernel_size}")
        mid_ch = in_ch * expansion_factor
        self.apply_residual = in_ch == out_ch and stride == 1
        self.layers = nn.Sequential(
            nn.Conv2d(in_ch, mid_ch, 1, bias=False), nn.BatchNorm2d(mid_ch, momentum=bn_momentum),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_ch, mid_ch, kernel_size, padding=kernel_size // 2, stride=stride, groups=mid_ch, bias=False),
            nn.BatchNorm2d(mid_ch, momentum=bn_momentum), nn.ReLU(inplace=True),
            nn.Conv2d(mid_ch, out_ch, 1, bias=False), nn.BatchNorm2d(out_ch, momentum=bn_momentum))

    def forward(self, input):
        if self.apply_residual:
            return self.layers(input) + input
        return self.layers(input)


def _stack(in_ch, out_ch, kernel_size, stride, exp_factor, repeats, bn_momentum):
    """``repeats`` inverted residuals, the first one strided."""
    if repeats < 1:
        raise ValueError(f"repeats should be >= 1, instead got {repeats}")
    first = _InvertedResidual(in_ch, out_ch, kernel_size, stride, exp_factor, bn_momentum=bn_momentum)
    return nn.Sequential(first, *[_InvertedResidual(out_ch, out_ch, kernel_size, 1, exp_factor, bn_momentum=bn_momentum)
                                  for _ in range(1, repeats)])


def _round_to_multiple_of(val, divisor, round_up_bias=0.9):
    """Round to a multiple of ``divisor`` without going below ``round_up_bias`` of the value."""
    if not 0.0 < round_up_bias < 1.0:
        raise ValueError(f"round_up_bias should be greater than 0.0 and smaller than 1.0 instead of {round_up_bias}")
    new_val = max(divisor, int(val + divisor / 2) // divisor * divisor)
    return new_val if new_val >= round_up_bias * val else new_val + divisor


def _get_depths(alpha):
    """The stage widths scaled by the depth multiplier ``alpha``."""
    return [_round_to_multiple_of(depth * alpha, 8) for depth in [32, 16, 24, 40, 80, 96, 192, 320]]


class MNASNet(nn.Module):
    """A strided stem, a depthwise-separable block, six stacks of inverted residuals, a 1x1 conv to 1280 channels,
    global average pooling and a linear classifier; ``alpha`` scales the widths."""

    def __init__(self, alpha, num_classes=1000, dropout=0.2):
        super().__init__()
        if alpha <= 0.0:
            raise ValueError(f"alpha should be greater than 0.0 instead of {alpha}")
        self.alpha = alpha
        self.num_classes = num_classes
        depths = _get_depths(alpha)
        bn = partial(nn.BatchNorm2d, momentum=_BN_MOMENTUM)
        self.layers = nn.Sequential(
            nn.Conv2d(3, depths[0], 3, padding=1, stride=2, bias=False), bn(depths[0]), nn.ReLU(inplace=True),
            nn.Conv2d(depths[0], depths[0], 3, padding=1, stride=1, groups=depths[0], bias=False), bn(depths[0]),
            nn.ReLU(inplace=True),
            nn.Conv2d(depths[0], depths[1], 1, padding=0, stride=1, bias=False), bn(depths[1]),
            _stack(depths[1], depths[2], 3, 2, 3, 3, _BN_MOMENTUM),
            _stack(depths[2], depths[3], 5, 2, 3, 3, _BN_MOMENTUM),
            _stack(depths[3], depths[4], 5, 2, 6, 3, _BN_MOMENTUM),
            _stack(depths[4], depths[5], 3, 1, 6, 2, _BN_MOMENTUM),
            _stack(depths[5], depths[6], 5, 2, 6, 4, _BN_MOMENTUM),
            _stack(depths[6], depths[7], 3, 1, 6, 1, _BN_MOMENTUM),
            nn.Conv2d(depths[7], 1280, 1, padding=0, stride=1, bias=False), bn(1280), nn.ReLU(inplace=True),
        )
        self.classifier = nn.Sequential(nn.Dropout(p=dropout, inplace=True), nn.Linear(1280, num_classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.kaiming_uniform_(m.weight, mode="fan_out", nonlinearity="sigmoid")
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.classifier(self.layers(x).mean([2, 3]))


_URL = "https://download.pytorch.org/models/"


class MNASNet0_5_Weights(WeightsEnum):
    """Pretrained weights for ``mnasnet0_5`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "mnasnet0.5_top1_67.823-3ffadce67e.pth", 2218512, (1, 1))
    DEFAULT = IMAGENET1K_V1


class MNASNet0_75_Weights(WeightsEnum):
    """Pretrained weights for ``mnasnet0_75`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "mnasnet0_75-7090bc5f.pth", 3170208, (1, 1), resize_size=232)
    DEFAULT = IMAGENET1K_V1


class MNASNet1_0_Weights(WeightsEnum):
    """Pretrained weights for ``mnasnet1_0`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "mnasnet1.0_top1_73.512-f206786ef8.pth", 4383312, (1, 1))
    DEFAULT = IMAGENET1K_V1


class MNASNet1_3_Weights(WeightsEnum):
    """Pretrained weights for ``mnasnet1_3`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights(_URL + "mnasnet1_3-a4c69d6f.pth", 6282256, (1, 1), resize_size=232)
    DEFAULT = IMAGENET1K_V1


@register_model()
def mnasnet0_5(*, weights: Optional[MNASNet0_5_Weights] = None, progress=True, **kwargs):
    """MNASNet with depth multiplier 0.5 (2.2M parameters)."""
    weights = _resolve_weights(MNASNet0_5_Weights, weights, kwargs)
    return _build(partial(MNASNet, 0.5), weights, progress, kwargs)


@register_model()
def mnasnet0_75(*, weights: Optional[MNASNet0_75_Weights] = None, progress=True, **kwargs):
    """MNASNet with depth multiplier 0.75 (3.2M parameters)."""
    weights = _resolve_weights(MNASNet0_75_Weights, weights, kwargs)
    return _build(partial(MNASNet, 0.75), weights, progress, kwargs)


@register_model()
def mnasnet1_0(*, weights: Optional[MNASNet1_0_Weights] = None, progress=True, **kwargs):
    """MNASNet with depth multiplier 1.0 (4.4M parameters)."""
    weights = _resolve_weights(MNASNet1_0_Weights, weights, kwargs)
    return _build(partial(MNASNet, 1.0), weights, progress, kwargs)


@register_model()
def mnasnet1_3(*, weights: Optional[MNASNet1_3_Weights] = None, progress=True, **kwargs):
    """MNASNet with depth multiplier 1.3 (6.3M parameters)."""
    weights = _resolve_weights(MNASNet1_3_Weights, weights, kwargs)
    return _build(partial(MNASNet, 1.3), weights, progress, kwargs)
