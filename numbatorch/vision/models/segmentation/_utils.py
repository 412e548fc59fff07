"""``_SimpleSegmentationModel``: backbone features -> head -> upsampled to the input size, plus the weights
metadata the segmentation models share."""
from collections import OrderedDict
from functools import partial

from .... import nn
from ....nn import functional as F
from .._api import Weights

# The 20 Pascal VOC classes and the background: the label set of torchvision's COCO-trained segmentation weights.
_VOC_CATEGORIES = ["__background__", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair",
                   "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
                   "train", "tvmonitor"]


def _voc_weights(url, num_params):
    """A :class:`Weights` entry for COCO-trained segmentation weights with VOC labels."""
    from ...transforms._presets import SemanticSegmentation
    return Weights(url="https://download.pytorch.org/models/" + url,
                   transforms=partial(SemanticSegmentation, resize_size=520),
                   meta={"num_params": num_params, "categories": _VOC_CATEGORIES, "min_size": (1, 1)})


class _SimpleSegmentationModel(nn.Module):
    """Run ``classifier`` on the backbone's "out" features (and ``aux_classifier`` on its "aux" ones), each
    upsampled bilinearly to the input size; returns an OrderedDict with "out" (and "aux")."""

    def __init__(self, backbone, classifier, aux_classifier=None):
        super().__init__()
        self.backbone = backbone
        self.classifier = classifier
        self.aux_classifier = aux_classifier

    def forward(self, x):
        input_shape = x.shape[-2:]
        features = self.backbone(x)
        result = OrderedDict()
        result["out"] = F.interpolate(self.classifier(features["out"]), size=input_shape, mode="bilinear",
                                      align_corners=False)
        if self.aux_classifier is not None:
            result["aux"] = F.interpolate(self.aux_classifier(features["aux"]), size=input_shape, mode="bilinear",
                                          align_corners=False)
        return result


def _mobilenet_stage_indices(features):
    """Indices of the blocks that start a new resolution (C1..Cn-1), with the stem (C0) and the last block (Cn)."""
    return [0] + [i for i, b in enumerate(features) if getattr(b, "_is_cn", False)] + [len(features) - 1]
