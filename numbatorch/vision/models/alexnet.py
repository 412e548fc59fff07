"""AlexNet in the single-GPU form of Krizhevsky's "One weird trick" paper, laid out as torchvision's."""
from typing import Optional

import numbatorch

from ... import nn
from ._api import WeightsEnum, _resolve_weights, register_model
from ._utils import _build, _imagenet_weights

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet"]


class AlexNet(nn.Module):
    """Five convolutions, a 6x6 adaptive average pool and a three-layer classifier."""

    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = numbatorch.flatten(self.avgpool(self.features(x)), 1)
        return self.classifier(x)


class AlexNet_Weights(WeightsEnum):
    """Pretrained weights for ``alexnet`` (read from the torch hub cache)."""

    IMAGENET1K_V1 = _imagenet_weights("https://download.pytorch.org/models/alexnet-owt-7be5be79.pth", 61100840,
                                      (63, 63))
    DEFAULT = IMAGENET1K_V1


@register_model()
def alexnet(*, weights: Optional[AlexNet_Weights] = None, progress=True, **kwargs):
    """AlexNet (61.1M parameters)."""
    weights = _resolve_weights(AlexNet_Weights, weights, kwargs)
    return _build(AlexNet, weights, progress, kwargs)
