"""``numbatorch.vision``: torchvision's transforms, datasets, models, ops, image io and utilities."""
from . import datasets, io, models, ops, transforms, utils
from ._image_backend import get_image_backend, set_image_backend
from .version import __version__

__all__ = ["__version__", "datasets", "get_image_backend", "io", "models", "ops", "set_image_backend",
           "transforms", "utils"]
