"""Lite R-ASPP (Howard et al. 2019) on a dilated MobileNetV3-Large, laid out as torchvision's."""
from collections import OrderedDict
from typing import Optional

from .... import nn
from ....nn import functional as F
from .._api import WeightsEnum, _resolve_weights, register_model
from .._utils import IntermediateLayerGetter, _ovewrite_value_param
from ..mobilenetv3 import MobileNet_V3_Large_Weights, mobilenet_v3_large
from ._utils import _mobilenet_stage_indices, _voc_weights

__all__ = ["LRASPP", "LRASPP_MobileNet_V3_Large_Weights", "lraspp_mobilenet_v3_large"]


class LRASPP(nn.Module):
    """Backbone features at output strides 8 ("low") and 16 ("high") through an LRASPPHead, upsampled to the
    input size; returns an OrderedDict with "out"."""

    def __init__(self, backbone, low_channels, high_channels, num_classes, inter_channels=128):
        super().__init__()
        self.backbone = backbone
        self.classifier = LRASPPHead(low_channels, high_channels, num_classes, inter_channels)

    def forward(self, input):
        out = self.classifier(self.backbone(input))
        return OrderedDict(out=F.interpolate(out, size=input.shape[-2:], mode="bilinear", align_corners=False))


class LRASPPHead(nn.Module):
    """High features gated by their global context, upsampled and added to a classifier on the low ones."""

    def __init__(self, low_channels, high_channels, num_classes, inter_channels):
        super().__init__()
        self.cbr = nn.Sequential(nn.Conv2d(high_channels, inter_channels, 1, bias=False),
                                 nn.BatchNorm2d(inter_channels), nn.ReLU(inplace=True))
        self.scale = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(high_channels, inter_channels, 1, bias=False),
                                   nn.Sigmoid())
        self.low_classifier = nn.Conv2d(low_channels, num_classes, 1)
        self.high_classifier = nn.Conv2d(inter_channels, num_classes, 1)

    def forward(self, input):
        low, high = input["low"], input["high"]
        x = self.cbr(high) * self.scale(high)
        x = F.interpolate(x, size=low.shape[-2:], mode="bilinear", align_corners=False)
        return self.low_classifier(low) + self.high_classifier(x)


class LRASPP_MobileNet_V3_Large_Weights(WeightsEnum):
    """Pretrained weights for ``lraspp_mobilenet_v3_large`` (read from the torch hub cache)."""

    COCO_WITH_VOC_LABELS_V1 = _voc_weights("lraspp_mobilenet_v3_large-d234d4ea.pth", 3221538)
    DEFAULT = COCO_WITH_VOC_LABELS_V1


@register_model()
def lraspp_mobilenet_v3_large(*, weights: Optional[LRASPP_MobileNet_V3_Large_Weights] = None, progress=True,
                              num_classes=None,
                              weights_backbone: Optional[MobileNet_V3_Large_Weights] =
                              MobileNet_V3_Large_Weights.IMAGENET1K_V1, **kwargs):
    """LR-ASPP on a dilated MobileNetV3-Large; the backbone starts from ImageNet weights unless
    ``weights_backbone=None``."""
    if kwargs.pop("aux_loss", False):
        raise NotImplementedError("This model does not use auxiliary loss")
    weights = _resolve_weights(LRASPP_MobileNet_V3_Large_Weights, weights, kwargs)
    weights_backbone = MobileNet_V3_Large_Weights.verify(weights_backbone)
    if weights is not None:
        weights_backbone = None
        num_classes = _ovewrite_value_param("num_classes", num_classes, len(weights.meta["categories"]))
    elif num_classes is None:
        num_classes = 21
    features = mobilenet_v3_large(weights=weights_backbone, dilated=True).features
    stage_indices = _mobilenet_stage_indices(features)
    low_pos, high_pos = stage_indices[-4], stage_indices[-1]  # C2 (output stride 8) and C5 (16)
    getter = IntermediateLayerGetter(features, return_layers={str(low_pos): "low", str(high_pos): "high"})
    model = LRASPP(getter, features[low_pos].out_channels, features[high_pos].out_channels, num_classes)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model
