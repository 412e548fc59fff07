"""DeepLabV3 (Chen et al. 2017) on a dilated ResNet or MobileNetV3, laid out as torchvision's."""
from typing import Optional

import numbatorch

from .... import nn
from ....nn import functional as F
from .._api import WeightsEnum, _resolve_weights, register_model
from .._utils import IntermediateLayerGetter, _ovewrite_value_param
from ..mobilenetv3 import MobileNet_V3_Large_Weights, mobilenet_v3_large
from ..resnet import ResNet50_Weights, ResNet101_Weights, resnet50, resnet101
from ._utils import _mobilenet_stage_indices, _SimpleSegmentationModel, _voc_weights
from .fcn import FCNHead, _segmentation_on_resnet

__all__ = ["DeepLabV3", "DeepLabHead", "DeepLabV3_ResNet50_Weights", "DeepLabV3_ResNet101_Weights",
           "DeepLabV3_MobileNet_V3_Large_Weights", "deeplabv3_mobilenet_v3_large", "deeplabv3_resnet50",
           "deeplabv3_resnet101"]


class DeepLabV3(_SimpleSegmentationModel):
    """DeepLabV3: a backbone and a DeepLabHead classifier (plus an auxiliary FCNHead)."""


class DeepLabHead(nn.Sequential):
    """ASPP, 3x3 conv, BN, ReLU, 1x1 conv to ``num_classes``."""

    def __init__(self, in_channels, num_classes, atrous_rates=(12, 24, 36)):
        super().__init__(ASPP(in_channels, atrous_rates), nn.Conv2d(256, 256, 3, padding=1, bias=False),
                         nn.BatchNorm2d(256), nn.ReLU(), nn.Conv2d(256, num_classes, 1))


class ASPPConv(nn.Sequential):
    """3x3 conv dilated by ``dilation``, BN, ReLU."""

    def __init__(self, in_channels, out_channels, dilation):
        super().__init__(nn.Conv2d(in_channels, out_channels, 3, padding=dilation, dilation=dilation, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU())


class ASPPPooling(nn.Sequential):
    """Global average pool, 1x1 conv, BN, ReLU, upsampled back to the input size."""

    def __init__(self, in_channels, out_channels):
        super().__init__(nn.AdaptiveAvgPool2d(1), nn.Conv2d(in_channels, out_channels, 1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU())

    def forward(self, x):
        size = x.shape[-2:]
        for module in self:
            x = module(x)
        return F.interpolate(x, size=size, mode="bilinear", align_corners=False)


class ASPP(nn.Module):
    """Atrous spatial pyramid pooling: a 1x1 conv, one dilated 3x3 conv per rate and image pooling, concatenated
    and projected to ``out_channels``."""

    def __init__(self, in_channels, atrous_rates, out_channels=256):
        super().__init__()
        modules = [nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, bias=False), nn.BatchNorm2d(out_channels),
                                 nn.ReLU())]
        modules += [ASPPConv(in_channels, out_channels, rate) for rate in tuple(atrous_rates)]
        modules.append(ASPPPooling(in_channels, out_channels))
        self.convs = nn.ModuleList(modules)
        self.project = nn.Sequential(nn.Conv2d(len(self.convs) * out_channels, out_channels, 1, bias=False),
                                     nn.BatchNorm2d(out_channels), nn.ReLU(), nn.Dropout(0.5))

    def forward(self, x):
        return self.project(numbatorch.cat([conv(x) for conv in self.convs], dim=1))


class DeepLabV3_ResNet50_Weights(WeightsEnum):
    """Pretrained weights for ``deeplabv3_resnet50`` (read from the torch hub cache)."""

    COCO_WITH_VOC_LABELS_V1 = _voc_weights("deeplabv3_resnet50_coco-cd0a2569.pth", 42004074)
    DEFAULT = COCO_WITH_VOC_LABELS_V1


class DeepLabV3_ResNet101_Weights(WeightsEnum):
    """Pretrained weights for ``deeplabv3_resnet101`` (read from the torch hub cache)."""

    COCO_WITH_VOC_LABELS_V1 = _voc_weights("deeplabv3_resnet101_coco-586e9e4e.pth", 60996202)
    DEFAULT = COCO_WITH_VOC_LABELS_V1


class DeepLabV3_MobileNet_V3_Large_Weights(WeightsEnum):
    """Pretrained weights for ``deeplabv3_mobilenet_v3_large`` (read from the torch hub cache)."""

    COCO_WITH_VOC_LABELS_V1 = _voc_weights("deeplabv3_mobilenet_v3_large-fc3c493d.pth", 11029328)
    DEFAULT = COCO_WITH_VOC_LABELS_V1


def _deeplabv3_mobilenetv3(backbone, num_classes, aux):
    features = backbone.features
    stage_indices = _mobilenet_stage_indices(features)
    out_pos = stage_indices[-1]  # C5, output stride 16
    aux_pos = stage_indices[-4]  # C2, output stride 8
    return_layers = {str(out_pos): "out"}
    if aux:
        return_layers[str(aux_pos)] = "aux"
    getter = IntermediateLayerGetter(features, return_layers=return_layers)
    aux_classifier = FCNHead(features[aux_pos].out_channels, num_classes) if aux else None
    return DeepLabV3(getter, DeepLabHead(features[out_pos].out_channels, num_classes), aux_classifier)


@register_model()
def deeplabv3_resnet50(*, weights: Optional[DeepLabV3_ResNet50_Weights] = None, progress=True, num_classes=None,
                       aux_loss=None, weights_backbone: Optional[ResNet50_Weights] = ResNet50_Weights.IMAGENET1K_V1,
                       **kwargs):
    """DeepLabV3 on a dilated ResNet-50; the backbone starts from ImageNet weights unless
    ``weights_backbone=None``."""
    return _segmentation_on_resnet(DeepLabV3, DeepLabHead, DeepLabV3_ResNet50_Weights, resnet50, ResNet50_Weights,
                                   weights, progress, num_classes, aux_loss, weights_backbone, kwargs)


@register_model()
def deeplabv3_resnet101(*, weights: Optional[DeepLabV3_ResNet101_Weights] = None, progress=True, num_classes=None,
                        aux_loss=None,
                        weights_backbone: Optional[ResNet101_Weights] = ResNet101_Weights.IMAGENET1K_V1, **kwargs):
    """DeepLabV3 on a dilated ResNet-101; the backbone starts from ImageNet weights unless
    ``weights_backbone=None``."""
    return _segmentation_on_resnet(DeepLabV3, DeepLabHead, DeepLabV3_ResNet101_Weights, resnet101,
                                   ResNet101_Weights, weights, progress, num_classes, aux_loss, weights_backbone,
                                   kwargs)


@register_model()
def deeplabv3_mobilenet_v3_large(*, weights: Optional[DeepLabV3_MobileNet_V3_Large_Weights] = None, progress=True,
                                 num_classes=None, aux_loss=None,
                                 weights_backbone: Optional[MobileNet_V3_Large_Weights] =
                                 MobileNet_V3_Large_Weights.IMAGENET1K_V1, **kwargs):
    """DeepLabV3 on a dilated MobileNetV3-Large; the backbone starts from ImageNet weights unless
    ``weights_backbone=None``."""
    weights = _resolve_weights(DeepLabV3_MobileNet_V3_Large_Weights, weights, kwargs)
    weights_backbone = MobileNet_V3_Large_Weights.verify(weights_backbone)
    if weights is not None:
        weights_backbone = None
        num_classes = _ovewrite_value_param("num_classes", num_classes, len(weights.meta["categories"]))
        aux_loss = _ovewrite_value_param("aux_loss", aux_loss, True)
    elif num_classes is None:
        num_classes = 21
    model = _deeplabv3_mobilenetv3(mobilenet_v3_large(weights=weights_backbone, dilated=True), num_classes, aux_loss)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model
