"""Fully-Convolutional Network (Long et al. 2014) on a dilated ResNet, laid out as torchvision's."""
from typing import Optional

from .... import nn
from .._api import WeightsEnum, _resolve_weights, register_model
from .._utils import IntermediateLayerGetter, _ovewrite_value_param
from ..resnet import ResNet50_Weights, ResNet101_Weights, resnet50, resnet101
from ._utils import _SimpleSegmentationModel, _voc_weights

__all__ = ["FCN", "FCNHead", "FCN_ResNet50_Weights", "FCN_ResNet101_Weights", "fcn_resnet50", "fcn_resnet101"]


class FCN(_SimpleSegmentationModel):
    """FCN: a backbone and an FCNHead classifier (plus an auxiliary one on the previous stage)."""


class FCNHead(nn.Sequential):
    """3x3 conv to a quarter of the channels, BN, ReLU, dropout, 1x1 conv to ``channels`` classes."""

    def __init__(self, in_channels, channels):
        inter_channels = in_channels // 4
        super().__init__(nn.Conv2d(in_channels, inter_channels, 3, padding=1, bias=False),
                         nn.BatchNorm2d(inter_channels), nn.ReLU(), nn.Dropout(0.1),
                         nn.Conv2d(inter_channels, channels, 1))


class FCN_ResNet50_Weights(WeightsEnum):
    """Pretrained weights for ``fcn_resnet50`` (read from the torch hub cache)."""

    COCO_WITH_VOC_LABELS_V1 = _voc_weights("fcn_resnet50_coco-1167a1af.pth", 35322218)
    DEFAULT = COCO_WITH_VOC_LABELS_V1


class FCN_ResNet101_Weights(WeightsEnum):
    """Pretrained weights for ``fcn_resnet101`` (read from the torch hub cache)."""

    COCO_WITH_VOC_LABELS_V1 = _voc_weights("fcn_resnet101_coco-7ecb50ca.pth", 54314346)
    DEFAULT = COCO_WITH_VOC_LABELS_V1


def _resnet_backbone_model(model_cls, head_cls, backbone, num_classes, aux):
    """``model_cls`` on a dilated ResNet: ``head_cls`` on layer4 and, with ``aux``, an FCNHead on layer3."""
    return_layers = {"layer4": "out"}
    if aux:
        return_layers["layer3"] = "aux"
    backbone = IntermediateLayerGetter(backbone, return_layers=return_layers)
    return model_cls(backbone, head_cls(2048, num_classes), FCNHead(1024, num_classes) if aux else None)


def _segmentation_on_resnet(model_cls, head_cls, weights_enum, backbone_fn, backbone_weights_enum, weights,
                            progress, num_classes, aux_loss, weights_backbone, kwargs):
    """torchvision's builder logic: pretrained weights fix 21 VOC classes and the auxiliary head and skip the
    backbone's ImageNet weights; otherwise 21 classes by default and the backbone weights as asked."""
    weights = _resolve_weights(weights_enum, weights, kwargs)
    weights_backbone = backbone_weights_enum.verify(weights_backbone)
    if weights is not None:
        weights_backbone = None
        num_classes = _ovewrite_value_param("num_classes", num_classes, len(weights.meta["categories"]))
        aux_loss = _ovewrite_value_param("aux_loss", aux_loss, True)
    elif num_classes is None:
        num_classes = 21
    backbone = backbone_fn(weights=weights_backbone, replace_stride_with_dilation=[False, True, True])
    model = _resnet_backbone_model(model_cls, head_cls, backbone, num_classes, aux_loss)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


@register_model()
def fcn_resnet50(*, weights: Optional[FCN_ResNet50_Weights] = None, progress=True, num_classes=None, aux_loss=None,
                 weights_backbone: Optional[ResNet50_Weights] = ResNet50_Weights.IMAGENET1K_V1, **kwargs):
    """FCN on a dilated ResNet-50; the backbone starts from ImageNet weights unless ``weights_backbone=None``."""
    return _segmentation_on_resnet(FCN, FCNHead, FCN_ResNet50_Weights, resnet50, ResNet50_Weights, weights,
                                   progress, num_classes, aux_loss, weights_backbone, kwargs)


@register_model()
def fcn_resnet101(*, weights: Optional[FCN_ResNet101_Weights] = None, progress=True, num_classes=None,
                  aux_loss=None, weights_backbone: Optional[ResNet101_Weights] = ResNet101_Weights.IMAGENET1K_V1,
                  **kwargs):
    """FCN on a dilated ResNet-101; the backbone starts from ImageNet weights unless ``weights_backbone=None``."""
    return _segmentation_on_resnet(FCN, FCNHead, FCN_ResNet101_Weights, resnet101, ResNet101_Weights, weights,
                                   progress, num_classes, aux_loss, weights_backbone, kwargs)
