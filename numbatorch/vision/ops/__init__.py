"""``numbatorch.vision.ops``: the building blocks torchvision's models share."""
from .misc import Conv2dNormActivation, SqueezeExcitation

__all__ = ["Conv2dNormActivation", "SqueezeExcitation"]
