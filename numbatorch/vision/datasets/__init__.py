"""``numbatorch.vision.datasets``: folder-based image datasets."""
from .folder import IMG_EXTENSIONS, DatasetFolder, ImageFolder, default_loader, pil_loader

__all__ = ["DatasetFolder", "IMG_EXTENSIONS", "ImageFolder", "default_loader", "pil_loader"]
