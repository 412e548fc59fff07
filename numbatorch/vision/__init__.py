"""``numbatorch.vision``: torchvision's transforms, datasets, models, ops and image utilities."""
from . import datasets, models, ops, transforms, utils
from ._image_backend import get_image_backend, set_image_backend
from .version import __version__

__all__ = ["__version__", "datasets", "get_image_backend", "models", "ops", "set_image_backend", "transforms",
           "utils"]
