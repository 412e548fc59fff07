"""``numbatorch.vision.transforms``: torchvision's image transforms for PIL images and tensors."""
from . import functional
from ._color import ColorJitter, GaussianBlur, Grayscale, RandomGrayscale
from ._container import Compose, Lambda, RandomApply, RandomChoice, RandomOrder, RandomTransforms
from ._conversion import ConvertImageDtype, Normalize, PILToTensor, ToPILImage, ToTensor
from ._erasing import RandomErasing
from ._geometry import (CenterCrop, Pad, RandomAffine, RandomCrop, RandomHorizontalFlip,
                        RandomResizedCrop, RandomRotation, RandomVerticalFlip, Resize)
from ._interpolation import InterpolationMode

__all__ = [
    "CenterCrop", "ColorJitter", "Compose", "ConvertImageDtype", "GaussianBlur", "Grayscale",
    "InterpolationMode", "Lambda", "Normalize", "PILToTensor", "Pad", "RandomAffine", "RandomApply",
    "RandomChoice", "RandomCrop", "RandomErasing", "RandomGrayscale", "RandomHorizontalFlip",
    "RandomOrder", "RandomResizedCrop", "RandomRotation", "RandomTransforms", "RandomVerticalFlip",
    "Resize", "ToPILImage", "ToTensor", "functional",
]
