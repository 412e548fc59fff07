"""``numbatorch.vision``: torchvision's transforms, folder datasets and image utilities."""
from . import datasets, transforms, utils

__all__ = ["datasets", "transforms", "utils"]
